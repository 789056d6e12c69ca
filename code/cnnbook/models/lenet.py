"""LeNet-5 (LeCun, Bottou, Bengio and Haffner, "Gradient-Based Learning Applied to Document
Recognition", Proc. IEEE 1998), with and without batch normalization (Ioffe and Szegedy 2015).

The two versions differ *only* in the batch-norm layers (one after each convolution and each
hidden fully connected layer, before the activation): same sigmoid activations, same 2x2 average
pooling, same padding, same widths.  (D2L's comparison also switched padding and, in some
versions, pooling, so part of the difference it showed did not come from batch norm.)

Shapes for a 28x28 Fashion-MNIST image:

    input                                   (batch,  1, 28, 28)
    conv 5x5 pad 2 [+BN], sigmoid            (batch,  6, 28, 28)
    avg-pool 2x2 /2                         (batch,  6, 14, 14)
    conv 5x5 [+BN], sigmoid                  (batch, 16, 10, 10)
    avg-pool 2x2 /2                         (batch, 16,  5,  5)
    adaptive average pool to 5x5            (batch, 16,  5,  5)   (does nothing at 28x28)
    flatten                                 (batch, 400)
    linear [+BN], sigmoid                    (batch, 120)
    linear [+BN], sigmoid                    (batch, 84)
    linear                                  (batch, num_classes)
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ..errors import check_bool, check_choice, check_int, invalid
from ._base import ImageClassifier
from ._registry import register_model
from .batchnorm import BatchNorm


class LeNet(ImageClassifier):
    """LeNet-5 with optional batch normalization.

    Args:
        in_channels: channels of the input images.
        num_classes: number of output classes.
        batch_norm: add batch normalization after each convolution and hidden linear
            layer.
        scratch_batch_norm: use the book's ``BatchNorm`` (from scratch) instead of
            ``nn.BatchNorm2d`` / ``nn.BatchNorm1d``.
        activation: the activation module class (sigmoid, as in LeNet and D2L).
        batch_norm_position: ``"before"`` the activation (as Ioffe and Szegedy, and D2L)
            or ``"after"`` it (a variant often tried in practice).
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        batch_norm: bool = False,
        scratch_batch_norm: bool = False,
        activation: Callable[[], nn.Module] = nn.Sigmoid,
        batch_norm_position: str = "before",
    ) -> None:
        super().__init__()
        check_lenet_arguments(
            in_channels,
            num_classes,
            batch_norm,
            scratch_batch_norm,
            activation,
            batch_norm_position,
        )
        self.in_channels, self.num_classes = in_channels, num_classes

        def normalized(features: int, image: bool) -> list[nn.Module]:
            """Batch norm (if any) and the activation, in the chosen order."""
            if not batch_norm:
                return [activation()]
            if scratch_batch_norm:
                norm: nn.Module = BatchNorm(features)
            else:
                norm = nn.BatchNorm2d(features) if image else nn.BatchNorm1d(features)
            return (
                [norm, activation()]
                if batch_norm_position == "before"
                else [activation(), norm]
            )

        self.net = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=2),
            *normalized(6, True),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5),
            *normalized(16, True),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.AdaptiveAvgPool2d(
                (5, 5)
            ),  # the identity at 28x28; lets other image sizes through
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120),
            *normalized(120, False),
            nn.Linear(120, 84),
            *normalized(84, False),
            nn.Linear(84, num_classes),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


@register_model(small_image_size=28)
def lenet(num_classes: int = 10, in_channels: int = 1) -> LeNet:
    """LeNet-5 without batch normalization (sigmoid, average pooling)."""
    return LeNet(in_channels, num_classes)


@register_model(small_image_size=28)
def lenet_bn(
    num_classes: int = 10,
    in_channels: int = 1,
    scratch_batch_norm: bool = False,
    batch_norm_position: str = "before",
) -> LeNet:
    """LeNet-5 with batch normalization (before each activation, unless ``batch_norm_position=
    "after"``); otherwise identical to ``lenet``."""
    return LeNet(
        in_channels,
        num_classes,
        batch_norm=True,
        scratch_batch_norm=scratch_batch_norm,
        batch_norm_position=batch_norm_position,
    )


# The argument check, which the class calls in one line: its source above reads like the paper's figure.


def check_lenet_arguments(
    in_channels: int,
    num_classes: int,
    batch_norm: bool,
    scratch_batch_norm: bool,
    activation: Callable[[], nn.Module],
    batch_norm_position: str,
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``LeNet``'s arguments cannot build it."""
    # in_channels and num_classes first (ImageClassifier checks them again): LeNet has always set them first
    check_int("in_channels", in_channels, minimum=1)
    check_int("num_classes", num_classes, minimum=1)
    check_bool("batch_norm", batch_norm)
    check_bool("scratch_batch_norm", scratch_batch_norm)
    if not callable(activation):
        raise invalid(
            "activation",
            activation,
            "a module class such as nn.Sigmoid or nn.ReLU",
            type_error=True,
        )
    check_choice("batch_norm_position", batch_norm_position, ("before", "after"))
