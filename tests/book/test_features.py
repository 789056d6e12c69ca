"""The book's teaching features on a fixture book (tests/book/fixtures/, never part of the real
book): numbered exercises with folded hints and solutions that a teacher can hide
(--solutions hide, `make html/pdf SOLUTIONS=hide`), citations with a bibliography per page,
numbered figure captions from myst-nb cell metadata, the Colab set-up cell left out and the Colab
badge served with the book.  Built with the real configuration and extension, in both languages,
with solutions shown and hidden."""
from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUILD, LANGS, ROOT
from pdfcheck import pdftotext

FIXTURES = ROOT / "tests" / "book" / "fixtures"
WORDS = {
    "en": {"exercise": "Exercise", "hint": "Hint", "solution": "Solution to Exercise {n}",
           "figure": "Fig. 1", "references": "References"},
    "zh": {"exercise": "练习", "hint": "提示", "solution": "练习 {n} 的解答", "figure": "图 1",
           "references": "参考文献"},
}
CAPTION = {"en": "A parabola, the fixture’s numbered figure.", "zh": "一条抛物线：样例页中带编号的图。"}


@functools.cache
def _build(solutions: str) -> Path:
    """HTML and PDF of the fixture book -> _build/fixture-<solutions>/{html,artifacts/pdf}."""
    out = BUILD / f"fixture-{solutions}"
    cmd = [sys.executable, str(ROOT / "scripts" / "build_book.py"), "all", "--chapters",
           str(FIXTURES), "--toc", str(FIXTURES / "_toc.yml"), "--build", str(out),
           "--artifacts", str(out / "artifacts"), "--solutions", solutions]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"fixture book ({solutions}) failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-3000:]}",
                    pytrace=False)
    return out


def _html(solutions: str, lang: str, doc: str = "features") -> str:
    text = (_build(solutions) / "html" / lang / f"{doc}.html").read_text(encoding="utf-8")
    return text[text.index("<article"):text.index("</article>")]


def _pdf_text(solutions: str, lang: str, name: str = "features") -> str:
    return pdftotext(_build(solutions) / "artifacts" / "pdf" / lang / f"{name}.pdf")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", LANGS)
def test_exercises_html(lang):
    words, page = WORDS[lang], _html("show", lang)
    numbers = re.findall(r'<span class="caption-number">' + words["exercise"] + r" (\d) </span>", page)
    assert numbers == ["1", "2"]
    # the hint is inside its exercise, folded (sphinx-togglebutton's .dropdown), titled
    for n, tag in ((1, "ONE"), (2, "TWO")):
        exercise = re.search(r'<div class="exercise admonition" id="fixture-ex-' + tag.lower()
                             + r'">(.*?)</section>', page, re.S).group(1)
        assert f"FIXTURE-EXERCISE-{tag}" in exercise
        assert re.search(r'<div class="dropdown admonition hint">\s*<p class="admonition-title">'
                         + words["hint"] + r"</p>\s*<p>FIXTURE-HINT-" + tag, exercise)
        solution = re.search(r'<div class="solution dropdown admonition"[^>]*>(.*?)</section>',
                             page, re.S | re.M)
        assert solution
    solutions = re.findall(r'<div class="solution dropdown admonition"[^>]*>\s*'
                           r'<p class="admonition-title">(.*?)</p>(.*?)</section>', page, re.S)
    assert len(solutions) == 2
    for n, (title, body) in enumerate(solutions, start=1):
        assert re.sub(r"<[^>]+>", "", title).strip() == words["solution"].format(n=n)
        assert f'href="#fixture-ex-{["one", "two"][n - 1]}"' in title
        assert f"FIXTURE-SOLUTION-{['ONE', 'TWO'][n - 1]}" in body and "print" in body


@pytest.mark.parametrize("lang", LANGS)
def test_exercises_pdf(lang):
    words, raw = WORDS[lang], _pdf_text("show", lang)
    text = _squash(raw)
    for n, tag in ((1, "ONE"), (2, "TWO")):
        # the numbered title, then the exercise's text on the next line
        assert re.search(f"{words['exercise']} {n}\n[^\n]*FIXTURE-EXERCISE-{tag}", raw), f"exercise {n}"
        # a printed hint keeps its title ("Hint"/"提示", after the admonition's icon)
        assert re.search(words["hint"] + f"FIXTURE-HINT-{tag}", text), f"hint {n} lost its title"
        assert _squash(words["solution"].format(n=n)) in text
        assert f"FIXTURE-SOLUTION-{tag}" in text


@pytest.mark.parametrize("lang", LANGS)
def test_solutions_hidden(lang):
    """--solutions hide (make html/pdf SOLUTIONS=hide): exercises and hints stay, solutions go."""
    page = _html("hide", lang)
    assert 'id="fixture-ex-one"' in page and "FIXTURE-HINT-ONE" in page
    assert "FIXTURE-SOLUTION" not in page and 'class="solution' not in page
    for name in ("features", "book"):
        text = _pdf_text("hide", lang, name)
        assert "FIXTURE-EXERCISE-TWO" in text and "FIXTURE-HINT-TWO" in text
        assert "FIXTURE-SOLUTION" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_numbered_figure(lang):
    """Cell metadata {"mystnb": {"figure": {"caption": ..., "name": ...}}} -> "Fig. 1"/"图 1"."""
    page = _html("show", lang)
    figure = re.search(r'<figure[^>]*id="fig-fixture-curve">(.*?)</figure>', page, re.S).group(1)
    assert "<img" in figure
    assert re.search(r'<span class="caption-number">' + re.escape(WORDS[lang]["figure"])
                     + r' </span><span class="caption-text">' + re.escape(CAPTION[lang]), figure)
    # {numref} in the text names the same number
    assert f'<span class="std std-numref">{WORDS[lang]["figure"]}</span>' in page
    text = _squash(_pdf_text("show", lang))
    assert _squash(WORDS[lang]["figure"]) + ":" + _squash(CAPTION[lang]) in text
    images = subprocess.run(["pdfimages", "-list", str(_build("show") / "artifacts" / "pdf" / lang
                                                       / "features.pdf")],
                            check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert len(images) >= 1


@pytest.mark.parametrize("lang", LANGS)
def test_citations_and_bibliography_per_page(lang):
    """{cite:p}/{cite:t} resolve to the page's own bibliography (two pages cite one work)."""
    for doc in ("features", "index"):
        page = _html("show", lang, doc)
        refs = page[page.index(f">{WORDS[lang]['references']}<"):]
        assert "Krizhevsky" in refs and 'class="citation"' in refs
        for target in re.findall(r'class="bibtex-citation"[^>]*>.*?href="([^"]+)"', page):
            assert target.startswith("#"), f"{lang}/{doc}: a citation links to {target}"
            assert f'id="{target[1:]}"' in refs
    page = _html("show", lang)
    assert "Hinton <em>et al.</em>" in page and "[<a" in page
    # PDF: each page's list under its own heading, not gathered at the end by Sphinx
    text = _pdf_text("show", lang, "features")
    refs = text[text.rindex(WORDS[lang]["references"]):]
    assert "[KSH12] Alex Krizhevsky" in refs and "[HSK+12] Geoffrey E. Hinton" in refs
    assert refs.count("ImageNet classification") == 1
    book = _pdf_text("show", lang, "book")
    assert book.count("[KSH12] Alex Krizhevsky") == 2 and book.count("[HSK+12] Geoffrey") == 1
    assert "Bibliography" not in book
    log = (_build("show") / "artifacts" / "pdf" / lang / "features.log").read_text(errors="replace")
    assert "has been referenced but does not exist" not in log


@pytest.mark.parametrize("lang", LANGS)
def test_colab_cell_and_badge(lang):
    page = _html("show", lang)
    assert "FIXTURE-COLAB-SETUP" not in page and "google.colab" not in page
    assert f'src="_static/colab-badge-{lang}.svg"' in page
    assert "colab-badge.svg" not in page
    assert (_build("show") / "html" / lang / "_static" / f"colab-badge-{lang}.svg").is_file()
    assert "FIXTURE-COLAB-SETUP" not in _pdf_text("show", lang)
