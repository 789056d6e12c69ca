"""AlexNet: Krizhevsky, Sutskever and Hinton, "ImageNet Classification with Deep Convolutional
Neural Networks", NeurIPS 2012.

Five convolutional layers and three fully connected ones.  The first convolution looks at
11x11 patches with stride 4, three max-pooling layers (3x3, stride 2) shrink the feature maps,
and two dropout layers regularize the 4096-wide classifier.

The layout is torchvision's (``torchvision.models.alexnet``): padding 2 in the first
convolution, an adaptive average pool to 6x6 before the classifier, dropout *before* each of the
two hidden linear layers, no local response normalization.  Shapes for a 224x224 RGB image with
the paper's channel widths:

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

Widths: ``PAPER_CHANNELS`` (96-256-384-384-256) are the 2012 paper's, summed over its two GPUs;
the paper also split conv2, conv4 and conv5 into two groups (one per GPU), which
``conv_groups=2`` reproduces (60,965,224 parameters for 1000 classes instead of 62,378,344).
``TORCHVISION_CHANNELS`` (64-192-384-256-256) are the widths of torchvision's ``alexnet``.
torchvision cites the single-GPU "One weird trick" paper (Krizhevsky 2014), but took its widths
from the one-GPU configuration of Krizhevsky's cuda-convnet2 (``layers-imagenet-1gpu.cfg``, via
a Torch port): that file gives conv4 256 channels, while the paper's text lists 64-192-384-384-256
(see pytorch/vision#463; torchvision kept 256 so that its pretrained weights still load).

D2L's AlexNet differs from this layout: its first convolution pads by 1 (feature maps 54, 26,
12, 5 for a 224x224 input), it has no adaptive pool (``Linear(6400, 4096)``), and its dropout
comes after each hidden layer's ReLU.

Weights start Xavier-uniform with zero biases, as D2L trains AlexNet (``_init.xavier_init``).
The stored comparison ``alexnet_init`` trains the narrow ``alexnet_small`` under three
initializations in the fast profile: with PyTorch's default (torchvision's ``alexnet`` starts
from it) it stays at chance level, with ``he_init`` it leaves chance level epochs later.

Dropout: the paper drops the outputs of fc6 and fc7 (as Caffe's reference model and D2L do);
torchvision, and so this layout, drops the inputs of fc6 and fc7 instead: the 9,216 convolutional
features and fc6's output.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ..errors import CnnbookError, check_int, check_int_sequence, check_probability
from ._base import ImageClassifier
from ._init import xavier_init
from ._registry import register_model

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
        conv_groups: groups of conv2, conv4 and conv5 (``nn.Conv2d(groups=...)``); 2
            splits them over two halves as the paper did on its two GPUs, 1 (the
            default) connects all channels.
    """

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 1000,
        channels: Sequence[int] = PAPER_CHANNELS,
        hidden_features: int = 4096,
        dropout: float = 0.5,
        conv_groups: int = 1,
    ) -> None:
        super().__init__()
        check_alexnet_arguments(channels, hidden_features, dropout, conv_groups)
        self.in_channels, self.num_classes = in_channels, num_classes
        c1, c2, c3, c4, c5 = channels
        self.conv_groups = conv_groups
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c1, c2, kernel_size=5, padding=2, groups=conv_groups),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c2, c3, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, kernel_size=3, padding=1, groups=conv_groups),
            nn.ReLU(inplace=True),
            nn.Conv2d(c4, c5, kernel_size=3, padding=1, groups=conv_groups),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(c5 * 6 * 6, hidden_features),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden_features, hidden_features),
            nn.ReLU(inplace=True),
            nn.Linear(hidden_features, num_classes),
        )
        xavier_init(self)  # D2L's initialization for AlexNet

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.avgpool(self.features(images))
        return self.classifier(torch.flatten(features, 1))


@register_model(torchvision=True)
def alexnet(num_classes: int = 1000, in_channels: int = 3) -> AlexNet:
    """torchvision's AlexNet (widths 64-192-384-256-256): same layers and parameters."""
    return AlexNet(in_channels, num_classes, channels=TORCHVISION_CHANNELS)


@register_model()
def alexnet_paper(
    num_classes: int = 1000, in_channels: int = 3, conv_groups: int = 1
) -> AlexNet:
    """The 2012 paper's widths (96-256-384-384-256) in torchvision's layout; ``conv_groups=2``
    splits conv2, conv4 and conv5 into two halves as the paper's two GPUs did."""
    return AlexNet(
        in_channels, num_classes, channels=PAPER_CHANNELS, conv_groups=conv_groups
    )


@register_model(small_image_size=64)
def alexnet_small(num_classes: int = 10, in_channels: int = 1) -> AlexNet:
    """A narrow AlexNet that trains on 2 CPU cores in seconds (the book's fast profile).

    What was shrunk and why: every convolution has a quarter of the paper's channels
    (24-64-96-96-64) and the two hidden fully connected layers have 512 units instead of 4096,
    so that one epoch over 2,048 Fashion-MNIST images upscaled to 64x64 takes about a second on a
    laptop.  The layers, kernel sizes, strides, pooling and dropout are the paper's: this is the
    same architecture, only thinner.  (At 64x64 the last feature map is 1x1; the adaptive pooling
    copies it to 6x6, exactly as torchvision's AlexNet does for small inputs.)
    """
    return AlexNet(
        in_channels,
        num_classes,
        channels=tuple(c // 4 for c in PAPER_CHANNELS),
        hidden_features=512,
    )


def check_alexnet_arguments(
    channels: Sequence[int], hidden_features: int, dropout: float, conv_groups: int
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``AlexNet``'s arguments cannot build it (called in one
    line by the class, whose source the AlexNet page shows)."""
    if not isinstance(channels, (list, tuple)) or len(channels) != 5:
        raise CnnbookError(
            f"channels={channels!r} is not allowed: channels must list the widths of AlexNet's "
            "5 convolutions, e.g. (96, 256, 384, 384, 256)"
        )
    check_int_sequence("channels", channels, minimum=1, length=5)
    check_int("hidden_features", hidden_features, minimum=1)
    check_probability("dropout", dropout)
    check_int("conv_groups", conv_groups, minimum=1)
    c1, c2, c3, c4, c5 = channels
    for name, widths in {
        "conv2": (c1, c2),
        "conv4": (c3, c4),
        "conv5": (c4, c5),
    }.items():
        if any(width % conv_groups for width in widths):
            raise CnnbookError(
                f"conv_groups={conv_groups} must divide the input and output channels of "
                f"{name} ({widths[0]} -> {widths[1]}): choose channels that are multiples of "
                f"{conv_groups}, or conv_groups=1"
            )
