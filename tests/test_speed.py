"""The training loop's opt-in speed features (cnnbook.speed), on the CPU with a tiny model."""
from __future__ import annotations

import contextlib
import io
import math

import pytest
import torch

from cnnbook import models
from cnnbook.device_data import DeviceImages, DeviceLoader
from cnnbook.speed import FastForward, grad_scaler, with_speed_options
from cnnbook.train import train


@pytest.fixture(scope="module")
def loaders():
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (160, 28, 28), dtype=torch.uint8, generator=generator)
    labels = torch.randint(0, 10, (160,), generator=generator)
    train_set, eval_set = DeviceImages(images[:96], labels[:96]), DeviceImages(images[96:], labels[96:])
    return (DeviceLoader(train_set, 32, shuffle=True, generator=torch.Generator().manual_seed(0)),
            DeviceLoader(eval_set, 32))


@pytest.fixture(scope="module")
def full_precision(loaders):
    return run(loaders)[1]


def run(loaders, **options):
    torch.manual_seed(0)
    model = models.lenet_bn()
    with contextlib.redirect_stdout(io.StringIO()):
        history = train(model, *loaders, epochs=1, lr=0.1, device="cpu", plot=False, progress=False, **options)
    return model, history


def test_all_options_are_off_by_default(loaders):
    model = models.lenet()
    assert with_speed_options(model, torch.device("cpu")) is model  # the loop trains the model itself
    assert not grad_scaler(torch.device("cpu"), None).is_enabled()
    assert not grad_scaler(torch.device("cpu"), "bf16").is_enabled()
    assert grad_scaler(torch.device("cpu"), "fp16").is_enabled()


@pytest.mark.parametrize("amp", ["bf16", "fp16"])
def test_mixed_precision_trains_close_to_full_precision(loaders, full_precision, amp):
    full = full_precision
    model, mixed = run(loaders, amp=amp)
    assert math.isfinite(mixed.train_loss[0])
    assert mixed.train_loss[0] != full.train_loss[0]  # it did run in lower precision
    assert abs(mixed.train_loss[0] - full.train_loss[0]) < 0.05
    assert all(parameter.dtype == torch.float32 for parameter in model.parameters())  # float32 master weights


def test_channels_last_gives_the_same_numbers(loaders, full_precision):
    default = full_precision
    model, channels_last = run(loaders, channels_last=True)
    kernels = [parameter for parameter in model.parameters() if parameter.dim() == 4]
    assert kernels and all(kernel.is_contiguous(memory_format=torch.channels_last) for kernel in kernels)
    assert channels_last.train_loss[0] == pytest.approx(default.train_loss[0], abs=1e-4)
    assert channels_last.eval_acc == default.eval_acc


def test_unknown_mixed_precision_setting_is_refused(loaders):
    with pytest.raises(ValueError, match="'bf16', 'fp16' or None"):
        run(loaders, amp="float8")


def test_compile_option_is_wired(loaders, monkeypatch):
    """Only the wiring: compiling LeNet on this shared 2-core CPU machine took 156 s (measured
    under load), far beyond a unit test's budget.  torch.compile pays off on long GPU runs."""
    compiled = []

    def fake_compile(module, *args, **kwargs):
        compiled.append(module)
        return module

    monkeypatch.setattr(torch, "compile", fake_compile)
    model, history = run(loaders, compile=True)
    assert compiled == [model] and math.isfinite(history.train_loss[0])
    wrapper = with_speed_options(model, torch.device("cpu"), compile=True)
    assert isinstance(wrapper, FastForward) and list(wrapper.parameters()) == list(model.parameters())
