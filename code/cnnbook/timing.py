"""The one timer of the package: the time of a call, measured by ``torch.utils.benchmark``.

``torch.utils.benchmark.Timer`` warms up, synchronizes a GPU around what it times and summarizes
the measurement, so every speed the book plots is measured the same way::

    from cnnbook.timing import seconds_per_call
    with torch.no_grad():
        seconds = seconds_per_call(lambda: model(images))                # median of blocks, >= 0.5 s in all
        seconds = seconds_per_call(lambda: model(images), repeats=3)     # mean of 3 calls

A time depends on the machine, its load and its threads: plot it, or compare ratios measured in
one run; never print it as a result.
"""

from __future__ import annotations

import logging
from typing import Callable

from .errors import check_float, check_int


def _benchmark():
    """``torch.utils.benchmark``, imported without the warning its import logs on machines with a
    CUDA toolkit but no GPU ("No CUDA runtime is found"; irrelevant to timing on the CPU).
    """
    logger = logging.getLogger("torch.utils.cpp_extension")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        from torch.utils import benchmark
    finally:
        logger.setLevel(level)
    return benchmark


def seconds_per_call(
    call: Callable[[], object], repeats: int | None = None, min_run_time: float = 0.5
) -> float:
    """Seconds of one ``call()``, after the timer's warm-up calls (memory allocation, kernel choice):
    the mean of ``repeats`` calls (``Timer.timeit``), or else the median over blocks of calls that
    take at least ``min_run_time`` seconds in all (``Timer.blocked_autorange``).  Run it inside
    whatever context ``call`` needs (``torch.no_grad()``, a model's evaluation mode)."""
    if repeats is not None:
        repeats = check_int("repeats", repeats, minimum=1, maximum=1000)
    min_run_time = check_float(
        "min_run_time", min_run_time, minimum=0.0, include_minimum=False, maximum=60.0
    )
    timer = _benchmark().Timer("call()", globals={"call": call})
    if repeats is not None:
        return timer.timeit(repeats).mean
    return timer.blocked_autorange(min_run_time=min_run_time).median


__all__ = ["seconds_per_call"]
