"""Design spaces of networks, sampled and compared as Radosavovic et al. do ("Designing Network
Design Spaces", CVPR 2020), at a scale a CPU can carry.

A *design space* is a set of networks with a rule for drawing one at random.  The paper starts
from AnyNetX (see ``cnnbook.models.anynet``): a stem, stages of grouped bottleneck blocks, a head;
each stage ``i`` has its own depth ``d_i``, width ``w_i``, bottleneck ratio ``b_i`` and group
width ``g_i``.  It then adds constraints one at a time, each giving a smaller space:

* ``AnyNetX_A``: every stage free;
* ``AnyNetX_B``: one bottleneck ratio shared by all stages;
* ``AnyNetX_C``: and one group width shared by all stages;
* ``AnyNetX_D``: and widths that do not decrease from stage to stage (``w_{i+1} >= w_i``);
* ``AnyNetX_E``: and depths that do not decrease either (``d_{i+1} >= d_i``).

A space is judged by the distribution of the errors of models drawn from it, all of about the
same cost: the *empirical distribution function* (EDF) ``F(e)``, the fraction of models with
error below ``e``.  A space whose EDF lies to the left (more good models) is the better space.

The paper's scale: 4 stages, depths up to 16, widths up to 1024, 500 models per space at 360-400
MFLOPs, each trained 10 epochs on ImageNet.  Here: 3 stages for 28x28 images, depths 1-4, widths
8-128, and a FLOP window of the same relative width; ``cnnbook.experiments.design_space_edf``
trains the samples.  Bottleneck ratios are written as the paper's ``b`` (output width / middle
width, 1, 2 or 4); ``AnyNet`` takes their inverse (middle / output).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Sequence

from .errors import CnnbookError, check_choice, check_int
from .i18n import error_text

SPACES = ("AnyNetX_A", "AnyNetX_B", "AnyNetX_C", "AnyNetX_D", "AnyNetX_E")

# The CPU-scale choices (the paper's in brackets): 3 stages [4]; depths 1-4 [1-16]; widths
# 8-128 in steps of 8 [8-1024]; bottleneck ratios 1, 2, 4 [same]; group widths 1-16 [1-32].
NUM_STAGES = 3
DEPTHS = (1, 2, 3, 4)
WIDTHS = tuple(range(8, 129, 8))
BOTTLENECK_RATIOS = (1, 2, 4)
GROUP_WIDTHS = (1, 2, 4, 8, 16)
STEM_WIDTH = 16


@dataclass(frozen=True)
class AnyNetConfig:
    """One network of the AnyNetX spaces: per stage, depth, width, bottleneck ratio ``b`` (output
    width / middle width) and group width."""

    depths: tuple[int, ...]
    widths: tuple[int, ...]
    bottleneck_ratios: tuple[int, ...]
    group_widths: tuple[int, ...]

    def to_dict(self) -> dict[str, list[int]]:
        return {key: list(value) for key, value in asdict(self).items()}

    def build(self, num_classes: int = 10, in_channels: int = 1):
        """The ``AnyNet`` (3x3 stride-1 stem of 16 channels, for 28x28 images)."""
        from .models.anynet import AnyNet

        return AnyNet(
            self.depths,
            self.widths,
            self.group_widths,
            [1 / b for b in self.bottleneck_ratios],
            in_channels=in_channels,
            num_classes=num_classes,
            stem_width=STEM_WIDTH,
            stem_stride=1,
        )


def check_config(config: AnyNetConfig, space: str = "AnyNetX_A") -> AnyNetConfig:
    """Check that ``config`` belongs to ``space``; a clear error names the rule it breaks."""
    check_choice("space", space, SPACES)
    fields = asdict(config)
    for name, value in fields.items():
        if len(value) != NUM_STAGES:
            raise CnnbookError(
                f"{name}={list(value)} is not allowed: give one value per stage ({NUM_STAGES} stages)"
            )
    for name, allowed in (
        ("depths", DEPTHS),
        ("widths", WIDTHS),
        ("bottleneck_ratios", BOTTLENECK_RATIOS),
        ("group_widths", GROUP_WIDTHS),
    ):
        for value in fields[name]:
            if value not in allowed:
                raise CnnbookError(
                    f"{name}={list(fields[name])} is not allowed: each value must be one of "
                    f"{', '.join(map(str, allowed))}"
                )
    for stage, (width, ratio, group_width) in enumerate(
        zip(config.widths, config.bottleneck_ratios, config.group_widths), start=1
    ):
        middle = width // ratio
        if width % ratio or middle % group_width:
            raise CnnbookError(
                error_text(
                    "not a valid block",
                    stage=stage,
                    width=width,
                    ratio=ratio,
                    group_width=group_width,
                    middle=width / ratio,
                )
            )
    shared = {
        "AnyNetX_B": ("bottleneck_ratios", "bottleneck ratio"),
        "AnyNetX_C": ("group_widths", "group width"),
    }
    for index, constrained in enumerate(SPACES[1:], start=1):
        if SPACES.index(space) < index:
            break
        if constrained in shared:
            name, what = shared[constrained]
            if len(set(fields[name])) != 1:
                raise CnnbookError(
                    error_text(
                        "not in space shared",
                        name=name,
                        value=list(fields[name]),
                        space=space,
                        what=error_text(what),
                    )
                )
        if constrained == "AnyNetX_D" and any(
            a > b for a, b in zip(config.widths, config.widths[1:])
        ):
            raise CnnbookError(
                error_text(
                    "not in space decreasing",
                    name="widths",
                    value=list(config.widths),
                    space=space,
                )
            )
        if constrained == "AnyNetX_E" and any(
            a > b for a, b in zip(config.depths, config.depths[1:])
        ):
            raise CnnbookError(
                error_text(
                    "not in space decreasing",
                    name="depths",
                    value=list(config.depths),
                    space=space,
                )
            )
    return config


def _draw(space: str, rng: random.Random) -> AnyNetConfig:
    """One draw from ``space``'s choices (uniform per choice), constraints applied by construction
    where that is simple (shared values, sorted widths and depths); may still be an invalid block.
    """
    level = SPACES.index(space)
    depths = [rng.choice(DEPTHS) for _ in range(NUM_STAGES)]
    widths = [rng.choice(WIDTHS) for _ in range(NUM_STAGES)]
    ratios = [rng.choice(BOTTLENECK_RATIOS) for _ in range(NUM_STAGES)]
    groups = [rng.choice(GROUP_WIDTHS) for _ in range(NUM_STAGES)]
    if level >= 1:
        ratios = [ratios[0]] * NUM_STAGES
    if level >= 2:
        groups = [groups[0]] * NUM_STAGES
    if level >= 3:
        widths.sort()
    if level >= 4:
        depths.sort()
    return AnyNetConfig(tuple(depths), tuple(widths), tuple(ratios), tuple(groups))


def sample_config(
    space: str, rng: random.Random, max_tries: int = 10_000
) -> AnyNetConfig:
    """A random valid network of ``space``: draw until the blocks are valid (rejection sampling)."""
    check_choice("space", space, SPACES)
    check_int("max_tries", max_tries, minimum=1)
    for _ in range(max_tries):
        config = _draw(space, rng)
        try:
            return check_config(config, space)
        except CnnbookError:
            continue
    raise CnnbookError(f"no valid network of {space} in {max_tries} draws")


def config_flops(config: AnyNetConfig, image_size: int = 28) -> int:
    """FLOPs of one 1-channel ``image_size`` image through the network, counted by
    ``torch.utils.flop_counter`` (the same count as ``cnnbook.inspection.count_flops``).

    ``model.forward`` is called directly, skipping the input check's search for the smallest
    image size (a few dozen forward passes): the sampler counts thousands of candidates.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    check_int("image_size", image_size, minimum=1)
    model = config.build().eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.forward(torch.zeros(1, 1, image_size, image_size))
    return int(counter.get_total_flops())


def sample_space(
    space: str,
    count: int,
    seed: int,
    flops_range: Sequence[float],
    image_size: int = 28,
    max_draws: int = 100_000,
) -> list[tuple[AnyNetConfig, int]]:
    """``count`` distinct networks of ``space`` whose FLOPs lie in ``flops_range`` (the paper
    matches the cost of the samples across spaces the same way), with their FLOPs.

    Seeded: the same ``(space, seed)`` gives the same networks on every machine.
    """
    check_int("count", count, minimum=1)
    low, high = flops_range
    if not 0 <= low < high:
        raise CnnbookError(
            f"flops_range={tuple(flops_range)} is not allowed: give (low, high) with 0 <= low < high"
        )
    rng = random.Random(f"{space}-{seed}")
    chosen: dict[AnyNetConfig, int] = {}
    for _ in range(max_draws):
        config = sample_config(space, rng)
        if config in chosen:
            continue
        flops = config_flops(config, image_size)
        if low <= flops <= high:
            chosen[config] = flops
            if len(chosen) == count:
                return list(chosen.items())
    raise CnnbookError(
        f"found only {len(chosen)} of {count} networks of {space} with FLOPs in "
        f"[{low:g}, {high:g}] in {max_draws} draws: widen flops_range"
    )


def empirical_distribution(
    errors: Sequence[float], grid: Sequence[float]
) -> list[float]:
    """The EDF of ``errors`` on ``grid``: for each ``e``, the fraction of errors below ``e``."""
    if not errors:
        raise CnnbookError("empirical_distribution needs at least one error")
    return [sum(error < e for error in errors) / len(errors) for e in grid]
