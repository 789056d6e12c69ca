"""How trained numbers in a notebook are compared with a re-run (used by tests/notebook_metrics).

The stored notebook prints the closing line of ``train()`` (loss, train accuracy, evaluation
accuracy, rounded to 3 decimals); the re-run records the same metrics unrounded.  They agree when
every metric differs by no more than the section's measured tolerance (plus half of the printed
last digit), and both runs cleared the section's learning floor.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
METRICS = ("loss", "train_acc", "eval_acc")
ROUNDING = 0.0005  # half of the last printed digit


def metrics_file(metrics_dir: Path, notebook: Path) -> Path:
    """Where the training records of ``notebook`` go during a notebook run: one JSON-lines file per
    notebook under ``metrics_dir`` (the root conftest.py points each notebook's kernel at it)."""
    relative = notebook.resolve().relative_to(REPO)
    return metrics_dir / (str(relative.with_suffix("")).replace(os.sep, "__") + ".jsonl")


def summary_patterns() -> list[re.Pattern]:
    """The closing line of ``train()`` in each language, its numbers captured (from cnnbook.i18n)."""
    from cnnbook.i18n import MESSAGES
    patterns = []
    for template in MESSAGES["summary"].values():
        pattern = re.escape(template)
        for field in METRICS:
            pattern = pattern.replace(re.escape("{" + field + ":.3f}"), rf"(?P<{field}>\d+\.\d+)", 1)
        patterns.append(re.compile(pattern.replace(re.escape("{eval_name}"), r"\S+?")))
    return patterns


def metrics_in_text(text: str) -> list[dict[str, float]]:
    """Every closing line of ``train()`` in ``text``, as numbers."""
    found = []
    patterns = summary_patterns()
    for line in text.splitlines():
        match = next((m for m in (p.search(line) for p in patterns) if m), None)
        if match:
            found.append({field: float(match[field]) for field in METRICS})
    return found


def stored_metrics(notebook: Path) -> list[dict[str, float]]:
    """The metrics of each closing line of ``train()`` stored in ``notebook``, in order."""
    found = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code":
            found += metrics_in_text("".join(o.get("text", "") for o in cell.get("outputs", [])
                                             if o.output_type == "stream"))
    return found


def compare(stored: list[dict], fresh: list[dict], tolerance: dict[str, float], floor: float) -> list[str]:
    """What is wrong with a re-run's metrics (``fresh``) against the stored ones; empty when they agree."""
    if len(fresh) != len(stored):
        return [f"the re-run trained {len(fresh)} time(s), the stored notebook shows {len(stored)} result(s)"]
    problems = []
    for index, (old, new) in enumerate(zip(stored, fresh), start=1):
        for field in METRICS:
            if abs(new[field] - old[field]) > tolerance[field] + ROUNDING:
                problems.append(f"run {index}: {field} is {new[field]:.4f} now and {old[field]:.3f} stored, "
                                f"further apart than the tolerance {tolerance[field]}")
        for label, value in (("stored", old["eval_acc"]), ("re-run", new["eval_acc"])):
            if value < floor:
                problems.append(f"run {index}: the {label} evaluation accuracy {value:.3f} is below the learning "
                                f"floor {floor} (chance: 0.1): that run stopped learning")
    return problems
