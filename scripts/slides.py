#!/usr/bin/env python3
"""Slide decks from the book's notebooks: live in JupyterLab (RISE), offline reveal.js decks and PDFs.

Every notebook carries Jupyter's standard slideshow metadata (``"slideshow": {"slide_type": ...}``
on each cell), the same in both languages.  JupyterLab's "Render as slideshow" (jupyterlab-rise,
installed by ``make install``) shows the notebook as a lecture from it, its code cells running
live.  ``make slides`` builds from the stored outputs, for each section and language,

    artifacts/slides/<lang>/<section>.html   a reveal.js deck that loads nothing from the internet
                                             (reveal.js from book/slides/reveal.js, MathJax from
                                             sphinx-mathjax-offline, both copied beside the decks)
    artifacts/slides/<lang>/<section>.pdf    the deck printed by headless Chromium (?print-pdf)

The deck shows a cell's markdown as the Colab edition writes it (plain Markdown: exercises as
headings, hints and solutions folded, citations as "(Author, Year)"), cut into a slide per ## or
### heading: the heading and its first block on the slide (and the block a lead-in ending with
":" introduces), the rest in the speaker notes.  The title slide holds the title and the learning
goals.  A code slide is titled by its section; code longer than 10 lines (4 beside a figure) is
folded under its output.  A deck keeps at most 30 slides: sub-headings become notes first, then
short printouts and source listings go.

How the metadata is chosen (``--mark``, which rewrites it; ``make check`` fails when a notebook's
metadata differs from what ``--mark`` would write, or between the two languages):

* the title cell is the title slide, the learning goals stay on it;
* a markdown cell with a ``## `` heading opens a slide, one with only ``### `` a sub-slide; the
  prose between headings becomes speaker notes;
* a code cell that shows a figure, a table or the package's source is a sub-slide (it runs live),
  and so is a short printout that the prose before it leads into (ending with ":"); the set-up,
  the imports and the other code cells are skipped in the slideshow (run them first: Run All),
  as are the references;
* the first two exercises are sub-slides, the others skipped;
* a page that would give more than 30 slides turns its last sub-headings into notes.

    python3 scripts/slides.py                      # every deck (make slides); --pdf: and the PDFs
    python3 scripts/slides.py chapters/en/modern_cnn/vgg.ipynb --pdf
    python3 scripts/slides.py --mark NOTEBOOK...   # write the slideshow metadata
    python3 scripts/slides.py --check              # exit status 1 if some metadata is missing or stale
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))
import colab_edition  # noqa: E402

ROOT = SCRIPTS.parent
CHAPTERS = ROOT / "chapters"
OUT = ROOT / "artifacts" / "slides"
TEMPLATES = ROOT / "book" / "slides"
REVEAL = TEMPLATES / "reveal.js"
SLIDES_RANGE = (8, 30)  # a lecture: at least 8 slides, at most 30
EXERCISES_SHOWN = 2
FOLD_LINES, FOLD_LINES_WITH_FIGURE = 10, 4  # code longer than this is folded on its slide
PRINTED_LINES_WITH_FIGURE = 3  # a figure's longer printout goes to the speaker notes
PRINTOUT_LINES = 15  # a printout this short gets a slide when the prose leads into it
CODE_LABEL = {"en": "Code ({lines} lines)", "zh": "代码（{lines} 行）"}
EXERCISE_HEADING = r"(Exercise|练习) \d+"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SKIP_IDS = {colab_edition.LAB_REFERENCES_ID}
GOALS = re.compile(r"^\*\*(Learning goals\.|学习目标。)\*\*", re.M)


class SlidesError(ValueError):
    """A notebook the decks cannot be made from, and what to do about it."""


# ---------------------------------------------------------------------------------------------
# the slideshow metadata


def _text(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def _has_figure_table_or_source(cell) -> bool:
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or "text/markdown" in data or "text/html" in data:
            return True
    return False


def _short_printout(cell) -> bool:
    """A short cell that prints a few lines (a shape trace, a check): worth a slide when the prose
    leads into it."""
    printed = "".join(o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
                      for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return bool(printed.strip()) and len(printed.splitlines()) <= PRINTOUT_LINES \
        and len(_text(cell).splitlines()) <= FOLD_LINES


def _headings(text: str) -> list[tuple[int, str]]:
    """(level, title) of the ## and ### headings of a markdown text, outside code blocks."""
    found, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{2,3} ", line):
            found.append((len(line) - len(line.lstrip("#")), line.lstrip("#").strip()))
    return found


def _leads_in(text: str) -> bool:
    return text.rstrip().endswith((":", "："))


def slide_types(notebook) -> list[str]:
    """The slide type of each cell (Jupyter's values: slide, subslide, fragment, skip, notes, -)."""
    types, exercises, in_references, previous, sub_headings = [], 0, False, "", []
    for index, cell in enumerate(notebook["cells"]):
        text = _text(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        if index == 0:
            kind = "slide"
        elif cell.get("id") in SKIP_IDS or "remove-cell" in tags:
            kind = "skip"
        elif cell["cell_type"] == "markdown":
            headings = _headings(text)
            fences = len(re.findall(r"^:{3,}\{exercise\}", text, re.M))
            if any(level == 2 and "{bibliography}" in text for level, _ in headings) or in_references:
                in_references, kind = True, "skip"
            elif fences and not any(level == 2 for level, _ in headings):
                exercises += fences
                kind = "subslide" if exercises - fences < EXERCISES_SHOWN else "skip"
            elif any(level == 2 for level, _ in headings):
                exercises += fences
                kind = "slide"
            elif headings:
                kind = "subslide"
                sub_headings.append(index)
            elif index < 5 and GOALS.search(text):
                kind = "-"  # the learning goals, on the title slide
            else:
                kind = "notes"
            previous = text
        elif cell["cell_type"] == "code":
            if _has_figure_table_or_source(cell) or (_leads_in(previous) and _short_printout(cell)):
                kind = "subslide"
            else:
                kind = "skip"
        else:
            kind = "skip"
        types.append(kind)
    while sum(kind in ("slide", "subslide") for kind in types) > SLIDES_RANGE[1] and sub_headings:
        types[sub_headings.pop()] = "notes"  # a long page: its last sub-headings become notes
    return types


def stored_types(notebook) -> list[str | None]:
    return [cell.get("metadata", {}).get("slideshow", {}).get("slide_type") for cell in notebook["cells"]]


def mark(path: Path) -> bool:
    """Write the slideshow metadata of ``path`` (and RISE's settings); True if it changed."""
    notebook = nbformat.read(path, as_version=4)
    before = nbformat.writes(notebook)
    for cell, kind in zip(notebook.cells, slide_types(notebook)):
        cell.metadata["slideshow"] = {"slide_type": kind}
    # RISE: a long slide scrolls instead of overflowing; the same size as the offline decks
    notebook.metadata["rise"] = {"scroll": True, "width": 1280, "height": 720, "enable_chalkboard": False}
    after = nbformat.writes(notebook)
    if after != before:
        nbformat.write(notebook, path)
    return after != before


def check(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if stored_types(notebook) != slide_types(notebook):
            problems.append(f"{_shown(path)}: slideshow metadata missing or out of date "
                            f"(fix: python3 scripts/slides.py --mark {_shown(path)})")
    return problems


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# ---------------------------------------------------------------------------------------------
# the deck


def _blocks(text: str) -> list[str]:
    """Paragraphs, lists and code blocks of a markdown text (a blank line inside a fenced code
    block or a <details> block does not split it)."""
    blocks, current, fenced, depth = [], [], False, 0
    for line in text.strip().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        depth += line.count("<details") - line.count("</details>")
        if not line.strip() and not fenced and depth <= 0 and current:
            blocks.append("\n".join(current))
            current = []
        elif line.strip() or current:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _segments(text: str) -> list[str]:
    """The text cut before every ## and ### heading (outside code blocks)."""
    parts, current, fenced = [], [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{2,3} ", line) and current:
            parts.append("\n".join(current))
            current = []
        current.append(line)
    parts.append("\n".join(current))
    return [part for part in parts if part.strip()]


def _shown_and_notes(blocks: list[str], count: int = 2) -> tuple[str, str]:
    """The first ``count`` blocks on the slide (and the next one after a lead-in ending with ':'),
    the others in the speaker notes."""
    shown = blocks[:count]
    while len(shown) < len(blocks) and _leads_in(shown[-1]):
        shown = blocks[:len(shown) + 1]
    return "\n\n".join(shown), "\n\n".join(blocks[len(shown):])


def _join_chinese_lines(text: str) -> str:
    """The line breaks of the Chinese source between two Chinese characters are not spaces (the
    book drops them the same way), nor is a space after full-width punctuation."""
    cjk = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
    text = re.sub(f"(?<=[{cjk}])\n(?=[{cjk}])", "", text)
    return re.sub(r"([。：；，！？）]) +(?=[^\s*])", r"\1", text)


def deck_notebook(path: Path) -> dict:
    """The notebook a deck is made from: the stored outputs, the Colab edition's markdown, cut into
    a slide per heading (the heading and its first block on the slide, the rest in the speaker
    notes), the first exercises, code slides titled by their section, widgets as text."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    types = stored_types(notebook)
    if not any(types):
        raise SlidesError(f"{_shown(path)} has no slideshow metadata: add it with "
                          f"`python3 scripts/slides.py --mark {_shown(path)}` (see CONTRIBUTING.md, 'Slides')")
    ctx = colab_edition.page_context(path, notebook)
    lang = path.resolve().relative_to(CHAPTERS).parts[0]
    cells: list[dict] = []
    section, exercises = "", 0

    def markdown(text: str, kind: str) -> None:
        cells.append({"cell_type": "markdown", "id": f"deck-{len(cells)}",
                      "metadata": {"slideshow": {"slide_type": kind}}, "source": text})

    def notes(text: str) -> None:
        if text.strip():
            markdown(text, "notes")

    for index, (cell, kind) in enumerate(zip(notebook["cells"], types)):
        kind = kind or "-"
        if kind == "skip":
            continue
        cell = copy.deepcopy(cell)
        if cell["cell_type"] == "markdown":
            text = colab_edition.convert_markdown(_text(cell), ctx)
            if lang == "zh":
                text = _join_chinese_lines(text)
            if index == 0:  # the title and the learning goals; the Colab badge is not for a lecture
                blocks = [b for b in _blocks(text) if "colab" not in b.lower()]
                at = next((i for i, b in enumerate(blocks) if GOALS.match(b)), None)
                shown = [blocks[0], *(blocks[at:at + 2] if at is not None else [])]
                markdown("\n\n".join(shown), "slide")
                notes("\n\n".join(b for b in blocks[1:] if b not in shown))
                continue
            if kind == "-":  # learning goals in a later cell: on the title slide
                blocks = _blocks(text)
                at = next((i for i, b in enumerate(blocks) if GOALS.match(b)), 0)
                markdown("\n\n".join(blocks[at:at + 2]), "-")
                notes("\n\n".join(blocks[:at] + blocks[at + 2:]))
                continue
            segments = _segments(text)
            merged: list[str] = []
            for segment in segments:  # a heading alone is joined to the sub-heading under it
                if merged and len(_blocks(merged[-1])) == 1 and re.match(r"## ", merged[-1]) \
                        and segment.startswith("### "):
                    merged[-1] += "\n\n" + segment
                else:
                    merged.append(segment)
            for segment in merged:
                blocks = _blocks(segment)
                heading = re.match(r"(#{2,3}) (.*)", blocks[0])
                if heading is None and index < 5 and GOALS.search(segment):  # goals: on the title slide
                    at = next(i for i, b in enumerate(blocks) if GOALS.match(b))
                    markdown("\n\n".join(blocks[at:at + 2]), "-")
                    notes("\n\n".join(blocks[:at] + blocks[at + 2:]))
                    continue
                if heading is None:
                    notes(segment)
                    continue
                if re.match(EXERCISE_HEADING, heading.group(2)):
                    exercises += 1
                    if exercises <= EXERCISES_SHOWN:
                        markdown(segment, "subslide")
                    continue
                if heading.group(1) == "##":
                    section = heading.group(2)
                shown, rest = _shown_and_notes(blocks, 3 if len(blocks) > 1 and blocks[1].startswith("### ") else 2)
                markdown(shown, "slide" if heading.group(1) == "##" else "subslide")
                if heading.group(1) == "###":
                    cells[-1]["metadata"]["cnnbook_trim"] = 1  # the first to go from a long deck
                notes(rest)
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            data.pop("application/vnd.jupyter.widget-view+json", None)
            if "image/png" in data:  # the figure, not its text form
                data.pop("text/plain", None)
            if "text/markdown" in data or "text/html" in data:
                data.pop("text/latex", None)
        lines = len(_text(cell).splitlines())
        has_image = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        printed = "".join("".join(o.get("text", "")) for o in cell.get("outputs", [])
                          if o.get("output_type") == "stream")
        moved = ""
        if has_image and len(printed.splitlines()) > PRINTED_LINES_WITH_FIGURE:  # the figure fills the slide
            cell["outputs"] = [o for o in cell["outputs"] if o.get("output_type") != "stream"]
            moved = "```text\n" + printed.rstrip("\n") + "\n```"
        if lines > FOLD_LINES or (has_image and lines > FOLD_LINES_WITH_FIGURE):
            cell["metadata"]["cnnbook_deck"] = {"fold": True}
        trim = 2 if not _has_figure_table_or_source(cell) else 3 if not has_image and \
            not any("text/markdown" in o.get("data", {}) for o in cell.get("outputs", [])) else None
        if kind in ("slide", "subslide") and section:  # the slide's title: its section
            markdown(f'<p class="cnnbook-section">{html.escape(section)}</p>', kind)
            if trim:
                cells[-1]["metadata"]["cnnbook_trim"] = trim
            kind = "-"
        elif trim and kind in ("slide", "subslide"):
            cell["metadata"]["cnnbook_trim"] = trim
        cells.append(_with_type(cell, kind))
        caption = colab_edition.figure_caption(cell, ctx)
        if caption:
            markdown(_join_chinese_lines(caption) if lang == "zh" else caption, "-")
        if moved:
            notes(moved)
    cells = _trim(cells)
    title = re.sub(r"^#\s*", "", _text(notebook["cells"][0]).splitlines()[0]).strip()
    metadata = {k: v for k, v in notebook["metadata"].items() if k != "widgets"}
    return {**notebook, "cells": cells, "metadata": {**metadata, "title": title}}


def _trim(cells: list[dict]) -> list[dict]:
    """At most SLIDES_RANGE[1] slides: sub-heading slides become speaker notes first, then the
    slides of short printouts go, then those of source listings (each with its title line)."""
    def count() -> int:
        return sum(c["metadata"]["slideshow"]["slide_type"] in ("slide", "subslide") for c in cells)

    for level in (1, 2, 3):
        while count() > SLIDES_RANGE[1]:
            at = next((i for i in range(len(cells) - 1, -1, -1)
                       if cells[i]["metadata"].get("cnnbook_trim") == level), None)
            if at is None:
                break
            if level == 1:
                cells[at]["metadata"]["slideshow"]["slide_type"] = "notes"
                cells[at]["metadata"].pop("cnnbook_trim")
                continue
            end = at + 1  # the slide's other cells: its code, its caption
            while end < len(cells) and cells[end]["metadata"]["slideshow"]["slide_type"] == "-":
                end += 1
            del cells[at:end]
    return cells


def _with_type(cell: dict, kind: str) -> dict:
    cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
    return cell


def _mathjax_dir() -> Path:
    """MathJax as sphinx-mathjax-offline ships it (the package the book's HTML uses)."""
    import importlib
    try:
        package = importlib.import_module("sphinx-mathjax-offline")
    except ImportError:
        raise SlidesError("MathJax not found: install sphinx-mathjax-offline (make install)") from None
    return Path(package.__file__).parent / "static" / "mathjax"


def copy_assets(out: Path) -> None:
    """reveal.js and MathJax beside the decks (a deck folder works without internet)."""
    shutil.copytree(REVEAL, out / "reveal.js", dirs_exist_ok=True)
    shutil.copytree(_mathjax_dir(), out / "mathjax", dirs_exist_ok=True)


def build(path: Path, out: Path = OUT) -> Path:
    from nbconvert import SlidesExporter

    path = path.resolve()
    lang = path.relative_to(CHAPTERS).parts[0]
    exporter = SlidesExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="cnnbook-reveal",
                              language_code=lang,  # ISO 639-1: en, zh
                              reveal_url_prefix="../reveal.js", reveal_theme="white",
                              reveal_transition="none", exclude_input_prompt=True,
                              exclude_output_prompt=True)
    notebook = nbformat.reads(json.dumps(deck_notebook(path)), as_version=4)
    html, _ = exporter.from_notebook_node(notebook, resources={
        "cnnbook_assets": "..", "cnnbook_code_label": CODE_LABEL[lang]})
    target = out / lang / f"{path.stem}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


def count_slides(html: str) -> int:
    """The number of horizontal and vertical slides (<section> elements without child sections)."""
    return len(re.findall(r"<section(?![^>]*>\s*<section)", html))


def chromium():
    """Headless Chromium (selenium), to print decks."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--allow-file-access-from-files", "--window-size=1280,720"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def print_pdf(deck: Path, driver=None) -> Path:
    """The deck printed to PDF by headless Chromium (reveal.js's print view, ``?print-pdf``), once
    reveal.js has laid out its pages and MathJax has typeset the math."""
    import base64
    from selenium.webdriver.support.ui import WebDriverWait

    own = driver is None
    if own:
        driver = chromium()
    try:
        driver.get(deck.resolve().as_uri() + "?print-pdf")
        WebDriverWait(driver, 120).until(lambda d: d.execute_script(
            "return typeof Reveal !== 'undefined' && Reveal.isReady() && !!(window.MathJax && MathJax.startup"
            " && MathJax.startup.promise) && document.querySelectorAll('.pdf-page').length > 0"),
            message=f"{deck}: reveal.js did not lay out its print view")
        driver.execute_async_script("MathJax.startup.promise.then(() => arguments[arguments.length - 1]())")
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
    finally:
        if own:
            driver.quit()
    target = deck.with_suffix(".pdf")
    target.write_bytes(base64.b64decode(pdf["data"]))
    return target


def notebooks(paths: list[Path]) -> list[Path]:
    return [p.resolve() for p in paths] if paths else colab_edition.source_notebooks()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--mark", action="store_true", help="write the slideshow metadata")
    mode.add_argument("--check", action="store_true", help="exit 1 if metadata is missing or out of date")
    parser.add_argument("--pdf", action="store_true", help="also print each deck to PDF")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    paths = notebooks(args.notebooks)
    if args.mark:
        changed = [p for p in paths if mark(p)]
        print(f"{len(paths)} notebooks, {len(changed)} marked")
        return 0
    if args.check:
        problems = check(paths)
        print("\n".join(problems) or f"{len(paths)} notebooks: slideshow metadata in order")
        return 1 if problems else 0
    start = time.perf_counter()
    copy_assets(args.out)
    driver = chromium() if args.pdf else None
    try:
        for path in paths:
            try:
                deck = build(path, args.out)
            except SlidesError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            line = f"{_shown(deck)}: {count_slides(deck.read_text(encoding='utf-8'))} slides"
            if args.pdf:
                line += f", {_shown(print_pdf(deck, driver))}"
            print(line)
    finally:
        if driver is not None:
            driver.quit()
    print(f"{len(paths)} decks in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
