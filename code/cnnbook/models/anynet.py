"""AnyNet: the design space of Radosavovic, Kosaraju, Girshick, He and Dollar, "Designing
Network Design Spaces", CVPR 2020.

Every AnyNet has the same three parts; only the body's numbers vary:

* stem: 3x3 convolution with stride 2, batch norm, ReLU (``stem_width`` channels, 32 in RegNet);
* body: stages; stage ``i`` is ``depth_i`` residual bottleneck blocks of output width ``w_i``,
  bottleneck ratio ``b_i`` (the 3x3 convolution has ``round(w_i * b_i)`` channels), group width
  ``g_i`` (channels per group of that convolution) and optionally squeeze-and-excitation; the
  first block of every stage has stride 2;
* head: global average pooling and one linear layer.

The block is ResNeXt's grouped bottleneck (``resnet.Bottleneck``), with squeeze-and-excitation
for the "Y" variants; unlike ResNet, its output width is set directly per stage.

Shapes for a 224x224 RGB image and four stages of widths ``w_1..w_4``:

    input                  (batch,   3, 224, 224)
    stem                   (batch, stem_width, 112, 112)
    stage 1 .. stage 4     (batch, w_1, 56, 56) ... (batch, w_4, 7, 7)
    pool, flatten, linear  (batch, num_classes)
"""

from __future__ import annotations

from typing import Optional, Sequence

import torch
from torch import nn

from ..errors import (
    CnnbookError,
    check_float,
    check_float_sequence,
    check_int,
    check_int_sequence,
)
from ._base import ImageClassifier
from ._init import he_init
from .resnet import Bottleneck


def check_se_ratio(se_ratio: Optional[float]) -> Optional[float]:
    """``None`` (no squeeze-and-excitation) or a ratio in (0, 1] (0.25 in RegNetY)."""
    if se_ratio is None:
        return None
    try:
        return check_float(
            "se_ratio", se_ratio, minimum=0.0, maximum=1.0, include_minimum=False
        )
    except CnnbookError as error:
        raise type(error)(
            str(error)[:-1] + ", or None for no squeeze-and-excitation."
        ) from None


def anynet_block(
    in_channels: int,
    out_channels: int,
    stride: int,
    group_width: int,
    bottleneck_ratio: float = 1.0,
    se_ratio: Optional[float] = None,
) -> Bottleneck:
    """The AnyNetX/Y block: a grouped bottleneck with
    ``round(out_channels * bottleneck_ratio)`` middle channels in groups of
    ``group_width``, and squeeze-and-excitation squeezing to
    ``round(se_ratio * in_channels)`` channels when ``se_ratio`` is given."""
    check_anynet_block_arguments(out_channels, group_width, bottleneck_ratio, se_ratio)
    bottleneck_channels = int(round(out_channels * bottleneck_ratio))
    se_channels = max(1, int(round(se_ratio * in_channels))) if se_ratio else 0
    return Bottleneck(
        in_channels,
        out_channels,
        stride,
        bottleneck_channels=bottleneck_channels,
        groups=bottleneck_channels // int(group_width),
        se_channels=se_channels,
    )


class AnyNet(ImageClassifier):
    """A network of the AnyNet design space.

    Args:
        stage_depths: number of blocks per stage.
        stage_widths: output channels of each stage.
        group_widths: channels per group of each stage's 3x3 convolutions.
        bottleneck_ratios: each stage's middle width / output width (1.0 in RegNet).
        se_ratio: squeeze-and-excitation ratio (None: none, the "X" models; 0.25: the
            "Y" models).
        in_channels: channels of the input images.
        num_classes: number of output classes.
        stem_width: output channels of the stem.
        stem_stride: stride of the stem convolution (2; 1 keeps small images large).
    """

    def __init__(
        self,
        stage_depths: Sequence[int],
        stage_widths: Sequence[int],
        group_widths: Sequence[int],
        bottleneck_ratios: Sequence[float] | None = None,
        se_ratio: Optional[float] = None,
        in_channels: int = 3,
        num_classes: int = 1000,
        stem_width: int = 32,
        stem_stride: int = 2,
    ) -> None:
        super().__init__()
        check_anynet_arguments(
            stage_depths,
            stage_widths,
            group_widths,
            bottleneck_ratios,
            se_ratio,
            stem_width,
            stem_stride,
        )
        if bottleneck_ratios is None:
            bottleneck_ratios = [1.0] * len(stage_depths)
        self.in_channels, self.num_classes = in_channels, num_classes
        self.stem = nn.Sequential(
            nn.Conv2d(
                in_channels,
                stem_width,
                kernel_size=3,
                stride=stem_stride,
                padding=1,
                bias=False,
            ),
            nn.BatchNorm2d(stem_width),
            nn.ReLU(inplace=True),
        )
        stages, channels = [], stem_width
        for depth, width, group_width, ratio in zip(
            stage_depths, stage_widths, group_widths, bottleneck_ratios
        ):
            blocks = []
            for position in range(depth):
                blocks.append(
                    anynet_block(
                        channels,
                        width,
                        2 if position == 0 else 1,
                        group_width,
                        ratio,
                        se_ratio,
                    )
                )
                channels = width
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(channels, num_classes)
        he_init(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.stages(self.stem(images)))
        return self.fc(torch.flatten(x, 1))


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's design space.


def check_anynet_block_arguments(
    out_channels: int,
    group_width: int,
    bottleneck_ratio: float,
    se_ratio: Optional[float],
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``anynet_block``'s arguments cannot build a block."""
    out_channels = check_int("out_channels", out_channels, minimum=1)
    group_width = check_int("group_width", group_width, minimum=1)
    bottleneck_ratio = check_float(
        "bottleneck_ratio", bottleneck_ratio, minimum=0.0, include_minimum=False
    )
    check_se_ratio(se_ratio)
    bottleneck_channels = int(round(out_channels * bottleneck_ratio))
    if bottleneck_channels < 1:
        raise CnnbookError(
            f"bottleneck_ratio={bottleneck_ratio} is not allowed here: a block of width "
            f"{out_channels} would have {bottleneck_channels} bottleneck channels (at least 1 needed)"
        )
    if bottleneck_channels % group_width != 0:
        raise CnnbookError(
            f"group_width={group_width} must divide the {bottleneck_channels} bottleneck channels of a "
            f"block of width {out_channels} (bottleneck ratio {bottleneck_ratio}); RegNet's width rule "
            "adjusts the widths so that it does"
        )


def check_anynet_arguments(
    stage_depths: Sequence[int],
    stage_widths: Sequence[int],
    group_widths: Sequence[int],
    bottleneck_ratios: Sequence[float] | None,
    se_ratio: Optional[float],
    stem_width: int,
    stem_stride: int,
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``AnyNet``'s arguments cannot build it."""
    stage_depths = check_int_sequence("stage_depths", stage_depths, minimum=1)
    stage_widths = check_int_sequence("stage_widths", stage_widths, minimum=1)
    group_widths = check_int_sequence("group_widths", group_widths, minimum=1)
    num_stages = len(stage_depths)
    bottleneck_ratios = (
        [1.0] * num_stages
        if bottleneck_ratios is None
        else list(check_float_sequence("bottleneck_ratios", bottleneck_ratios, 0.0))
    )
    check_se_ratio(se_ratio)
    check_int("stem_width", stem_width, minimum=1)
    check_int("stem_stride", stem_stride, minimum=1)
    if not num_stages or not (
        len(stage_widths) == len(group_widths) == len(bottleneck_ratios) == num_stages
    ):
        raise CnnbookError(
            "stage_depths, stage_widths, group_widths and bottleneck_ratios must have one "
            f"entry per stage, got {list(stage_depths)}, {list(stage_widths)}, "
            f"{list(group_widths)}, {bottleneck_ratios}"
        )
    if min(stage_depths) < 1:
        raise CnnbookError(
            f"every stage needs at least one block, got stage_depths={list(stage_depths)}"
        )
