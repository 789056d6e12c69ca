"""Network in Network (NiN): Lin, Chen and Yan, "Network In Network", ICLR 2014.

A NiN block is one ordinary convolution followed by two 1x1 convolutions, each with ReLU: the
1x1 convolutions act as a small fully connected network (a "multilayer perceptron") applied at
every pixel.  NiN drops the big fully connected classifier of AlexNet and VGG: the last NiN block
has ``num_classes`` output channels, and global average pooling turns each channel into one class
score.  This is the version D2L teaches (AlexNet's kernel sizes and strides, dropout before the
last block).

Shapes for a 224x224 image (D2L's configuration):

    input                                 (batch, in_channels, 224, 224)
    NiN block 11x11 /4,  96 ch            (batch,   96,  54,  54)
    max-pool 3x3 /2                       (batch,   96,  26,  26)
    NiN block  5x5,     256 ch            (batch,  256,  26,  26)
    max-pool 3x3 /2                       (batch,  256,  12,  12)
    NiN block  3x3,     384 ch            (batch,  384,  12,  12)
    max-pool 3x3 /2, dropout              (batch,  384,   5,   5)
    NiN block  3x3, num_classes ch        (batch, num_classes, 5, 5)
    global average pool, flatten          (batch, num_classes)
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import torch
from torch import nn

from ..errors import CnnbookError, CnnbookTypeError, check_int, check_probability
from ..i18n import error_text
from ._base import ImageClassifier
from ._init import he_init
from ._registry import register_model


class NiNStage(NamedTuple):
    """One NiN block's output channels and its first convolution's kernel size, stride, padding."""

    out_channels: int
    kernel_size: int
    stride: int
    padding: int


# D2L's NiN: AlexNet's first three convolution shapes; the last block's channels are num_classes
NIN_STAGES = (NiNStage(96, 11, 4, 0), NiNStage(256, 5, 1, 2), NiNStage(384, 3, 1, 1))


class NiNBlock(nn.Sequential):
    """A convolution + ReLU, then two 1x1 convolutions + ReLU (a per-pixel MLP).

    Shapes: ``(batch, in_channels, h, w)`` -> ``(batch, out_channels, h', w')`` where
    ``h', w'`` follow the first convolution's kernel size, stride and padding.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
    ) -> None:
        super().__init__(
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, kernel_size=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, kernel_size=1),
            nn.ReLU(inplace=True),
        )


class NiN(ImageClassifier):
    """NiN: NiN blocks with max-pooling in between, a last block with ``num_classes``
    channels and global average pooling instead of fully connected layers.

    Args:
        in_channels: channels of the input images.
        num_classes: number of output classes (= channels of the last NiN block).
        stages: the NiN blocks before the last one (each followed by 3x3 max-pooling,
            stride 2).
        dropout: dropout probability before the last block.
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        stages: Sequence[NiNStage] = NIN_STAGES,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        check_nin_arguments(stages, dropout)
        self.in_channels, self.num_classes = in_channels, num_classes
        layers: list[nn.Module] = []
        channels = in_channels
        for out_channels, kernel_size, stride, padding in stages:
            layers += [
                NiNBlock(channels, out_channels, kernel_size, stride, padding),
                nn.MaxPool2d(kernel_size=3, stride=2),
            ]
            channels = out_channels
        layers += [
            nn.Dropout(dropout),
            NiNBlock(channels, num_classes, kernel_size=3, padding=1),
        ]
        self.features = nn.Sequential(*layers)
        self.global_pool = nn.AdaptiveAvgPool2d((1, 1))
        he_init(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.global_pool(self.features(images)), 1)


@register_model()
def nin(num_classes: int = 10, in_channels: int = 1) -> NiN:
    """D2L's NiN for 224x224 images (Fashion-MNIST resized to 224 in D2L)."""
    return NiN(in_channels, num_classes)


@register_model(small_image_size=28)
def nin_small(num_classes: int = 10, in_channels: int = 1) -> NiN:
    """A small NiN for the fast CPU profile: 28x28 Fashion-MNIST as it comes.

    What was shrunk and why: a quarter of the channels (24-64-96), and the first block's
    convolution is 5x5 with stride 1 and padding 2 instead of 11x11 with stride 4 (that kernel
    was made for 224x224 photographs; on a 28x28 image it would leave a 5x5 map before the first
    pooling).  The feature maps go 28 -> 13 -> 6 -> 2 through the three poolings.  The NiN block
    (a convolution and two 1x1 convolutions), the poolings, the dropout and the global average
    pooling head are NiN's.
    """
    stages = (NiNStage(24, 5, 1, 2), NiNStage(64, 5, 1, 2), NiNStage(96, 3, 1, 1))
    return NiN(in_channels, num_classes, stages)


# The argument check, which the class calls in one line: its source above reads like the paper's figure.


def check_nin_arguments(stages: Sequence[NiNStage], dropout: float) -> None:
    """Raise ``CnnbookError`` naming the problem if ``NiN``'s arguments cannot build it."""
    check_probability("dropout", dropout)
    if isinstance(stages, (str, bytes)) or not isinstance(stages, Sequence):
        raise CnnbookTypeError(
            error_text(
                "nin stages",
                name="stages",
                value=stages,
                what=error_text("nin stages list"),
            )
        )
    for position, stage in enumerate(stages):
        if not isinstance(stage, (tuple, list)) or len(stage) != 4:
            raise CnnbookError(
                error_text(
                    "nin stages",
                    name=f"stages[{position}]",
                    value=stage,
                    what=error_text("nin stage"),
                )
            )
        name = f"stages[{position}]"
        check_int(f"{name}.out_channels", stage[0], 1)
        check_int(f"{name}.kernel_size", stage[1], 1)
        check_int(f"{name}.stride", stage[2], 1)
        check_int(f"{name}.padding", stage[3], 0)
