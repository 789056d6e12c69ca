"""The AnyNetX design spaces: the sampler draws only valid networks of its space, a network
outside a space gets a clear error naming the rule, and the EDF is what its definition says."""
from __future__ import annotations

import random

import pytest

from cnnbook.design_spaces import (SPACES, AnyNetConfig, check_config, config_flops, empirical_distribution,
                                   sample_config, sample_space)
from cnnbook.errors import CnnbookError
from cnnbook.inspection import count_flops


@pytest.mark.slow
@pytest.mark.parametrize("space", SPACES)
def test_the_sampler_draws_valid_networks_of_its_space(space):
    rng = random.Random(0)
    for _ in range(200):
        config = sample_config(space, rng)
        assert check_config(config, space) is config
        model = config.build()  # every drawn network builds
        assert model.fc.out_features == 10


def test_each_constraint_shrinks_the_space():
    rng = random.Random(1)
    for _ in range(100):
        config = sample_config("AnyNetX_E", rng)
        for space in SPACES:  # E's networks belong to every larger space
            check_config(config, space)
        assert len(set(config.bottleneck_ratios)) == len(set(config.group_widths)) == 1
        assert list(config.widths) == sorted(config.widths) and list(config.depths) == sorted(config.depths)


@pytest.mark.parametrize("config, space, message", [
    (AnyNetConfig((1, 2, 3), (16, 32, 64), (1, 2, 1), (4, 4, 4)), "AnyNetX_B", "one bottleneck ratio shared"),
    (AnyNetConfig((1, 2, 3), (16, 32, 64), (1, 1, 1), (4, 8, 4)), "AnyNetX_C", "one group width shared"),
    (AnyNetConfig((1, 2, 3), (64, 32, 64), (1, 1, 1), (4, 4, 4)), "AnyNetX_D", "widths must not decrease"),
    (AnyNetConfig((3, 2, 3), (16, 32, 64), (1, 1, 1), (4, 4, 4)), "AnyNetX_E", "depths must not decrease"),
    (AnyNetConfig((1, 2, 3), (16, 32, 64), (4, 1, 1), (8, 4, 4)), "AnyNetX_A", "multiple of the group width"),
    (AnyNetConfig((1, 2), (16, 32), (1, 1), (4, 4)), "AnyNetX_A", "one value per stage"),
    (AnyNetConfig((1, 2, 9), (16, 32, 64), (1, 1, 1), (4, 4, 4)), "AnyNetX_A", "depths="),
    (AnyNetConfig((1, 2, 3), (16, 32, 60), (1, 1, 1), (4, 4, 4)), "AnyNetX_A", "widths="),
])
def test_a_network_outside_the_space_is_a_clear_error(config, space, message):
    with pytest.raises(CnnbookError, match=message):
        check_config(config, space)


def test_an_unknown_space_is_a_clear_error():
    with pytest.raises(CnnbookError, match="AnyNetX_A"):
        sample_config("AnyNetX_Z", random.Random(0))


@pytest.mark.slow
def test_sampling_is_seeded_distinct_and_within_the_flop_window():
    first = sample_space("AnyNetX_C", 4, seed=0, flops_range=(6e6, 10e6))
    assert first == sample_space("AnyNetX_C", 4, seed=0, flops_range=(6e6, 10e6))
    assert len({config for config, _ in first}) == 4
    assert all(6e6 <= flops <= 10e6 for _, flops in first)
    config, flops = first[0]
    assert flops == config_flops(config) == count_flops(config.build(), (1, 1, 28, 28))
    with pytest.raises(CnnbookError, match="widen flops_range"):
        sample_space("AnyNetX_E", 1, seed=0, flops_range=(1, 2), max_draws=20)
    with pytest.raises(CnnbookError, match="low < high"):
        sample_space("AnyNetX_E", 1, seed=0, flops_range=(5, 2))


def test_empirical_distribution():
    assert empirical_distribution([0.1, 0.2, 0.2, 0.4], [0.0, 0.15, 0.2, 0.3, 0.5]) == [0, 0.25, 0.25, 0.75, 1.0]
    with pytest.raises(CnnbookError, match="at least one"):
        empirical_distribution([], [0.5])
