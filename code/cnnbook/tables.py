"""The book's one table formatter: aligned text tables that line up in Chinese too.

Every table the package prints (layer tables, block summaries, cost tables) and every table a page
builds itself goes through ``format_table``::

    print(format_table(["model", "parameters"], [["resnet18", "11,689,512"], ["vgg11", "132,863,336"]]))

    model        parameters
    --------  -------------
    resnet18     11,689,512
    vgg11       132,863,336

Columns are aligned by **display width**: a Chinese character takes two columns of a monospaced
font, so counting characters (``str.ljust``) would misalign every row that holds Chinese text.
"""
from __future__ import annotations

import unicodedata
from typing import Sequence

from .errors import invalid


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: wide (CJK) characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(character) in ("W", "F") else 1 for character in text)


def _pad(text: str, width: int, right: bool) -> str:
    padding = " " * max(width - display_width(text), 0)
    return padding + text if right else text + padding


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[bool] | None = None) -> str:
    """A fixed-width text table: the headers, a rule, then one line per row.

    ``right`` says, per column, whether to align right (numbers); by default every column but the
    first.  Cells are converted with ``str``; every row must have one cell per header."""
    headers = [str(h) for h in headers]
    if any(len(row) != len(headers) for row in rows):
        raise invalid("rows", rows, f"a list of rows with {len(headers)} cells each, one per header")
    right = [index > 0 for index in range(len(headers))] if right is None else list(right)
    if len(right) != len(headers):
        raise invalid("right", right, f"one True/False per column ({len(headers)})")
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(display_width(line[i]) for line in cells) for i in range(len(headers))]
    lines = ["  ".join(_pad(c, w, r) for c, w, r in zip(line, widths, right)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


__all__ = ["display_width", "format_table"]
