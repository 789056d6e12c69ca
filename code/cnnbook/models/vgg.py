"""VGG: Simonyan and Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", ICLR 2015.

A VGG network is a stack of *VGG blocks*: a few 3x3 convolutions (padding 1, so the height and
width stay the same), each followed by ReLU, then a 2x2 max-pooling that halves the height and
width.  Five blocks, with 64, 128, 256, 512 and 512 channels, differ only in how many
convolutions they hold; that one list of numbers is the whole difference between VGG-11, -13,
-16 and -19 (configurations A, B, D and E of the paper).  Three fully connected layers classify.

Shapes of VGG-11 for a 224x224 RGB image:

    input                         (batch,    3, 224, 224)
    block 1: 1 conv,  64 ch, pool (batch,   64, 112, 112)
    block 2: 1 conv, 128 ch, pool (batch,  128,  56,  56)
    block 3: 2 conv, 256 ch, pool (batch,  256,  28,  28)
    block 4: 2 conv, 512 ch, pool (batch,  512,  14,  14)
    block 5: 2 conv, 512 ch, pool (batch,  512,   7,   7)
    adaptive average pool         (batch,  512,   7,   7)   (lets other image sizes through)
    flatten                       (batch, 25088)
    linear + ReLU + dropout       (batch, 4096)
    linear + ReLU + dropout       (batch, 4096)
    linear                        (batch, num_classes)

``vgg11_bn`` and friends put a batch-norm layer after every convolution (not in the 2015 paper,
which predates batch normalization; torchvision provides both).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..errors import (
    CnnbookError,
    CnnbookTypeError,
    check_bool,
    check_choice,
    check_int,
    check_probability,
)
from ..i18n import error_text
from ._base import ImageClassifier
from ._init import he_init, xavier_init
from ._registry import register_model

# (number of 3x3 convolutions, output channels) of the five blocks, per depth
STAGE_CHANNELS = (64, 128, 256, 512, 512)
CONVS_PER_BLOCK = {
    11: (1, 1, 2, 2, 2),
    13: (2, 2, 2, 2, 2),
    16: (2, 2, 3, 3, 3),
    19: (2, 2, 4, 4, 4),
}
VGG_CONFIGS: dict[int, tuple[tuple[int, int], ...]] = {
    depth: tuple(zip(convs, STAGE_CHANNELS)) for depth, convs in CONVS_PER_BLOCK.items()
}


class VGGBlock(nn.Sequential):
    """``num_convs`` 3x3 convolutions (+ batch norm) + ReLU, then 2x2 max-pooling.

    Shapes: ``(batch, in_channels, h, w)`` -> ``(batch, out_channels, h // 2, w // 2)``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        num_convs: int,
        batch_norm: bool = False,
    ) -> None:
        layers: list[nn.Module] = []
        for index in range(num_convs):
            layers.append(
                nn.Conv2d(
                    in_channels if index == 0 else out_channels,
                    out_channels,
                    kernel_size=3,
                    padding=1,
                )
            )
            if batch_norm:
                layers.append(nn.BatchNorm2d(out_channels))
            layers.append(nn.ReLU(inplace=True))
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        super().__init__(*layers)


class VGG(ImageClassifier):
    """VGG network built from a list of blocks.

    Args:
        architecture: one ``(num_convs, out_channels)`` pair per VGG block, e.g.
            ``VGG_CONFIGS[11]`` = ``((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))``.
        in_channels: channels of the input images (3 for RGB, 1 for Fashion-MNIST).
        num_classes: number of output classes.
        batch_norm: put batch normalization after every convolution.
        hidden_features: width of the two hidden fully connected layers.
        dropout: dropout probability after each hidden fully connected layer.
        pool_size: side of the adaptive average pooling before the classifier (7 in
            torchvision, so that 224x224 images pass unchanged; 1 for small images).
        init: ``"he"`` (torchvision's: He-normal convolutions, linear layers drawn
            with standard deviation 0.01, suited to the 25,088 inputs of VGG's
            classifier) or ``"xavier"`` (D2L's: Xavier-uniform everywhere; the
            fast-profile networks use it, see ``vgg_small``).
    """

    def __init__(
        self,
        architecture: Sequence[Sequence[int]] = VGG_CONFIGS[11],
        in_channels: int = 3,
        num_classes: int = 1000,
        batch_norm: bool = False,
        hidden_features: int = 4096,
        dropout: float = 0.5,
        pool_size: int = 7,
        init: str = "he",
    ) -> None:
        super().__init__()
        check_vgg_arguments(
            architecture, batch_norm, hidden_features, dropout, pool_size, init
        )
        self.in_channels, self.num_classes = in_channels, num_classes
        stages, channels = [], in_channels
        for num_convs, out_channels in architecture:
            stages.append(VGGBlock(channels, out_channels, num_convs, batch_norm))
            channels = out_channels
        self.features = nn.Sequential(*stages)
        self.avgpool = nn.AdaptiveAvgPool2d((pool_size, pool_size))
        self.classifier = nn.Sequential(
            nn.Linear(channels * pool_size * pool_size, hidden_features),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden_features, hidden_features),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden_features, num_classes),
        )
        he_init(self) if init == "he" else xavier_init(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.avgpool(self.features(images))
        return self.classifier(torch.flatten(features, 1))


@register_model()
def vgg(
    depth: int, batch_norm: bool = False, num_classes: int = 1000, in_channels: int = 3
) -> VGG:
    """VGG-``depth`` (11, 13, 16 or 19 weight layers) as in the paper and torchvision."""
    check_vgg_builder_arguments(depth)
    return VGG(VGG_CONFIGS[depth], in_channels, num_classes, batch_norm=batch_norm)


@register_model(torchvision=True)
def vgg11(num_classes: int = 1000, in_channels: int = 3) -> VGG:
    """VGG-11 (configuration A), as torchvision's ``vgg11``."""
    return vgg(11, False, num_classes, in_channels)


@register_model(torchvision=True)
def vgg11_bn(num_classes: int = 1000, in_channels: int = 3) -> VGG:
    """VGG-11 with batch normalization, as torchvision's ``vgg11_bn``."""
    return vgg(11, True, num_classes, in_channels)


@register_model(torchvision=True)
def vgg13(num_classes: int = 1000, in_channels: int = 3) -> VGG:
    """VGG-13 (configuration B), as torchvision's ``vgg13``."""
    return vgg(13, False, num_classes, in_channels)


@register_model(torchvision=True)
def vgg13_bn(num_classes: int = 1000, in_channels: int = 3) -> VGG:
    """VGG-13 with batch normalization, as torchvision's ``vgg13_bn``."""
    return vgg(13, True, num_classes, in_channels)


@register_model(torchvision=True)
def vgg16(num_classes: int = 1000, in_channels: int = 3) -> VGG:
    """VGG-16 (configuration D), as torchvision's ``vgg16``."""
    return vgg(16, False, num_classes, in_channels)


@register_model(torchvision=True)
def vgg16_bn(num_classes: int = 1000, in_channels: int = 3) -> VGG:
    """VGG-16 with batch normalization, as torchvision's ``vgg16_bn``."""
    return vgg(16, True, num_classes, in_channels)


@register_model(torchvision=True)
def vgg19(num_classes: int = 1000, in_channels: int = 3) -> VGG:
    """VGG-19 (configuration E), as torchvision's ``vgg19``."""
    return vgg(19, False, num_classes, in_channels)


@register_model(torchvision=True)
def vgg19_bn(num_classes: int = 1000, in_channels: int = 3) -> VGG:
    """VGG-19 with batch normalization, as torchvision's ``vgg19_bn``."""
    return vgg(19, True, num_classes, in_channels)


@register_model(small_image_size=32)
def vgg_small(
    depth: int = 11,
    batch_norm: bool = False,
    num_classes: int = 10,
    in_channels: int = 1,
) -> VGG:
    """A narrow VGG-``depth`` (11, 13, 16 or 19) for the fast CPU profile: Fashion-MNIST
    resized to 32x32.

    What was shrunk and why: every block has a quarter of VGG's channels
    (16-32-64-128-128, the reduction D2L uses to keep VGG-11 cheap), the hidden fully
    connected layers have 512 units instead of 4096, and the adaptive pooling keeps 1x1
    instead of 7x7 (a 32x32 image is 1x1 after the five poolings; copying it to 7x7
    would only multiply the first linear layer's weights by 49).  The weights start
    Xavier-uniform, as D2L trains VGG.  torchvision's He initialization treats the
    convolutions' signal far better, but its linear layers (standard deviation 0.01)
    suit 25,088 inputs, and this classifier reads 128: they shrink the signal and the
    gradient of the first layers.  Xavier loses part of the signal at every ReLU layer
    instead, which 11 layers survive and 16 do not.  The VGG page measures both before
    training (``cnnbook.initialization.signal_scales``), and the stored comparison
    ``vgg_init`` trains them.  The images must be at least 32x32 (five halvings).
    Blocks, kernel sizes and pooling are VGG's.
    """
    check_vgg_small_arguments(depth)
    architecture = tuple(
        (num_convs, channels // 4) for num_convs, channels in VGG_CONFIGS[depth]
    )
    return VGG(
        architecture,
        in_channels,
        num_classes,
        batch_norm=batch_norm,
        hidden_features=512,
        pool_size=1,
        init="xavier",
    )


@register_model()
def vgg11_d2l(num_classes: int = 10, in_channels: int = 1) -> VGG:
    """D2L's VGG-11 (the full profile): a quarter of VGG-11's channels, as ``vgg_small``, but for
    224x224 images, with two 4096-unit hidden layers reading the 7x7 map, and Xavier-uniform
    weights, as D2L trains it."""
    architecture = tuple(
        (num_convs, channels // 4) for num_convs, channels in VGG_CONFIGS[11]
    )
    return VGG(
        architecture,
        in_channels,
        num_classes,
        hidden_features=4096,
        pool_size=7,
        init="xavier",
    )


@register_model(small_image_size=32)
def vgg11_small(num_classes: int = 10, in_channels: int = 1) -> VGG:
    """VGG-11 for the fast CPU profile: ``vgg_small(11)`` (see there what was shrunk and why)."""
    return vgg_small(11, False, num_classes, in_channels)


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's figure.


def check_vgg_arguments(
    architecture: Sequence[Sequence[int]],
    batch_norm: bool,
    hidden_features: int,
    dropout: float,
    pool_size: int,
    init: str,
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``VGG``'s arguments cannot build it."""
    if isinstance(architecture, (str, bytes)) or not isinstance(architecture, Sequence):
        raise CnnbookTypeError(
            f"architecture={architecture!r} is not allowed: architecture must be a list of "
            "(num_convs, out_channels) pairs, e.g. VGG_CONFIGS[11]"
        )
    for position, entry in enumerate(architecture):
        if (
            not isinstance(entry, (tuple, list))
            or len(entry) != 2
            or not all(
                isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in entry
            )
        ):
            raise CnnbookError(error_text("vgg block", position=position, entry=entry))
    if not architecture:
        raise CnnbookError(error_text("vgg empty"))
    check_probability("dropout", dropout)
    check_bool("batch_norm", batch_norm)
    check_int("hidden_features", hidden_features, minimum=1)
    check_int("pool_size", pool_size, minimum=1)
    check_choice("init", init, ("he", "xavier"))


def check_vgg_builder_arguments(depth: int) -> None:
    """Raise ``CnnbookError`` naming the problem if ``vgg``'s arguments cannot build it."""
    if isinstance(depth, bool):
        check_int("depth", depth)
    check_choice(
        "depth", depth, sorted(VGG_CONFIGS), "(VGG's configurations A, B, D, E)"
    )


def check_vgg_small_arguments(depth: int) -> None:
    """Raise ``CnnbookError`` naming the problem if ``vgg_small``'s arguments cannot build it."""
    if depth not in VGG_CONFIGS:
        raise CnnbookError(
            f"depth={depth!r} is not a VGG depth: choose one of {sorted(VGG_CONFIGS)}"
        )
