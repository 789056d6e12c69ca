"""Squeeze-and-excitation ResNets: Hu, Shen and Sun, "Squeeze-and-Excitation Networks", CVPR 2018.

An SE-ResNet is a ResNet whose residual branch ends in a squeeze-and-excitation unit: after the
block's last convolution and batch norm, the ``C`` channels are averaged over the image
("squeeze", ``(batch, C, h, w)`` -> ``(batch, C, 1, 1)``), a two-layer network ``C -> C / r -> C``
with a ReLU and a sigmoid turns the averages into one gate in (0, 1) per channel ("excitation"),
and the branch's channels are multiplied by their gates before the shortcut is added (Hu et al.,
Fig. 3, "SE-ResNet module"; reduction ``r = 16``).  This is the layout of timm's ``seresnet50``;
the RegNetY block (``Bottleneck(..., se_channels=...)``, ``cnnbook.models.regnet``) puts the unit
after the 3x3 convolution instead.

Everything else is ``cnnbook.models.resnet``'s: ``SEBottleneck`` subclasses ``Bottleneck`` (same
layers, same names, so ``ResNet(..., zero_init_residual=True)`` and the ResNeXt options work), the
unit is ``SqueezeExcitation``, the network is ``ResNet``.  Shapes are those of ResNet-50: for a
224x224 RGB image ``(batch, 3, 224, 224)`` -> stages of 256, 512, 1024, 2048 channels at 56, 28,
14, 7 pixels -> ``(batch, num_classes)``.
"""

from __future__ import annotations

from typing import Sequence

import torch

from ..errors import check_int
from ._registry import register_model
from .resnet import Bottleneck, ResNet, SqueezeExcitation

SE_REDUCTION = 16  # Hu et al.'s reduction ratio r for SE-ResNet-50 (their Sec. 6.1 compares 2 to 32)


class SEBottleneck(Bottleneck):
    """A bottleneck block (optionally grouped: SE-ResNeXt) whose residual branch is
    rescaled channel by channel by squeeze-and-excitation before the shortcut is added.

    Shapes: ``(batch, in_channels, h, w)`` ->
    ``(batch, out_channels, h / stride, w / stride)``.  The unit squeezes the
    ``out_channels`` to ``out_channels // reduction`` (at least 1).

    ``ResNet`` builds its blocks from the class alone, so the reduction ratio is the
    class attribute ``reduction``; ``se_bottleneck(r)`` makes a subclass with another
    ratio.
    """

    reduction = SE_REDUCTION

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        bottleneck_channels: int | None = None,
        groups: int = 1,
    ) -> None:
        super().__init__(in_channels, out_channels, stride, bottleneck_channels, groups)
        self.se = SqueezeExcitation(
            out_channels, max(out_channels // self.reduction, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        # the gate rescales the residual branch only
        out = self.se(self.bn3(self.conv3(out)))
        out += shortcut
        return self.relu(out)


def se_bottleneck(reduction: int = SE_REDUCTION) -> type[SEBottleneck]:
    """``SEBottleneck`` with reduction ratio ``reduction`` (a positive integer), as a block class
    that ``ResNet`` can build."""
    check_se_bottleneck_arguments(reduction)
    if reduction == SE_REDUCTION:
        return SEBottleneck
    return type(
        f"SEBottleneck{reduction}",
        (SEBottleneck,),
        {"reduction": reduction, "__module__": SEBottleneck.__module__},
    )


@register_model()
def se_resnet(
    layers: Sequence[int],
    num_classes: int = 1000,
    in_channels: int = 3,
    reduction: int = SE_REDUCTION,
    groups: int = 1,
    width_per_group: int = 64,
) -> ResNet:
    """A ResNet of ``SEBottleneck`` blocks: ``layers`` blocks per stage, squeeze-and-excitation with
    reduction ratio ``reduction``; ``groups`` and ``width_per_group`` as in ``ResNet`` (ResNeXt).
    """
    return ResNet(
        se_bottleneck(reduction),
        layers,
        in_channels,
        num_classes,
        groups=groups,
        width_per_group=width_per_group,
    )


@register_model()
def se_resnet50(
    num_classes: int = 1000, in_channels: int = 3, reduction: int = SE_REDUCTION
) -> ResNet:
    """SE-ResNet-50 (Hu et al. 2018): ResNet-50 (bottlenecks, 3-4-6-3) with squeeze-and-excitation at the
    end of every residual branch, reduction 16; the architecture of timm's ``seresnet50``.
    """
    return se_resnet((3, 4, 6, 3), num_classes, in_channels, reduction)


@register_model()
def se_resnet101(
    num_classes: int = 1000, in_channels: int = 3, reduction: int = SE_REDUCTION
) -> ResNet:
    """SE-ResNet-101 (Hu et al. 2018): ResNet-101 (3-4-23-3) with squeeze-and-excitation, reduction 16."""
    return se_resnet((3, 4, 23, 3), num_classes, in_channels, reduction)


@register_model()
def se_resnext50_32x4d(
    num_classes: int = 1000, in_channels: int = 3, reduction: int = SE_REDUCTION
) -> ResNet:
    """SE-ResNeXt-50 (32x4d) (Hu et al. 2018): ResNeXt-50 (32x4d) with squeeze-and-excitation, reduction 16."""
    return se_resnet(
        (3, 4, 6, 3), num_classes, in_channels, reduction, groups=32, width_per_group=4
    )


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's figure.


def check_se_bottleneck_arguments(reduction: int) -> None:
    """Raise ``CnnbookError`` naming the problem if ``se_bottleneck``'s arguments cannot build a block class."""
    check_int("reduction", reduction, minimum=1)
