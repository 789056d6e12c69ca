"""Learning-rate schedules built from ``torch.optim.lr_scheduler``, for ``train(..., lr_scheduler=...)``.

``train`` takes a function of the optimizer that returns a scheduler, and steps that scheduler
once after every epoch (``History.learning_rates`` records the rate of each epoch).  The
functions here return such a function; the schedule itself is PyTorch's, never written by hand.

* ``warmup_cosine(epochs, warmup_epochs)``: a linear warm-up from ``start_factor * lr`` to ``lr``
  over ``warmup_epochs`` epochs (``LinearLR``), then a cosine decay from ``lr`` towards 0 over the
  remaining epochs (``CosineAnnealingLR``), chained by ``SequentialLR``.  This is the schedule of
  Radosavovic et al. (2020) and Goyal et al. (2017)-style warm-up, stepped per epoch here.

Example::

    from cnnbook.schedules import warmup_cosine
    history = train(model, train_iter, eval_iter, epochs=8, lr=0.1, lr_scheduler=warmup_cosine(8, 2))
    history.learning_rates   # the learning rate of each of the 8 epochs
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from .errors import CnnbookError, CnnbookTypeError, check_float, check_int
from .i18n import error_text

SchedulerFactory = Callable[
    [torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler
]


def warmup_cosine(
    epochs: int, warmup_epochs: int, start_factor: float = 0.1, eta_min: float = 0.0
) -> SchedulerFactory:
    """A function of the optimizer that builds linear warm-up then cosine decay, stepped
    per epoch.

    Args:
        epochs: the number of epochs ``train`` runs (the schedule's length).
        warmup_epochs: epochs of linear warm-up, from ``start_factor * lr`` up to
            ``lr``; at least 1 and fewer than ``epochs`` (at least one epoch is left for
            the decay).
        start_factor: the first epoch's learning rate as a fraction of ``lr``,
            in (0, 1].
        eta_min: the learning rate the cosine decays towards (reached just after the
            last epoch).

    Returns:
        ``make(optimizer) -> SequentialLR([LinearLR, CosineAnnealingLR],
        milestones=[warmup_epochs])``.
    """
    epochs = check_int("epochs", epochs, minimum=2)
    warmup_epochs = check_int("warmup_epochs", warmup_epochs, minimum=1)
    if warmup_epochs >= epochs:
        raise CnnbookError(
            error_text(
                "warmup too long",
                warmup_epochs=warmup_epochs,
                epochs=epochs,
                last=epochs - 1,
            )
        )
    start_factor = check_float(
        "start_factor", start_factor, minimum=0.0, maximum=1.0, include_minimum=False
    )
    eta_min = check_float("eta_min", eta_min, minimum=0.0)

    def make(optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.SequentialLR:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise CnnbookTypeError(
                f"optimizer={optimizer!r} is not allowed: optimizer must be a "
                "torch.optim.Optimizer (train() passes its own)"
            )
        smallest_lr = min(group["lr"] for group in optimizer.param_groups)
        if eta_min >= smallest_lr:
            raise CnnbookError(
                f"eta_min={eta_min:g} is not allowed with lr={smallest_lr:g}: the "
                "cosine decays from lr down to eta_min, so eta_min must be below the "
                "learning rate."
            )
        warmup = torch.optim.lr_scheduler.LinearLR(
            optimizer,
            start_factor=start_factor,
            end_factor=1.0,
            total_iters=warmup_epochs,
        )
        decay = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=epochs - warmup_epochs, eta_min=eta_min
        )
        return torch.optim.lr_scheduler.SequentialLR(
            optimizer, [warmup, decay], milestones=[warmup_epochs]
        )

    make.__doc__ = (
        f"Linear warm-up over {warmup_epochs} epoch(s) from {start_factor:g} x lr, "
        f"then cosine decay over {epochs - warmup_epochs} epoch(s) "
        "(torch.optim.lr_scheduler)."
    )
    return make


# The schedules named by a string; a warm-up schedule is given by its arguments, as a dict.
SCHEDULES = ("constant", "cosine", "step")


def scheduler_for(
    schedule: str | dict[str, Any] | None, epochs: int
) -> SchedulerFactory | None:
    """The scheduler factory for ``train(..., lr_scheduler=...)`` that a run's ``schedule`` names, over
    ``epochs`` epochs.  One way to declare a schedule, for a section's run (``RunConfig.schedule``),
    a comparison's variant and every experiment:

    * ``None`` or ``"constant"``: no scheduler, a constant learning rate;
    * ``"cosine"``: ``CosineAnnealingLR(T_max=epochs)``, from ``lr`` towards 0;
    * ``"step"``: ``StepLR``, the rate divided by 10 after every third of the run;
    * ``{"warmup_epochs": w, "start_factor": f}``: ``warmup_cosine(epochs, w, f)``.  A run shorter than
      its warm-up (a smoke run) shortens the warm-up to ``epochs - 1`` epochs, or drops the schedule
      when one epoch is all there is.
    """
    if schedule is None or schedule == "constant":
        return None
    if isinstance(schedule, dict):
        arguments = dict(schedule)
        if epochs <= arguments.get("warmup_epochs", 1):
            arguments["warmup_epochs"] = epochs - 1
        return (
            warmup_cosine(epochs, **arguments)
            if arguments.get("warmup_epochs", 1) >= 1
            else None
        )
    if schedule == "cosine":
        return lambda optimizer: torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=epochs
        )
    if schedule == "step":
        return lambda optimizer: torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=max(1, epochs // 3), gamma=0.1
        )
    raise CnnbookError(
        f"schedule={schedule!r} is not allowed: choose None or one of {', '.join(SCHEDULES)}, or the "
        "arguments of warmup_cosine as a dict, e.g. {'warmup_epochs': 2, 'start_factor': 0.1}."
    )


__all__ = ["SCHEDULES", "scheduler_for", "warmup_cosine"]
