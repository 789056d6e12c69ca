"""What a spread over seeds lets a page say: the book's one rule for comparing trained results.

A stored experiment summarizes each variant's final metric over its seeds as
``{"mean", "std", "min", "max", "n"}`` (``summarize`` below).  Two variants differ
only where their ranges do not overlap: every seed of one above every seed of the other.
Otherwise the difference is within noise (CONTRIBUTING.md, "What the page says").  Even with no real
difference, two sets of 3 runs are separated by chance 2 times in C(6, 3) = 20
(``chance_of_separated_ranges``).

When the runs are **paired** (the same seed, data order and machine for both variants, or one
trained network measured two ways) the right question is how many pairs differ in the same
direction: ``paired_comparison`` counts them and gives the two-sided sign-test p-value, and
``paired_verdict`` says it in words.  With 3 pairs the smallest possible p is 0.25: 3 of 3 in one
direction is a hint, not a result.

    >>> a = {"mean": 0.82, "min": 0.81, "max": 0.83, "n": 3}
    >>> b = {"mean": 0.79, "min": 0.74, "max": 0.80, "n": 3}
    >>> compare_ranges(a, b)
    1
    >>> describe_range(a)
    '0.820 (0.810-0.830)'
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

from .errors import CnnbookError, check_float, check_int
from .i18n import tr

__all__ = [
    "describe_range",
    "compare_ranges",
    "range_verdict",
    "chance_of_separated_ranges",
    "paired_comparison",
    "paired_verdict",
    "sign_test",
]

_KEYS = ("mean", "min", "max")


def _check_summary(name: str, stats: Any) -> Mapping[str, float]:
    if not isinstance(stats, Mapping) or any(key not in stats for key in _KEYS):
        raise CnnbookError(
            f"{name}={stats!r} is not allowed: {name} must be a summary over seeds with the keys "
            "'mean', 'min' and 'max' (an entry of a stored result's 'summary')"
        )
    if not stats["min"] <= stats["mean"] <= stats["max"]:
        raise CnnbookError(
            f"{name}={dict(stats)!r} is not allowed: its mean must lie between its min and max"
        )
    return stats


def describe_range(stats: Mapping[str, float], digits: int = 3) -> str:
    """``"mean (min-max)"`` of a summary over seeds, with ``digits`` decimals (in Chinese with
    full-width parentheses: ``"mean（min-max）"``)."""
    stats = _check_summary("stats", stats)
    digits = check_int("digits", digits, minimum=0, maximum=6)
    return tr(
        "range", mean=stats["mean"], low=stats["min"], high=stats["max"], digits=digits
    )


def compare_ranges(first: Mapping[str, float], second: Mapping[str, float]) -> int:
    """``1`` if every seed of ``first`` is above every seed of ``second``, ``-1`` if
    below, ``0`` if the ranges overlap (within noise)."""
    first, second = _check_summary("first", first), _check_summary("second", second)
    if first["min"] > second["max"]:
        return 1
    if first["max"] < second["min"]:
        return -1
    return 0


def range_verdict(
    first: Mapping[str, float], second: Mapping[str, float], first_name: str
) -> str:
    """The verdict of ``compare_ranges`` in words, in the book's current language."""
    if not isinstance(first_name, str) or not first_name:
        raise CnnbookError(
            f"first_name={first_name!r} is not allowed: name the first variant (a non-empty string)"
        )
    key = {1: "higher at every seed", -1: "lower at every seed", 0: "within noise"}[
        compare_ranges(first, second)
    ]
    return tr(key, first=first_name)


def summarize(values: Iterable[float]) -> dict[str, float]:
    """Mean, sample standard deviation, minimum, maximum and count of ``values``."""
    values = [float(v) for v in values]
    n = len(values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"mean": mean, "std": std, "min": min(values), "max": max(values), "n": n}


def chance_of_separated_ranges(first_count: int, second_count: int) -> float:
    """How often the range rule declares a difference where there is none: with ``first_count`` and
    ``second_count`` runs of two variants that do not really differ (every ordering of the runs
    equally likely), the chance that one variant's runs are all above the other's, in either
    direction: ``2 / C(first_count + second_count, first_count)`` (0.1 for 3 runs a side).
    """
    first_count = check_int("first_count", first_count, minimum=1)
    second_count = check_int("second_count", second_count, minimum=1)
    return min(1.0, 2 / math.comb(first_count + second_count, first_count))


def sign_test(wins: int, losses: int) -> float:
    """The two-sided sign-test p-value of ``wins`` pairs in one direction and ``losses`` in the
    other (ties left out): the chance, if neither variant were better, of a split at least this
    uneven.  ``sign_test(3, 0)`` is 0.25; ``sign_test(10, 0)`` is about 0.002."""
    wins, losses = check_int("wins", wins, minimum=0), check_int(
        "losses", losses, minimum=0
    )
    n, k = wins + losses, min(wins, losses)
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n)


def paired_comparison(
    first: Sequence[float], second: Sequence[float]
) -> dict[str, float]:
    """Compare paired results, ``first[i]`` with ``second[i]`` (same seed, or the same network
    measured two ways): the number of pairs ``n``, how many are ``higher``, ``lower`` and ``ties``,
    the ``median_difference`` (first - second) and the sign test's ``p``."""
    if (
        isinstance(first, (str, bytes))
        or isinstance(second, (str, bytes))
        or not isinstance(first, Iterable)
        or not isinstance(second, Iterable)
    ):
        raise CnnbookError(
            f"first={first!r} and second={second!r} are not allowed: pass two lists of numbers, "
            "one per pair (e.g. per seed)"
        )
    first = [check_float("first", value) for value in first]
    second = [check_float("second", value) for value in second]
    if len(first) != len(second) or not first:
        raise CnnbookError(
            f"first has {len(first)} values and second {len(second)}: paired results need the same, "
            "non-zero number of values, in the same order (pair i is first[i] with second[i])"
        )
    differences = sorted(a - b for a, b in zip(first, second))
    n = len(differences)
    higher, lower = sum(d > 0 for d in differences), sum(d < 0 for d in differences)
    middle = n // 2
    median = (
        differences[middle]
        if n % 2
        else (differences[middle - 1] + differences[middle]) / 2
    )
    return {
        "n": n,
        "higher": higher,
        "lower": lower,
        "ties": n - higher - lower,
        "median_difference": median,
        "p": sign_test(higher, lower),
    }


def paired_verdict(
    first: Sequence[float],
    second: Sequence[float],
    first_name: str,
    level: float = 0.05,
) -> str:
    """``paired_comparison`` in words, in the book's current language: the count of pairs in each
    direction and the sign test's p; a difference only where ``p <= level``, and where every pair
    points the same way but there are too few pairs to reach ``level`` (3 pairs: p = 0.25), it says so.
    """
    if not isinstance(first_name, str) or not first_name:
        raise CnnbookError(
            f"first_name={first_name!r} is not allowed: name the first variant (a non-empty string)"
        )
    level = check_float("level", level, minimum=0.0, maximum=1.0)
    result = paired_comparison(first, second)
    counts = dict(
        first=first_name,
        higher=result["higher"],
        lower=result["lower"],
        n=result["n"],
        p=result["p"],
    )
    if result["p"] <= level:
        return tr(
            "paired higher" if result["higher"] > result["lower"] else "paired lower",
            **counts,
        )
    if result["higher"] == result["n"] or result["lower"] == result["n"]:
        return tr(
            (
                "paired all higher, too few"
                if result["higher"]
                else "paired all lower, too few"
            ),
            level=level,
            **counts,
        )
    return tr("paired within noise", **counts)
