"""Showing the package's real source on a page, so that no page keeps a second copy of a model."""

from __future__ import annotations

import inspect
from typing import Any

from IPython.display import Code


def show_source(obj: Any) -> Code:
    """The source code of a class or function of the package, syntax-highlighted in Jupyter.

    Use it as the last line of a cell: ``show_source(AlexNet)``.  The text form is the source
    itself, so a page whose stored output no longer matches the package fails the tests.
    """
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        from .errors import CnnbookError

        raise CnnbookError(
            f"cannot show the source of {obj!r}: pass a class or function defined in a "
            f".py file ({error})"
        ) from None
    return Code(source, language="python")
