"""The book's one table formatter: a real table on the page, aligned text everywhere else.

Every table the package builds (layer tables, block summaries, cost tables) and every table a
page builds itself is a ``Table``.  A notebook shows it as a real table (JupyterLab, Colab, the
HTML book and the PDF all render its Markdown form); ``str(table)`` and the notebook's plain-text
output are aligned text, for a terminal or a log::

    show_table(["model", "parameters"], [["resnet18", "11,689,512"], ["vgg11", "132,863,336"]])

    model        parameters
    --------  -------------
    resnet18     11,689,512
    vgg11       132,863,336

Both forms come from ``tabulate``.  The text is aligned by **display width** (``tabulate`` counts
a Chinese character as two columns of a monospaced font, through ``wcwidth``), so tables with
Chinese cells line up too.  Cells are shown as given: format numbers before (``f"{n:,}"``).
"""

from __future__ import annotations

from typing import Sequence

from tabulate import tabulate

from .errors import invalid
from .i18n import error_text

# Characters that Markdown would read as syntax inside a table cell.
_MARKDOWN_SPECIAL = "\\|*_`[]<>#"


def _markdown_cell(text: str) -> str:
    return "".join(
        "\\" + character if character in _MARKDOWN_SPECIAL else character
        for character in text
    )


class Table:
    """A table: ``headers``, one row of cells per entry of ``rows``, each column aligned left or right.

    ``right`` says, per column, whether to align it right (numbers); by default every column but
    the first.  Cells are converted with ``str``; every row must have one cell per header.
    """

    def __init__(
        self,
        headers: Sequence[object],
        rows: Sequence[Sequence[object]],
        right: Sequence[bool] | None = None,
    ) -> None:
        self.headers = [str(header) for header in headers]
        if any(len(row) != len(self.headers) for row in rows):
            raise invalid("rows", rows, error_text("rows", count=len(self.headers)))
        self.rows = [[str(cell) for cell in row] for row in rows]
        self.right = (
            [index > 0 for index in range(len(self.headers))]
            if right is None
            else list(right)
        )
        if len(self.right) != len(self.headers):
            raise invalid("right", right, error_text("right", count=len(self.headers)))

    def _tabulate(
        self, headers: list[str], rows: list[list[str]], tablefmt: str
    ) -> str:
        alignment = ["right" if right else "left" for right in self.right]
        return tabulate(
            rows, headers, tablefmt=tablefmt, colalign=alignment, disable_numparse=True
        )

    def __str__(self) -> str:
        text = self._tabulate(self.headers, self.rows, "simple")
        return "\n".join(line.rstrip() for line in text.splitlines())

    def __repr__(self) -> str:  # the notebook's text/plain output
        return str(self)

    def _repr_markdown_(self) -> str:  # what Jupyter, Colab and the book render
        return self._tabulate(
            [_markdown_cell(h) for h in self.headers],
            [[_markdown_cell(c) for c in row] for row in self.rows],
            "pipe",
        )


def show_table(
    headers: Sequence[object],
    rows: Sequence[Sequence[object]],
    right: Sequence[bool] | None = None,
) -> None:
    """Show ``Table(headers, rows, right)`` in a notebook (as text outside one)."""
    show(Table(headers, rows, right))


def show(table: Table) -> None:
    """Show a ``Table`` in a notebook as a real table; print it as text outside one."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # no IPython: a script
        print(table)
        return
    if get_ipython() is None:
        print(table)
    else:
        display(table)


__all__ = ["Table", "show", "show_table"]
