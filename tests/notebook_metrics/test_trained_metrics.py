"""Trained results within the measured tolerance (the second half of the notebook check).

nbval re-executes every notebook and compares its outputs with the stored ones; in the training
loop's closing line it sees only the words (tests/nbval_sanitize.cfg masks the numbers).  This
test compares the numbers: the final metrics that each re-executed ``train()`` call recorded
(``CNNBOOK_RECORD_METRICS``, set per notebook by the root conftest.py) against the numbers the
notebook stores, within the tolerance that ``cnnbook.experiments.noise`` measured for that
section (tests/metrics_check.py), and checks the section's learning floor.

Run by ``make test-notebooks`` right after nbval, with ``CNNBOOK_METRICS_DIR`` naming the folder of
records; run alone it fails and says so.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
from metrics_check import compare, metrics_file, stored_metrics  # noqa: E402

# The notebooks nbval ran (CNNBOOK_METRICS_NOTEBOOKS, set by the Makefile), else every notebook.
NOTEBOOKS = sorted((REPO / name).resolve() for name in os.environ.get("CNNBOOK_METRICS_NOTEBOOKS", "").split()) \
    or sorted((REPO / "chapters").rglob("*.ipynb"))


def records_dir() -> Path:
    folder = os.environ.get("CNNBOOK_METRICS_DIR")
    if not folder:
        pytest.fail("CNNBOOK_METRICS_DIR is not set: this test compares the records of a notebook run; "
                    "run it through `make test-notebooks`, which runs nbval first.")
    return Path(folder).resolve()


def noise_result(section: str) -> dict:
    from cnnbook.experiments import ExperimentResultError, load_result
    try:
        return load_result(f"{section}_noise")
    except ExperimentResultError:
        pytest.fail(f"section {section!r} trains a model but has no measured spread: run "
                    f"`python -m cnnbook.experiments.noise --section {section}` and commit its result "
                    "(CONTRIBUTING.md, 'How outputs are stored and compared').")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_trained_metrics_within_tolerance(notebook):
    stored = stored_metrics(notebook)
    record_file = metrics_file(records_dir(), notebook)
    fresh = [json.loads(line) for line in record_file.read_text(encoding="utf-8").splitlines()
             if line.strip()] if record_file.is_file() else None
    if not stored:
        assert not fresh, f"{notebook.name}: the re-run trained a model, but the notebook stores no closing line of train()"
        return
    assert fresh is not None, (
        f"no training records for {notebook.relative_to(REPO)} in {record_file.parent}: was it re-executed "
        "by nbval in this run (make test-notebooks)?")
    noise = noise_result(notebook.stem)  # the section is the notebook's name
    problems = compare(stored, fresh, noise["tolerance"], noise["learning_floor"])
    assert not problems, (f"{notebook.relative_to(REPO)}, against the tolerances of {notebook.stem}_noise "
                          f"(measured {noise['provenance']['date']}):\n  " + "\n  ".join(problems))
