"""The one training loop every section uses (D2L's ``train_ch6``, with a few additions).

Minibatch SGD (optionally with momentum) on the cross-entropy loss.  Per epoch it records the
training loss and accuracy and the accuracy on the evaluation images; in Jupyter it redraws the
curves live and shows a progress bar, and at the end it prints one closing line with the loss,
the accuracies, the speed in examples per second and the device, followed by the run's
description when one is given (which profile, which data, which image size).

The clock runs only around the training steps (forward, backward, update), not around the
evaluation or the plotting, so "examples/sec" measures training speed.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.utils.data import DataLoader

from .device import choose_device, seed_everything
from .i18n import tr
from .plotting import LivePlot, in_notebook


@dataclass
class History:
    """What ``train`` measured, epoch by epoch."""
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    eval_acc: list[float] = field(default_factory=list)
    examples_per_sec: float = 0.0
    device: str = "cpu"
    eval_name: str = "test"

    def summary(self) -> str:
        """The closing line: final loss and accuracies, speed and device."""
        return (tr("summary", loss=self.train_loss[-1], train_acc=self.train_acc[-1],
                   eval_name=tr(self.eval_name), eval_acc=self.eval_acc[-1]) + "\n"
                + tr("speed", speed=self.examples_per_sec, device=self.device))


@torch.no_grad()
def evaluate_accuracy(model: nn.Module, loader: DataLoader, device: torch.device | None = None) -> float:
    """Fraction of the loader's images that ``model`` classifies correctly (in eval mode)."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    correct = torch.zeros((), dtype=torch.long, device=device)
    total = 0
    for images, labels in loader:
        images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
        correct += (model(images).argmax(dim=1) == labels).sum()
        total += labels.numel()
    model.train(was_training)
    return correct.item() / max(total, 1)


def _progress_bar(total: int, description: str):
    """A tqdm bar that leaves nothing behind once done (nothing stale in a saved notebook)."""
    if in_notebook():
        from tqdm.notebook import TqdmHBox, tqdm as notebook_tqdm

        class _QuietBox(TqdmHBox):  # the saved notebook keeps an empty text form, not a frozen 0%
            def __repr__(self, pretty: bool = False) -> str:
                return ""

        class _Bar(notebook_tqdm):
            @staticmethod
            def status_printer(*args, **kwargs):
                container = notebook_tqdm.status_printer(*args, **kwargs)
                container.__class__ = _QuietBox
                return container

        return _Bar(total=total, desc=description, leave=False)
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=description, leave=False, disable=None)


def train(model: nn.Module, train_loader: DataLoader, eval_loader: DataLoader, epochs: int, lr: float,
          momentum: float = 0.0, weight_decay: float = 0.0, device: torch.device | str | None = None,
          eval_name: str = "test", description: str | None = None, seed: int | None = 0,
          plot: bool | None = None, progress: bool = True) -> History:
    """Train ``model`` with minibatch SGD and return its ``History``.

    The model keeps the initialization its constructor gave it (each architecture chooses its
    own: see ``cnnbook.models._init``); build it with ``RunConfig.build_model``, which seeds the
    construction, for a repeatable run.

    Args:
        eval_name: ``"test"`` for the official test set, ``"held-out"`` for the sample split's
            held-out images (``FashionMNISTSplit.eval_name`` gives the right one).
        description: the run's description (``RunConfig.describe()``), printed with the results.
        seed: seeds every random number generator (dropout, and the training loader's shuffling)
            before the first step, so that a CPU run is repeatable; ``None`` leaves them alone.
        plot: live curves; by default on in Jupyter, off elsewhere.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs}")
    if lr <= 0:
        raise ValueError(f"the learning rate lr must be positive, got {lr}")
    device = torch.device(device) if device is not None else choose_device()
    if seed is not None:
        seed_everything(seed)
        if getattr(train_loader, "generator", None) is not None:
            train_loader.generator.manual_seed(seed)  # the same shuffles when the cell runs again
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    loss_function = nn.CrossEntropyLoss()
    history = History(device=str(device), eval_name=eval_name)
    live = None
    if plot or (plot is None and in_notebook()):
        live = LivePlot(epochs, [tr("train loss"), tr("train acc"), tr(f"{eval_name} acc")], tr("epoch"))
    bar = _progress_bar(epochs * len(train_loader), tr("training")) if progress else None
    seconds, examples = 0.0, 0
    for epoch in range(epochs):
        model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.long, device=device)
        seen = 0
        start = time.perf_counter()
        for images, labels in train_loader:
            images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
            scores = model(images)
            loss = loss_function(scores, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():  # accumulated on the device: no synchronization per batch
                loss_sum += loss.detach() * labels.numel()
                correct += (scores.argmax(dim=1) == labels).sum()
            seen += labels.numel()
            if bar is not None:
                bar.update(1)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds += time.perf_counter() - start
        examples += seen
        history.train_loss.append(loss_sum.item() / seen)
        history.train_acc.append(correct.item() / seen)
        history.eval_acc.append(evaluate_accuracy(model, eval_loader, device))
        if live is not None:
            live.add(epoch + 1, {tr("train loss"): history.train_loss[-1], tr("train acc"): history.train_acc[-1],
                                 tr(f"{eval_name} acc"): history.eval_acc[-1]})
    if bar is not None:
        bar.close()
    if live is not None:
        live.close()
    history.examples_per_sec = examples / seconds if seconds > 0 else float("nan")
    print(history.summary())
    if description:
        print(description)
    record_final_metrics(history, description)
    return history


RECORD_VARIABLE = "CNNBOOK_RECORD_METRICS"


def record_final_metrics(history: History, description: str | None = None) -> None:
    """Append the run's final metrics, unrounded, to the JSON-lines file named by
    ``$CNNBOOK_RECORD_METRICS`` (nothing happens when it is unset).

    This is how the notebook tests check trained results with a tolerance: nbval compares the
    printed closing line with its numbers masked, and ``tests/notebook_metrics`` compares these
    records with the numbers stored in the notebook (see CONTRIBUTING.md).
    """
    path = os.environ.get(RECORD_VARIABLE)
    if not path:
        return
    record = {"loss": history.train_loss[-1], "train_acc": history.train_acc[-1],
              "eval_acc": history.eval_acc[-1], "eval_name": history.eval_name,
              "epochs": len(history.train_loss), "device": history.device, "description": description}
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
