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

from .i18n import current_language, error_text


class CnnbookError(ValueError):
    """A bad argument or input to the ``cnnbook`` package; the message says which and how to fix it."""


class CnnbookTypeError(CnnbookError, TypeError):
    """A ``CnnbookError`` for a value of the wrong type (also a ``TypeError``)."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def invalid(
    name: str, value: Any, allowed: str, hint: str = "", type_error: bool = False
) -> CnnbookError:
    """The error for argument ``name``: its value, what is allowed and (optionally) how to fix it,
    in the language the package speaks (``cnnbook.set_language``)."""
    message = error_text("invalid", name=name, value=_shown(value), allowed=allowed)
    if hint:
        message += (" " if current_language() == "en" else "") + hint
    return (CnnbookTypeError if type_error else CnnbookError)(message)


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _integer_range(minimum: int | None, maximum: int | None) -> str:
    """What an integer check allows, in words: "an integer from 1 to 5"."""
    if minimum is not None and maximum is not None:
        return error_text("integer from to", minimum=minimum, maximum=maximum)
    if minimum is not None:
        return error_text("integer at least", minimum=minimum)
    if maximum is not None:
        return error_text("integer at most", maximum=maximum)
    return error_text("integer")


def check_int(
    name: str, value: Any, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as an ``int``; rejects booleans, fractions, strings and values outside the range."""
    if not _is_integer(value):
        raise invalid(
            name,
            value,
            _integer_range(minimum, maximum),
            (
                error_text("use int", value=value)
                if isinstance(value, float) and value.is_integer()
                else ""
            ),
            type_error=not isinstance(value, numbers.Real) or isinstance(value, bool),
        )
    value = int(value)
    if (minimum is not None and value < minimum) or (
        maximum is not None and value > maximum
    ):
        raise invalid(name, value, _integer_range(minimum, maximum))
    return value


def _number_range(
    minimum: float | None,
    maximum: float | None,
    include_minimum: bool,
    include_maximum: bool,
) -> str:
    """What a number check allows, in words: "a finite number > 0 and <= 1"."""
    bounds = []
    if minimum is not None:
        bounds.append(f"{'>=' if include_minimum else '>'} {minimum:g}")
    if maximum is not None:
        bounds.append(f"{'<=' if include_maximum else '<'} {maximum:g}")
    if not bounds:
        return error_text("finite number")
    return error_text("finite number within", bounds=error_text("and").join(bounds))


def check_float(
    name: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
    include_minimum: bool = True,
    include_maximum: bool = True,
) -> float:
    """``value`` as a finite ``float`` within the range (each end included or not)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise invalid(
            name,
            value,
            _number_range(minimum, maximum, include_minimum, include_maximum),
            type_error=True,
        )
    value = float(value)
    if not math.isfinite(value):
        raise invalid(
            name,
            value,
            _number_range(minimum, maximum, include_minimum, include_maximum),
        )
    if minimum is not None and (
        value < minimum or (value == minimum and not include_minimum)
    ):
        raise invalid(
            name,
            value,
            _number_range(minimum, maximum, include_minimum, include_maximum),
        )
    if maximum is not None and (
        value > maximum or (value == maximum and not include_maximum)
    ):
        raise invalid(
            name,
            value,
            _number_range(minimum, maximum, include_minimum, include_maximum),
        )
    return value


def check_probability(name: str, value: Any) -> float:
    """A dropout-like probability in [0, 1)."""
    return check_float(name, value, 0.0, 1.0, include_maximum=False)


def check_bool(name: str, value: Any) -> bool:
    """``True`` or ``False`` (NumPy booleans too), nothing else."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise invalid(name, value, error_text("true or false"), type_error=True)
    return bool(value)


def check_choice(name: str, value: Any, choices: Iterable[Any], hint: str = "") -> Any:
    """One of ``choices``; the message lists them."""
    choices = tuple(choices)
    try:
        found = value in choices
    except TypeError:  # an unhashable value
        found = False
    if not found:
        raise invalid(
            name,
            value,
            error_text("one of", choices=", ".join(repr(c) for c in choices)),
            hint,
        )
    return value


def _integer_list(minimum: int, length: int | None) -> str:
    if length is None:
        return error_text("integer list any", minimum=minimum)
    return error_text("integer list", count=length, minimum=minimum)


def check_int_sequence(
    name: str,
    value: Any,
    minimum: int = 1,
    length: int | None = None,
    allow_empty: bool = False,
) -> tuple[int, ...]:
    """A list or tuple of integers, each ``>= minimum`` (and exactly ``length`` of them if given)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise invalid(name, value, _integer_list(minimum, length), type_error=True)
    if (length is not None and len(value) != length) or (not value and not allow_empty):
        raise invalid(name, value, _integer_list(minimum, length))
    for index, entry in enumerate(value):
        if not _is_integer(entry) or entry < minimum:
            raise invalid(
                name,
                value,
                _integer_list(minimum, length),
                error_text("entry is not", name=name, index=index, value=_shown(entry)),
            )
    return tuple(int(entry) for entry in value)


def check_float_sequence(
    name: str, value: Any, minimum: float, include_minimum: bool = False
) -> tuple[float, ...]:
    """A non-empty list or tuple of finite numbers, each above (or at) ``minimum``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise invalid(
            name,
            value,
            error_text(
                "number list", bound=f"{'>=' if include_minimum else '>'} {minimum:g}"
            ),
            type_error=not isinstance(value, Sequence),
        )
    for index, entry in enumerate(value):
        good = (
            isinstance(entry, numbers.Real)
            and not isinstance(entry, bool)
            and math.isfinite(entry)
            and (entry > minimum or (include_minimum and entry == minimum))
        )
        if not good:
            raise invalid(
                name,
                value,
                error_text(
                    "number list",
                    bound=f"{'>=' if include_minimum else '>'} {minimum:g}",
                ),
                error_text("entry is not", name=name, index=index, value=_shown(entry)),
            )
    return tuple(float(entry) for entry in value)


def check_seed(name: str, value: Any, allow_none: bool = False) -> int | None:
    """A random seed: an integer from 0 to 2**32 - 1 (what NumPy accepts), or ``None`` if allowed."""
    if value is None and allow_none:
        return None
    try:
        return check_int(name, value, 0, 2**32 - 1)
    except CnnbookError as error:
        if allow_none:
            raise type(error)(
                error_text(
                    "invalid",
                    name=name,
                    value=_shown(value),
                    allowed=error_text("or none", allowed=_integer_range(0, 2**32 - 1)),
                )
            ) from None
        raise
