"""The package's own error type, and the one helper every public function checks its arguments with.

Every bad argument or input a reader can pass to ``cnnbook`` raises ``CnnbookError`` (a
``ValueError``, so ``except ValueError`` keeps working), or ``CnnbookTypeError`` when the value
has the wrong type (also a ``TypeError``).  The message names the argument, the value it got and
what is allowed, and, where there is one, the fix::

    num_classes=0 is not allowed: num_classes must be an integer >= 1.

The ``check_*`` functions below are the shared validation helper: a public function calls them
on its arguments where it first accepts them, before any PyTorch code runs.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Iterable, Sequence


class CnnbookError(ValueError):
    """A bad argument or input to the ``cnnbook`` package; the message says which and how to fix it."""


class CnnbookTypeError(CnnbookError, TypeError):
    """A ``CnnbookError`` for a value of the wrong type (also a ``TypeError``)."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def invalid(name: str, value: Any, allowed: str, hint: str = "", type_error: bool = False) -> CnnbookError:
    """The error for argument ``name``: its value, what is allowed and (optionally) how to fix it."""
    message = f"{name}={_shown(value)} is not allowed: {name} must be {allowed}."
    if hint:
        message += " " + hint
    return (CnnbookTypeError if type_error else CnnbookError)(message)


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an ``int``; rejects booleans, fractions, strings and values outside the range."""
    if minimum is not None and maximum is not None:
        allowed = f"an integer from {minimum} to {maximum}"
    elif minimum is not None:
        allowed = f"an integer >= {minimum}"
    elif maximum is not None:
        allowed = f"an integer <= {maximum}"
    else:
        allowed = "an integer"
    if not _is_integer(value):
        hint = f"Use int({value}) if you meant a whole number." if isinstance(value, float) and value.is_integer() else ""
        raise invalid(name, value, allowed, hint, type_error=not isinstance(value, numbers.Real)
                      or isinstance(value, bool))
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise invalid(name, value, allowed)
    return value


def check_float(name: str, value: Any, minimum: float | None = None, maximum: float | None = None,
                include_minimum: bool = True, include_maximum: bool = True) -> float:
    """``value`` as a finite ``float`` within the range (each end included or not)."""
    parts = []
    if minimum is not None:
        parts.append(f"{'>=' if include_minimum else '>'} {minimum:g}")
    if maximum is not None:
        parts.append(f"{'<=' if include_maximum else '<'} {maximum:g}")
    allowed = "a finite number" + (" " + " and ".join(parts) if parts else "")
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise invalid(name, value, allowed, type_error=True)
    value = float(value)
    if not math.isfinite(value):
        raise invalid(name, value, allowed)
    if minimum is not None and (value < minimum or (value == minimum and not include_minimum)):
        raise invalid(name, value, allowed)
    if maximum is not None and (value > maximum or (value == maximum and not include_maximum)):
        raise invalid(name, value, allowed)
    return value


def check_probability(name: str, value: Any) -> float:
    """A dropout-like probability in [0, 1)."""
    return check_float(name, value, 0.0, 1.0, include_maximum=False)


def check_bool(name: str, value: Any) -> bool:
    """``True`` or ``False`` (NumPy booleans too), nothing else."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise invalid(name, value, "True or False", type_error=True)
    return bool(value)


def check_choice(name: str, value: Any, choices: Iterable[Any], hint: str = "") -> Any:
    """One of ``choices``; the message lists them."""
    choices = tuple(choices)
    try:
        found = value in choices
    except TypeError:  # an unhashable value
        found = False
    if not found:
        raise invalid(name, value, "one of " + ", ".join(repr(c) for c in choices), hint)
    return value


def check_int_sequence(name: str, value: Any, minimum: int = 1, length: int | None = None,
                       allow_empty: bool = False) -> tuple[int, ...]:
    """A list or tuple of integers, each ``>= minimum`` (and exactly ``length`` of them if given)."""
    allowed = (f"a list of {length if length is not None else 'one or more'} integer(s), each >= {minimum}")
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise invalid(name, value, allowed, type_error=True)
    if (length is not None and len(value) != length) or (not value and not allow_empty):
        raise invalid(name, value, allowed)
    for index, entry in enumerate(value):
        if not _is_integer(entry) or entry < minimum:
            raise invalid(name, value, allowed, f"{name}[{index}]={_shown(entry)} is not.")
    return tuple(int(entry) for entry in value)


def check_float_sequence(name: str, value: Any, minimum: float, include_minimum: bool = False) -> tuple[float, ...]:
    """A non-empty list or tuple of finite numbers, each above (or at) ``minimum``."""
    allowed = f"a list of finite numbers, each {'>=' if include_minimum else '>'} {minimum:g}"
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise invalid(name, value, allowed, type_error=not isinstance(value, Sequence))
    for index, entry in enumerate(value):
        good = (isinstance(entry, numbers.Real) and not isinstance(entry, bool) and math.isfinite(entry)
                and (entry > minimum or (include_minimum and entry == minimum)))
        if not good:
            raise invalid(name, value, allowed, f"{name}[{index}]={_shown(entry)} is not.")
    return tuple(float(entry) for entry in value)


def check_seed(name: str, value: Any, allow_none: bool = False) -> int | None:
    """A random seed: an integer from 0 to 2**32 - 1 (what NumPy accepts), or ``None`` if allowed."""
    if value is None and allow_none:
        return None
    try:
        return check_int(name, value, 0, 2 ** 32 - 1)
    except CnnbookError as error:
        if allow_none:
            raise type(error)(str(error)[:-1] + ", or None.") from None
        raise
