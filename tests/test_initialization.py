"""cnnbook.initialization.signal_scales and cnnbook.plotting.plot_seed_bands: the measurement behind the
book's story on initialization (AlexNet, VGG and NiN pages) and the plot of stored comparisons."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from cnnbook import models, set_language
from cnnbook.errors import CnnbookError
from cnnbook.experiments import load_result
from cnnbook.initialization import signal_scales
from cnnbook.plotting import plot_seed_bands


def _batch(size: int = 32, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand(8, 1, size, size, generator=generator)
    return images, torch.arange(8) % 10


def test_one_row_per_weighted_layer_in_forward_order():
    model = models.vgg_small(depth=11)
    images, labels = _batch()
    rows = signal_scales(model, images, labels)
    assert len(rows) == 8 + 3
    assert [row.kind for row in rows] == ["Conv2d"] * 8 + ["Linear"] * 3
    assert rows[0].name == "features.0.0" and rows[-1].name == "classifier.6"
    assert all(row.gradient_ratio > 0 and row.output_rms > 0 for row in rows)


def test_the_model_is_left_as_it_was():
    model = models.nin_small()
    before = {name: value.clone() for name, value in model.state_dict().items()}
    model.train()
    signal_scales(model, *_batch(28))
    assert model.training
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())


def test_an_output_that_is_the_same_for_every_image_has_no_spread():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(10))
    images = torch.ones(4, 1, 8, 8)  # four identical images
    model(images)  # materialize the lazy layer
    rows = signal_scales(model, images, torch.arange(4))
    assert all(row.image_spread == 0 for row in rows)
    assert rows[0].output_rms > 0


def test_xavier_loses_the_signal_with_depth_where_he_keeps_it():
    # the measurement the VGG page shows: 16 ReLU layers with Xavier weights shrink the part of the
    # signal that depends on the image far more than He's weights do in the convolutions
    images, labels = _batch()
    spreads = {}
    for init in ("xavier", "he"):
        torch.manual_seed(0)
        rows = signal_scales(models.apply_init(models.vgg_small(depth=16), init), images, labels)
        convolutions = [row for row in rows if row.kind == "Conv2d"]
        spreads[init] = convolutions[0].image_spread / convolutions[-1].image_spread
    assert spreads["xavier"] > 20 * spreads["he"]


def test_pytorch_default_keeps_the_size_but_loses_the_image():
    # non-zero biases keep the last layer's output large while the part that varies with the image
    # vanishes: what the NiN page shows
    torch.manual_seed(0)
    model = models.apply_init(models.nin_small(), "pytorch_default")
    rows = signal_scales(model, *_batch(28))
    assert rows[-1].output_rms > 100 * rows[-1].image_spread


@pytest.mark.parametrize(
    "images, labels, words",
    [
        (torch.zeros(1, 1, 32, 32), torch.zeros(1, dtype=torch.long), "at least 2 images"),
        (torch.zeros(2, 32, 32), torch.zeros(2, dtype=torch.long), "shape"),
        (torch.zeros(2, 1, 32, 32), torch.zeros(3, dtype=torch.long), "one class index per image"),
        ("images", torch.zeros(2, dtype=torch.long), "images="),
    ],
)
def test_bad_input_is_refused_clearly(images, labels, words):
    with pytest.raises(CnnbookError, match=words):
        signal_scales(models.vgg_small(), images, labels)


def test_not_a_model_is_refused_clearly():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        signal_scales("vgg", *_batch())


def test_seed_bands_draw_a_line_and_a_band_per_variant():
    result = load_result("nin_init")
    figure, axis = plt.subplots()
    set_language("en")
    plot_seed_bands(axis, result, "eval_acc")
    variants = list(result["summary"])
    assert len(axis.lines) == len(variants) and len(axis.collections) == len(variants)
    assert [line.get_label() for line in axis.lines] == [f"{v} (3 seeds)" for v in variants]
    first = [r["curves"]["eval_acc"] for r in result["runs"] if r["variant"] == variants[0]]
    assert axis.lines[0].get_ydata()[-1] == pytest.approx(sum(c[-1] for c in first) / len(first))
    plt.close(figure)


def test_seed_bands_speak_the_page_language():
    figure, axis = plt.subplots()
    try:
        set_language("zh")
        plot_seed_bands(axis, load_result("nin_init"), "loss", variants=["PyTorch default"])
        assert axis.lines[0].get_label() == "PyTorch 默认（3 个随机种子）"
    finally:
        set_language("en")
        plt.close(figure)


@pytest.mark.parametrize(
    "kwargs, words",
    [({"variants": ["no such variant"]}, "not in this comparison"), ({"metric": "speed"}, "not a stored curve")],
)
def test_seed_bands_refuse_what_is_not_stored(kwargs, words):
    figure, axis = plt.subplots()
    with pytest.raises(CnnbookError, match=words):
        plot_seed_bands(axis, load_result("nin_init"), **kwargs)
    with pytest.raises(CnnbookError, match="stored comparison"):
        plot_seed_bands(axis, load_result("nin_noise"))
    plt.close(figure)
