"""ResNet: He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR 2016;
pre-activation blocks: He, Zhang, Ren and Sun, "Identity Mappings in Deep Residual Networks",
ECCV 2016; Wide ResNet: Zagoruyko and Komodakis, "Wide Residual Networks", BMVC 2016.

A residual block computes ``relu(x + F(x))``: its layers ``F`` only learn the *change* to their
input, and the identity path lets gradients reach early layers unchanged.  When a block changes
the number of channels or the resolution, the shortcut becomes a 1x1 convolution (with stride)
and batch norm ("projection shortcut").

* ``BasicBlock`` (ResNet-18/34): two 3x3 convolutions; ``expansion = 1`` (its output has as
  many channels as its stage's width).
* ``Bottleneck`` (ResNet-50/101/152): 1x1 conv (narrows), 3x3 conv (optionally *grouped*: the
  ResNeXt block, and optionally followed by squeeze-and-excitation: the RegNetY block), 1x1 conv
  (widens ``expansion = 4`` times).  The stride sits on the 3x3 convolution, as in torchvision
  ("ResNet v1.5"; the 2016 paper strided the first 1x1 convolution).
* ``PreActBasicBlock`` / ``PreActBottleneck``: batch norm and ReLU *before* each convolution and
  nothing after the addition, so the shortcut path is a pure identity from block to block.

Shapes of ResNet-50 for a 224x224 RGB image:

    input                                  (batch,    3, 224, 224)
    stem: conv 7x7 /2, BN, ReLU            (batch,   64, 112, 112)
    max-pool 3x3 /2                        (batch,   64,  56,  56)
    layer1: 3 bottlenecks, width  64       (batch,  256,  56,  56)
    layer2: 4 bottlenecks, width 128, /2   (batch,  512,  28,  28)
    layer3: 6 bottlenecks, width 256, /2   (batch, 1024,  14,  14)
    layer4: 3 bottlenecks, width 512, /2   (batch, 2048,   7,   7)
    global average pool, flatten           (batch, 2048)
    linear                                 (batch, num_classes)

Module names follow torchvision (``conv1``, ``bn1``, ``layer1``..., ``fc``; in a block ``conv1``,
``bn1``, ..., ``downsample``), so a torchvision state dict loads into these models unchanged.
"""

from __future__ import annotations

from typing import Sequence, Type, Union

import torch
from torch import nn

from ..errors import (
    CnnbookError,
    CnnbookTypeError,
    check_bool,
    check_int,
    check_int_sequence,
)
from ..i18n import error_text
from ._base import ImageClassifier
from ._init import he_init
from ._registry import register_model

# The class attributes ResNet reads from a block class (BasicBlock and Bottleneck set all three).
BLOCK_ATTRIBUTES = ("expansion", "has_bottleneck", "pre_activation")


def conv3x3(
    in_channels: int, out_channels: int, stride: int = 1, groups: int = 1
) -> nn.Conv2d:
    """3x3 convolution with padding 1 and no bias (a batch norm follows it)."""
    return nn.Conv2d(
        in_channels,
        out_channels,
        kernel_size=3,
        stride=stride,
        padding=1,
        groups=groups,
        bias=False,
    )


def conv1x1(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution without bias: mixes channels at each pixel."""
    return nn.Conv2d(
        in_channels, out_channels, kernel_size=1, stride=stride, bias=False
    )


def projection_shortcut(
    in_channels: int, out_channels: int, stride: int, batch_norm: bool = True
) -> nn.Module | None:
    """The shortcut of a block: ``None`` (identity) if the shape is kept, else 1x1 conv
    (+ BN)."""
    if stride == 1 and in_channels == out_channels:
        return None
    if not batch_norm:
        return conv1x1(in_channels, out_channels, stride)
    return nn.Sequential(
        conv1x1(in_channels, out_channels, stride), nn.BatchNorm2d(out_channels)
    )


def check_groups(channels: int, groups: int) -> None:
    """A grouped convolution splits its channels into ``groups`` equal parts: check they divide."""
    if (
        not isinstance(groups, int)
        or isinstance(groups, bool)
        or groups < 1
        or channels % groups != 0
    ):
        raise CnnbookError(
            error_text(
                "groups divisor",
                groups=groups,
                channels=channels,
                per_group=channels / max(groups, 1),
            )
        )


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu, Shen and Sun, CVPR 2018): rescale each channel by a
    gate in (0, 1) computed from the channel averages by a tiny two-layer network.

    Shapes: ``(batch, channels, h, w)`` -> same.  The two layers are 1x1 convolutions on
    the ``(batch, channels, 1, 1)`` averages (the same as linear layers), as in
    torchvision.
    """

    def __init__(self, channels: int, squeeze_channels: int) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze_channels, kernel_size=1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(squeeze_channels, channels, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(self.fc2(self.relu(self.fc1(self.avgpool(x)))))
        return x * gate


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm, plus the shortcut; ReLU after the addition.

    Shapes: ``(batch, in_channels, h, w)`` ->
    ``(batch, out_channels, h / stride, w / stride)``.
    """

    expansion = 1
    has_bottleneck = False
    pre_activation = False

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = conv3x3(in_channels, out_channels, stride)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(out_channels, out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = projection_shortcut(in_channels, out_channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        # in place, as torchvision: saves allocating a new tensor per block
        out += shortcut
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 conv (narrow) -> 3x3 conv (grouped, strided) [-> squeeze-excitation] -> 1x1
    conv (widen), each with batch norm, plus the shortcut; ReLU after the addition.

    Shapes: ``(batch, in_channels, h, w)`` ->
    ``(batch, out_channels, h / stride, w / stride)``.

    Args:
        in_channels, out_channels: channels of the block's input and output.
        stride: stride of the 3x3 convolution (2 halves height and width).
        bottleneck_channels: channels of the 3x3 convolution;
            ``out_channels // expansion`` by default (ResNet).  ResNeXt and RegNet make
            it wider.
        groups: number of groups of the 3x3 convolution (ResNeXt's *cardinality*); each
            group has ``bottleneck_channels // groups`` channels (the *group width*).
        se_channels: if positive, squeeze-and-excitation after the 3x3 convolution with
            this many squeezed channels (RegNetY).
    """

    expansion = 4
    has_bottleneck = True
    pre_activation = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        bottleneck_channels: int | None = None,
        groups: int = 1,
        se_channels: int = 0,
    ) -> None:
        super().__init__()
        check_bottleneck_arguments(
            out_channels, self.expansion, bottleneck_channels, groups
        )
        width = (
            out_channels // self.expansion
            if bottleneck_channels is None
            else bottleneck_channels
        )
        self.conv1 = conv1x1(in_channels, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn2 = nn.BatchNorm2d(width)
        self.se = SqueezeExcitation(width, se_channels) if se_channels > 0 else None
        self.conv3 = conv1x1(width, out_channels)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = projection_shortcut(in_channels, out_channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        if self.se is not None:
            out = self.se(out)
        out = self.bn3(self.conv3(out))
        # in place, as torchvision: saves allocating a new tensor per block
        out += shortcut
        return self.relu(out)


class PreActivationBlock(nn.Module):
    """Shared forward of the pre-activation blocks: ``x + F(x)`` with ``F`` a chain of
    (batch norm, ReLU, convolution) units and no activation after the addition.

    The projection shortcut, when there is one, reads the first unit's normalized and
    activated input, as in He et al. (2016, "Identity Mappings", and their
    fb.resnet.torch code).
    """

    pre_activation = True
    norms: nn.ModuleList
    convs: nn.ModuleList
    downsample: nn.Module | None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        activated = self.relu(self.norms[0](x))
        shortcut = x if self.downsample is None else self.downsample(activated)
        out = self.convs[0](activated)
        for norm, conv in zip(self.norms[1:], self.convs[1:]):
            out = conv(self.relu(norm(out)))
        return out + shortcut


class PreActBasicBlock(PreActivationBlock):
    """BN-ReLU-conv3x3 twice, plus an identity (or 1x1 convolution) shortcut."""

    expansion = 1
    has_bottleneck = False

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.norms = nn.ModuleList(
            [nn.BatchNorm2d(in_channels), nn.BatchNorm2d(out_channels)]
        )
        self.convs = nn.ModuleList(
            [
                conv3x3(in_channels, out_channels, stride),
                conv3x3(out_channels, out_channels),
            ]
        )
        # the block input must survive for the shortcut
        self.relu = nn.ReLU(inplace=False)
        self.downsample = projection_shortcut(
            in_channels, out_channels, stride, batch_norm=False
        )


class PreActBottleneck(PreActivationBlock):
    """BN-ReLU-conv1x1, BN-ReLU-conv3x3 (grouped, strided), BN-ReLU-conv1x1, plus the
    shortcut."""

    expansion = 4
    has_bottleneck = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        bottleneck_channels: int | None = None,
        groups: int = 1,
    ) -> None:
        super().__init__()
        check_preactbottleneck_arguments(
            out_channels, self.expansion, bottleneck_channels, groups
        )
        width = (
            out_channels // self.expansion
            if bottleneck_channels is None
            else bottleneck_channels
        )
        self.norms = nn.ModuleList(
            [nn.BatchNorm2d(in_channels), nn.BatchNorm2d(width), nn.BatchNorm2d(width)]
        )
        self.convs = nn.ModuleList(
            [
                conv1x1(in_channels, width),
                conv3x3(width, width, stride, groups),
                conv1x1(width, out_channels),
            ]
        )
        self.relu = nn.ReLU(inplace=False)
        self.downsample = projection_shortcut(
            in_channels, out_channels, stride, batch_norm=False
        )


def last_residual_weight(block: nn.Module) -> torch.Tensor:
    """The weight that scales a block's residual branch last: the last batch norm's gamma, or, in a
    pre-activation block (which ends on a convolution), the last convolution's weight.
    """
    if isinstance(block, PreActivationBlock):
        return block.convs[-1].weight
    return block.bn3.weight if isinstance(block, Bottleneck) else block.bn2.weight


Block = Type[Union[BasicBlock, Bottleneck, PreActBasicBlock, PreActBottleneck]]


class ResNet(ImageClassifier):
    """A ResNet: stem, stages of residual blocks (the first block of stages 2+ halves the
    resolution), global average pooling and one linear layer.

    Args:
        block: the block class; its ``expansion`` says how many times wider than the stage's
            width (``stage_widths``) a block's output is.
        layers: number of blocks per stage, e.g. ``(3, 4, 6, 3)`` for ResNet-50.
        in_channels: channels of the input images.
        num_classes: number of output classes.
        groups: number of groups (the *cardinality*) of every bottleneck's 3x3 convolution.
        width_per_group: channels per group of the first stage's 3x3 convolutions; later stages
            scale it with their width.  ``groups=1, width_per_group=64`` is ResNet;
            ``groups=32, width_per_group=4`` is ResNeXt-50 (32x4d); ``groups=1,
            width_per_group=128`` is Wide ResNet-50-2.  The bottleneck of a stage of width
            ``w`` has ``int(width_per_group * w / stage_widths[0]) * groups`` channels.
        stage_widths: width of each stage (64, 128, 256, 512 in ResNet).
        small_stem: for small images (28x28, 32x32): a 3x3 stride-1 stem without max-pooling
            instead of the 7x7 stride-2 convolution and 3x3 stride-2 max-pooling.
        zero_init_residual: start the scale (gamma) of each block's last batch norm at 0, so every
            residual block starts as the identity (Goyal et al. 2017); as torchvision's option.
            Pre-activation blocks end on a convolution: its weights start at 0 instead.
    """

    def __init__(
        self,
        block: Block,
        layers: Sequence[int],
        in_channels: int = 3,
        num_classes: int = 1000,
        groups: int = 1,
        width_per_group: int = 64,
        stage_widths: Sequence[int] = (64, 128, 256, 512),
        small_stem: bool = False,
        zero_init_residual: bool = False,
    ) -> None:
        super().__init__()
        check_resnet_arguments(
            block,
            layers,
            groups,
            width_per_group,
            stage_widths,
            small_stem,
            zero_init_residual,
        )
        self.in_channels, self.num_classes = in_channels, num_classes
        stem_channels = stage_widths[0]
        if small_stem:
            self.conv1 = conv3x3(in_channels, stem_channels)
        else:
            self.conv1 = nn.Conv2d(
                in_channels,
                stem_channels,
                kernel_size=7,
                stride=2,
                padding=3,
                bias=False,
            )
        self.bn1 = nn.BatchNorm2d(stem_channels)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = (
            nn.Identity()
            if small_stem
            else nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        )
        channels = stem_channels
        self.stage_names: list[str] = []
        for index, (num_blocks, width) in enumerate(zip(layers, stage_widths)):
            extra = {}
            if block.has_bottleneck:
                extra = {
                    "groups": groups,
                    "bottleneck_channels": int(
                        width_per_group * width / stage_widths[0]
                    )
                    * groups,
                }
            stride = 1 if index == 0 else 2
            blocks = []
            for position in range(num_blocks):
                blocks.append(
                    block(
                        channels,
                        width * block.expansion,
                        stride if position == 0 else 1,
                        **extra,
                    )
                )
                channels = width * block.expansion
            name = f"layer{index + 1}"
            self.add_module(name, nn.Sequential(*blocks))
            self.stage_names.append(name)
        # pre-activation blocks end on a convolution: normalize and activate once
        # before pooling
        self.final_norm = (
            nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(inplace=True))
            if block.pre_activation
            else nn.Identity()
        )
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(channels, num_classes)
        he_init(self)
        # the fc layer keeps PyTorch's default, as in torchvision's ResNet
        nn.init.kaiming_uniform_(self.fc.weight, a=5**0.5)
        nn.init.zeros_(self.fc.bias)
        if zero_init_residual:
            for name in self.stage_names:
                for residual_block in getattr(self, name):
                    nn.init.zeros_(last_residual_weight(residual_block))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(images))))
        for name in self.stage_names:
            x = getattr(self, name)(x)
        x = self.avgpool(self.final_norm(x))
        return self.fc(torch.flatten(x, 1))


@register_model(torchvision=True)
def resnet18(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-18 (basic blocks, 2-2-2-2), as torchvision's ``resnet18``."""
    return ResNet(BasicBlock, (2, 2, 2, 2), in_channels, num_classes)


@register_model(torchvision=True)
def resnet34(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-34 (basic blocks, 3-4-6-3), as torchvision's ``resnet34``."""
    return ResNet(BasicBlock, (3, 4, 6, 3), in_channels, num_classes)


@register_model(torchvision=True)
def resnet50(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-50 (bottlenecks, 3-4-6-3), as torchvision's ``resnet50``."""
    return ResNet(Bottleneck, (3, 4, 6, 3), in_channels, num_classes)


@register_model(torchvision=True)
def resnet101(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-101 (bottlenecks, 3-4-23-3), as torchvision's ``resnet101``."""
    return ResNet(Bottleneck, (3, 4, 23, 3), in_channels, num_classes)


@register_model(torchvision=True)
def resnet152(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-152 (bottlenecks, 3-8-36-3), as torchvision's ``resnet152``."""
    return ResNet(Bottleneck, (3, 8, 36, 3), in_channels, num_classes)


@register_model(torchvision=True)
def wide_resnet50_2(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """Wide ResNet-50-2: ResNet-50 with bottlenecks twice as wide (128 channels per
    group in the first stage instead of 64), the outputs unchanged; as torchvision's
    ``wide_resnet50_2``.
    """
    return ResNet(
        Bottleneck, (3, 4, 6, 3), in_channels, num_classes, width_per_group=128
    )


@register_model(torchvision=True)
def wide_resnet101_2(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """Wide ResNet-101-2, as torchvision's ``wide_resnet101_2``."""
    return ResNet(
        Bottleneck, (3, 4, 23, 3), in_channels, num_classes, width_per_group=128
    )


@register_model()
def preact_resnet18(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-18 with pre-activation basic blocks (He et al. 2016, "Identity Mappings")."""
    return ResNet(PreActBasicBlock, (2, 2, 2, 2), in_channels, num_classes)


@register_model()
def preact_resnet50(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-50 with pre-activation bottleneck blocks (He et al. 2016, "Identity Mappings")."""
    return ResNet(PreActBottleneck, (3, 4, 6, 3), in_channels, num_classes)


@register_model(small_image_size=28)
def resnet18_small(num_classes: int = 10, in_channels: int = 1) -> ResNet:
    """A narrow ResNet-18 for the fast CPU profile: 28x28 Fashion-MNIST as it comes.

    What was shrunk and why: a quarter of the widths (16-32-64-128 instead of 64-128-256-512),
    and the stem is one 3x3 stride-1 convolution without max-pooling (the 7x7 stride-2
    convolution and the pooling were made for 224x224 photographs: they would turn a 28x28 image
    into 7x7 before the first block).  The feature maps go 28 -> 14 -> 7 -> 4.  The blocks and
    their number (2-2-2-2 basic blocks) are ResNet-18's.
    """
    return ResNet(
        BasicBlock,
        (2, 2, 2, 2),
        in_channels,
        num_classes,
        stage_widths=(16, 32, 64, 128),
        small_stem=True,
    )


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's figure.


def check_bottleneck_arguments(
    out_channels: int, expansion: int, bottleneck_channels: int | None, groups: int
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``Bottleneck``'s arguments cannot build it."""
    check_groups(
        (
            out_channels // expansion
            if bottleneck_channels is None
            else bottleneck_channels
        ),
        groups,
    )


def check_preactbottleneck_arguments(
    out_channels: int, expansion: int, bottleneck_channels: int | None, groups: int
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``PreActBottleneck``'s arguments cannot build it."""
    check_groups(
        (
            out_channels // expansion
            if bottleneck_channels is None
            else bottleneck_channels
        ),
        groups,
    )


def check_resnet_arguments(
    block: Block,
    layers: Sequence[int],
    groups: int,
    width_per_group: int,
    stage_widths: Sequence[int],
    small_stem: bool,
    zero_init_residual: bool,
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``ResNet``'s arguments cannot build it."""
    if not (isinstance(block, type) and issubclass(block, nn.Module)):
        raise CnnbookTypeError(error_text("resnet block class", value=block))
    missing = [name for name in BLOCK_ATTRIBUTES if not hasattr(block, name)]
    if missing:
        raise CnnbookTypeError(
            error_text(
                "resnet block",
                value=block,
                name=block.__name__,
                missing=error_text("list separator").join(missing),
            )
        )
    stage_widths = check_int_sequence("stage_widths", stage_widths, minimum=1)
    layers = check_int_sequence("layers", layers, minimum=1)
    if len(layers) != len(stage_widths):
        raise CnnbookError(
            error_text("resnet layers", value=layers, stages=len(stage_widths))
        )
    check_bool("small_stem", small_stem)
    check_bool("zero_init_residual", zero_init_residual)
    for name, value in (("groups", groups), ("width_per_group", width_per_group)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise CnnbookError(error_text("resnext width", name=name, value=value))
    if not block.has_bottleneck and (groups != 1 or width_per_group != 64):
        raise CnnbookError(
            f"{block.__name__} has no bottleneck: groups and width_per_group apply to "
            f"bottleneck blocks only (got groups={groups}, width_per_group={width_per_group})"
        )
    if block.has_bottleneck and any(
        int(width_per_group * w / stage_widths[0]) < 1 for w in stage_widths
    ):
        raise CnnbookError(
            f"width_per_group={width_per_group} with stage_widths={list(stage_widths)} is not "
            "allowed: some stage would have 0 channels per group (width_per_group * width "
            "/ stage_widths[0] must be at least 1 for every stage)"
        )
