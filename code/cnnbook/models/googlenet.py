"""GoogLeNet (Inception v1): Szegedy et al., "Going Deeper with Convolutions", CVPR 2015.

The Inception block runs four branches side by side on the same input and concatenates their
outputs along the channel axis: a 1x1 convolution; a 1x1 convolution that reduces the channels,
then a 3x3 convolution; a 1x1 reduction, then a larger convolution (5x5 in the paper); a 3x3
max-pooling, then a 1x1 convolution.  The 1x1 reductions keep the larger kernels cheap.  Two
*auxiliary classifiers* on intermediate features add extra gradient signal during training
and are thrown away at test time.

Shapes for a 224x224 RGB image:

    input                                      (batch,    3, 224, 224)
    conv 7x7 /2, max-pool 3x3 /2               (batch,   64,  56,  56)
    conv 1x1, conv 3x3, max-pool 3x3 /2        (batch,  192,  28,  28)
    inception 3a, 3b                           (batch,  480,  28,  28)
    max-pool 3x3 /2                            (batch,  480,  14,  14)
    inception 4a (-> aux1), 4b, 4c, 4d (-> aux2), 4e   (batch,  832,  14,  14)
    max-pool 2x2 /2                            (batch,  832,   7,   7)
    inception 5a, 5b                           (batch, 1024,   7,   7)
    global average pool, dropout, linear       (batch, num_classes)
    each auxiliary classifier: pool to 4x4, conv 1x1 (128 ch), linear 2048->1024, dropout, linear

Differences from the 2015 paper, all taken over from torchvision for parity: every convolution is
followed by batch normalization (eps=0.001; batch norm came later, in Inception v2), and the
"5x5" branch uses a 3x3 kernel (a long-standing quirk of the ported weights; pass
``large_kernel_size=5`` for the paper's block).  The max-poolings round up (``ceil_mode``).
"""

from __future__ import annotations

from typing import NamedTuple, Union

import torch
from torch import nn
from torch.nn import functional as F

from ..errors import check_bool, check_int, check_probability, invalid
from ..i18n import error_text
from ._base import ImageClassifier
from ._init import he_init
from ._registry import register_model


class GoogLeNetOutputs(NamedTuple):
    """What GoogLeNet returns in training mode with auxiliary classifiers (as torchvision)."""

    logits: torch.Tensor
    aux_logits2: torch.Tensor
    aux_logits1: torch.Tensor


class ConvBNReLU(nn.Module):
    """Convolution (no bias), batch norm (eps=0.001) and ReLU: GoogLeNet's basic unit."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, stride, padding, bias=False
        )
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)), inplace=True)


class Inception(nn.Module):
    """Four parallel branches, concatenated along the channels.

    Shapes: ``(batch, in_channels, h, w)`` ->
    ``(batch, ch1x1 + ch3x3 + ch_large + pool_proj, h, w)``.

    Args:
        in_channels: input channels.
        ch1x1: output channels of the 1x1 branch.
        ch3x3_reduce, ch3x3: the 1x1 reduction and the 3x3 convolution of branch 2.
        ch_large_reduce, ch_large: the 1x1 reduction and the large convolution of
            branch 3.
        pool_proj: output channels of the 1x1 convolution after the max-pooling.
        large_kernel_size: kernel of branch 3 (5 in the paper, 3 in torchvision).
        out_channels: optional: the channels the block must output; an error names the
            branch widths when ``ch1x1 + ch3x3 + ch_large + pool_proj`` differs.

    The output channels are ``self.out_channels``.
    """

    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3_reduce: int,
        ch3x3: int,
        ch_large_reduce: int,
        ch_large: int,
        pool_proj: int,
        large_kernel_size: int = 3,
        out_channels: int | None = None,
    ) -> None:
        super().__init__()
        check_inception_arguments(
            in_channels,
            ch1x1,
            ch3x3_reduce,
            ch3x3,
            ch_large_reduce,
            ch_large,
            pool_proj,
            large_kernel_size,
            out_channels,
        )
        self.out_channels = ch1x1 + ch3x3 + ch_large + pool_proj
        self.branch1 = ConvBNReLU(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            ConvBNReLU(in_channels, ch3x3_reduce, kernel_size=1),
            ConvBNReLU(ch3x3_reduce, ch3x3, kernel_size=3, padding=1),
        )
        self.branch3 = nn.Sequential(
            ConvBNReLU(in_channels, ch_large_reduce, kernel_size=1),
            ConvBNReLU(
                ch_large_reduce,
                ch_large,
                kernel_size=large_kernel_size,
                padding=large_kernel_size // 2,
            ),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            ConvBNReLU(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(
            [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], dim=1
        )


class InceptionAux(nn.Module):
    """Auxiliary classifier: average-pool to 4x4, 1x1 conv, two linear layers with dropout."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        conv_channels: int = 128,
        hidden_features: int = 1024,
        dropout: float = 0.7,
    ) -> None:
        super().__init__()
        self.conv = ConvBNReLU(in_channels, conv_channels, kernel_size=1)
        self.fc1 = nn.Linear(conv_channels * 4 * 4, hidden_features)
        self.fc2 = nn.Linear(hidden_features, num_classes)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(self.conv(F.adaptive_avg_pool2d(x, (4, 4))), 1)
        return self.fc2(self.dropout(F.relu(self.fc1(x), inplace=True)))


# (in_channels, ch1x1, ch3x3_reduce, ch3x3, ch_large_reduce, ch_large, pool_proj): Table 1 of the paper
INCEPTION_CONFIG = {
    "3a": (192, 64, 96, 128, 16, 32, 32),
    "3b": (256, 128, 128, 192, 32, 96, 64),
    "4a": (480, 192, 96, 208, 16, 48, 64),
    "4b": (512, 160, 112, 224, 24, 64, 64),
    "4c": (512, 128, 128, 256, 24, 64, 64),
    "4d": (512, 112, 144, 288, 32, 64, 64),
    "4e": (528, 256, 160, 320, 32, 128, 128),
    "5a": (832, 256, 160, 320, 32, 128, 128),
    "5b": (832, 384, 192, 384, 48, 128, 128),
}


class GoogLeNet(ImageClassifier):
    """GoogLeNet with optional auxiliary classifiers.

    In training mode with ``aux_logits=True``, ``forward`` returns
    ``GoogLeNetOutputs(logits, aux_logits2, aux_logits1)``; the usual loss is
    ``loss(logits) + 0.3 * (loss(aux2) + loss(aux1))``.  In eval mode, or without
    auxiliary classifiers, it returns the logits only.

    Args:
        in_channels: channels of the input images.
        num_classes: number of output classes.
        aux_logits: build the two auxiliary classifiers (after inception 4a and 4d).
        dropout: dropout before the final linear layer.
        dropout_aux: dropout in the auxiliary classifiers.
        width_divisor: divide every channel count by this (1 = the paper's widths).
        large_kernel_size: kernel of the Inception blocks' third branch (3 as
            torchvision, 5 as the paper).
        small_stem: for small images: a 3x3 stride-1 first convolution and no first
            max-pooling.
    """

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 1000,
        aux_logits: bool = True,
        dropout: float = 0.2,
        dropout_aux: float = 0.7,
        width_divisor: int = 1,
        large_kernel_size: int = 3,
        small_stem: bool = False,
    ) -> None:
        super().__init__()
        check_googlenet_arguments(
            aux_logits,
            dropout,
            dropout_aux,
            width_divisor,
            large_kernel_size,
            small_stem,
        )
        self.in_channels, self.num_classes, self.aux_logits = (
            in_channels,
            num_classes,
            aux_logits,
        )
        d = width_divisor
        if small_stem:
            self.conv1 = ConvBNReLU(in_channels, 64 // d, kernel_size=3, padding=1)
            self.maxpool1 = nn.Identity()
        else:
            self.conv1 = ConvBNReLU(
                in_channels, 64 // d, kernel_size=7, stride=2, padding=3
            )
            self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = ConvBNReLU(64 // d, 64 // d, kernel_size=1)
        self.conv3 = ConvBNReLU(64 // d, 192 // d, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        for name, channels in INCEPTION_CONFIG.items():
            self.add_module(
                f"inception{name}",
                Inception(
                    *(c // d for c in channels), large_kernel_size=large_kernel_size
                ),
            )
            if name == "3b":
                self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            elif name == "4e":
                self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        if aux_logits:
            self.aux1 = InceptionAux(
                512 // d, num_classes, 128 // d, 1024 // d, dropout_aux
            )
            self.aux2 = InceptionAux(
                528 // d, num_classes, 128 // d, 1024 // d, dropout_aux
            )
        else:
            self.aux1 = self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(1024 // d, num_classes)
        he_init(self)

    def forward(self, images: torch.Tensor) -> Union[torch.Tensor, GoogLeNetOutputs]:
        x = self.maxpool1(self.conv1(images))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        use_aux = self.training and self.aux1 is not None
        aux1 = self.aux1(x) if use_aux else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if use_aux else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        logits = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        if use_aux:
            return GoogLeNetOutputs(logits, aux2, aux1)
        return logits


@register_model(torchvision=True)
def googlenet(
    num_classes: int = 1000, in_channels: int = 3, aux_logits: bool = True
) -> GoogLeNet:
    """GoogLeNet as torchvision's ``googlenet`` (batch norm, 3x3 third branch), with or without
    the auxiliary classifiers."""
    return GoogLeNet(in_channels, num_classes, aux_logits=aux_logits)


@register_model(small_image_size=28)
def googlenet_small(
    num_classes: int = 10, in_channels: int = 1, aux_logits: bool = False
) -> GoogLeNet:
    """A narrow GoogLeNet for the fast CPU profile: 28x28 Fashion-MNIST as it comes.

    What was shrunk and why: an eighth of every channel count (the Inception blocks keep their
    proportions: 3a outputs 32 channels instead of 256), no auxiliary classifiers by default
    (they help very deep nets trained for weeks, not a few CPU epochs), and a 3x3 stride-1 first
    convolution without the first max-pooling, so that a 28x28 image is 14x14 (not 4x4) at the
    first Inception block.  The nine Inception blocks, their four branches and the poolings
    between them are GoogLeNet's.
    """
    return GoogLeNet(
        in_channels,
        num_classes,
        aux_logits=aux_logits,
        width_divisor=8,
        small_stem=True,
    )


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's figure.


def check_inception_arguments(
    in_channels: int,
    ch1x1: int,
    ch3x3_reduce: int,
    ch3x3: int,
    ch_large_reduce: int,
    ch_large: int,
    pool_proj: int,
    large_kernel_size: int,
    out_channels: int | None,
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``Inception``'s arguments cannot build a block."""
    for name, value in (
        ("in_channels", in_channels),
        ("ch1x1", ch1x1),
        ("ch3x3_reduce", ch3x3_reduce),
        ("ch3x3", ch3x3),
        ("ch_large_reduce", ch_large_reduce),
        ("ch_large", ch_large),
        ("pool_proj", pool_proj),
    ):
        check_int(name, value, minimum=1)
    if check_int("large_kernel_size", large_kernel_size, minimum=1) % 2 == 0:
        raise invalid(
            "large_kernel_size",
            large_kernel_size,
            "an odd integer (3 or 5)",
            "An even kernel cannot keep the height and width of the other branches.",
        )
    total = ch1x1 + ch3x3 + ch_large + pool_proj
    if (
        out_channels is not None
        and check_int("out_channels", out_channels, minimum=1) != total
    ):
        raise invalid(
            "out_channels",
            out_channels,
            error_text(
                "inception sum",
                ch1x1=ch1x1,
                ch3x3=ch3x3,
                ch_large=ch_large,
                pool_proj=pool_proj,
                total=total,
            ),
            error_text("inception sum hint"),
        )


def check_googlenet_arguments(
    aux_logits: bool,
    dropout: float,
    dropout_aux: float,
    width_divisor: int,
    large_kernel_size: int,
    small_stem: bool,
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``GoogLeNet``'s arguments cannot build it."""
    check_int("width_divisor", width_divisor, minimum=1)
    if any(c % width_divisor for row in INCEPTION_CONFIG.values() for c in row):
        raise invalid(
            "width_divisor",
            width_divisor,
            "a divisor of every Inception channel count (1, 2, 4 or 8)",
        )
    for name, flag in (("aux_logits", aux_logits), ("small_stem", small_stem)):
        check_bool(name, flag)
    for name, probability in (("dropout", dropout), ("dropout_aux", dropout_aux)):
        check_probability(name, probability)
    # Inception checks that it is odd
    check_int("large_kernel_size", large_kernel_size, minimum=1)
