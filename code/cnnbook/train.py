"""The one training loop every section uses (D2L's ``train_ch6``, with a few additions).

Minibatch SGD (optionally with momentum) on the cross-entropy loss.  Per epoch it records the
training loss and accuracy and the accuracy on the evaluation images; in Jupyter it redraws the
curves live and shows a progress bar, and at the end it prints its closing lines: the final loss
and accuracies, the device, and the run's description when one is given (which profile, which
data, which image size).

It also measures the training speed, ``History.examples_per_sec``, but does not print it: a speed
describes only the machine and its load, so the book prints none to compare by (``make bench``
compares speeds).  The clock runs only around the training steps (forward, backward, update), not
around the evaluation or the plotting.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

import torch
from torch import nn
from torch.utils.data import DataLoader

from .device import choose_device, seed_everything
from .errors import (
    CnnbookError,
    CnnbookTypeError,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_seed,
)
from .i18n import error_text
from .i18n import tr
from .plotting import LivePlot, in_notebook
from .speed import grad_scaler, with_speed_options

if TYPE_CHECKING:
    from .profiles import RunConfig


@dataclass
class History:
    """What ``train`` measured, epoch by epoch."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    eval_acc: list[float] = field(default_factory=list)
    examples_per_sec: float = 0.0
    device: str = "cpu"
    eval_name: str = "test"
    # of the first parameter group, per epoch
    learning_rates: list[float] = field(default_factory=list)
    # With precise batch-norm statistics (``train(..., precise_bn_batches=k)``): the accuracy each epoch
    # would have had with the moving averages, measured on the same weights just before they were replaced.
    eval_acc_moving_averages: list[float] = field(default_factory=list)

    def summary(self) -> str:
        """The closing lines: the final loss and accuracies, then the device (not the speed: see
        the module)."""
        return (
            tr(
                "summary",
                loss=self.train_loss[-1],
                train_acc=self.train_acc[-1],
                eval_name=tr(self.eval_name),
                eval_acc=self.eval_acc[-1],
            )
            + "\n"
            + tr("trained on", device=self.device)
        )


@torch.no_grad()
def evaluate_accuracy(
    model: nn.Module, loader: DataLoader, device: torch.device | None = None
) -> float:
    """Fraction of the loader's images that ``model`` classifies correctly (in eval mode)."""
    if not isinstance(model, nn.Module):
        raise CnnbookTypeError(
            f"model={model!r} is not allowed: model must be a torch.nn.Module"
        )
    _check_loader("loader", loader)
    device = (
        choose_device(device) if device is not None else next(model.parameters()).device
    )
    was_training = model.training
    model.eval()
    correct = torch.zeros((), dtype=torch.long, device=device)
    total = 0
    for images, labels in loader:
        images, labels = images.to(device, non_blocking=True), labels.to(
            device, non_blocking=True
        )
        correct += (model(images).argmax(dim=1) == labels).sum()
        total += labels.numel()
    model.train(was_training)
    if total == 0:
        raise CnnbookError(
            "the evaluation loader (loader, eval_loader) gave no images, so there is no accuracy "
            "to report: check that its dataset is not empty."
        )
    return correct.item() / total


class TrainingDivergedError(CnnbookError):
    """The loss became NaN or infinite; ``history`` holds the epochs completed before."""

    def __init__(self, message: str, history: "History") -> None:
        super().__init__(message)
        self.history = history


def _check_training_arguments(
    model,
    train_loader,
    eval_loader,
    epochs,
    lr,
    momentum,
    weight_decay,
    eval_name,
    description,
    seed,
    plot,
    progress,
) -> None:
    """Check every argument of ``train`` before the first step, so a mistake never costs a run."""
    if not isinstance(model, nn.Module):
        raise CnnbookTypeError(
            f"model={model!r} is not allowed: model must be a torch.nn.Module, "
            "e.g. cnnbook.models.lenet()"
        )
    _check_loader("train_loader", train_loader)
    _check_loader("eval_loader", eval_loader)
    check_int("epochs", epochs, minimum=1)
    try:
        check_float("lr", lr, minimum=0.0, include_minimum=False)
    except CnnbookError as error:
        raise type(error)(
            f"{error} (lr is the learning rate; the book uses 0.01 to 0.1.)"
        ) from None
    check_float("momentum", momentum, minimum=0.0, maximum=1.0, include_maximum=False)
    check_float("weight_decay", weight_decay, minimum=0.0)
    check_choice(
        "eval_name",
        eval_name,
        ("test", "held-out"),
        "FashionMNISTSplit.eval_name gives the right one for a split.",
    )
    if description is not None and not isinstance(description, str):
        raise CnnbookTypeError(
            f"description={description!r} is not allowed: description must be a str or None"
        )
    check_seed("seed", seed, allow_none=True)
    if plot is not None:
        check_bool("plot", plot)
    check_bool("progress", progress)


# The layers whose statistics ``torch.optim.swa_utils.update_bn`` recomputes (PyTorch's batch norms).
BATCH_NORM_LAYERS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)


def recompute_batch_norm_statistics(
    model: nn.Module, batches: Iterable[Any], device: torch.device | str | None = None
) -> int:
    """Replace the moving averages of every batch-norm layer of ``model`` by the statistics of its
    current weights over ``batches`` ("precise BN": pycls; Wu and Johnson 2021, *Rethinking "Batch" in
    BatchNorm*), with PyTorch's ``torch.optim.swa_utils.update_bn``: the running mean becomes the
    average of the batches' means and the running variance the average of their (unbiased) variances.
    ``batches`` yields ``(images, labels)`` or images.  Returns how many batches were used (0 and
    nothing changed when the model has no batch norm).  The model's train/eval mode is restored.
    """
    if not any(isinstance(module, BATCH_NORM_LAYERS) for module in model.modules()):
        return 0
    if device is None:  # where the model is
        device = next(model.parameters()).device
    used = []

    def counted():
        for batch in batches:
            used.append(1)
            yield batch

    was_training = model.training
    with torch.no_grad():  # forward passes only: nothing to differentiate
        torch.optim.swa_utils.update_bn(counted(), model, device=torch.device(device))
    model.train(was_training)
    if not used:
        raise CnnbookError(
            "batches gave no batch: recomputing batch-norm statistics needs at least one"
        )
    return len(used)


def _batch_norm_buffers(model: nn.Module) -> list[torch.Tensor]:
    """Copies of the statistics buffers (running mean, variance, count) of every batch-norm layer."""
    return [
        buffer.clone()
        for module in model.modules()
        if isinstance(module, BATCH_NORM_LAYERS)
        for buffer in module.buffers()
    ]


def _restore_batch_norm_buffers(model: nn.Module, saved: list[torch.Tensor]) -> None:
    """Put back what ``_batch_norm_buffers`` copied."""
    buffers = [
        buffer
        for module in model.modules()
        if isinstance(module, BATCH_NORM_LAYERS)
        for buffer in module.buffers()
    ]
    with torch.no_grad():
        for buffer, copy in zip(buffers, saved, strict=True):
            buffer.copy_(copy)


def _precise_bn_batches(
    train_loader: DataLoader, count: int, seed: int | None
) -> Iterable[Any]:
    """``count`` batches drawn at random from the training set with their own generator (seeded by
    ``seed``), so that the training loader's own shuffling is not disturbed."""
    generator = torch.Generator()
    generator.manual_seed(0 if seed is None else seed)
    loader = DataLoader(
        train_loader.dataset,
        batch_size=train_loader.batch_size,
        shuffle=True,
        generator=generator,
        num_workers=0,
    )
    for index, batch in enumerate(loader):
        if index == count:
            return
        yield batch


def _check_labels(
    labels: torch.Tensor, loader_name: str, num_classes: int | None
) -> None:
    """Labels must be class indices below ``num_classes``; checked on the CPU tensor before it is
    moved (so a GPU run waits for nothing), and left to the loss for labels already on a GPU.
    """
    if (
        not isinstance(labels, torch.Tensor)
        or labels.is_floating_point()
        or labels.dtype == torch.bool
    ):
        dtype = (
            labels.dtype if isinstance(labels, torch.Tensor) else type(labels).__name__
        )
        raise CnnbookError(
            f"{loader_name} gave labels of type {dtype}, but the loss needs class indices: integer "
            "labels (torch.int64), e.g. labels.long()."
        )
    if num_classes is not None and labels.device.type == "cpu" and labels.numel():
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= num_classes:
            raise CnnbookError(
                f"{loader_name} gave labels from {low} to {high}, but the model has num_classes="
                f"{num_classes} (labels 0 to {num_classes - 1}): build the model with "
                f"num_classes={high + 1}, or check the labels."
            )


def _check_loader(name: str, loader) -> None:
    """A loader of (images, labels) batches, not a dataset, and not empty."""
    if isinstance(loader, torch.utils.data.Dataset) and not isinstance(
        loader, DataLoader
    ):
        raise CnnbookTypeError(
            f"{name} is a dataset ({type(loader).__name__}), not a loader of batches: wrap it "
            "with torch.utils.data.DataLoader(dataset, batch_size), or use "
            "cnnbook.data.data_loaders(...)."
        )
    if not hasattr(loader, "__iter__") or isinstance(
        loader, (str, bytes, torch.Tensor)
    ):
        raise CnnbookTypeError(
            f"{name}={loader!r} is not allowed: {name} must yield (images, labels) batches, "
            "e.g. a torch.utils.data.DataLoader"
        )
    if hasattr(loader, "__len__") and len(loader) == 0:
        raise CnnbookError(
            f"{name} is empty: it gives no batches (an empty dataset, or fewer images than one "
            "batch with drop_last=True)"
        )


def _build_scheduler(factory, optimizer: torch.optim.Optimizer):
    """``factory(optimizer)``, checked to be a learning-rate scheduler of that optimizer."""
    if factory is None:
        return None
    scheduler = factory(optimizer)
    if (
        not hasattr(scheduler, "step")
        or getattr(scheduler, "optimizer", None) is not optimizer
    ):
        raise CnnbookTypeError(
            f"lr_scheduler returned {scheduler!r}, not a scheduler of the optimizer it was given: "
            "return e.g. torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs), "
            "built from the function's argument."
        )
    return scheduler


def _forward(model: nn.Module, images: torch.Tensor):
    try:
        return model(images)
    except ValueError as error:  # batch norm cannot normalize one value per channel
        if "more than 1 value per channel" in str(error):
            raise CnnbookError(error_text("batch of one", count=len(images))) from error
        raise


def _scores_and_loss(
    outputs, labels: torch.Tensor, loss_function: nn.Module
) -> tuple[torch.Tensor, torch.Tensor]:
    """The class scores and the loss; with auxiliary classifiers (GoogLeNet in training mode) the
    loss adds theirs weighted by 0.3, as in the paper: ``loss(logits) + 0.3 * (loss(aux2) + loss(aux1))``.
    """
    auxiliary: tuple[torch.Tensor, ...] = ()
    if hasattr(outputs, "logits") and isinstance(outputs, tuple):
        auxiliary = tuple(
            t
            for name, t in zip(outputs._fields, outputs)
            if name != "logits" and t is not None
        )
        outputs = outputs.logits
    loss = loss_function(outputs, labels)
    for scores in auxiliary:
        loss = loss + 0.3 * loss_function(scores, labels)
    return outputs, loss


def _progress_bar(total: int, description: str):
    """A tqdm bar that leaves nothing behind once done (nothing stale in a saved notebook)."""
    if in_notebook():
        from tqdm.notebook import TqdmHBox, tqdm as notebook_tqdm

        class _QuietBox(
            TqdmHBox
        ):  # the saved notebook keeps an empty text form, not a frozen 0%
            def __repr__(self, pretty: bool = False) -> str:
                return ""

        class _Bar(notebook_tqdm):
            @staticmethod
            def status_printer(*args, **kwargs):
                container = notebook_tqdm.status_printer(*args, **kwargs)
                container.__class__ = _QuietBox  # tqdm builds the box itself and has no option for its text form
                return container

        return _Bar(total=total, desc=description, leave=False)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, leave=False, disable=None)


def train(
    model: nn.Module,
    train_loader: DataLoader,
    eval_loader: DataLoader,
    epochs: int,
    lr: float,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    device: torch.device | str | None = None,
    eval_name: str = "test",
    description: str | None = None,
    seed: int | None = 0,
    plot: bool | None = None,
    progress: bool = True,
    amp: str | None = None,
    channels_last: bool = False,
    compile: bool = False,
    lr_scheduler: (
        Callable[[torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler] | None
    ) = None,
    label_smoothing: float = 0.0,
    parameters: Iterable[Any] | None = None,
    precise_bn_batches: int = 0,
) -> History:
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
        amp, channels_last, compile: opt-in speed features, all off by default (they change the
            printed numbers): mixed precision ``"bf16"`` or ``"fp16"`` (with a gradient scaler),
            channels-last memory format, ``torch.compile`` (pays off only on long GPU runs).
            See ``cnnbook.speed``.
        lr_scheduler: a function that builds a ``torch.optim.lr_scheduler`` scheduler for the
            optimizer, e.g. ``lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)``;
            it is stepped once after every epoch.  ``History.learning_rates`` records the rate of
            each epoch.  None: a constant learning rate.
        label_smoothing: passed to ``nn.CrossEntropyLoss(label_smoothing=...)`` (0: none).
        parameters: what the optimizer updates, instead of ``model.parameters()``: for example
            parameter groups with their own learning rates, ``[{"params": backbone.parameters(),
            "lr": 0.001}, {"params": head.parameters()}]`` (groups without ``"lr"`` use ``lr``).
        precise_bn_batches: before each evaluation, recompute every batch-norm layer's statistics
            from the current weights over this many training batches
            (``recompute_batch_norm_statistics``), instead of evaluating with moving averages that
            lag the weights of a short run.  0 (the default): the moving averages, as PyTorch keeps them.
            Training itself is the same either way: the same weights, and the moving averages go on
            from where they were (the recomputed statistics are used for the evaluation, and kept in
            the model after the last epoch); ``History.eval_acc_moving_averages`` records what the
            moving averages scored on the same weights.
    """
    _check_training_arguments(
        model,
        train_loader,
        eval_loader,
        epochs,
        lr,
        momentum,
        weight_decay,
        eval_name,
        description,
        seed,
        plot,
        progress,
    )
    check_float("label_smoothing", label_smoothing, minimum=0.0, maximum=1.0)
    check_int("precise_bn_batches", precise_bn_batches, minimum=0)
    if lr_scheduler is not None and not callable(lr_scheduler):
        raise CnnbookTypeError(
            f"lr_scheduler={lr_scheduler!r} is not allowed: lr_scheduler must be a function that "
            "takes the optimizer and returns a scheduler, e.g. lambda optimizer: "
            "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)"
        )
    device = choose_device(device)
    # for the labels check (the book's models say)
    num_classes = getattr(model, "num_classes", None)
    if seed is not None:
        seed_everything(seed)
        if getattr(train_loader, "generator", None) is not None:
            # the same shuffles when the cell runs again
            train_loader.generator.manual_seed(seed)
    model.to(device)
    # the model itself when all are off
    model = with_speed_options(model, device, amp, channels_last, compile)
    scaler = grad_scaler(device, amp)  # passes through unless amp == "fp16"
    optimizer = torch.optim.SGD(
        model.parameters() if parameters is None else parameters,
        lr=lr,
        momentum=momentum,
        weight_decay=weight_decay,
    )
    scheduler = _build_scheduler(lr_scheduler, optimizer)
    loss_function = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    history = History(device=str(device), eval_name=eval_name)
    live = None
    if plot or (plot is None and in_notebook()):
        live = LivePlot(
            epochs,
            [tr("train loss"), tr("train acc"), tr(f"{eval_name} acc")],
            tr("epoch"),
        )
    bar = (
        _progress_bar(epochs * len(train_loader), tr("training")) if progress else None
    )
    seconds, examples = 0.0, 0
    for epoch in range(epochs):
        model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.long, device=device)
        seen = 0
        history.learning_rates.append(optimizer.param_groups[0]["lr"])
        start = time.perf_counter()
        for images, labels in train_loader:
            _check_labels(labels, "train_loader", num_classes)
            images, labels = images.to(device, non_blocking=True), labels.to(
                device, non_blocking=True
            )
            outputs = _forward(model, images)
            scores, loss = _scores_and_loss(outputs, labels, loss_function)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
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
        if seen == 0:
            raise CnnbookError(
                "train_loader gave no batches in epoch {}: its dataset is empty, or smaller than one "
                "batch with drop_last=True.".format(epoch + 1)
            )
        if not torch.isfinite(loss_sum):
            for display in (bar, live):
                if display is not None:
                    display.close()
            raise TrainingDivergedError(
                error_text(
                    "training diverged",
                    loss=loss_sum.item() / seen,
                    epoch=epoch + 1,
                    lr=lr,
                    momentum=momentum,
                ),
                history,
            )
        history.train_loss.append(loss_sum.item() / seen)
        history.train_acc.append(correct.item() / seen)
        if precise_bn_batches:
            moving_averages = _batch_norm_buffers(model)
            with torch.random.fork_rng(
                devices=[]
            ):  # iterating a loader draws a random number: put it back
                history.eval_acc_moving_averages.append(
                    evaluate_accuracy(model, eval_loader, device)
                )
            recompute_batch_norm_statistics(
                model,
                _precise_bn_batches(train_loader, precise_bn_batches, seed),
                device,
            )
        history.eval_acc.append(evaluate_accuracy(model, eval_loader, device))
        if (
            precise_bn_batches and epoch + 1 < epochs
        ):  # training goes on with the moving averages it had
            _restore_batch_norm_buffers(model, moving_averages)
        if scheduler is not None:
            scheduler.step()
        if live is not None:
            live.add(
                epoch + 1,
                {
                    tr("train loss"): history.train_loss[-1],
                    tr("train acc"): history.train_acc[-1],
                    tr(f"{eval_name} acc"): history.eval_acc[-1],
                },
            )
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


def run_section(
    run: "RunConfig",
    seed: int = 0,
    *,
    epochs: int | None = None,
    init: str | None = None,
    weight_decay: float = 0.0,
    label_smoothing: float = 0.0,
    device: torch.device | str | None = "cpu",
    root: str | None = None,
    description: str | None = None,
    plot: bool | None = False,
    progress: bool = False,
) -> tuple[nn.Module, History]:
    """Train a section's run as its page does, seeded with ``seed``: its data (``run.split`` at
    ``run.image_size``), loaders, model, learning-rate schedule (``run.schedule``) and batch-norm
    statistics (``run.precise_bn_batches``); return the
    trained model and its ``History``.  Every experiment and script that trains a section calls this.

    Args:
        run: ``run_config(section, profile)``, possibly changed with ``dataclasses.replace``.
        epochs: train this many epochs instead of ``run.epochs`` (a smoke run).
        init: re-initialize the model before training (``cnnbook.models.apply_init``), after seeding.
        weight_decay, label_smoothing, device, description, plot, progress: passed to ``train``.
        root: where the data is (``cnnbook.data.fashion_mnist``).
    """
    from .data import data_loaders, fashion_mnist
    from .models import apply_init
    from .schedules import scheduler_for

    epochs = run.epochs if epochs is None else check_int("epochs", epochs, minimum=1)
    data = fashion_mnist(run.split, run.image_size, root=root)
    train_iter, eval_iter = data_loaders(data, run.batch_size, seed=seed)
    model = run.build_model(in_channels=1, num_classes=10, seed=seed)
    if init is not None:
        torch.manual_seed(seed)
        apply_init(model, init)
    history = train(
        model,
        train_iter,
        eval_iter,
        epochs,
        run.lr,
        momentum=run.momentum,
        weight_decay=weight_decay,
        label_smoothing=label_smoothing,
        lr_scheduler=scheduler_for(run.schedule, epochs),
        device=device,
        eval_name=data.eval_name,
        description=description,
        seed=seed,
        plot=plot,
        progress=progress,
        precise_bn_batches=run.precise_bn_batches,
    )
    return model, history


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
    record = {
        "loss": history.train_loss[-1],
        "train_acc": history.train_acc[-1],
        "eval_acc": history.eval_acc[-1],
        "eval_name": history.eval_name,
        "epochs": len(history.train_loss),
        "device": history.device,
        "description": description,
    }
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
