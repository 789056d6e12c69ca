"""The CIFAR-10 ResNets and their plain twins: He, Zhang, Ren and Sun, "Deep Residual Learning for
Image Recognition", CVPR 2016, section 4.2.

The network the paper uses to study depth on small images: a 3x3 convolution with 16 channels,
then three stages of ``n`` basic blocks (two 3x3 convolutions each) with 16, 32 and 64 channels,
the first block of stages 2 and 3 halving the resolution (stride 2), global average pooling and
one linear layer.  That is ``6n + 2`` weighted layers: 20, 32, 44, 56, 110 for n = 3, 5, 7, 9, 18.

``residual=False`` builds the *plain* network of the same design: the same convolutions, batch
norms and ReLUs, without the shortcut additions (``PlainBlock``).  Comparing the two at growing
depth shows the *degradation problem* of the paper's Figure 1: deeper plain networks train to a
*higher* training error, deeper residual networks do not.

Shortcuts where a stage starts (``shortcut``):

* ``"A"`` (the paper's choice for CIFAR): identity, subsampled by the stride, with the extra
  channels filled with zeros.  No parameters, so the plain and residual networks of one depth
  have exactly the same parameters.
* ``"B"``: a 1x1 convolution with stride and batch norm (``projection_shortcut``), as in the
  ImageNet ResNets; it adds 2 x (1x1 conv + BN) = 16*32 + 64 + 32*64 + 128 = 2,752 parameters.

Shapes of ResNet-20 for a 28x28 Fashion-MNIST image (a 32x32 CIFAR image gives 32, 16, 8):

    input                                  (batch,  1, 28, 28)
    stem: conv 3x3, BN, ReLU               (batch, 16, 28, 28)
    layer1: n basic blocks, width 16       (batch, 16, 28, 28)
    layer2: n basic blocks, width 32, /2   (batch, 32, 14, 14)
    layer3: n basic blocks, width 64, /2   (batch, 64,  7,  7)
    global average pool, flatten           (batch, 64)
    linear                                 (batch, num_classes)

The blocks, the stem and the forward pass are those of ``cnnbook.models.resnet`` (this module
only chooses the stage widths and the blocks); module names follow it (``conv1``, ``bn1``,
``layer1``..``layer3``, ``fc``).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..errors import CnnbookError, check_bool, check_choice, check_int
from ..i18n import error_text
from ._registry import register_model
from .resnet import BasicBlock, ResNet

# depths 6n + 2 the tests build (the paper trains 20, 32, 44, 56 and 110)
CIFAR_DEPTHS = (8, 14, 20, 26, 32, 44, 56, 110)
SHORTCUTS = ("A", "B")


class PlainBlock(BasicBlock):
    """A ``BasicBlock`` without its shortcut: conv 3x3, BN, ReLU, conv 3x3, BN, ReLU.

    Shapes: ``(batch, in_channels, h, w)`` ->
    ``(batch, out_channels, h / stride, w / stride)``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__(in_channels, out_channels, stride)
        self.downsample = None  # no shortcut, so no projection either

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)))


class ZeroPadShortcut(nn.Module):
    """Option A shortcut: keep every ``stride``-th pixel and append zero channels.

    Shapes: ``(batch, in_channels, h, w)`` ->
    ``(batch, out_channels, ceil(h / stride), ceil(w / stride))`` (the size a 3x3
    convolution with padding 1 and this stride gives).  No parameters.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.stride = (
            in_channels,
            out_channels,
            stride,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.out_channels - self.in_channels))

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, stride={self.stride}"


class ZeroPadBasicBlock(BasicBlock):
    """A ``BasicBlock`` whose shortcut, where the shape changes, is option A (``ZeroPadShortcut``)
    instead of a projection.  It is built like ``PlainBlock`` (the projection is made, then
    replaced), so that with the same seed the plain and the residual network start from exactly
    the same weights.

    Shapes: ``(batch, in_channels, h, w)`` -> ``(batch, out_channels, h / stride, w / stride)``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__(in_channels, out_channels, stride)
        if self.downsample is not None:
            self.downsample = ZeroPadShortcut(in_channels, out_channels, stride)


def blocks_for_depth(depth: int) -> int:
    """``n`` such that ``depth = 6n + 2``; a clear error for any other depth."""
    if (
        not isinstance(depth, int)
        or isinstance(depth, bool)
        or depth < 8
        or (depth - 2) % 6 != 0
    ):
        raise CnnbookError(
            error_text(
                "cifar depth",
                value=depth,
                depths=error_text("list separator").join(
                    str(6 * n + 2) for n in range(1, 10)
                ),
            )
        )
    return (depth - 2) // 6


class CifarResNet(ResNet):
    """The ResNet of He et al. (2016, section 4.2) for small images, or its plain twin.

    Args:
        blocks_per_stage: ``n``, the number of blocks of each of the 3 stages (depth ``6n + 2``).
        residual: ``True`` for the ResNet, ``False`` for the plain network (no shortcuts).
        shortcut: where a stage changes the shape, ``"A"`` (zero-padded identity, the paper's
            choice on CIFAR) or ``"B"`` (1x1 convolution and batch norm).  Ignored when plain.
        num_classes, in_channels: classes and input channels.
        width: channels of the stem and of stage 1; stages 2 and 3 have 2x and 4x (paper: 16).
    """

    def __init__(
        self,
        blocks_per_stage: int,
        residual: bool = True,
        shortcut: str = "A",
        num_classes: int = 10,
        in_channels: int = 1,
        width: int = 16,
    ) -> None:
        check_cifarresnet_arguments(
            blocks_per_stage, residual, shortcut, num_classes, in_channels, width
        )
        block = (
            (ZeroPadBasicBlock if shortcut == "A" else BasicBlock)
            if residual
            else PlainBlock
        )
        super().__init__(
            block,
            (blocks_per_stage,) * 3,
            in_channels,
            num_classes,
            stage_widths=(width, 2 * width, 4 * width),
            small_stem=True,
        )
        self.residual, self.shortcut, self.depth = (
            residual,
            shortcut,
            6 * blocks_per_stage + 2,
        )


@register_model()
def cifar_resnet(
    depth: int,
    residual: bool = True,
    num_classes: int = 10,
    in_channels: int = 1,
    width: int = 16,
    shortcut: str = "A",
) -> CifarResNet:
    """The CIFAR-style ResNet (``residual=True``) or plain network of ``depth = 6n + 2``
    layers (He et al. 2016, section 4.2), e.g. ``cifar_resnet(56, residual=False)`` for
    plain-56.
    """
    return CifarResNet(
        blocks_for_depth(depth), residual, shortcut, num_classes, in_channels, width
    )


@register_model()
def resnet20(num_classes: int = 10, in_channels: int = 1) -> CifarResNet:
    """ResNet-20 of He et al. (2016, Table 6): 3 blocks per stage, option A shortcuts."""
    return cifar_resnet(20, True, num_classes, in_channels)


@register_model()
def plain20(num_classes: int = 10, in_channels: int = 1) -> CifarResNet:
    """Plain-20: ResNet-20 without its shortcuts (He et al. 2016, Figure 6)."""
    return cifar_resnet(20, False, num_classes, in_channels)


@register_model()
def resnet56(num_classes: int = 10, in_channels: int = 1) -> CifarResNet:
    """ResNet-56 of He et al. (2016, Table 6): 9 blocks per stage, option A shortcuts."""
    return cifar_resnet(56, True, num_classes, in_channels)


@register_model()
def plain56(num_classes: int = 10, in_channels: int = 1) -> CifarResNet:
    """Plain-56: ResNet-56 without its shortcuts (He et al. 2016, Figures 1 and 6)."""
    return cifar_resnet(56, False, num_classes, in_channels)


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's figure.


def check_cifarresnet_arguments(
    blocks_per_stage: int,
    residual: bool,
    shortcut: str,
    num_classes: int,
    in_channels: int,
    width: int,
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``CifarResNet``'s arguments cannot build it."""
    check_int("blocks_per_stage", blocks_per_stage, minimum=1)
    check_bool("residual", residual)
    check_choice("shortcut", shortcut, SHORTCUTS)
    check_int("width", width, minimum=1)
    check_int("num_classes", num_classes, minimum=1)
    check_int("in_channels", in_channels, minimum=1)
