"""The figures' marks and references are in order (static: no notebook runs; tests/figure_records.py).

Every code cell that draws names the kind of each of its figures (metadata ``figures``), a new
figure without a mark fails here; the stored references (``.figures/<page>.json``, written by
``make outputs``) match what the notebooks show; both languages mark their twin cells alike; and
no stored figure draws a character its fonts lack.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import figure_records as fr

REPO = Path(__file__).resolve().parents[1]
ALL = sorted((REPO / "chapters").rglob("*.ipynb"))


def _id(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_every_figure_has_a_kind_and_a_reference(path):
    notebook = nbformat.read(path, as_version=4)
    reference = fr.read_reference(path)
    assert fr.reference_path(path).is_file(), (
        f"no {fr.reference_path(path).relative_to(REPO)}: store the notebook with make outputs")
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            assert index not in reference
            continue
        marks, figures, pngs = fr.kinds(cell), reference.get(index, []), fr.stored_pngs(cell)
        where = f"cell {index}"
        if not figures and not pngs:
            if marks:
                problems.append(f"{where} draws no figure but is marked figures={marks}")
            continue
        if marks is None:
            problems.append(f"{where} draws {len(figures)} figure(s) with no mark: add cell metadata "
                            f"\"figures\": [one of {list(fr.KINDS)} per figure] (tests/figure_records.py says which)")
            continue
        if len(marks) != len(figures) or any(mark not in fr.KINDS for mark in marks):
            problems.append(f"{where}: figures={marks} for {len(figures)} recorded figure(s); kinds: {fr.KINDS}")
            continue
        shown = [mark for mark in marks if mark != "widget"]
        if len(shown) != len(pngs):
            problems.append(f"{where}: {len(pngs)} stored image(s) for the marks {marks} (a figure inside a "
                            "widget is marked 'widget'; the others are stored as images)")
        for number, figure in enumerate(figures, 1):
            if figure["missing_glyphs"]:
                problems.append(f"{where}, figure {number}: drawn with empty boxes for "
                                f"{''.join(figure['missing_glyphs'])} (a font without them)")
    assert not problems, f"{_id(path)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", sorted((REPO / "chapters" / "en").rglob("*.ipynb")), ids=_id)
def test_both_languages_mark_alike(path):
    twin = REPO / "chapters" / "zh" / path.relative_to(REPO / "chapters" / "en")
    english, chinese = nbformat.read(path, as_version=4), nbformat.read(twin, as_version=4)
    assert [fr.kinds(c) for c in english.cells] == [fr.kinds(c) for c in chinese.cells]
