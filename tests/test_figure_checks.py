"""The figure check fails, naming the page and the figure, on each kind of change a reader would
see (tests/figure_records.py).  A small notebook on temporary files is run and stored as `make
outputs` does, then changed and re-run as the notebook tests do."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

import figure_records as fr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from run_notebooks import execute  # noqa: E402

pytestmark = pytest.mark.slow

PLOT = '''import json
import matplotlib.pyplot as plt
curves = json.load(open("curves_a.json"))
figure, axis = plt.subplots(figsize=(4, 3))
axis.plot(curves["epoch"], curves["train"], label="train")
axis.plot(curves["epoch"], curves["held_out"], label="held-out")
axis.set_xlabel("epoch")
axis.set_title("accuracy")
axis.legend()
plt.show()'''


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A page stored with its outputs and its figure reference, as `make outputs` leaves it."""
    folder = tmp_path_factory.mktemp("page")
    (folder / "curves_a.json").write_text(json.dumps(
        {"epoch": [1, 2, 3, 4], "train": [0.4, 0.6, 0.7, 0.75], "held_out": [0.35, 0.5, 0.6, 0.62]}))
    (folder / "curves_b.json").write_text(json.dumps(
        {"epoch": [1, 2, 3, 4], "train": [0.3, 0.5, 0.66, 0.7], "held_out": [0.3, 0.45, 0.55, 0.6]}))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# A page"),
                      nbformat.v4.new_code_cell(PLOT, metadata={"figures": ["image"]})]
    nbformat.write(notebook, folder / "page.ipynb")
    execute(folder / "page.ipynb", store=True, figures=folder / "records")
    assert fr.read_reference(folder / "page.ipynb")[1][0]["structure"]["axes"][0]["legend"] == ["train", "held-out"]
    return folder


def _rerun(stored: Path, tmp_path: Path, old: str, new: str) -> list[str]:
    """The stored page with `old` replaced by `new` in its code, re-executed and checked."""
    page = tmp_path / "page"
    shutil.copytree(stored, page)
    path = page / "page.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert old in notebook.cells[1].source
    notebook.cells[1].source = notebook.cells[1].source.replace(old, new)
    nbformat.write(notebook, path)
    execute(path, store=False, figures=tmp_path / "records", references=False)
    return fr.check_notebook(path, fr.figures_dir(tmp_path / "records", path), tmp_path / "diffs")


def test_unchanged_page_passes(stored, tmp_path):
    assert _rerun(stored, tmp_path, "plt.show()", "plt.show()") == []


@pytest.mark.parametrize("old, new, expected", [
    ('set_xlabel("epoch")', 'set_xlabel("epochs")', "xlabel 'epochs', stored 'epoch'"),
    ('axis.plot(curves["epoch"], curves["held_out"], label="held-out")\n', "", "1 lines, stored 2"),
    ('label="train"', 'label="训练"', "legend ['训练', 'held-out'], stored ['train', 'held-out']"),
    ('curves_a.json', 'curves_b.json', "line 1 y: value 0 is 0.3, stored 0.4"),
    ('set_title("accuracy")', 'set_title("准确率", fontfamily="DejaVu Sans")', "empty boxes"),
], ids=["axis label", "dropped curve", "legend language", "wrong stored file", "missing glyphs"])
def test_a_change_fails_naming_the_page_and_the_figure(stored, tmp_path, old, new, expected):
    problems = _rerun(stored, tmp_path, old, new)
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith("page.ipynb, cell 1, figure 1 (image)") for problem in problems), problems
    if expected.startswith("line 1 y"):  # the image differs too, and its images are kept
        assert any("the image differs from the stored one" in problem for problem in problems)
        assert list((tmp_path / "diffs").glob("*-failed-diff.png"))
