"""The VGG page's helpers: cnnbook.stages (block summaries, receptive fields) and cnnbook.tables."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from cnnbook import models, set_language
from cnnbook.stages import BlockRow, format_block_summary, receptive_field, vgg_block_summary
from cnnbook.errors import CnnbookError, CnnbookTypeError
from cnnbook.inspection import count_flops, count_parameters

SMALL = [(1, 16), (1, 32), (2, 64), (2, 128), (2, 128)]


def test_summary_adds_up_to_the_whole_model():
    rows = vgg_block_summary(SMALL, image_size=32, in_channels=1, num_classes=10, hidden_features=512, pool_size=1)
    model = models.vgg11_small()
    assert sum(r.parameters for r in rows) == count_parameters(model)
    assert sum(r.flops for r in rows) == count_flops(model, (1, 1, 32, 32))
    assert [r.output_shape for r in rows] == [(1, 1, 32, 32), (1, 16, 16, 16), (1, 32, 8, 8), (1, 64, 4, 4),
                                              (1, 128, 2, 2), (1, 128, 1, 1), (1, 10)]


def test_summary_of_vgg16_matches_torchvision_counts():
    rows = vgg_block_summary(models.VGG_CONFIGS[16])
    assert sum(r.parameters for r in rows) == 138_357_544
    assert rows[-2].output_shape == (1, 512, 7, 7)


def test_batch_norm_adds_two_parameters_per_channel():
    plain = vgg_block_summary(SMALL, 32, 1, 10, hidden_features=512, pool_size=1)
    with_bn = vgg_block_summary(SMALL, 32, 1, 10, batch_norm=True, hidden_features=512, pool_size=1)
    convs_times_channels = sum(n * c for n, c in SMALL)
    assert sum(r.parameters for r in with_bn) - sum(r.parameters for r in plain) == 2 * convs_times_channels


@pytest.mark.parametrize("architecture", [[], [(1, 0)], [(0, 16)], [(1, -3)], [(1.5, 16)], [(1, 16, 3)]])
def test_invalid_architectures_are_refused_clearly(architecture):
    with pytest.raises(CnnbookError, match="architecture"):
        vgg_block_summary(architecture, image_size=32)


def test_too_small_images_are_refused_with_the_smallest_size():
    with pytest.raises(CnnbookError, match="at least 64x64"):
        vgg_block_summary([(1, 8)] * 6, image_size=32)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "32", None])
def test_bad_image_size(bad):
    with pytest.raises(CnnbookError, match="image_size"):
        vgg_block_summary(SMALL, image_size=bad)


def test_format_has_a_total_line_in_both_languages():
    rows = vgg_block_summary(SMALL, 32, 1, 10, hidden_features=512, pool_size=1)
    text = str(format_block_summary(rows))
    assert text.splitlines()[-1].startswith("total") and "910,666" in text
    try:
        set_language("zh")
        chinese = str(format_block_summary(vgg_block_summary(SMALL, 32, 1, 10, hidden_features=512, pool_size=1)))
    finally:
        set_language("en")
    assert "合计" in chinese and "910,666" in chinese


def test_format_accepts_custom_headers():
    rows = [BlockRow("a", "b", (1, 2), 3, 4_000_000)]
    assert str(format_block_summary(rows, headers=("s", "l", "o", "p", "f"))).splitlines()[0].split() == \
        ["s", "l", "o", "p", "f"]


def test_receptive_field_matches_the_gradient_footprint():
    for kernels in ([3], [3, 3], [3, 3, 3], [5], [7], [5, 3]):
        stack = nn.Sequential(*[nn.Conv2d(1, 1, k, padding=k // 2, bias=False) for k in kernels])
        for conv in stack:
            nn.init.ones_(conv.weight)
        image = torch.zeros(1, 1, 15, 15, requires_grad=True)
        stack(image)[0, 0, 7, 7].backward()
        footprint = int((image.grad[0, 0, 7] != 0).sum())
        assert footprint == receptive_field(kernels)


@pytest.mark.parametrize("bad", [[], "33", [3, 0], [3, 2.5], None])
def test_receptive_field_refuses_bad_kernels(bad):
    with pytest.raises((CnnbookError, CnnbookTypeError), match="kernel_sizes"):
        receptive_field(bad)


def test_fuzz_vgg_block_summary_works_or_says_what_is_wrong():
    """Odd arguments of every kind: a summary that adds up, or a CnnbookError naming the argument."""
    import math

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    odd = st.sampled_from([0, -1, 0.5, 2.0, math.nan, "4", None, True, [2]])
    block = st.one_of(st.tuples(st.integers(-1, 3), st.integers(-1, 12)), odd)
    names = ("architecture", "image_size", "in_channels", "num_classes", "batch_norm", "images of at least")

    @settings(deadline=None, derandomize=True, max_examples=80, suppress_health_check=list(HealthCheck))
    @given(architecture=st.one_of(st.lists(block, max_size=6), odd), image_size=st.one_of(st.integers(1, 80), odd),
           in_channels=st.one_of(st.integers(1, 3), odd), num_classes=st.one_of(st.integers(1, 10), odd),
           batch_norm=st.one_of(st.booleans(), odd))
    def check(architecture, image_size, in_channels, num_classes, batch_norm):
        try:
            rows = vgg_block_summary(architecture, image_size, in_channels, num_classes, batch_norm,
                                     hidden_features=8, pool_size=1)
        except CnnbookError as error:
            assert any(name in str(error) for name in names), str(error)
        else:
            assert rows[-1].output_shape == (1, num_classes)
            assert all(r.parameters >= 0 and r.flops >= 0 for r in rows)

    check()
