"""What a spread over seeds lets a page say: the book's one rule for comparing trained results.

A stored experiment summarizes each variant's final metric over its seeds as
``{"mean", "std", "min", "max", "n"}`` (``summarize`` below).  Two variants differ
only where their ranges do not overlap: every seed of one above every seed of the other.
Otherwise the difference is within noise (CONTRIBUTING.md, "What the page says").

    >>> a = {"mean": 0.82, "min": 0.81, "max": 0.83, "n": 3}
    >>> b = {"mean": 0.79, "min": 0.74, "max": 0.80, "n": 3}
    >>> compare_ranges(a, b)
    1
    >>> describe_range(a)
    '0.820 (0.810-0.830)'
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from .errors import CnnbookError, check_int
from .i18n import tr

__all__ = ["describe_range", "compare_ranges", "range_verdict"]

_KEYS = ("mean", "min", "max")


def _check_summary(name: str, stats: Any) -> Mapping[str, float]:
    if not isinstance(stats, Mapping) or any(key not in stats for key in _KEYS):
        raise CnnbookError(f"{name}={stats!r} is not allowed: {name} must be a summary over seeds with the keys "
                           "'mean', 'min' and 'max' (an entry of a stored result's 'summary')")
    if not stats["min"] <= stats["mean"] <= stats["max"]:
        raise CnnbookError(f"{name}={dict(stats)!r} is not allowed: its mean must lie between its min and max")
    return stats


def describe_range(stats: Mapping[str, float], digits: int = 3) -> str:
    """``"mean (min-max)"`` of a summary over seeds, with ``digits`` decimals."""
    stats = _check_summary("stats", stats)
    digits = check_int("digits", digits, minimum=0, maximum=6)
    return f"{stats['mean']:.{digits}f} ({stats['min']:.{digits}f}-{stats['max']:.{digits}f})"


def compare_ranges(first: Mapping[str, float], second: Mapping[str, float]) -> int:
    """``1`` if every seed of ``first`` is above every seed of ``second``, ``-1`` if below, ``0``
    if the ranges overlap (within noise)."""
    first, second = _check_summary("first", first), _check_summary("second", second)
    if first["min"] > second["max"]:
        return 1
    if first["max"] < second["min"]:
        return -1
    return 0



def range_verdict(first: Mapping[str, float], second: Mapping[str, float], first_name: str) -> str:
    """The verdict of ``compare_ranges`` in words, in the book's current language."""
    if not isinstance(first_name, str) or not first_name:
        raise CnnbookError(f"first_name={first_name!r} is not allowed: name the first variant (a non-empty string)")
    key = {1: "higher at every seed", -1: "lower at every seed", 0: "within noise"}[compare_ranges(first, second)]
    return tr(key, first=first_name)


def summarize(values: Iterable[float]) -> dict[str, float]:
    """Mean, sample standard deviation, minimum, maximum and count of ``values``."""
    values = [float(v) for v in values]
    n = len(values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"mean": mean, "std": std, "min": min(values), "max": max(values), "n": n}
