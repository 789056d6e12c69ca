"""Every figure of the re-executed notebooks against the stored one (the third part of the
notebook check; tests/figure_records.py says how figures are recorded, described and compared).

nbval compares a figure only by its text form (``<Figure size 1100x400 with 2 Axes>``).  During
the same run each kernel recorded the figures it drew (``CNNBOOK_RECORD_FIGURES``, set per
notebook by the root conftest.py); this test compares them, by the kind each cell's metadata
names: "image" figures as images (and by structure and data), "trained" ones by structure exactly
and by data within the section's measured tolerance, "widget" ones by structure and data.
A failing image comparison leaves the expected, actual and difference images in
artifacts/figure-diffs/.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
import figure_records  # noqa: E402
from test_trained_metrics import NOTEBOOKS, records_dir  # noqa: E402

DIFFS = REPO / "artifacts" / "figure-diffs" / os.path.basename(os.environ.get("CNNBOOK_METRICS_DIR", "run"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_figures_match_the_stored_ones(notebook):
    folder = figure_records.figures_dir(records_dir(), notebook)
    assert (folder / "figures.jsonl").is_file() or not figure_records.read_reference(notebook), (
        f"no figures recorded for {notebook.relative_to(REPO)} in {folder}: was it re-executed by nbval "
        "in this run (make test-notebooks)?")
    problems = figure_records.check_notebook(notebook, folder, DIFFS / notebook.stem)
    assert not problems, "\n  ".join(["figures that differ from the stored ones:", *problems])
