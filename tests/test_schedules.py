"""cnnbook.schedules: warm-up + cosine built from torch.optim.lr_scheduler, with checked arguments."""
from __future__ import annotations

import math

import pytest
import torch

from cnnbook.errors import CnnbookError, CnnbookTypeError
from cnnbook.schedules import warmup_cosine


def _rates(factory, epochs, lr=0.1):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = factory(optimizer)
    rates = []
    for _ in range(epochs):  # as train() does: read the rate, run the epoch, step once
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return scheduler, rates


def test_it_is_pytorchs_sequential_linear_then_cosine():
    scheduler, _ = _rates(warmup_cosine(6, 2), 1)
    assert isinstance(scheduler, torch.optim.lr_scheduler.SequentialLR)
    kinds = [type(s) for s in scheduler._schedulers]
    assert kinds == [torch.optim.lr_scheduler.LinearLR, torch.optim.lr_scheduler.CosineAnnealingLR]
    assert scheduler._milestones == [2]


def test_rates_warm_up_linearly_then_follow_the_cosine():
    epochs, warmup, lr, start = 6, 2, 0.1, 0.1
    _, rates = _rates(warmup_cosine(epochs, warmup, start_factor=start), epochs, lr)
    expected = [lr * (start + (1 - start) * e / warmup) for e in range(warmup)]
    expected += [lr * (1 + math.cos(math.pi * (e - warmup) / (epochs - warmup))) / 2 for e in range(warmup, epochs)]
    assert rates == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert max(rates) == pytest.approx(lr) and rates[-1] > 0


def test_train_takes_it_and_records_the_rates():
    from torch.utils.data import DataLoader, TensorDataset
    from cnnbook.train import train
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(32, 4), torch.randint(0, 3, (32,)))
    model = torch.nn.Linear(4, 3)
    history = train(model, DataLoader(data, batch_size=8), DataLoader(data, batch_size=8), 4, 0.1, device="cpu",
                    lr_scheduler=warmup_cosine(4, 1, start_factor=0.5), plot=False, progress=False)
    assert history.learning_rates == pytest.approx([0.05, 0.1, 0.075, 0.025])


@pytest.mark.parametrize("arguments, message", [
    (dict(epochs=5, warmup_epochs=5), "warmup_epochs=5 is not allowed with epochs=5"),
    (dict(epochs=5, warmup_epochs=7), "from 1 to 4"),
    (dict(epochs=5, warmup_epochs=0), "warmup_epochs=0"),
    (dict(epochs=1, warmup_epochs=1), "epochs=1"),
    (dict(epochs=5.0, warmup_epochs=1), "epochs=5.0"),
    (dict(epochs=5, warmup_epochs=1, start_factor=0), "start_factor=0"),
    (dict(epochs=5, warmup_epochs=1, start_factor=1.5), "start_factor=1.5"),
    (dict(epochs=5, warmup_epochs=1, start_factor=float("nan")), "start_factor=nan"),
    (dict(epochs=5, warmup_epochs=1, eta_min=-0.1), "eta_min=-0.1"),
])
def test_bad_arguments_are_clear_errors(arguments, message):
    with pytest.raises(CnnbookError, match=message):
        warmup_cosine(**arguments)


def test_an_eta_min_above_the_learning_rate_is_a_clear_error():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
    with pytest.raises(CnnbookError, match="eta_min=0.05 is not allowed with lr=0.01"):
        warmup_cosine(5, 1, eta_min=0.05)(optimizer)


def test_it_needs_an_optimizer():
    with pytest.raises(CnnbookTypeError, match="optimizer="):
        warmup_cosine(5, 1)("not an optimizer")
