"""No typed-in curves: every number a page plots or tabulates is measured or computed.

The seed chapters drew "simulated" accuracy-vs-depth curves from literal lists and a gradient
curve from ``0.9 ** depth``.  This test scans every notebook's code cells (both languages) and
every module of the package for the shapes such a fake takes:

* a list or tuple literal holding four or more non-integer numbers (typed-in measurements:
  accuracies, errors, losses, timings);
* a constant between 0 and 1 raised to a variable power (a decay formula drawn as a measurement);
* the words "simulated" / "模拟" in code (the seed's own label for its fakes).

A literal that is genuinely not a measurement (normalization constants, a schedule's milestones,
a paper's quoted figure with its citation) carries the marker ``# not a measurement: <why>`` (on the
Chinese pages ``# 不是测量结果：<原因>``) on
its line or the line above; the test also checks that every marker gives a reason.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"#\s*(?:not a measurement:|不是测量结果：)\s*(\S.*)?$")  # the Chinese pages write the marker in Chinese
NOTEBOOKS = sorted(p for p in (REPO / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
MODULES = sorted((REPO / "code" / "cnnbook").rglob("*.py"))
MIN_FLOATS = 4


def _code(text: str) -> str:
    """Notebook cell source as plain Python: IPython turns magics and shell lines (``!pip ...``,
    continued lines included) into function calls."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(text)


def _numbers(node: ast.AST) -> list[float]:
    """The numeric literals (with unary minus) directly inside a list/tuple literal."""
    values = []
    for element in getattr(node, "elts", []):
        if isinstance(element, ast.UnaryOp) and isinstance(element.op, ast.USub):
            element = element.operand
        if isinstance(element, ast.Constant) and isinstance(element.value, (int, float)) \
                and not isinstance(element.value, bool):
            values.append(float(element.value))
    return values


def typed_curves(source: str) -> list[tuple[int, str]]:
    """(line, what) for each suspected typed-in curve in Python ``source`` that carries no marker."""
    lines = source.splitlines()

    def marked(lineno: int) -> bool:
        return any(MARKER.search(lines[i]) for i in (lineno - 1, lineno - 2) if 0 <= i < len(lines))

    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple)):
            non_integers = [v for v in _numbers(node) if v != int(v)]
            if len(non_integers) >= MIN_FLOATS and not marked(node.lineno):
                found.append((node.lineno, f"a literal list of {len(non_integers)} non-integer numbers"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, exponent = node.left, node.right
            if isinstance(base, ast.Constant) and isinstance(base.value, float) and 0 < base.value < 1 \
                    and not isinstance(exponent, ast.Constant) and not marked(node.lineno):
                found.append((node.lineno, f"{base.value} ** {ast.unparse(exponent)}: a formula drawn as a measurement?"))
    for number, line in enumerate(lines, start=1):
        if re.search(r"simulat|模拟", line, re.I) and not marked(number):
            found.append((number, "the word 'simulated' in code"))
    return found


def _notebook_cells(path: Path) -> list[tuple[int, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(i, _code("".join(c["source"]))) for i, c in enumerate(cells) if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO / "chapters")))
def test_notebook_has_no_typed_in_curve(path: Path) -> None:
    problems = [f"cell {i}, line {line}: {what}" for i, source in _notebook_cells(path)
                for line, what in typed_curves(source)]
    assert not problems, (f"{path.relative_to(REPO)} looks like it types in measured numbers:\n  "
                          + "\n  ".join(problems) + "\nCompute them, or load a stored experiment "
                          "(CONTRIBUTING.md); a literal that is not a measurement gets '# not a measurement: <why>'.")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(REPO / "code")))
def test_module_has_no_typed_in_curve(path: Path) -> None:
    problems = [f"line {line}: {what}" for line, what in typed_curves(path.read_text(encoding="utf-8"))]
    assert not problems, f"{path.relative_to(REPO)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS + MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_markers_give_a_reason(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    bare = [m.group(0) for m in re.finditer(r"#\s*(?:not a measurement:|不是测量结果：)[^\n\"]*", text) if not MARKER.search(m.group(0)).group(1)]
    assert not bare, f"{path.relative_to(REPO)}: a '# not a measurement:' marker without a reason"


# The detector itself: it must catch the seed's fakes and let ordinary code through.
SEED_FAKES = {
    "accuracy list": "depths = [20, 32, 44, 56]\nplain_acc = [0.91, 0.89, 0.86, 0.84]\n",
    "error tuple": "errors = (7.5, 7.1, 6.9, 6.6, 6.4)",
    "negative floats": "curve = [-0.5, -1.5, -2.5, -3.25]",
    "decay formula": "gradient = [0.9 ** depth for depth in range(50)]",
    "simulated": "# Simulated results\nresults = compute()",
    "chinese label": "# 模拟的训练曲线\ncurve = f()",
}
ORDINARY = {
    "normalization": "mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)",
    "integers": "depths = [8, 20, 32, 56, 110]",
    "computed": "acc = [r['eval_acc'] for r in runs]",
    "power of a variable": "scale = width ** 2",
    "marked": "# not a measurement: quoted from He et al. (2016), Table 4\ntop1 = [0.7, 0.6, 0.5, 0.4]",
}


@pytest.mark.parametrize("name", SEED_FAKES)
def test_detector_catches_the_seed_fakes(name: str) -> None:
    assert typed_curves(SEED_FAKES[name]), name


@pytest.mark.parametrize("name", ORDINARY)
def test_detector_lets_ordinary_code_through(name: str) -> None:
    assert not typed_curves(ORDINARY[name]), name
