"""RegNet: Radosavovic, Kosaraju, Girshick, He and Dollar, "Designing Network Design Spaces",
CVPR 2020.

A RegNet is an AnyNet (see ``anynet.py``) whose stage widths and depths all follow from a
*quantized linear* rule with a handful of parameters: the depth ``d`` (number of blocks), the
initial width ``w_0 > 0``, the slope ``w_a >= 0``, the multiplier ``w_m > 1`` and the group
width ``g`` (plus a bottleneck ratio ``b``, 1 for the published models, and an SE ratio for
RegNetY).

1. A linear ramp of widths, one per block:           u_j = w_0 + w_a * j,   j = 0 .. d-1
2. Each width as a power of w_m, exponent rounded:   s_j = round(log(u_j / w_0) / log(w_m))
3. Back to widths, quantized to multiples of q = 8:  w_j = round(w_0 * w_m ** s_j / 8) * 8
4. Stages are the runs of equal w_j: the number of blocks in a run is the stage's depth.
5. Widths are adjusted so that the bottleneck width ``w * b`` is a multiple of the group width
   (which is capped at the bottleneck width).

Example (RegNetX-400MF: d=22, w_0=24, w_a=24.48, w_m=2.54, g=16): steps 1-3 give block widths
24, 64 (x2), 152 (x7), 392 (x12), so stage depths 1, 2, 7, 12; step 5 rounds the widths to
multiples of 16: 32, 64, 160, 400 (torchvision's rounding, which this package follows; pycls rounds
392 half to even, to 384: see ``round_to_multiple``).  Shapes are AnyNet's: ``(batch, 3, 224, 224)`` ->
stem ``(batch, 32, 112, 112)`` -> stages at 56, 28, 14, 7 pixels -> ``(batch, num_classes)``.

The factories use the published parameters (the same values as torchvision's
``BlockParams.from_init_params`` calls); no stage width is written down by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import groupby
from typing import Optional

from ..errors import CnnbookError, check_choice, check_float, check_int
from ._registry import register_model
from .anynet import AnyNet, check_se_ratio

WIDTH_QUANTUM = 8


def quantized_linear_widths(
    depth: int, w_0: int, w_a: float, w_m: float, quantum: int = WIDTH_QUANTUM
) -> list[int]:
    """The width of each of the ``depth`` blocks (steps 1-3 of the rule in the module
    docstring)."""
    check_quantized_linear_widths_arguments(depth, w_0, w_a, w_m, quantum)
    widths = []
    for j in range(depth):
        u_j = w_0 + w_a * j
        s_j = round(math.log(u_j / w_0) / math.log(w_m))
        widths.append(int(round(w_0 * w_m**s_j / quantum)) * quantum)
    return widths


def round_to_multiple(value: float, divisor: int) -> int:
    """``value`` rounded to the nearest multiple of ``divisor`` (a half rounds up), at least
    ``divisor``, and not more than 10% below ``value``: torchvision's ``_make_divisible``, which
    this package reproduces.  The paper's code (pycls, ``quantize_float``) uses Python's ``round``,
    which rounds a half to the even multiple: the two disagree only at an exact half, e.g.
    RegNetX-400MF's last stage, 392 in groups of 16: torchvision 400, pycls 384."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def adjust_widths_to_groups(
    stage_widths: list[int], bottleneck_ratio: float, group_width: int
) -> tuple[list[int], list[int]]:
    """Make every stage's bottleneck width a multiple of its group width (step 5).

    A group cannot be wider than the whole bottleneck: the group width is capped at the
    bottleneck width.  Returns the adjusted stage widths and group widths.
    """
    bottleneck_widths = [int(w * bottleneck_ratio) for w in stage_widths]
    group_widths = [min(group_width, w) for w in bottleneck_widths]
    bottleneck_widths = [
        round_to_multiple(w, g) for w, g in zip(bottleneck_widths, group_widths)
    ]
    return [int(w / bottleneck_ratio) for w in bottleneck_widths], group_widths


@dataclass(frozen=True)
class RegNetStages:
    """The per-stage settings the rule produces."""

    depths: list[int]
    widths: list[int]
    group_widths: list[int]
    bottleneck_ratio: float = 1.0
    se_ratio: Optional[float] = None


def regnet_stages(
    depth: int,
    w_0: int,
    w_a: float,
    w_m: float,
    group_width: int,
    bottleneck_ratio: float = 1.0,
    se_ratio: Optional[float] = None,
) -> RegNetStages:
    """Stage depths, widths and group widths of the RegNet with these parameters
    (steps 1-5)."""
    check_regnet_stages_arguments(group_width, bottleneck_ratio, se_ratio)
    block_widths = quantized_linear_widths(depth, w_0, w_a, w_m)
    runs = [(width, len(list(run))) for width, run in groupby(block_widths)]
    widths, group_widths = adjust_widths_to_groups(
        [w for w, _ in runs], bottleneck_ratio, group_width
    )
    return RegNetStages(
        [n for _, n in runs], widths, group_widths, bottleneck_ratio, se_ratio
    )


class RegNet(AnyNet):
    """An AnyNet whose stages come from RegNet's quantized linear rule.

    Args:
        depth, w_0, w_a, w_m, group_width, bottleneck_ratio: the rule's parameters.
        se_ratio: None for RegNetX; 0.25 for RegNetY (squeeze-and-excitation).
        in_channels, num_classes, stem_width, stem_stride: as for ``AnyNet``.
    """

    def __init__(
        self,
        depth: int,
        w_0: int,
        w_a: float,
        w_m: float,
        group_width: int,
        bottleneck_ratio: float = 1.0,
        se_ratio: Optional[float] = None,
        in_channels: int = 3,
        num_classes: int = 1000,
        stem_width: int = 32,
        stem_stride: int = 2,
    ) -> None:
        stages = regnet_stages(
            depth, w_0, w_a, w_m, group_width, bottleneck_ratio, se_ratio
        )
        super().__init__(
            stages.depths,
            stages.widths,
            stages.group_widths,
            [bottleneck_ratio] * len(stages.depths),
            se_ratio,
            in_channels,
            num_classes,
            stem_width,
            stem_stride,
        )
        self.design = stages


# Published parameters (Radosavovic et al. 2020, Appendix / pycls model zoo), as in torchvision.
REGNET_PARAMETERS: dict[str, dict[str, float]] = {
    "regnet_x_400mf": dict(depth=22, w_0=24, w_a=24.48, w_m=2.54, group_width=16),
    "regnet_x_800mf": dict(depth=16, w_0=56, w_a=35.73, w_m=2.28, group_width=16),
    "regnet_x_1_6gf": dict(depth=18, w_0=80, w_a=34.01, w_m=2.25, group_width=24),
    "regnet_x_3_2gf": dict(depth=25, w_0=88, w_a=26.31, w_m=2.25, group_width=48),
    "regnet_x_8gf": dict(depth=23, w_0=80, w_a=49.56, w_m=2.88, group_width=120),
    "regnet_x_16gf": dict(depth=22, w_0=216, w_a=55.59, w_m=2.1, group_width=128),
    "regnet_x_32gf": dict(depth=23, w_0=320, w_a=69.86, w_m=2.0, group_width=168),
    "regnet_y_400mf": dict(
        depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8, se_ratio=0.25
    ),
    "regnet_y_800mf": dict(
        depth=14, w_0=56, w_a=38.84, w_m=2.4, group_width=16, se_ratio=0.25
    ),
    "regnet_y_1_6gf": dict(
        depth=27, w_0=48, w_a=20.71, w_m=2.65, group_width=24, se_ratio=0.25
    ),
    "regnet_y_3_2gf": dict(
        depth=21, w_0=80, w_a=42.63, w_m=2.66, group_width=24, se_ratio=0.25
    ),
    "regnet_y_8gf": dict(
        depth=17, w_0=192, w_a=76.82, w_m=2.19, group_width=56, se_ratio=0.25
    ),
    "regnet_y_16gf": dict(
        depth=18, w_0=200, w_a=106.23, w_m=2.48, group_width=112, se_ratio=0.25
    ),
    "regnet_y_32gf": dict(
        depth=20, w_0=232, w_a=115.89, w_m=2.53, group_width=232, se_ratio=0.25
    ),
}


@register_model()
def regnet(name: str, num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """The published RegNet called ``name`` (a key of ``REGNET_PARAMETERS``)."""
    check_regnet_arguments(name)
    return RegNet(
        **REGNET_PARAMETERS[name], in_channels=in_channels, num_classes=num_classes
    )


@register_model(torchvision=True)
def regnet_x_400mf(num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """RegNetX-400MF, as torchvision's ``regnet_x_400mf``."""
    return regnet("regnet_x_400mf", num_classes, in_channels)


@register_model(torchvision=True)
def regnet_y_400mf(num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """RegNetY-400MF (with squeeze-and-excitation), as torchvision's ``regnet_y_400mf``."""
    return regnet("regnet_y_400mf", num_classes, in_channels)


@register_model(torchvision=True)
def regnet_x_800mf(num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """RegNetX-800MF, as torchvision's ``regnet_x_800mf``."""
    return regnet("regnet_x_800mf", num_classes, in_channels)


@register_model(torchvision=True)
def regnet_y_800mf(num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """RegNetY-800MF, as torchvision's ``regnet_y_800mf``."""
    return regnet("regnet_y_800mf", num_classes, in_channels)


@register_model(torchvision=True)
def regnet_x_1_6gf(num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """RegNetX-1.6GF, as torchvision's ``regnet_x_1_6gf``."""
    return regnet("regnet_x_1_6gf", num_classes, in_channels)


@register_model(torchvision=True)
def regnet_y_1_6gf(num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """RegNetY-1.6GF, as torchvision's ``regnet_y_1_6gf``."""
    return regnet("regnet_y_1_6gf", num_classes, in_channels)


@register_model(torchvision=True)
def regnet_x_3_2gf(num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """RegNetX-3.2GF, as torchvision's ``regnet_x_3_2gf``."""
    return regnet("regnet_x_3_2gf", num_classes, in_channels)


@register_model(torchvision=True)
def regnet_y_3_2gf(num_classes: int = 1000, in_channels: int = 3) -> RegNet:
    """RegNetY-3.2GF, as torchvision's ``regnet_y_3_2gf``."""
    return regnet("regnet_y_3_2gf", num_classes, in_channels)


@register_model(small_image_size=28)
def regnet_small(
    num_classes: int = 10, in_channels: int = 1, se_ratio: Optional[float] = None
) -> RegNet:
    """A small RegNetX (RegNetY with ``se_ratio=0.25``) for the fast CPU profile: 28x28 images.

    What was shrunk and why: the rule's parameters give a tiny network, d=6, w_0=16, w_a=8,
    w_m=2, g=8: block widths 16, 32, 32, 32, 64, 64, i.e. three stages of 1, 3 and 2 blocks
    (computed by the same rule as the published models, not written down), a 16-channel stem,
    and a stride-1 stem so that the three stride-2 stages take a 28x28 image to 14, 7 and 4
    pixels.  Stem, grouped bottleneck blocks and head are RegNet's.
    """
    return RegNet(
        depth=6,
        w_0=16,
        w_a=8,
        w_m=2,
        group_width=8,
        se_ratio=se_ratio,
        in_channels=in_channels,
        num_classes=num_classes,
        stem_width=16,
        stem_stride=1,
    )


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's rule.


def check_quantized_linear_widths_arguments(
    depth: int, w_0: int, w_a: float, w_m: float, quantum: int
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``quantized_linear_widths``'s arguments cannot give
    widths."""
    check_int("depth", depth, minimum=1)  # the number of blocks
    check_float("w_a", w_a, minimum=0.0)  # the slope of the width ramp
    check_int("quantum", quantum, minimum=1)
    if check_int("w_0", w_0, minimum=1) % quantum != 0:
        raise CnnbookError(
            f"w_0={w_0} is not allowed: w_0 (the initial width) must be a positive multiple "
            f"of {quantum}"
        )
    # the width multiplier between stages
    check_float("w_m", w_m, minimum=1.0, include_minimum=False)


def check_regnet_stages_arguments(
    group_width: int, bottleneck_ratio: float, se_ratio: Optional[float]
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``regnet_stages``'s arguments cannot give stages."""
    check_int("group_width", group_width, minimum=1)
    check_float(
        "bottleneck_ratio", bottleneck_ratio, minimum=0.0, include_minimum=False
    )
    check_se_ratio(se_ratio)


def check_regnet_arguments(name: str) -> None:
    """Raise ``CnnbookError`` naming the problem if ``regnet``'s ``name`` is not a published RegNet."""
    check_choice("name", name, sorted(REGNET_PARAMETERS))
