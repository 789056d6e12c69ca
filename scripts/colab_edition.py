#!/usr/bin/env python3
"""Write (default) or check (--check) the Colab edition of the book: colab/<lang>/<chapter>/<page>.ipynb.

Colab renders plain Markdown (and $math$), not MyST, so the book's notebooks show their directives
raw there.  The Colab edition of chapters/<lang>/<chapter>/<page>.ipynb is the same notebook with

* the same code cells (same source), without outputs, execution counts or execution timestamps:
  the reader runs them;
* markdown cells rewritten to plain Markdown:
  - {exercise} -> a "### Exercise 12" / "### 练习 12" heading and its text (the book's numbers:
    figures, exercises and equations are numbered through the whole book, in _toc.yml order);
  - {hint}, {solution} and any admonition with `:class: dropdown` -> a folded
    <details><summary>Hint</summary> ... </details> block (提示 / 解答 in Chinese);
  - other admonitions ({note}, {tip}, {warning}, ...) -> a blockquote starting with a bold label;
  - {cite:p}`key` -> "(Author, Year)", {cite:t}`key` -> "Author (Year)"; the cited works are
    listed under the page's "References" / "参考文献" heading (its {bibliography}), or in a cell
    appended at the end;
  - {ref}, {numref}, {eq}, {doc}, {term}, {download} -> text linked to the page of the HTML book
    (or the file in the repository) that holds the target;
  - {figure} / {image} -> ![caption](URL of the image in the repository) and the numbered caption;
    a code cell that makes a figure (`mystnb: figure:` metadata) is followed by a markdown cell
    with its numbered caption;
  - {glue} roles -> the value stored in the book's notebook; `(label)=` targets, `% comments`
    and `+++` block breaks are dropped; $...$ and $$...$$ stay (labelled equations get \\tag{n});
  - an unknown role or directive, or a label that the book does not define, is an error;
* cell 0 holds the Colab badge of the edition itself (scripts/add_colab_badges.py's URL scheme,
  repository: url/branch of /_config.yml) and a link to the page of the HTML book.

The HTML book's address is book_url(): `html: baseurl:` of /_config.yml if set, else the GitHub
Pages site of `repository: url` (https://<org>.github.io/<repo>/), holding en/ and zh/.

    python3 scripts/colab_edition.py          # write the editions and colab/README.md; remove stray files
    python3 scripts/colab_edition.py --check  # write nothing; name each missing, out-of-date or stray
                                              # file (exit status 1 if any)

The output is deterministic (sorted keys, one-space indentation): running it twice changes nothing.
"""
from __future__ import annotations

import argparse
import functools
import json
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

SCRIPTS = Path(__file__).resolve().parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from add_colab_badges import BADGE_RE, expected_badge, repository  # noqa: E402
from build_book import doc_title, source_path, toc_files  # noqa: E402

ROOT = SCRIPTS.parent
CHAPTERS = ROOT / "chapters"
OUT = ROOT / "colab"
BIBFILE = ROOT / "book" / "references.bib"
CONFIG = ROOT / "_config.yml"

# Every word the edition writes, per language (Sphinx's and sphinx-exercise's own zh_CN words).
WORDS = {
    "en": {
        "exercise": "Exercise", "hint": "Hint", "solution": "Solution", "references": "References",
        "figure": "Fig.", "note": "Note", "tip": "Tip", "important": "Important",
        "warning": "Warning", "caution": "Caution", "attention": "Attention", "danger": "Danger",
        "error": "Error", "seealso": "See also", "margin": "Note", "sidebar": "Note",
        "edition": "Colab edition of [this page of the book]({url}): run the cells to see their "
                   "outputs and figures.",
        "lab_references": "In the notebook a citation shows its key; the works cited on this page:",
    },
    "zh": {
        "exercise": "练习", "hint": "提示", "solution": "解答", "references": "参考文献",
        "figure": "图", "note": "备注", "tip": "小技巧", "important": "重要", "warning": "警告",
        "caution": "小心", "attention": "注意", "danger": "危险", "error": "错误", "seealso": "参见",
        "margin": "备注", "sidebar": "备注",
        "edition": "这是[本书这一页]({url})的 Colab 版：运行各单元即可看到输出和图。",
        "lab_references": "在笔记本中，引用显示为文献的键名；本节引用的文献：",
    },
}
ADMONITIONS = ("note", "tip", "hint", "important", "warning", "caution", "attention", "danger",
               "error", "seealso", "admonition", "margin", "sidebar", "dropdown")
BIBLIOGRAPHY_MARK = "\x00bibliography\x00"
# JupyterLab's MyST renderer (jupyterlab-myst) cannot read book/references.bib: it shows a citation
# as its key and the {bibliography} as nothing.  So each book notebook that cites has, right after
# its {bibliography} cell, a cell with this id listing the cited works by key; the book hides it
# (tag remove-cell), the Colab edition drops it (it lists the works itself), and this script
# writes it (lab_reference_cell).
LAB_REFERENCES_ID = "lab-references"
LAB_REFERENCES_COMMENT = ("<!-- Written by `make colab` (scripts/colab_edition.py): the works cited "
                          "on this page, for JupyterLab. The book hides this cell. -->")
README = """\
# Colab edition (generated: do not edit)

These notebooks are the book's notebooks (`chapters/<lang>/<chapter>/<page>.ipynb`) in plain
Markdown, which Colab renders, and without outputs: open one in Colab with its badge and run it.
Edit the book's notebooks, then regenerate this folder with `make colab`
(`python3 scripts/colab_edition.py`; `--check` lists what is out of date).

这些笔记本是本书笔记本（`chapters/<lang>/<chapter>/<page>.ipynb`）的 Colab 版：改写为 Colab 能显示的
普通 Markdown，且不含输出。请修改本书的笔记本，再用 `make colab` 重新生成本目录。
"""


class ConversionError(ValueError):
    """A construct the converter does not know, or a label the book does not define."""


# ---------------------------------------------------------------------------------------------
# the repository and the HTML book


@functools.lru_cache(maxsize=None)
def book_url() -> str:
    """The HTML book's root (the folder with en/ and zh/), ending in '/': the ONE place that
    decides it.  `html: baseurl:` of /_config.yml if set, else the GitHub Pages address of
    `repository: url` (https://github.com/<org>/<repo> -> https://<org>.github.io/<repo>/)."""
    cfg = yaml.safe_load(CONFIG.read_text(encoding="utf-8")) or {}
    return derive_book_url((cfg.get("html") or {}).get("baseurl"), repository()[0])


def derive_book_url(baseurl: str | None, repository_url: str) -> str:
    if baseurl:
        return baseurl.rstrip("/") + "/"
    url = repository_url.rstrip("/")
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?", url)
    if not m:
        raise ConversionError(f"_config.yml: cannot derive the HTML book's address from {url!r}: "
                              "set html: baseurl:")
    org, repo = m.group(1).lower(), m.group(2)
    return f"https://{org}.github.io/" + ("" if repo.lower() == f"{org}.github.io" else f"{repo}/")


def page_url(lang: str, doc: str, anchor: str | None = None) -> str:
    return f"{book_url()}{lang}/{doc}.html" + (f"#{anchor}" if anchor else "")


def file_url(repo_path: str) -> str:
    """A file of the repository as Colab can load it (images, downloads)."""
    url, branch = repository()
    slug = url.removeprefix("https://github.com/")
    return f"https://raw.githubusercontent.com/{slug}/{branch}/{repo_path}"


def make_id(label: str) -> str:
    """The HTML id Sphinx gives a figure's or section's label (docutils.nodes.make_id)."""
    from docutils.nodes import make_id as docutils_make_id
    return docutils_make_id(label)


# ---------------------------------------------------------------------------------------------
# MyST blocks: fences (code blocks and directives) and the text between them

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE_RE = re.compile(r"^\{(?P<name>[A-Za-z][\w:.+-]*)\}\s*(?P<arg>.*)$")
OPTION_RE = re.compile(r"^\s*:(?P<key>[\w-]+):(?:\s+(?P<value>.*?))?\s*$")
TARGET_RE = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
HEADING_RE = re.compile(r"^\s{0,3}(?P<level>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")


@dataclass
class Directive:
    name: str
    arg: str
    options: dict
    body: list[str]  # the lines after the options, without the leading blank lines
    indent: str


@dataclass
class Fence:
    lines: list[str]  # a code block, kept as it is


def _closes(line: str, fence: str) -> bool:
    s = line.strip()
    return len(s) >= len(fence) and set(s) == {fence[0]}


def parse_blocks(text: str) -> list[str | Fence | Directive]:
    """Split MyST markdown into text runs (str), code blocks (Fence) and directives (Directive).
    A fence closes at the first line made only of at least as many of its characters
    (CommonMark, and MyST's colon fences)."""
    lines = text.split("\n")
    blocks: list[str | Fence | Directive] = []
    run: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["info"]):
            run.append(lines[i])
            i += 1
            continue
        fence, indent = m["fence"], m["indent"]
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            j += 1
        inner = [line[len(indent):] if line.startswith(indent) else line.lstrip()
                 for line in lines[i + 1:j]]
        if run:
            blocks.append("\n".join(run))
            run = []
        d = DIRECTIVE_RE.match(m["info"].strip())
        if d:
            blocks.append(_directive(d["name"], d["arg"].strip(), inner, indent))
        elif fence[0] == ":":
            raise ConversionError(f"a colon fence without a directive: {lines[i]!r}")
        else:
            blocks.append(Fence(lines[i:j + 1]))
        i = j + 1
    if run:
        blocks.append("\n".join(run))
    return blocks


def _directive(name: str, arg: str, inner: list[str], indent: str) -> Directive:
    options: dict = {}
    k = 0
    if inner and inner[0].strip() == "---":  # YAML options block
        end = next((n for n in range(1, len(inner)) if inner[n].strip() == "---"), None)
        if end is None:
            raise ConversionError(f"{{{name}}}: unclosed --- options block")
        options = yaml.safe_load("\n".join(inner[1:end])) or {}
        k = end + 1
    else:
        while k < len(inner) and (m := OPTION_RE.match(inner[k])):
            options[m["key"]] = (m["value"] or "").strip()
            k += 1
    while k < len(inner) and not inner[k].strip():
        k += 1
    body = inner[k:]
    while body and not body[-1].strip():
        body = body[:-1]
    return Directive(name, arg, {str(key): str(v) for key, v in options.items()}, body, indent)


# the directives whose body is MyST markdown (walked for numbered things and converted)
MARKDOWN_BODIES = ("exercise", "solution", "figure", "glue:figure") + ADMONITIONS


def _first_paragraph(lines: list[str]) -> tuple[str, list[str]]:
    """A figure's caption (its body's first paragraph) and the rest (the legend)."""
    end = next((n for n, line in enumerate(lines) if not line.strip()), len(lines))
    rest = lines[end:]
    while rest and not rest[0].strip():
        rest = rest[1:]
    return " ".join(line.strip() for line in lines[:end]), rest


# ---------------------------------------------------------------------------------------------
# the book: pages, titles and numbered targets (exercises, figures, equations through the whole
# book in _toc.yml order, as Sphinx's numfig numbers them here: no section numbers), sections


@dataclass
class Target:
    kind: str  # exercise | figure | equation | section
    doc: str
    anchor: str
    number: int | None = None
    title: str = ""  # a figure's caption, a section's heading, an exercise's title


@dataclass
class Book:
    lang: str
    labels: dict[str, Target] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # docname -> page title
    exercise_numbers: dict[str, list] = field(default_factory=dict)  # docname -> [n | None, ...]

    def word(self, key: str) -> str:
        return WORDS[self.lang][key]


EQUATION_RE = re.compile(r"\$\$(?P<math>.+?)\$\$[ \t]*\((?P<label>[^()\s]+)\)", re.S)


def _walk(text: str) -> Iterator[tuple]:
    """The numbered things and targets of MyST markdown, in document order:
    ("exercise", label, title, numbered), ("figure", name, caption), ("equation", label),
    ("section", label, heading)."""
    for block in parse_blocks(text):
        if isinstance(block, str):
            lines = block.split("\n")
            for n, line in enumerate(lines):
                if t := TARGET_RE.match(line):
                    heading = next((h for h in (HEADING_RE.match(x) for x in lines[n + 1:]
                                                if x.strip() and not TARGET_RE.match(x)) if h), None)
                    yield ("section", t["label"], heading["title"] if heading else t["label"])
            for m in EQUATION_RE.finditer(block):
                yield ("equation", m["label"])
        elif isinstance(block, Directive):
            if block.name == "exercise":
                yield ("exercise", block.options.get("label"), block.arg, "nonumber" not in block.options)
            elif block.name in ("figure", "glue:figure") and block.options.get("name"):
                caption, _ = _first_paragraph(block.body)
                yield ("figure", block.options["name"], caption)
            elif block.name == "math" and block.options.get("label"):
                yield ("equation", block.options["label"])
            if block.name in MARKDOWN_BODIES:
                yield from _walk("\n".join(block.body))


def _cells(path: Path) -> list[dict]:
    if path.suffix == ".ipynb":
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):  # front matter
        text = text[text.find("\n---", 3) + 4:]
    return [{"cell_type": "markdown", "source": text}]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def source_text(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def mystnb_figure(cell: dict) -> dict | None:
    fig = (cell.get("metadata", {}).get("mystnb") or {}).get("figure")
    return fig if isinstance(fig, dict) else None


@functools.lru_cache(maxsize=None)
def load_book(lang: str) -> Book:
    """Titles and targets of every page of one language; pages outside _toc.yml come last."""
    book = Book(lang)
    docs = [d for d in toc_files() if source_path(CHAPTERS, lang, d)]
    extra = sorted(p.relative_to(CHAPTERS / lang).with_suffix("").as_posix()
                   for p in (CHAPTERS / lang).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    counters = {"exercise": 0, "figure": 0, "equation": 0}

    def number(kind: str) -> int:
        counters[kind] += 1
        return counters[kind]

    for doc in docs + [d for d in extra if d not in docs]:
        path = source_path(CHAPTERS, lang, doc)
        book.titles[doc] = doc_title(path)
        book.exercise_numbers[doc] = numbers = []
        for index, cell in enumerate(_cells(path)):
            events: list[tuple] = []
            if cell["cell_type"] == "code":
                fig = mystnb_figure(cell)
                if fig and fig.get("name"):
                    events = [("figure", fig["name"], fig.get("caption", ""))]
            elif cell["cell_type"] == "markdown":
                try:
                    events = list(_walk(source_text(cell)))
                except ConversionError as error:
                    raise ConversionError(f"{_shown(path)}, cell {index}: {error}") from None
            for event in events:
                kind, label = event[0], event[1]
                if kind == "exercise":
                    n = number("exercise") if event[3] else None
                    numbers.append(n)
                    target = Target("exercise", doc, label or "", n, event[2])
                elif kind == "figure":  # Sphinx numbers captioned figures only
                    target = Target("figure", doc, make_id(label), number("figure") if event[2] else None,
                                    event[2])
                elif kind == "equation":
                    target = Target("equation", doc, make_id(f"equation-{label}"), number("equation"))
                else:
                    target = Target("section", doc, make_id(label), None, event[2])
                if label:
                    if label in book.labels:
                        raise ConversionError(f"{lang}: label {label!r} defined twice "
                                              f"({book.labels[label].doc} and {doc})")
                    book.labels[label] = target
    return book


# ---------------------------------------------------------------------------------------------
# the bibliography


@functools.lru_cache(maxsize=None)
def _pybtex():
    """pybtex's unsrt style and its Markdown and plain-text backends (looking a plugin up scans
    every installed package's entry points: once is enough)."""
    from pybtex.plugin import find_plugin
    return (find_plugin("pybtex.style.formatting", "unsrt")(), find_plugin("pybtex.backends", "markdown")(),
            find_plugin("pybtex.backends", "text")())


class Bibliography:
    """book/references.bib: "Author, Year" labels (et al. from 3 authors; a/b/... for the same
    authors and year) and each work's entry in Markdown (pybtex's unsrt style, as the book)."""

    def __init__(self, text: str):
        from pybtex.database import parse_string
        self.data = parse_string(text, "bibtex")
        self.authors = {key: self._authors(entry) for key, entry in self.data.entries.items()}
        self.years = {key: entry.fields.get("year", "n.d.") for key, entry in self.data.entries.items()}
        groups: dict[tuple, list[str]] = {}
        for key in self.data.entries:
            groups.setdefault((self.authors[key], self.years[key]), []).append(key)
        for keys in groups.values():
            if len(keys) > 1:
                keys.sort(key=lambda k: (self._plain(self.data.entries[k].fields.get("title", "")), k))
                for letter, key in zip("abcdefghijklmnopqrstuvwxyz", keys):
                    self.years[key] += letter

    @classmethod
    @functools.lru_cache(maxsize=None)
    def of_book(cls) -> "Bibliography":
        return cls(BIBFILE.read_text(encoding="utf-8"))

    @staticmethod
    def _plain(latex: str) -> str:
        from pybtex.richtext import Text
        return Text.from_latex(latex).render(_pybtex()[2])

    def _authors(self, entry) -> str:
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [self._plain(" ".join(p.prelast_names + p.last_names)) for p in people]
        if not names:
            return self._plain(entry.fields.get("title", "Anonymous"))
        if len(names) == 1:
            return names[0]
        if len(names) == 2:
            return f"{names[0]} and {names[1]}"
        return f"{names[0]} et al."

    def check(self, key: str) -> None:
        if key not in self.data.entries:
            raise ConversionError(f"citation key {key!r} is not in book/references.bib")

    def label(self, key: str) -> str:
        return f"{self.authors[key]}, {self.years[key]}"

    @functools.lru_cache(maxsize=None)
    def entry(self, key: str) -> str:
        style, markdown, _ = _pybtex()
        formatted = next(iter(style.format_entries([self.data.entries[key]])))
        text = formatted.text.render(markdown).replace("\n", " ")
        return re.sub(r"\\([.()\-])", r"\1", text)  # escapes Markdown does not need inside a list item

    def references(self, keys) -> str:
        keys = sorted(set(keys), key=lambda k: (self.authors[k].lower(), self.years[k], k))
        return "\n".join(f"- **({self.label(k)})** {self.entry(k)}" for k in keys)


# ---------------------------------------------------------------------------------------------
# conversion of one page's markdown


@dataclass
class Context:
    """What converting one page needs: its language's book, the bibliography, the page, the
    glued values stored in the book's notebook; collects the cited keys."""
    book: Book
    bib: Bibliography
    doc: str
    glue: dict = field(default_factory=dict)
    cited: list = field(default_factory=list)
    exercises_seen: int = 0

    @property
    def lang(self) -> str:
        return self.book.lang

    def word(self, key: str) -> str:
        return self.book.word(key)

    def target(self, label: str, role: str) -> Target:
        if label not in self.book.labels:
            raise ConversionError(f"{self.lang}/{self.doc}: {{{role}}}`{label}`: no such label in the book")
        return self.book.labels[label]

    def link(self, text: str, target: Target) -> str:
        return f"[{_escape_link_text(text)}]({page_url(self.lang, target.doc, target.anchor or None)})"

    def repo_file(self, path: str) -> str:
        """A path of a figure/image/download, relative to the page (or /-absolute: to chapters/<lang>/)."""
        if re.match(r"[a-z]+://", path):
            return path
        if path.startswith("/"):
            rel = path.lstrip("/")
        else:
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(self.doc), path))
        return file_url(f"chapters/{self.lang}/{rel}")


def _escape_link_text(text: str) -> str:
    return re.sub(r"(?<!\\)([\[\]])", r"\\\1", text.replace("\n", " "))


ROLE_RE = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)(?P<content>.*?[^`])(?P=ticks)(?!`)"
                     r"|(?P<code>`+)", re.S)
EXPLICIT_RE = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


def convert_inline(text: str, ctx: Context) -> str:
    """Roles -> plain Markdown; code spans are left alone."""
    out, pos = [], 0
    while m := ROLE_RE.search(text, pos):
        out.append(text[pos:m.start()])
        if m["code"]:  # a code span: copy it to its closing run of backticks
            close = re.compile(r"(?<!`)" + m["code"] + r"(?!`)").search(text, m.end())
            end = close.end() if close else m.end()
            out.append(text[m.start():end])
            pos = end
            continue
        out.append(convert_role(m["name"], m["content"], ctx))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _split_explicit(content: str) -> tuple[str | None, str]:
    m = EXPLICIT_RE.match(content.strip())
    if m and m["text"]:
        return m["text"], m["target"].strip()
    return None, content.strip()


def _numbered(ctx: Context, target: Target, role: str, label: str) -> str:
    if target.number is None:
        raise ConversionError(f"{ctx.lang}/{ctx.doc}: {{{role}}}`{label}`: the target has no number")
    if target.kind == "exercise":
        return f"{ctx.word('exercise')} {target.number}"
    if target.kind == "figure":
        return f"{ctx.word('figure')} {target.number}"
    return f"({target.number})"


def convert_role(name: str, content: str, ctx: Context) -> str:
    if name == "cite" or name.startswith("cite:"):
        kind = name.partition(":")[2] or "p"
        keys = [k.strip() for k in content.split(",") if k.strip()]
        for key in keys:
            ctx.bib.check(key)
            if key not in ctx.cited:
                ctx.cited.append(key)
        bib = ctx.bib
        if kind in ("p", "ps", "alp", "alps"):
            inner = "; ".join(bib.label(k) for k in keys)
            return f"({inner})" if kind in ("p", "ps") else inner
        if kind in ("t", "ts", "text"):
            return "; ".join(f"{bib.authors[k]} ({bib.years[k]})" for k in keys)
        if kind in ("author", "authors"):
            return "; ".join(bib.authors[k] for k in keys)
        if kind == "year":
            return "; ".join(bib.years[k] for k in keys)
        raise ConversionError(f"{ctx.lang}/{ctx.doc}: unknown citation role {{{name}}}")
    if name in ("ref", "numref", "eq"):
        text, label = _split_explicit(content)
        target = ctx.target(label, name)
        if name == "ref":
            if text is None:
                text = (_numbered(ctx, target, name, label) if target.kind in ("exercise", "equation")
                        else convert_inline(target.title, ctx) if target.title
                        else _numbered(ctx, target, name, label))
        elif name == "numref":
            number = _numbered(ctx, target, name, label)
            if text is None:
                text = number
            else:
                text = (text.replace("%s", str(target.number)).replace("{number}", str(target.number))
                        .replace("{name}", target.title))
        else:
            text = text or _numbered(ctx, target, name, label)
        return ctx.link(text, target)
    if name == "doc":
        text, target = _split_explicit(content)
        target = re.sub(r"\.(ipynb|md)$", "", target)
        doc = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join(posixpath.dirname(ctx.doc), target))
        if doc not in ctx.book.titles:
            raise ConversionError(f"{ctx.lang}/{ctx.doc}: {{doc}}`{content}`: no such page in the book")
        return f"[{_escape_link_text(text or ctx.book.titles[doc])}]({page_url(ctx.lang, doc)})"
    if name == "term":
        text, term = _split_explicit(content)
        return f"[{_escape_link_text(text or term)}]({page_url(ctx.lang, 'glossary')})"
    if name == "download":
        text, path = _split_explicit(content)
        return f"[{_escape_link_text(text or posixpath.basename(path))}]({ctx.repo_file(path)})"
    if name == "math":
        return f"${content}$"
    if name in ("code", "literal", "samp", "file", "command", "program", "envvar"):
        return f"`{content}`"
    if name in ("sub", "sup", "kbd"):
        return f"<{name}>{content}</{name}>"
    if name in ("abbr", "dfn", "guilabel", "menuselection"):
        return content
    if name in ("glue", "glue:", "glue:any", "glue:text", "glue:md", "glue:math"):
        return _glue(name, content, ctx)
    raise ConversionError(f"{ctx.lang}/{ctx.doc}: unknown role {{{name}}}`{content}`")


def _glue(name: str, content: str, ctx: Context) -> str:
    key, _, fmt = content.strip().partition(":") if name == "glue:text" else (content.strip(), "", "")
    if key not in ctx.glue:
        raise ConversionError(f"{ctx.lang}/{ctx.doc}: {{{name}}}`{content}`: no output glued as {key!r}")
    data = ctx.glue[key]
    if name == "glue:md" and "text/markdown" in data:
        return data["text/markdown"]
    if name == "glue:math" and "text/latex" in data:
        return data["text/latex"]
    value = data.get("text/plain", "")
    if fmt:
        try:
            value = format(float(value), fmt)
        except ValueError:
            pass
    return value


def convert_markdown(text: str, ctx: Context) -> str:
    """One markdown cell of the book -> plain Markdown (see the module's docstring)."""
    return "\n".join(_convert_lines(text, ctx)).strip("\n")


def _convert_lines(text: str, ctx: Context) -> list[str]:
    out: list[str] = []
    for block in parse_blocks(text):
        if isinstance(block, Fence):
            out.extend(block.lines)
        elif isinstance(block, Directive):
            converted = _convert_directive(block, ctx)
            out.extend(block.indent + line if line else line for line in converted)
        else:
            kept = [line for line in block.split("\n")
                    if not TARGET_RE.match(line) and not line.startswith("%") and line.strip() != "+++"]
            chunk = EQUATION_RE.sub(lambda m: _tagged(m["math"], m["label"], ctx), "\n".join(kept))
            out.extend(convert_inline(chunk, ctx).split("\n"))
    return out


def _tagged(math: str, label: str, ctx: Context) -> str:
    target = ctx.target(label, "eq")
    return f"$${math.rstrip()} \\tag{{{target.number}}}$$"


def _body(directive: Directive, ctx: Context) -> list[str]:
    return _convert_lines("\n".join(directive.body), ctx)


def _details(summary: str, body: list[str]) -> list[str]:
    return [f"<details><summary>{summary}</summary>", "", *body, "", "</details>"]


def _quote(label: str, body: list[str]) -> list[str]:
    return [f"> **{label}**", ">", *[f"> {line}" if line.strip() else ">" for line in body]]


def _convert_directive(d: Directive, ctx: Context) -> list[str]:
    name = d.name
    if name == "exercise":
        number = ctx.book.exercise_numbers.get(ctx.doc, [])
        n = number[ctx.exercises_seen] if ctx.exercises_seen < len(number) else None
        ctx.exercises_seen += 1
        if d.options.get("label") and d.options["label"] in ctx.book.labels:
            n = ctx.book.labels[d.options["label"]].number
        heading = ctx.word("exercise") + (f" {n}" if n is not None else "")
        if d.arg:
            heading += f" ({convert_inline(d.arg, ctx)})"
        return [f"### {heading}", "", *_body(d, ctx)]
    if name == "solution":
        return _details(ctx.word("solution"), _body(d, ctx))
    if name in ADMONITIONS:
        if name in ("admonition", "dropdown"):
            label = convert_inline(d.arg, ctx) if d.arg else ctx.word("note")
            body = _body(d, ctx)
        else:
            label = ctx.word(name)
            body = _convert_lines("\n".join(([d.arg] if d.arg else []) + d.body), ctx)
        classes = d.options.get("class", "").split()
        if name in ("hint", "dropdown") or "dropdown" in classes:
            return _details(label, body)
        return _quote(label, body)
    if name in ("figure", "image", "glue:figure"):
        caption, legend = _first_paragraph(d.body) if name != "image" else ("", [])
        caption = convert_inline(caption, ctx)
        alt = d.options.get("alt") or re.sub(r"\s+", " ", caption)
        if name == "glue:figure":  # the figure is an output of a code cell: it appears when run
            out = [f"*({d.arg}: the output of the code above)*" if ctx.lang == "en"
                   else f"*（{d.arg}：上面代码的输出）*"]
        else:
            out = [f"![{_escape_link_text(alt)}]({ctx.repo_file(d.arg)})"]
        if caption:
            label = d.options.get("name")
            number = ctx.book.labels[label].number if label in ctx.book.labels else None
            out += ["", f"**{ctx.word('figure')} {number}** {caption}" if number else f"*{caption}*"]
        if legend:
            out += ["", *_convert_lines("\n".join(legend), ctx)]
        return out
    if name == "math":
        label = d.options.get("label")
        tag = f" \\tag{{{ctx.target(label, 'math').number}}}" if label else ""
        return ["$$", *d.body, *([tag.strip()] if tag else []), "$$"]
    if name in ("code-block", "code", "sourcecode", "code-cell"):
        ticks = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", "\n".join(d.body))), default=0))
        caption = d.options.get("caption")
        return ([f"**{convert_inline(caption, ctx)}**", ""] if caption else []) + \
            [f"{ticks}{d.arg.split()[0] if d.arg else ''}", *d.body, ticks]
    if name == "bibliography":
        return [BIBLIOGRAPHY_MARK]
    if name == "raw":
        if d.arg.strip() in ("html", "markdown"):
            return d.body
        return []
    if name in ("toctree", "tableofcontents"):
        return []
    raise ConversionError(f"{ctx.lang}/{ctx.doc}: unknown directive {{{name}}}")


# ---------------------------------------------------------------------------------------------
# notebooks


def glued_outputs(nb: dict) -> dict:
    """myst-nb's glue(): the outputs with metadata scrapbook.name, by name."""
    out = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            name = (output.get("metadata") or {}).get("scrapbook", {}).get("name")
            if name:
                out[name] = {k: source_text({"source": v}) for k, v in output.get("data", {}).items()}
    return out


def edition_path(notebook: Path) -> Path:
    return OUT / notebook.resolve().relative_to(CHAPTERS)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _cell_id(base: str | None, suffix: str) -> str:
    return (f"{base}-{suffix}" if base else suffix)[:64]


def convert_notebook(notebook: Path) -> dict:
    """The Colab edition of one of the book's notebooks (a notebook dict)."""
    notebook = notebook.resolve()
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    ctx = page_context(notebook, nb)
    cells = []
    for index, cell in enumerate(nb["cells"]):
        kind = cell["cell_type"]
        if cell.get("id") == LAB_REFERENCES_ID:
            continue
        if kind == "code":
            metadata = {k: v for k, v in cell.get("metadata", {}).items()
                        if k not in ("execution", "ExecuteTime", "collapsed", "scrolled", "figures")}
            cells.append({"cell_type": "code", "execution_count": None, "metadata": metadata,
                          "outputs": [], "source": cell["source"],
                          **({"id": cell["id"]} if "id" in cell else {})})
            text = figure_caption(cell, ctx)
            if text:
                cells.append(_markdown_cell(text, _cell_id(cell.get("id"), "caption"), nb))
            continue
        if kind != "markdown":
            cells.append(cell)
            continue
        try:
            text = convert_markdown(source_text(cell), ctx)
        except ConversionError as error:
            raise ConversionError(f"{_shown(notebook)}, cell {index}: {error}") from None
        if index == 0:
            text = _badge(text, notebook, ctx)
        cells.append({**{k: v for k, v in cell.items() if k != "attachments"}, "source": _lines(text)})
    references = ctx.bib.references(ctx.cited) if ctx.cited else ""
    marked = False
    for cell in cells:
        if cell["cell_type"] == "markdown" and BIBLIOGRAPHY_MARK in source_text(cell):
            cell["source"] = _lines(source_text(cell).replace(BIBLIOGRAPHY_MARK, references).rstrip("\n"))
            marked = True
    if references and not marked:
        cells.append(_markdown_cell(f"## {ctx.word('references')}\n\n{references}", "references", nb))
    metadata = {k: v for k, v in nb.get("metadata", {}).items() if k in ("kernelspec", "language_info")}
    return {"cells": cells, "metadata": metadata, "nbformat": nb["nbformat"],
            "nbformat_minor": nb["nbformat_minor"]}


def figure_caption(cell: dict, ctx: Context) -> str | None:
    """The numbered caption of a code cell's figure (myst-nb's `mystnb: figure:` metadata), in
    plain Markdown, or None."""
    fig = mystnb_figure(cell)
    if not fig or not fig.get("caption"):
        return None
    target = ctx.book.labels.get(fig.get("name", ""))
    caption = convert_inline(fig["caption"], ctx)
    return f"**{ctx.word('figure')} {target.number}** {caption}" if target and target.number else f"*{caption}*"


def page_context(notebook: Path, nb: dict) -> Context:
    """What converting the markdown of one of the book's notebooks needs."""
    notebook = notebook.resolve()
    lang, *_ = notebook.relative_to(CHAPTERS).parts
    doc = notebook.relative_to(CHAPTERS / lang).with_suffix("").as_posix()
    return Context(load_book(lang), Bibliography.of_book(), doc, glued_outputs(nb))


def lab_reference_cell(notebook: Path) -> dict | None:
    """The cell listing a notebook's cited works by key, for JupyterLab (None: nothing cited)."""
    notebook = notebook.resolve()
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    ctx = page_context(notebook, nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown" and cell.get("id") != LAB_REFERENCES_ID:
            convert_markdown(source_text(cell), ctx)
    if not ctx.cited:
        return None
    bib = ctx.bib
    keys = sorted(set(ctx.cited), key=lambda k: (bib.authors[k].lower(), bib.years[k], k))
    items = "\n".join(f"- `{key}`: {bib.entry(key)}" for key in keys)
    text = f"{LAB_REFERENCES_COMMENT}\n\n{ctx.word('lab_references')}\n\n{items}"
    return {"cell_type": "markdown", "id": LAB_REFERENCES_ID, "metadata": {"tags": ["remove-cell"]},
            "source": _lines(text)}


def _bibliography_index(nb: dict) -> int | None:
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown" and "{bibliography}" in source_text(cell):
            return index
    return None


def with_lab_references(notebook: Path) -> str:
    """The notebook's text with its JupyterLab reference cell as it should be."""
    import nbformat
    nb = nbformat.read(notebook, as_version=4)
    old = [c for c in nb.cells if c.get("id") == LAB_REFERENCES_ID]
    nb.cells = [c for c in nb.cells if c.get("id") != LAB_REFERENCES_ID]
    cell = lab_reference_cell(notebook)
    at = _bibliography_index(nb)
    if cell is not None:
        if at is None:
            raise ConversionError(f"{_shown(notebook)} cites works but has no {{bibliography}} cell")
        if old:  # keep what other tools store in its metadata (the translation stamp)
            cell["metadata"] = {**old[0].metadata, **cell["metadata"]}
        nb.cells.insert(at + 1, nbformat.from_dict(cell))
    return nbformat.writes(nb) + "\n"


def _markdown_cell(text: str, cell_id: str, nb: dict) -> dict:
    cell = {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}
    if (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5):
        cell["id"] = cell_id
    return cell


def _badge(text: str, notebook: Path, ctx: Context) -> str:
    """Cell 0: the badge of the edition itself, and under it the link to the book's page."""
    badge = expected_badge(edition_path(notebook))
    note = ctx.word("edition").format(url=page_url(ctx.lang, ctx.doc))
    if BADGE_RE.search(text):
        return BADGE_RE.sub(lambda m: f"{badge}\n\n{note}", text, count=1)
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
    lines[at + 1:at + 1] = ["", badge, "", note]
    return "\n".join(lines)


def dumps(nb: dict) -> str:
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def source_notebooks() -> list[Path]:
    return sorted(p for p in CHAPTERS.glob("*/*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def expected_files() -> dict[Path, str]:
    """Every file colab/ should hold, with its content."""
    files = {OUT / "README.md": README}
    for notebook in source_notebooks():
        files[edition_path(notebook)] = dumps(convert_notebook(notebook))
    return files


def lab_reference_problems() -> list[str]:
    return [f"{p.relative_to(ROOT)}: its JupyterLab reference cell ({LAB_REFERENCES_ID}) is out of date"
            for p in source_notebooks() if p.read_text(encoding="utf-8") != with_lab_references(p)]


def present_files() -> list[Path]:
    if not OUT.is_dir():
        return []
    return sorted(p for p in OUT.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts)


def check() -> list[str]:
    """The problems of colab/ (empty list: up to date)."""
    problems = []
    expected = expected_files()
    for path, text in expected.items():
        rel = path.relative_to(ROOT)
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{rel}: out of date")
    problems += [f"{p.relative_to(ROOT)}: stray file (no notebook in chapters/ makes it)"
                 for p in present_files() if p not in expected]
    return problems + lab_reference_problems()


def write() -> list[str]:
    """Write every edition that changed, remove stray files; the changes made."""
    changes = []
    for notebook in source_notebooks():
        text = with_lab_references(notebook)
        if notebook.read_text(encoding="utf-8") != text:
            notebook.write_text(text, encoding="utf-8")
            changes.append(f"wrote the JupyterLab reference cell of {notebook.relative_to(ROOT)}")
    expected = expected_files()
    for path, text in expected.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changes.append(f"wrote {path.relative_to(ROOT)}")
    for path in present_files():
        if path not in expected:
            path.unlink()
            changes.append(f"removed {path.relative_to(ROOT)}")
    for folder in sorted((p for p in OUT.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return changes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit status 1 if an edition is missing, out of date or stray")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check()
            for problem in problems:
                print(problem)
            print(f"{len(source_notebooks())} notebooks, {len(problems)} problems"
                  + (" (fix: make colab)" if problems else ""))
            return 1 if problems else 0
        changes = write()
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for change in changes:
        print(change)
    print(f"{len(source_notebooks())} notebooks, {len(changes)} files changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
