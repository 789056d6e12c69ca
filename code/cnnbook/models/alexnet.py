"""AlexNet: Krizhevsky, Sutskever and Hinton, "ImageNet Classification with Deep Convolutional
Neural Networks", NeurIPS 2012.

Five convolutional layers and three fully connected ones.  The first convolution looks at
11x11 patches with stride 4, three max-pooling layers (3x3, stride 2) shrink the feature maps,
and two dropout layers regularize the 4096-wide classifier.

Shapes for a 224x224 RGB image with the paper's channel widths:

    input                      (batch,    3, 224, 224)
    conv 11x11 /4 + ReLU       (batch,   96,  55,  55)
    max-pool 3x3 /2            (batch,   96,  27,  27)
    conv 5x5 + ReLU            (batch,  256,  27,  27)
    max-pool 3x3 /2            (batch,  256,  13,  13)
    3 x conv 3x3 + ReLU        (batch,  256,  13,  13)   (384, 384, then 256 channels)
    max-pool 3x3 /2            (batch,  256,   6,   6)
    adaptive average pool      (batch,  256,   6,   6)   (lets other image sizes through)
    flatten                    (batch, 9216)
    dropout, linear + ReLU     (batch, 4096)
    dropout, linear + ReLU     (batch, 4096)
    linear                     (batch, num_classes)

The paper split the network over two GPUs; its channel widths, summed over both halves, are
96-256-384-384-256 (the version D2L teaches).  torchvision's ``alexnet`` follows the later
single-GPU version ("One weird trick...", Krizhevsky 2014) with widths 64-192-384-256-256.
Weights start Xavier-uniform with zero biases, as D2L trains AlexNet (``_init.xavier_init``).
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..errors import CnnbookError, check_int, check_int_sequence, check_probability
from ._base import ImageClassifier, check_arguments
from ._init import xavier_init

PAPER_CHANNELS = (96, 256, 384, 384, 256)
TORCHVISION_CHANNELS = (64, 192, 384, 256, 256)


class AlexNet(ImageClassifier):
    """AlexNet with configurable widths.

    Args:
        in_channels: channels of the input images (3 for RGB, 1 for Fashion-MNIST).
        num_classes: number of output classes.
        channels: output channels of the five convolutions.
        hidden_features: width of the two hidden fully connected layers.
        dropout: dropout probability before each hidden fully connected layer.
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 1000,
                 channels: Sequence[int] = PAPER_CHANNELS, hidden_features: int = 4096,
                 dropout: float = 0.5) -> None:
        super().__init__()
        if len(channels) != 5:
            raise ValueError(f"channels must list the widths of AlexNet's 5 convolutions, got {list(channels)}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be a probability in [0, 1), got {dropout}")
        self.in_channels, self.num_classes = in_channels, num_classes
        c1, c2, c3, c4, c5 = channels
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c1, c2, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c2, c3, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c4, c5, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(c5 * 6 * 6, hidden_features), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(hidden_features, hidden_features), nn.ReLU(inplace=True),
            nn.Linear(hidden_features, num_classes),
        )
        xavier_init(self)  # D2L's initialization for AlexNet

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.avgpool(self.features(images))
        return self.classifier(torch.flatten(features, 1))


def _check_channels(name: str, channels: Sequence[int]) -> None:
    if not isinstance(channels, (list, tuple)) or len(channels) != 5:
        raise CnnbookError(f"channels={channels!r} is not allowed: channels must list the widths of AlexNet's "
                           "5 convolutions, e.g. (96, 256, 384, 384, 256)")
    check_int_sequence(name, channels, minimum=1, length=5)


# The constructor's arguments are checked here, outside the class, whose source the AlexNet page shows.
check_arguments(AlexNet, channels=_check_channels, dropout=check_probability,
                hidden_features=lambda name, value: check_int(name, value, minimum=1))


def alexnet(num_classes: int = 1000, in_channels: int = 3) -> AlexNet:
    """torchvision's single-GPU AlexNet (widths 64-192-384-256-256): same layers and parameters."""
    return AlexNet(in_channels, num_classes, channels=TORCHVISION_CHANNELS)


def alexnet_paper(num_classes: int = 1000, in_channels: int = 3) -> AlexNet:
    """The 2012 paper's AlexNet (widths 96-256-384-384-256), as D2L teaches it."""
    return AlexNet(in_channels, num_classes, channels=PAPER_CHANNELS)


def alexnet_small(num_classes: int = 10, in_channels: int = 1) -> AlexNet:
    """A narrow AlexNet that trains on 2 CPU cores in seconds (the book's fast profile).

    What was shrunk and why: every convolution has a quarter of the paper's channels
    (24-64-96-96-64) and the two hidden fully connected layers have 512 units instead of 4096,
    so that one epoch over 2,048 Fashion-MNIST images upscaled to 64x64 takes about a second on a
    laptop.  The layers, kernel sizes, strides, pooling and dropout are the paper's: this is the
    same architecture, only thinner.  (At 64x64 the last feature map is 1x1; the adaptive pooling
    copies it to 6x6, exactly as torchvision's AlexNet does for small inputs.)
    """
    return AlexNet(in_channels, num_classes, channels=tuple(c // 4 for c in PAPER_CHANNELS),
                   hidden_features=512)
