"""Run profiles, and the clear errors a reader gets for bad input."""
from __future__ import annotations

import pytest
import torch

from cnnbook import models
from cnnbook.profiles import PROFILE_VARIABLE, active_profile, run_config


def test_default_profile_follows_the_hardware(monkeypatch):
    monkeypatch.delenv(PROFILE_VARIABLE, raising=False)
    assert active_profile() == ("full" if torch.cuda.is_available() else "fast")


def test_environment_variable_chooses_the_profile(monkeypatch):
    monkeypatch.setenv(PROFILE_VARIABLE, "full")
    assert run_config("alexnet").profile == "full"
    monkeypatch.setenv(PROFILE_VARIABLE, "fast")
    assert run_config("alexnet").profile == "fast"


def test_unknown_profile_name(monkeypatch):
    monkeypatch.setenv(PROFILE_VARIABLE, "quick")
    with pytest.raises(ValueError, match=r"unknown run profile 'quick' \(from CNNBOOK_PROFILE\).*'fast'.*'full'"):
        run_config("alexnet")


def test_unknown_section():
    with pytest.raises(ValueError, match="no run settings for section 'lenet5'"):
        run_config("lenet5", "fast")


def test_full_profile_is_d2l_alexnet():
    run = run_config("alexnet", "full")
    assert (run.model, run.image_size, run.lr, run.batch_size, run.epochs, run.split) == \
        ("alexnet_paper", 224, 0.01, 128, 10, "official")
    model = run.build_model()
    assert isinstance(model, models.AlexNet) and model.in_channels == 1 and model.num_classes == 10


def test_every_run_describes_profile_data_and_image_size():
    fast = run_config("alexnet", "fast").describe()
    assert "profile 'fast'" in fast and "2,048 training images" in fast and "64x64" in fast
    assert "not the official test set" in fast
    full = run_config("alexnet", "full").describe()
    assert "profile 'full'" in full and "60,000" in full and "224x224" in full
    assert "momentum 0.9" in fast and "momentum 0.0" in full  # D2L trains AlexNet with plain SGD


def test_run_description_in_chinese_uses_full_width_punctuation():
    import cnnbook
    cnnbook.set_language("zh")
    try:
        fast = run_config("alexnet", "fast").describe()
    finally:
        cnnbook.set_language("en")
    assert "动量 0.9" in fast and "，" in fast and ", " not in fast.replace("2,048", "")


def test_image_too_small_for_alexnet():
    model = models.alexnet_small()
    with pytest.raises(ValueError, match=r"AlexNet needs images of at least 63x63 pixels, got 28x28.*Resize"):
        model(torch.zeros(2, 1, 28, 28))
    assert model(torch.zeros(2, 1, 63, 63)).shape == (2, 10)


def test_wrong_number_of_channels():
    with pytest.raises(ValueError, match="in_channels=3 but the images have 1 channel"):
        models.alexnet()(torch.zeros(1, 1, 224, 224))


def test_a_single_image_without_batch_dimension():
    with pytest.raises(ValueError, match=r"unsqueeze\(0\)"):
        models.alexnet_small()(torch.zeros(1, 64, 64))


def test_invalid_alexnet_settings():
    with pytest.raises(ValueError, match="5 convolutions"):
        models.AlexNet(channels=(1, 2, 3))
    with pytest.raises(ValueError, match="dropout"):
        models.AlexNet(dropout=1.5)
    with pytest.raises(ValueError, match="conv_groups=0 is not allowed"):
        models.AlexNet(conv_groups=0)
    with pytest.raises(ValueError, match=r"conv_groups=3 must divide .* conv2 \(96 -> 256\)"):
        models.AlexNet(conv_groups=3)


def test_grouped_alexnet_has_the_papers_parameter_count():
    """The paper split conv2, conv4 and conv5 over its two GPUs: with groups=2 there, 1000 classes
    and RGB input, AlexNet has 60,965,224 parameters (the paper's "60 million"), 62,378,344 without."""
    from cnnbook.inspection import count_parameters
    assert count_parameters(models.alexnet_paper()) == 62_378_344
    grouped = models.alexnet_paper(conv_groups=2)
    assert count_parameters(grouped) == 60_965_224
    assert [conv.groups for conv in grouped.features if isinstance(conv, torch.nn.Conv2d)] == [1, 2, 1, 2, 2]
    assert grouped(torch.zeros(1, 3, 224, 224)).shape == (1, 1000)


def test_probe_for_smallest_size_does_not_disturb_flop_counts():
    from torch.utils.flop_counter import FlopCounterMode
    model = models.alexnet_small()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 1, 64, 64))  # first call: the size probe runs inside the counter
    fresh = models.alexnet_small()
    fresh.min_input_size
    with FlopCounterMode(display=False) as again:
        fresh(torch.zeros(1, 1, 64, 64))
    assert counter.get_total_flops() == again.get_total_flops() > 0
