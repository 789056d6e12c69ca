"""DenseNet: Huang, Liu, van der Maaten and Weinberger, "Densely Connected Convolutional
Networks", CVPR 2017.

Inside a *dense block* every layer receives the concatenation of the block input and all earlier
layers' outputs, and adds ``growth_rate`` new channels: a block of ``L`` layers on ``c`` input
channels outputs ``c + L * growth_rate`` channels.  Each *dense layer* is BN-ReLU-conv1x1
(to ``bn_size * growth_rate`` channels, the "B" of DenseNet-BC) then BN-ReLU-conv3x3 (to
``growth_rate`` channels).  Between blocks a *transition layer* (BN-ReLU-conv1x1, 2x2 average
pooling) halves the resolution and, with compression 0.5, the channels ("C" of DenseNet-BC).

Shapes of DenseNet-121 (growth rate 32, blocks of 6, 12, 24, 16 layers) for a 224x224 image:

    input                                   (batch,    3, 224, 224)
    stem: conv 7x7 /2, BN, ReLU, max-pool /2 (batch,   64,  56,  56)
    dense block 1 (6 layers)                (batch,  256,  56,  56)   64 + 6 * 32
    transition 1                            (batch,  128,  28,  28)
    dense block 2 (12 layers)               (batch,  512,  28,  28)
    transition 2                            (batch,  256,  14,  14)
    dense block 3 (24 layers)               (batch, 1024,  14,  14)
    transition 3                            (batch,  512,   7,   7)
    dense block 4 (16 layers)               (batch, 1024,   7,   7)
    BN, ReLU, global average pool, linear   (batch, num_classes)

Module names follow torchvision (``features.conv0``, ``features.denseblock1.denselayer1.norm1``,
``features.transition1``, ``features.norm5``, ``classifier``).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.checkpoint import checkpoint

from ..errors import (
    CnnbookError,
    check_bool,
    check_float,
    check_int,
    check_int_sequence,
    check_probability,
)
from ..i18n import error_text
from ._base import ImageClassifier
from ._init import he_init
from ._registry import register_model


class DenseLayer(nn.Module):
    """BN-ReLU-conv1x1 (``bn_size * growth_rate`` channels), BN-ReLU-conv3x3
    (``growth_rate``).

    Shapes: a list of tensors ``(batch, c_i, h, w)`` with ``sum(c_i) = in_channels`` ->
    ``(batch, growth_rate, h, w)`` (the new features only; the block concatenates).

    ``memory_efficient=True`` (Pleiss et al. 2017, "Memory-Efficient Implementation of
    DenseNets"; torchvision's option of the same name): during training, do not keep the
    concatenation and the first batch norm's output for the backward pass, recompute
    them from the inputs there (``torch.utils.checkpoint``).  Less memory, one more
    forward pass of that part.  The outputs and gradients are the same; the first batch
    norm's moving averages are updated twice per step (once more in the recomputation),
    as in torchvision.
    """

    def __init__(
        self,
        in_channels: int,
        growth_rate: int,
        bn_size: int = 4,
        dropout: float = 0.0,
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        check_denselayer_arguments(memory_efficient)
        self.memory_efficient = memory_efficient
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(
            in_channels, bn_size * growth_rate, kernel_size=1, bias=False
        )
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(
            bn_size * growth_rate, growth_rate, kernel_size=3, padding=1, bias=False
        )
        self.dropout = nn.Dropout(dropout)

    def bottleneck(self, *features: torch.Tensor) -> torch.Tensor:
        """Concatenate, then BN-ReLU-conv1x1: the part whose wide input costs the
        memory."""
        return self.conv1(self.relu1(self.norm1(torch.cat(features, dim=1))))

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        if (
            self.memory_efficient
            and torch.is_grad_enabled()
            and any(f.requires_grad for f in features)
        ):
            x = checkpoint(self.bottleneck, *features, use_reentrant=False)
        else:
            x = self.bottleneck(*features)
        return self.dropout(self.conv2(self.relu2(self.norm2(x))))


class DenseBlock(nn.ModuleDict):
    """``num_layers`` dense layers, each fed with everything before it.

    Shapes: ``(batch, in_channels, h, w)`` ->
    ``(batch, in_channels + num_layers * growth_rate, h, w)``.
    """

    def __init__(
        self,
        num_layers: int,
        in_channels: int,
        growth_rate: int,
        bn_size: int = 4,
        dropout: float = 0.0,
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        check_denseblock_arguments(num_layers, in_channels, growth_rate, bn_size)
        for index in range(num_layers):
            self.add_module(
                f"denselayer{index + 1}",
                DenseLayer(
                    in_channels + index * growth_rate,
                    growth_rate,
                    bn_size,
                    dropout,
                    memory_efficient,
                ),
            )
        self.out_channels = in_channels + num_layers * growth_rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = [x]
        for layer in self.values():
            features.append(layer(features))
        return torch.cat(features, dim=1)


class Transition(nn.Sequential):
    """BN-ReLU-conv1x1 then 2x2 average pooling: ``(batch, in_channels, h, w)`` ->
    ``(batch, out_channels, h // 2, w // 2)``."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(in_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(ImageClassifier):
    """DenseNet-BC.

    Args:
        in_channels: channels of the input images.
        num_classes: number of output classes.
        growth_rate: channels each dense layer adds.
        block_config: number of dense layers in each dense block.
        num_init_features: output channels of the stem.
        bn_size: the 1x1 convolution of a dense layer has ``bn_size * growth_rate``
            channels.
        compression: fraction of the channels a transition layer keeps (0.5 in
            DenseNet-BC).
        dropout: dropout after each dense layer.
        small_stem: for small images: a 3x3 stride-1 stem without max-pooling.
        memory_efficient: recompute each dense layer's concatenation in the backward
            pass instead of storing it (see ``DenseLayer``): the same outputs and
            gradients, less memory.
    """

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 1000,
        growth_rate: int = 32,
        block_config: Sequence[int] = (6, 12, 24, 16),
        num_init_features: int = 64,
        bn_size: int = 4,
        compression: float = 0.5,
        dropout: float = 0.0,
        small_stem: bool = False,
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        check_densenet_arguments(
            growth_rate,
            block_config,
            num_init_features,
            bn_size,
            compression,
            dropout,
            small_stem,
            memory_efficient,
        )
        self.in_channels, self.num_classes = in_channels, num_classes
        if small_stem:
            stem = [
                (
                    "conv0",
                    nn.Conv2d(in_channels, num_init_features, 3, padding=1, bias=False),
                ),
                ("norm0", nn.BatchNorm2d(num_init_features)),
                ("relu0", nn.ReLU(inplace=True)),
            ]
        else:
            stem = [
                (
                    "conv0",
                    nn.Conv2d(
                        in_channels,
                        num_init_features,
                        7,
                        stride=2,
                        padding=3,
                        bias=False,
                    ),
                ),
                ("norm0", nn.BatchNorm2d(num_init_features)),
                ("relu0", nn.ReLU(inplace=True)),
                ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
            ]
        self.features = nn.Sequential()
        for name, module in stem:
            self.features.add_module(name, module)
        channels = num_init_features
        for index, num_layers in enumerate(block_config):
            block = DenseBlock(
                num_layers,
                channels,
                int(growth_rate),
                bn_size,
                dropout,
                memory_efficient,
            )
            self.features.add_module(f"denseblock{index + 1}", block)
            channels = block.out_channels
            if index != len(block_config) - 1:
                self.features.add_module(
                    f"transition{index + 1}",
                    Transition(channels, int(channels * compression)),
                )
                channels = int(channels * compression)
        self.features.add_module("norm5", nn.BatchNorm2d(channels))
        self.classifier = nn.Linear(channels, num_classes)
        he_init(self)
        # PyTorch's default, as torchvision
        nn.init.kaiming_uniform_(self.classifier.weight, a=5**0.5)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.features(images), inplace=True)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        return self.classifier(torch.flatten(x, 1))


@register_model(torchvision=True)
def densenet121(
    num_classes: int = 1000, in_channels: int = 3, memory_efficient: bool = False
) -> DenseNet:
    """DenseNet-121 (growth rate 32, blocks 6-12-24-16), as torchvision's ``densenet121``."""
    return DenseNet(
        in_channels, num_classes, 32, (6, 12, 24, 16), memory_efficient=memory_efficient
    )


@register_model(torchvision=True)
def densenet169(
    num_classes: int = 1000, in_channels: int = 3, memory_efficient: bool = False
) -> DenseNet:
    """DenseNet-169 (growth rate 32, blocks 6-12-32-32), as torchvision's ``densenet169``."""
    return DenseNet(
        in_channels, num_classes, 32, (6, 12, 32, 32), memory_efficient=memory_efficient
    )


@register_model(torchvision=True)
def densenet201(
    num_classes: int = 1000, in_channels: int = 3, memory_efficient: bool = False
) -> DenseNet:
    """DenseNet-201 (growth rate 32, blocks 6-12-48-32), as torchvision's ``densenet201``."""
    return DenseNet(
        in_channels, num_classes, 32, (6, 12, 48, 32), memory_efficient=memory_efficient
    )


@register_model()
def densenet264(
    num_classes: int = 1000, in_channels: int = 3, memory_efficient: bool = False
) -> DenseNet:
    """DenseNet-264 (growth rate 32, blocks 6-12-64-48): Table 1 of the paper; not in torchvision."""
    return DenseNet(
        in_channels, num_classes, 32, (6, 12, 64, 48), memory_efficient=memory_efficient
    )


@register_model(small_image_size=28)
def densenet_small(
    num_classes: int = 10, in_channels: int = 1, memory_efficient: bool = False
) -> DenseNet:
    """A small DenseNet for the fast CPU profile: 28x28 Fashion-MNIST as it comes.

    What was shrunk and why: three dense blocks of 4 layers each with growth rate 12 (the
    growth rate of the paper's CIFAR DenseNets) instead of four blocks of 6-12-24-16 layers with
    growth rate 32, a 24-channel stem, and a 3x3 stride-1 stem convolution without max-pooling
    (the 7x7 stride-2 convolution and pooling would shrink a 28x28 image to 7x7 at once).  The
    feature maps go 28 -> 14 -> 7.  Dense layers (bottleneck and 3x3), transition layers with
    compression 0.5, and the head are DenseNet-BC's.
    """
    return DenseNet(
        in_channels,
        num_classes,
        growth_rate=12,
        block_config=(4, 4, 4),
        num_init_features=24,
        small_stem=True,
        memory_efficient=memory_efficient,
    )


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's figure.


def check_denselayer_arguments(memory_efficient: bool) -> None:
    """Raise ``CnnbookError`` naming the problem if ``DenseLayer``'s arguments cannot build it."""
    check_bool("memory_efficient", memory_efficient)


def check_denseblock_arguments(
    num_layers: int, in_channels: int, growth_rate: int, bn_size: int
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``DenseBlock``'s arguments cannot build it."""
    if (
        not isinstance(growth_rate, int)
        or isinstance(growth_rate, bool)
        or growth_rate < 1
    ):
        raise CnnbookError(error_text("growth rate", value=growth_rate))
    check_int("num_layers", num_layers, minimum=1)
    check_int("in_channels", in_channels, minimum=1)
    check_int("bn_size", bn_size, minimum=1)


def check_densenet_arguments(
    growth_rate: int,
    block_config: Sequence[int],
    num_init_features: int,
    bn_size: int,
    compression: float,
    dropout: float,
    small_stem: bool,
    memory_efficient: bool,
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``DenseNet``'s arguments cannot build it."""
    compression = check_float(
        "compression", compression, 0.0, 1.0, include_minimum=False
    )
    check_int("growth_rate", growth_rate, minimum=1)
    check_int_sequence("block_config", block_config, minimum=1)
    check_int("num_init_features", num_init_features, minimum=1)
    check_int("bn_size", bn_size, minimum=1)
    check_probability("dropout", dropout)
    check_bool("small_stem", small_stem)
    check_bool("memory_efficient", memory_efficient)
    channels = num_init_features
    for num_layers in block_config[
        :-1
    ]:  # every transition must keep at least one channel
        channels += num_layers * growth_rate
        if int(channels * compression) < 1:
            raise CnnbookError(
                f"compression={compression} is not allowed here: a transition layer would keep "
                f"int({channels} * {compression}) = 0 of its {channels} channels"
            )
        channels = int(channels * compression)
