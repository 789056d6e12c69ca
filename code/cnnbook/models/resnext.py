"""ResNeXt: Xie, Girshick, Dollar, Tu and He, "Aggregated Residual Transformations for Deep
Neural Networks", CVPR 2017.

ResNeXt is ResNet with the 3x3 convolution of every bottleneck split into ``cardinality``
parallel groups (a *grouped* convolution): the same block class (``resnet.Bottleneck`` with
``groups > 1``), the same network class.  Two numbers describe it, and they are easy to confuse
(D2L's ``groups`` argument mixes them up):

* ``cardinality``: the *number* of groups (the "32" of ResNeXt-50 32x4d);
* ``width_per_group``: the channels *in each group* in the first stage (the "4d"); later stages
  double it with the stage width.

So the first stage's 3x3 convolution of ResNeXt-50 (32x4d) has 32 x 4 = 128 channels in 32
groups of 4, and each group sees only its own 4 input channels: 128 * 4 * 9 weights instead of
ResNet-50's 64 * 64 * 9 in a 64-channel convolution. Shapes are those of ResNet-50: for a
224x224 RGB image ``(batch, 3, 224, 224)`` -> stages of 256, 512, 1024, 2048 channels at 56, 28,
14, 7 pixels -> ``(batch, num_classes)``.
"""

from __future__ import annotations

from typing import Sequence

from ._registry import register_model
from .resnet import Bottleneck, ResNet


class ResNeXt(ResNet):
    """ResNet with grouped bottlenecks.

    Args:
        layers: number of bottleneck blocks per stage.
        in_channels: channels of the input images.
        num_classes: number of output classes.
        cardinality: number of groups of every 3x3 convolution.
        width_per_group: channels per group in the first stage (doubling with each stage).
        stage_widths: stage widths; each block outputs 4 times its stage's width.
        small_stem: a 3x3 stride-1 stem without max-pooling, for small images.
    """

    def __init__(
        self,
        layers: Sequence[int],
        in_channels: int = 3,
        num_classes: int = 1000,
        cardinality: int = 32,
        width_per_group: int = 4,
        stage_widths: Sequence[int] = (64, 128, 256, 512),
        small_stem: bool = False,
    ) -> None:
        super().__init__(
            Bottleneck,
            layers,
            in_channels,
            num_classes,
            groups=cardinality,
            width_per_group=width_per_group,
            stage_widths=stage_widths,
            small_stem=small_stem,
        )
        self.cardinality, self.width_per_group = cardinality, width_per_group


@register_model(torchvision=True)
def resnext50_32x4d(num_classes: int = 1000, in_channels: int = 3) -> ResNeXt:
    """ResNeXt-50 with cardinality 32 and 4 channels per group, as torchvision's ``resnext50_32x4d``."""
    return ResNeXt(
        (3, 4, 6, 3), in_channels, num_classes, cardinality=32, width_per_group=4
    )


@register_model(torchvision=True)
def resnext101_32x8d(num_classes: int = 1000, in_channels: int = 3) -> ResNeXt:
    """ResNeXt-101 with cardinality 32 and 8 channels per group, as torchvision's ``resnext101_32x8d``."""
    return ResNeXt(
        (3, 4, 23, 3), in_channels, num_classes, cardinality=32, width_per_group=8
    )


@register_model(torchvision=True)
def resnext101_64x4d(num_classes: int = 1000, in_channels: int = 3) -> ResNeXt:
    """ResNeXt-101 with cardinality 64 and 4 channels per group, as torchvision's ``resnext101_64x4d``."""
    return ResNeXt(
        (3, 4, 23, 3), in_channels, num_classes, cardinality=64, width_per_group=4
    )


@register_model(small_image_size=28)
def resnext_small(num_classes: int = 10, in_channels: int = 1) -> ResNeXt:
    """A small ResNeXt for the fast CPU profile: 28x28 Fashion-MNIST as it comes.

    What was shrunk and why: one bottleneck per stage instead of 3-4-6-3, a quarter of the stage
    widths (16-32-64-128, so blocks output 64-128-256-512 channels), cardinality 8 with 4 channels
    per group (the 3x3 convolutions have 32, 64, 128, 256 channels: half the block output, the
    ratio of ResNeXt-50 32x4d), and a 3x3 stride-1 stem without max-pooling, so that the 28x28
    images are not shrunk to 7x7 before the first block.  The grouped bottleneck block is
    ResNeXt's.
    """
    return ResNeXt(
        (1, 1, 1, 1),
        in_channels,
        num_classes,
        cardinality=8,
        width_per_group=4,
        stage_widths=(16, 32, 64, 128),
        small_stem=True,
    )
