"""The rules that let a notebook's stored outputs hold on every machine (CONTRIBUTING.md)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cnnbook.i18n import set_language, tr
from cnnbook.train import RECORD_VARIABLE, History, record_final_metrics

REPO = Path(__file__).resolve().parents[1]
from metrics_check import compare, metrics_in_text  # noqa: E402


def sanitize_rules() -> list[tuple[str, str]]:
    text = (REPO / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)  # as nbval reads it


def sanitize(text: str) -> str:
    for regex, replace in sanitize_rules():
        text = re.sub(regex, replace, text)
    return text


@pytest.fixture
def language():
    yield set_language
    set_language("en")


@pytest.mark.parametrize("code", ["en", "zh"])
@pytest.mark.parametrize("eval_name", ["held-out", "test"])
def test_nbval_masks_the_numbers_of_trained_results(language, code, eval_name):
    language(code)
    one = History(train_loss=[0.5704], train_acc=[0.7821], eval_acc=[0.8131], examples_per_sec=1548.7, eval_name=eval_name)
    two = History(train_loss=[0.5791], train_acc=[0.7720], eval_acc=[0.7641], examples_per_sec=902.3, eval_name=eval_name)
    assert one.summary() != two.summary()
    assert sanitize(one.summary()) == sanitize(two.summary()), "a trained number escapes the sanitize rules"
    assert tr(eval_name) in sanitize(one.summary()), "the masked line must keep its words"
    assert "1548.7" not in one.summary() and "1549" not in one.summary(), "the closing line prints no speed"


@pytest.mark.parametrize("code", ["en", "zh"])
def test_the_metrics_check_reads_the_closing_line(language, code):
    language(code)
    history = History(train_loss=[0.5704], train_acc=[0.7821], eval_acc=[0.8131], eval_name="held-out")
    assert metrics_in_text("noise before\n" + history.summary()) == [{"loss": 0.570, "train_acc": 0.782, "eval_acc": 0.813}]


def test_compare_accepts_the_spread_and_rejects_more():
    stored = [{"loss": 0.570, "train_acc": 0.782, "eval_acc": 0.813}]
    tolerance = {"loss": 0.02, "train_acc": 0.03, "eval_acc": 0.05}
    assert compare(stored, [{"loss": 0.574, "train_acc": 0.786, "eval_acc": 0.776}], tolerance, 0.45) == []
    problems = compare(stored, [{"loss": 0.574, "train_acc": 0.786, "eval_acc": 0.70}], tolerance, 0.45)
    assert len(problems) == 1 and "eval_acc" in problems[0]


def test_compare_fails_a_run_that_stopped_learning():
    stored = [{"loss": 2.3, "train_acc": 0.1, "eval_acc": 0.1}]
    problems = compare(stored, stored, {"loss": 1, "train_acc": 1, "eval_acc": 1}, 0.45)
    assert problems and all("learning floor" in p for p in problems)


def test_compare_notices_a_missing_run():
    stored = [{"loss": 0.5, "train_acc": 0.8, "eval_acc": 0.8}]
    assert "trained 0 time(s)" in compare(stored, [], {"loss": 1, "train_acc": 1, "eval_acc": 1}, 0.45)[0]


def test_train_records_its_final_metrics_when_asked(tmp_path, monkeypatch):
    target = tmp_path / "records.jsonl"
    history = History(train_loss=[0.9, 0.5704], train_acc=[0.6, 0.7821], eval_acc=[0.7, 0.8131], eval_name="held-out")
    record_final_metrics(history, "a run")
    assert not target.exists()
    monkeypatch.setenv(RECORD_VARIABLE, str(target))
    record_final_metrics(history, "a run")
    record_final_metrics(history, "another run")
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["description"] for line in lines] == ["a run", "another run"]
    assert lines[0]["eval_acc"] == 0.8131 and lines[0]["epochs"] == 2


def test_every_training_notebook_states_its_measured_spread():
    """A page that trains loads its section's noise experiment, to say how much its digits vary."""
    import nbformat
    for notebook in sorted((REPO / "chapters").rglob("*.ipynb")):
        cells = nbformat.read(notebook, as_version=4).cells
        if any(c.cell_type == "code" and re.search(r"(?<![.\w])train\(", c.source) for c in cells):
            assert any(c.cell_type == "code" and f'load_result("{notebook.stem}_noise")' in c.source for c in cells), \
                f"{notebook.relative_to(REPO)} trains but does not state its measured spread (load_result(\"{notebook.stem}_noise\"))"
