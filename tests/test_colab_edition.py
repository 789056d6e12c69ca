"""The Colab edition (scripts/colab_edition.py, colab/<lang>/...): up to date, plain Markdown only,
the book's code cells without outputs, each MyST construct converted as documented."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import colab_edition as ce
from colab_edition import Book, Bibliography, Context, ConversionError, Target

REPO = Path(__file__).resolve().parents[1]
SOURCES = ce.source_notebooks()
# MyST that must not survive in an edition's markdown
MYST = re.compile(r":::|```\{|\{cite|\{ref|\{numref|\{doc\}|\{eq\}|:label:|:class:|:filter:"
                  r"|\{[A-Za-z][\w:.+-]*\}`|^\s*\([^()\s]+\)=\s*$", re.M)


def _text(cell) -> str:
    return ce.source_text(cell)


@pytest.fixture(scope="module")
def editions() -> dict[Path, dict]:
    """source notebook -> its committed edition (loaded from colab/)."""
    out = {}
    for notebook in SOURCES:
        path = ce.edition_path(notebook)
        assert path.is_file(), f"{path.relative_to(REPO)} is missing: run make colab"
        out[notebook] = json.loads(path.read_text(encoding="utf-8"))
    return out


# --- the committed editions ---------------------------------------------------------------------

def test_editions_up_to_date():
    """colab/ is what `python3 scripts/colab_edition.py` writes now (`--check`): nothing missing,
    out of date or stray."""
    assert SOURCES, "no notebook found in chapters/"
    assert ce.check() == [], "run make colab"


def test_no_myst_survives(editions):
    for notebook, nb in editions.items():
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                found = MYST.findall(_text(cell))
                assert not found, f"{notebook.relative_to(REPO)}, cell {index}: {found}"


def test_code_cells_identical_without_outputs(editions):
    for notebook, nb in editions.items():
        source = json.loads(notebook.read_text(encoding="utf-8"))
        ours = [c for c in nb["cells"] if c["cell_type"] == "code"]
        theirs = [c for c in source["cells"] if c["cell_type"] == "code"]
        assert [_text(c) for c in ours] == [_text(c) for c in theirs], notebook
        for cell in ours:
            assert cell["outputs"] == [] and cell["execution_count"] is None, notebook
            assert "execution" not in cell["metadata"] and "ExecuteTime" not in cell["metadata"]
        assert "widgets" not in nb["metadata"]


def test_badge_points_to_the_edition(editions):
    url, branch = ce.repository()
    slug = url.removeprefix("https://github.com/")
    for notebook, nb in editions.items():
        rel = ce.edition_path(notebook).relative_to(REPO).as_posix()
        assert ce.BADGE_RE.findall(_text(nb["cells"][0])) == [
            f"https://colab.research.google.com/github/{slug}/blob/{branch}/{rel}"]


def test_chinese_edition_uses_chinese_words(editions):
    for notebook, nb in editions.items():
        markdown = "\n".join(_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
        exercises = len(re.findall(r"^:{3,}\{exercise\}", "\n".join(
            _text(c) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "markdown"), re.M))
        lang = notebook.relative_to(ce.CHAPTERS).parts[0]
        words = ce.WORDS[lang]
        assert len(re.findall(rf"^### {words['exercise']} \d+$", markdown, re.M)) == exercises
        if exercises:
            assert f"<summary>{words['hint']}</summary>" in markdown
            assert f"<summary>{words['solution']}</summary>" in markdown
        if lang == "zh":
            for english in ("### Exercise", "<summary>Hint", "<summary>Solution", "## References",
                            "[Fig. ", "Colab edition of"):
                assert english not in markdown, f"{notebook.relative_to(REPO)}: {english!r}"
        if "{cite" in "".join(_text(c) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
            assert f"## {words['references']}\n\n- **(" in markdown, notebook


def test_deterministic():
    notebook = SOURCES[0]
    assert ce.dumps(ce.convert_notebook(notebook)) == ce.dumps(ce.convert_notebook(notebook))


# --- conversion of each construct ---------------------------------------------------------------

BIB = r"""
@article{smith2020, author = {Smith, Ann}, title = {A Study}, journal = {J}, year = {2020}}
@article{lee2018, author = {Lee, Bo and Kim, Cy}, title = {Two}, journal = {J}, year = {2018}}
@misc{doe2019, author = {Doe, Al and Roe, Bea and Poe, Cal}, title = {Three}, year = {2019}}
"""


def make_ctx(lang: str = "en") -> Context:
    book = Book(lang, labels={
        "ex-demo": Target("exercise", "chap/page", "ex-demo", 7),
        "fig-demo": Target("figure", "chap/page", "fig-demo", 3, "A demo curve."),
        "sec-demo": Target("section", "chap/other", "sec-demo", None, "Other section"),
        "eq-demo": Target("equation", "chap/page", "equation-eq-demo", 2),
    }, titles={"chap/page": "The Page", "chap/other": "Other Page"},
        exercise_numbers={"chap/page": [7]})
    return Context(book, Bibliography(BIB), "chap/page", glue={"acc": {"text/plain": "0.8312"}})


def url(anchor: str = "", doc: str = "chap/page", lang: str = "en") -> str:
    return f"{ce.book_url()}{lang}/{doc}.html" + (f"#{anchor}" if anchor else "")


def convert(text: str, lang: str = "en") -> str:
    return ce.convert_markdown(text, make_ctx(lang))


EXERCISE = """\
:::::{exercise}
:label: ex-demo

Compute $x^2$.

:::{hint}
:class: dropdown
Use `y`.
:::
:::::"""

SOLUTION = """\
:::::{solution} ex-demo
:class: dropdown

```python
print(1)
```

It prints 1.
:::::"""

FIGURE = """\
(fig-target)=
```{figure} img/curve.png
:name: fig-demo

A demo curve.
```"""


def test_exercise_and_hint():
    assert convert(EXERCISE) == (
        "### Exercise 7\n\nCompute $x^2$.\n\n"
        "<details><summary>Hint</summary>\n\nUse `y`.\n\n</details>")


def test_solution_keeps_code_block():
    assert convert(SOLUTION) == (
        "<details><summary>Solution</summary>\n\n```python\nprint(1)\n```\n\nIt prints 1.\n\n</details>")


def test_admonitions():
    assert convert("```{note}\nMind the gap.\n\nTwice.\n```") == "> **Note**\n>\n> Mind the gap.\n>\n> Twice."
    assert convert(":::{warning} Hot.\n:::") == "> **Warning**\n>\n> Hot."
    assert convert(":::{admonition} Why?\n:class: dropdown\nBecause.\n:::") == (
        "<details><summary>Why?</summary>\n\nBecause.\n\n</details>")


def test_citations():
    assert convert("AlexNet {cite:p}`smith2020` works.") == "AlexNet (Smith, 2020) works."
    assert convert("{cite:t}`lee2018` showed it.") == "Lee and Kim (2018) showed it."
    assert convert("Both {cite}`smith2020,doe2019`.") == "Both (Smith, 2020; Doe et al., 2019)."


def test_bibliography_lists_cited_works():
    ctx = make_ctx()
    text = ce.convert_markdown("{cite:p}`doe2019` and {cite:t}`smith2020`", ctx)
    assert text == "(Doe et al., 2019) and Smith (2020)"
    assert ctx.bib.references(ctx.cited) == (
        "- **(Doe et al., 2019)** Al Doe, Bea Roe, and Cal Poe. Three. 2019.\n"
        "- **(Smith, 2020)** Ann Smith. A study. *J*, 2020.")
    assert ce.convert_markdown("## References\n\n```{bibliography}\n:filter: docname in docnames\n```",
                               ctx) == f"## References\n\n{ce.BIBLIOGRAPHY_MARK}"


def test_ref_numref_eq_doc():
    assert convert("see {ref}`ex-demo`") == f"see [Exercise 7]({url('ex-demo')})"
    assert convert("see {ref}`sec-demo`") == f"see [Other section]({url('sec-demo', 'chap/other')})"
    assert convert("see {ref}`this part <sec-demo>`") == f"see [this part]({url('sec-demo', 'chap/other')})"
    assert convert("in {numref}`fig-demo`") == f"in [Fig. 3]({url('fig-demo')})"
    assert convert("{numref}`Figure %s <fig-demo>`") == f"[Figure 3]({url('fig-demo')})"
    assert convert("by {eq}`eq-demo`") == f"by [(2)]({url('equation-eq-demo')})"
    assert convert("the {doc}`other` page") == f"the [Other Page]({url(doc='chap/other')}) page"
    assert convert("`{ref}` in code stays") == "`{ref}` in code stays"


def test_figure_and_target():
    image = ce.file_url("chapters/en/chap/img/curve.png")
    assert image.endswith("/chapters/en/chap/img/curve.png") and image.startswith("https://")
    assert convert(FIGURE) == f"![A demo curve.]({image})\n\n**Fig. 3** A demo curve."
    assert convert("```{image} /pics/a.png\n:alt: An A\n```") == f"![An A]({ce.file_url('chapters/en/pics/a.png')})"


def test_math_and_glue():
    assert convert("$a$ and $$b$$ stay") == "$a$ and $$b$$ stay"
    assert convert("$$x = 1$$ (eq-demo)") == "$$x = 1 \\tag{2}$$"
    assert convert("accuracy {glue:text}`acc:.2f`") == "accuracy 0.83"


def test_chinese_words():
    zh = ce.convert_markdown(EXERCISE + "\n\n" + SOLUTION + "\n\n```{note}\n注意。\n```\n\n{numref}`fig-demo`",
                             make_ctx("zh"))
    assert "### 练习 7" in zh and "<summary>提示</summary>" in zh and "<summary>解答</summary>" in zh
    assert "> **备注**" in zh and f"[图 3]({url('fig-demo', lang='zh')})" in zh


def test_unknown_constructs_are_errors():
    for text in ("{foo}`x`", "```{mystery}\nx\n```", "{ref}`no-such-label`", "{cite:p}`nobody1900`",
                 "{doc}`missing`", ":::\nx\n:::"):
        with pytest.raises(ConversionError):
            convert(text)


def test_book_url():
    assert ce.derive_book_url(None, "https://github.com/CnnBook/modern-cnn-book") == \
        "https://cnnbook.github.io/modern-cnn-book/"
    assert ce.derive_book_url(None, "https://github.com/cnnbook/cnnbook.github.io") == "https://cnnbook.github.io/"
    assert ce.derive_book_url("https://example.org/book", "https://github.com/a/b") == "https://example.org/book/"
