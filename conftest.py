"""Root pytest set-up, active for every test run from this repository (nbval runs included).

While nbval re-executes the notebooks (``make test-notebooks``), each notebook's kernel gets the
environment variable ``CNNBOOK_RECORD_METRICS`` naming its own file under ``$CNNBOOK_METRICS_DIR``:
``cnnbook.train.train`` appends the final metrics of every training run there, and
``tests/notebook_metrics`` then compares them with the numbers stored in the notebook, within the
measured tolerance (CONTRIBUTING.md, "How outputs are stored and compared").
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
import figure_records  # noqa: E402  (tests/ is on the path: pytest.ini)
from metrics_check import metrics_file  # noqa: E402


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before nbval starts a notebook's kernel (at its first cell), name that notebook's record file."""
    metrics_dir = os.environ.get("CNNBOOK_METRICS_DIR")
    path = Path(str(item.fspath))
    if not metrics_dir or path.suffix != ".ipynb":
        return
    target = metrics_file(Path(metrics_dir).resolve(), path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.environ.get("CNNBOOK_RECORD_METRICS") != str(target):
        target.unlink(missing_ok=True)  # a fresh record for each run of the notebook
        os.environ["CNNBOOK_RECORD_METRICS"] = str(target)
        # and its figures (tests/figure_records.py: an IPython start-up file records them)
        os.environ.update(figure_records.prepare(Path(metrics_dir).resolve(), path))


BOOK_BUILDS = {"html_dir", "pdf_dir", "site_url"}  # the fixtures of tests/book/conftest.py that build the book
BOOK_BUILD_FILES = {"test_features.py", "test_html.py", "test_pdf.py", "test_browser.py",
                    "test_lab.py", "test_slides.py"}  # build their own, or start a browser


def pytest_collection_modifyitems(config, items):
    """Mark the re-executed notebooks, and the tests that need a book build (``make check`` runs the
    other tests of tests/book: the table of contents, the glossary, the badges)."""
    for item in items:
        if Path(str(item.fspath)).suffix == ".ipynb":
            item.add_marker(pytest.mark.notebooks)
        elif BOOK_BUILDS & set(getattr(item, "fixturenames", ())) or Path(str(item.fspath)).name in BOOK_BUILD_FILES:
            item.add_marker(pytest.mark.book)
