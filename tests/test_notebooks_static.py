"""Checks on the committed notebooks themselves (no execution: nbval re-runs them separately).

* Mirror: every English notebook has a Chinese twin with the same cells in the same order, and
  their code cells compute the same thing (only comments and string literals may differ).
* Stored outputs: every code cell was run, no error, no "Glyph ... missing from font" warning,
  every figure has a text form that nbval compares, every training run says which profile and
  data produced it, and both languages stored the same numbers.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

REPO = Path(__file__).resolve().parents[1]
ENGLISH = sorted((REPO / "chapters" / "en").rglob("*.ipynb"))
ALL = sorted((REPO / "chapters").rglob("*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def twin(path: Path) -> Path:
    return REPO / "chapters" / "zh" / path.relative_to(REPO / "chapters" / "en")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_skeleton(source: str) -> list[tuple[int, str]]:
    """The code's tokens with comments dropped and string literals blanked."""
    python = TransformerManager().transform_cell(source)  # IPython syntax (!pip) to plain Python
    skeleton = []
    for token in tokenize.generate_tokens(io.StringIO(python).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        if token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            skeleton.append((tokenize.STRING, "<string>"))
            continue
        skeleton.append((token.type, token.string))
    return skeleton


def test_there_are_notebooks():
    assert ENGLISH, "no notebooks under chapters/en"


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: str(p.relative_to(REPO)))
def test_chinese_twin_mirrors_cell_for_cell(english):
    chinese = twin(english)
    assert chinese.exists(), f"{english.relative_to(REPO)} has no Chinese twin at {chinese.relative_to(REPO)}"
    en, zh = read(english), read(chinese)
    assert [c.cell_type for c in en.cells] == [c.cell_type for c in zh.cells], "cell types/order differ"
    for index, (a, b) in enumerate(zip(en.cells, zh.cells)):
        if a.cell_type == "code":
            assert code_skeleton(a.source) == code_skeleton(b.source), \
                f"code cell {index} computes something different in the two languages"
        else:
            headings_en = [len(m) for m in re.findall(r"^(#+) ", a.source, re.M)]
            headings_zh = [len(m) for m in re.findall(r"^(#+) ", b.source, re.M)]
            assert headings_en == headings_zh, f"markdown cell {index}: headings differ"
            assert CJK.search(b.source), f"markdown cell {index} of the Chinese notebook has no Chinese text"


def test_no_chinese_notebook_without_english_twin():
    for chinese in sorted((REPO / "chapters" / "zh").rglob("*.ipynb")):
        english = REPO / "chapters" / "en" / chinese.relative_to(REPO / "chapters" / "zh")
        assert english.exists(), f"{chinese.relative_to(REPO)} has no English twin"


def outputs(notebook):
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                yield index, cell, output


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(REPO)))
def test_stored_outputs_are_clean(path):
    notebook = read(path)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.execution_count is not None, f"code cell {index} was never run: nbval would not check it"
    for index, cell, output in outputs(notebook):
        assert output.output_type != "error", f"cell {index} stores an error: {output.get('ename')}"
        text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        assert "missing from font" not in text, f"cell {index} stores a missing-glyph warning"
        assert "Traceback" not in text and "Warning" not in text, f"cell {index} stores a warning: {text[:300]}"
        if "image/png" in output.get("data", {}):
            assert output.data.get("text/plain", "").startswith("<Figure size"), \
                f"cell {index}: a figure without its text form, nbval could not notice it disappearing"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(REPO)))
def test_training_outputs_say_what_produced_them(path):
    for index, cell in enumerate(read(path).cells):
        if cell.cell_type == "code" and re.search(r"^history = train\(|\btrain\(model", cell.source, re.M):
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert re.search(r"profile 'fast'|快速配置：", printed), f"cell {index}: no profile in the output"
            assert re.search(r"[\d,]+ (training images|张)", printed), f"cell {index}: no dataset size in the output"
            assert re.search(r"\d+x\d+ (pixels|像素)", printed), f"cell {index}: no image size in the output"
            assert re.search(r"(on |设备：)(cpu|cuda|mps)", printed), f"cell {index}: no device in the output"


def numbers(notebook) -> list[list[str]]:
    per_cell = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            printed = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
            per_cell.append(re.findall(r"\d+(?:[.,]\d+)*", printed))
    return per_cell


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: str(p.relative_to(REPO)))
def test_both_languages_stored_the_same_numbers(english):
    assert numbers(read(english)) == numbers(read(twin(english)))


def _unbalanced_fences(source: str) -> list[str]:
    """The MyST colon fences of a markdown cell that close with another number of colons than they open."""
    import re
    problems, open_fences = [], []
    for line in source.splitlines():
        match = re.match(r"^(:{3,})(\{[a-z-]+\})?", line)
        if not match:
            continue
        if match.group(2):
            open_fences.append((len(match.group(1)), line))
        elif open_fences:
            colons, opening = open_fences.pop()
            if colons != len(match.group(1)):
                problems.append(f"{opening!r} ({colons} colons) closes with {len(match.group(1))}")
    return problems + [f"{opening!r} never closes" for _, opening in open_fences]


def test_every_directive_fence_closes_with_as_many_colons_as_it_opens():
    import json
    from pathlib import Path
    assert _unbalanced_fences(":::::{exercise}\n:::{hint}\nx\n:::\n::::::\n")  # the check can fail
    problems = []
    for path in sorted(Path(__file__).resolve().parents[1].glob("chapters/*/*/*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "markdown":
                problems += [f"{path} cell {index}: {p}" for p in _unbalanced_fences("".join(cell["source"]))]
    assert not problems, "a fence that closes with another number of colons renders what follows inside " \
                         "the directive:\n" + "\n".join(problems)


def _imports(source: str) -> list[tuple[str, str]]:
    """``(module, name)`` for every ``from module import name`` of the package in a code cell."""
    import ast
    python = TransformerManager().transform_cell(source)
    found = []
    for node in ast.walk(ast.parse(python)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cnnbook"):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.startswith("cnnbook")]
    return found


# What a page may take from the experiments: their stored results, never the code that makes them.
PAGE_EXPERIMENT_NAMES = {"load_result", "is_current", "describe_provenance"}


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_pages_use_the_library_not_the_experiments_and_no_private_names(path):
    problems = []
    for index, cell in enumerate(read(path).cells):
        if cell.cell_type != "code":
            continue
        for module, name in _imports(cell.source):
            if module.startswith("cnnbook.experiments") and (module != "cnnbook.experiments"
                                                              or name not in PAGE_EXPERIMENT_NAMES):
                problems.append(f"cell {index}: from {module} import {name}: a page loads stored results "
                                f"({', '.join(sorted(PAGE_EXPERIMENT_NAMES))}); what it shows belongs to the library")
            if name.startswith("_") or any(part.startswith("_") for part in module.split(".")):
                problems.append(f"cell {index}: from {module} import {name}: a private name; make it public")
        if re.search(r"getattr\((cnnbook\.)?models,", cell.source):
            problems.append(f"cell {index}: getattr(models, ...): use models.get_model(name)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.parent.name}-{p.parent.name}-{p.stem}")
def test_stored_notebooks_carry_no_execution_timestamps(path):
    """Storing again changes only what the cells print (scripts/run_notebooks.py: record_timing=False)."""
    stamped = [index for index, cell in enumerate(read(path).cells) if "execution" in cell.metadata]
    assert not stamped, f"cells {stamped} carry execution timestamps: store with make outputs, or strip them"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(REPO)))
def test_stored_kernelspec_is_the_installed_kernels(path):
    """JupyterLab rewrites a notebook's kernelspec to the running kernel's on opening, and marks
    the notebook modified if that changed anything (tests/book/test_lab.py opens one)."""
    from run_notebooks import kernelspec
    assert read(path).metadata.get("kernelspec") == kernelspec(), (
        "store the notebook with make outputs (scripts/run_notebooks.py writes the installed kernel's spec)")


CODE_COLUMNS = 88  # the page's code column in the HTML and the PDF, in monospaced characters
TABLE_RULE = re.compile(r"^ *-{3,}( +-{3,})+ *$")  # "-----  ------": a table printed as text


def display_width(line: str) -> int:
    """Columns ``line`` takes in a monospaced font: a Chinese character takes two."""
    from wcwidth import wcswidth
    width = wcswidth(line)
    return width if width >= 0 else len(line)


def long_code_lines(notebook) -> list[str]:
    return [f"cell {index}: {line!r} ({display_width(line)} columns)"
            for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
            for line in cell.source.splitlines() if display_width(line) > CODE_COLUMNS]


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(REPO)))
def test_code_fits_the_page_column(path):
    """Code in the book is read in the HTML and the PDF without scrolling: no code line is wider
    than the page's code column (88 characters; a Chinese character counts two)."""
    long = long_code_lines(read(path))
    assert not long, (f"{len(long)} code line(s) wider than {CODE_COLUMNS} columns; wrap them (in both "
                      "languages), e.g. with black -l 88:\n" + "\n".join(long[:20]))


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: str(p.relative_to(REPO)))
def test_shown_package_source_fits_the_page_column(path):
    """The package's source a page shows (``show_source``) is code in the book too."""
    long = [f"cell {index}: {line!r}" for index, cell, output in outputs(read(path))
            if "show_source(" in cell.source and output.output_type != "stream"
            for line in "".join(output.get("data", {}).get("text/plain", "")).splitlines()
            if display_width(line) > CODE_COLUMNS]
    assert not long, (f"shown source wider than {CODE_COLUMNS} columns: wrap it in the package (black -l 88; "
                      "docstrings and comments by hand), then store the page:\n" + "\n".join(long[:20]))


def test_the_line_check_measures_chinese_by_display_width():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1  # " + "宽" * 40)])
    assert long_code_lines(notebook), "40 Chinese characters after 9 columns are 89 columns wide"
    notebook.cells[0].source = "x = 1  # " + "w" * 79
    assert not long_code_lines(notebook)


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(REPO)))
def test_tables_are_shown_as_tables_not_printed(path):
    """A table is a ``cnnbook.tables.Table`` (a real table in the notebook, the HTML and the PDF),
    not text padded into columns by print: a printed rule of dashes gives one away."""
    printed = [f"cell {index}: {line!r}" for index, cell, output in outputs(read(path))
               if output.output_type == "stream"
               for line in "".join(output.get("text", "")).splitlines() if TABLE_RULE.match(line)]
    assert not printed, "tables printed as text; show them with cnnbook.tables.show_table:\n" + "\n".join(printed)
