"""cnnbook: the helper package of the textbook *Modern Convolutional Neural Networks*.

    from cnnbook import models                 # every architecture of the book
    from cnnbook.data import fashion_mnist, data_loaders
    from cnnbook.profiles import run_config     # fast (CPU) or full (GPU) settings of a section
    from cnnbook.train import train             # the one training loop
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:  # the version lives in code/pyproject.toml only
    __version__ = version("cnnbook")
except (
    PackageNotFoundError
):  # imported from a source tree that was never installed (pip install -e code)
    __version__ = "0+unknown"

from .i18n import current_language, tr
from .i18n import set_language as _set_language


def set_language(language: str) -> None:
    """Print and label in ``"en"`` or ``"zh"``, and set up fonts that draw Chinese in plots."""
    _set_language(language)
    from .plotting import use_book_fonts

    use_book_fonts()


__all__ = ["__version__", "set_language", "current_language", "tr"]
