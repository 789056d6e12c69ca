"""Sphinx extension of the bilingual book (loaded through `sphinx: local_extensions` in _config.yml).

* HTML: every page gets a link to the same page in the other language(s) (a bar at the top of
  the article, plus ``<link rel="alternate" hreflang=...>``).  The languages are built side by side
  into ``_build/html/<lang>/``, so the link is the relative URL ``../<other>/<pagename>.html``.
* HTML: the Colab badge of each notebook (a remote SVG in the notebook, which Colab and Jupyter
  users load) is shown from the copy served with the book (``_static/colab-badge-<lang>.svg``),
  so that no page needs the network for an image.
* LaTeX (and every other non-HTML builder): the Colab badge becomes a plain text link; each
  page's bibliography (sphinxcontrib-bibtex) stays where the page puts it, under its
  "References" heading, instead of being gathered at the end of the book by Sphinx.
* ``{cnnbook-glossary}`` directive: the table of book/glossary.yml (English term, Chinese term,
  section where it first appears with a link to it, and in Chinese the rejected variants).
* Chinese: a solution's title reads "练习 1 的解答" (sphinx-exercise writes "解答 练习 1").
* Every builder: notebook code cells are highlighted as IPython (``!pip``, ``%time``), whatever
  the notebook's language_info says.
* Every builder: ANSI colour codes and carriage returns (tqdm progress bars, tracebacks) are
  removed from the stored outputs where they would otherwise break LaTeX (LaTeX builder) and
  carriage returns are collapsed the way a terminal would show them (all builders).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

__version__ = "0.1.0"

COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
SOURCE_SUFFIXES = (".md", ".ipynb", ".rst")
SPECIAL_PAGES = {"search", "genindex"}
LOCAL_BADGE = "_static/colab-badge-{lang}.svg"

OPEN_IN_COLAB = {"en": "Open in Colab", "zh": "在 Colab 中打开"}
READ_IN = {"en": "Read this page in", "zh": "阅读本页的其他语言版本："}


def collapse_carriage_returns(text: str) -> str:
    """What a terminal shows: on each line, only the text after the last carriage return."""
    if "\r" not in text:
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip("\r").split("\r")[-1] for line in lines)


def strip_ansi(text: str) -> str:
    return ANSI_RE.sub("", text)


def _other_languages(app: Sphinx):
    this = app.config.cnnbook_language
    return [lang for lang in app.config.cnnbook_languages if lang["code"] != this]


def _page_exists(lang: dict, pagename: str) -> bool:
    if pagename in SPECIAL_PAGES:
        return True
    src = Path(lang["srcdir"])
    return any((src / (pagename + suffix)).is_file() for suffix in SOURCE_SUFFIXES)


def language_links(app: Sphinx, pagename: str) -> list[dict]:
    """The other-language twins of `pagename` that exist, each with its relative URL."""
    up = "../" * (pagename.count("/") + 1)
    links = []
    for lang in _other_languages(app):
        if _page_exists(lang, pagename):
            links.append(dict(lang, href=f"{up}{lang['code']}/{pagename}.html"))
    return links


def on_html_page_context(app: Sphinx, pagename, templatename, context, doctree):
    if app.builder.format != "html" or not app.config.cnnbook_languages:
        return
    if doctree is None and pagename not in SPECIAL_PAGES:
        return
    links = language_links(app, pagename)
    context["cnnbook_language_links"] = links
    if not links:
        return
    this = app.config.cnnbook_language
    items = " ".join(
        f'<a class="cnnbook-lang-link reference external" href="{html.escape(link["href"])}" '
        f'hreflang="{link["hreflang"]}" lang="{link["hreflang"]}" data-lang="{link["code"]}">'
        f'{html.escape(link["label"])}</a>'
        for link in links
    )
    bar = (
        f'<div class="cnnbook-lang-switch" role="navigation" aria-label="language">'
        f'<span class="cnnbook-lang-label">{html.escape(READ_IN.get(this, READ_IN["en"]))}</span> '
        f"{items}</div>\n"
    )
    if "body" in context:
        context["body"] = bar + context["body"]
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{link["hreflang"]}" href="{html.escape(link["href"])}" />'
        for link in links
    )


class NonHtmlOutputs(SphinxPostTransform):
    """Colab badge -> text link, and outputs cleaned of ANSI codes, for non-HTML builders."""

    default_priority = 50  # before the remote-image downloader (priority 100)

    def run(self, **kwargs):
        is_html = self.app.builder.format == "html"
        for block in list(self.document.findall(nodes.literal_block)):
            # notebook code cells: IPython syntax (!pip, %pip, %%time) is valid there
            if block.get("language") in ("python", "python3") and _in_cell_input(block):
                block["language"] = "ipython3"
            text = block.astext()
            new = collapse_carriage_returns(text)
            if not is_html:
                new = strip_ansi(new)
                if block.get("language") in ("myst-ansi", "ansi"):
                    block["language"] = "none"
            if new != text:
                block.children = [nodes.Text(new)]
                block.rawsource = new
        lang = self.config.cnnbook_language
        label = OPEN_IN_COLAB.get(lang, OPEN_IN_COLAB["en"])
        badges = [image for image in self.document.findall(nodes.image)
                  if image.get("uri", "").startswith(COLAB_BADGE)]
        if is_html:
            # the copy served with the book, relative to this page
            page = self.app.builder.get_target_uri(self.env.docname)
            local = relative_uri(page, LOCAL_BADGE.format(lang=lang if lang in OPEN_IN_COLAB else "en"))
            for image in badges:
                image["uri"] = local
                image["candidates"] = {"*": local}
                image["alt"] = label
            return
        for image in badges:
            image.replace_self(nodes.Text(label))
        _bibliographies_in_place(self.document)


def _bibliographies_in_place(document) -> None:
    """LaTeX: each citation of a page's bibliography becomes a paragraph "[label] entry" with the
    citation's hyperlink target, where the bibliography directive put it.  (Sphinx's LaTeX
    builder would otherwise move every citation of the whole book into one list at its end,
    leaving each page's "References" heading empty.)"""
    for citation in list(document.findall(nodes.citation)):
        docname = citation.get("docname", "")
        # the anchor names sphinxcontrib-bibtex links citations to in LaTeX (\bibitem's)
        anchors = "".join(f"\\phantomsection\\hypertarget{{cite.{docname}:{cid}}}{{}}"
                          for cid in citation["ids"])
        para = nodes.paragraph(classes=["cnnbook-reference"])
        para += nodes.raw("", anchors, format="latex")
        label = citation.next_node(nodes.label)
        if label is not None:
            para += nodes.Text(f"[{label.astext()}] ")
        body = [child for child in citation.children if isinstance(child, nodes.paragraph)]
        for child in body[:1]:
            para += [grandchild.deepcopy() for grandchild in child.children]
        citation.replace_self(para)


class ChineseSolutionTitles(SphinxPostTransform):
    """Chinese: "解答 练习 1" (sphinx-exercise: "Solution to" + "Exercise 1") -> "练习 1 的解答"."""

    default_priority = 30  # after sphinx-exercise resolves the titles (21)

    def run(self, **kwargs):
        if self.config.cnnbook_language != "zh":
            return
        try:
            from sphinx_exercise.nodes import solution_node
        except ImportError:
            return
        for solution in self.document.findall(solution_node):
            title = solution.children[0] if solution.children else None
            if not isinstance(title, nodes.title) or len(title.children) != 2:
                continue
            text, ref = title.children
            if isinstance(text, nodes.Text) and text.astext().strip() == "解答":
                for child in ref.findall(nodes.Text):
                    child.parent.replace(child, nodes.Text(child.astext().lstrip()))
                    break
                title.children = []
                title += [ref, nodes.Text(" 的解答")]
                ref.parent = title
                solution["title"] = title.astext()


# A line break of the Markdown source between two Chinese characters, or after full-width
# punctuation, is not a space in Chinese; browsers render it as one ("训练在 若干").
_WIDE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019"
_VERBATIM = (nodes.literal_block, nodes.literal, nodes.raw, nodes.math, nodes.math_block, nodes.comment)


class ChineseLineBreaks(SphinxPostTransform):
    """Chinese pages: drop the source's line breaks inside Chinese prose (not in code or math)."""

    default_priority = 200

    def run(self, **kwargs):
        if self.config.cnnbook_language != "zh":
            return
        for block in list(self.document.findall(nodes.TextElement)):
            # outermost text blocks only: a paragraph's inline children are joined with it
            if isinstance(block, _VERBATIM) or any(isinstance(a, (nodes.TextElement, *_VERBATIM))
                                                    for a in _ancestors(block)):
                continue
            join_chinese_line_breaks(block)


_FULL_WIDTH_PUNCTUATION = "，。：；！？、（）《》“”‘’「」"


def join_chinese_line_breaks(block: nodes.Element) -> None:
    """Drop the line breaks inside Chinese text of ``block``, across its inline children (a line
    break is often a Text node of its own, or ends one); code and math inside it are left alone."""
    texts = [t for t in block.findall(nodes.Text)
             if not any(isinstance(a, _VERBATIM) for a in _ancestors(t, stop=block.parent))]
    whole = "".join(t.astext() for t in texts)
    if "\n" not in whole:
        return
    wide = re.compile(f"[{_WIDE}]")

    def dropped(i: int) -> bool:
        before, after = whole[i - 1] if i else "", whole[i + 1] if i + 1 < len(whole) else ""
        return whole[i] == "\n" and (before in _FULL_WIDTH_PUNCTUATION and before != ""
                                     or bool(wide.match(before)) and bool(wide.match(after)))

    position = 0
    for text in texts:
        value = text.astext()
        new = "".join(ch for k, ch in enumerate(value) if not dropped(position + k))
        position += len(value)
        if new != value:
            # by identity: Text nodes are strings, so parent.replace() would take the first equal one
            parent = text.parent
            index = next(i for i, child in enumerate(parent.children) if child is text)
            replacement = nodes.Text(new)
            replacement.parent = parent
            parent.children[index] = replacement


def _ancestors(node, stop=None):
    node = node.parent
    while node is not None and node is not stop:
        yield node
        node = node.parent


ALSO_TITLE = "另一个常见的名称（每一节在首次使用该术语时写作「X（也称Y）」，搜索任何一个名称都能找到这一节）："
WHY_TITLE = "本书与《动手学深度学习》中文版译法不同之处及原因："

GLOSSARY_HEADERS = {
    "en": ["English", "Chinese", "First appears in"],
    "zh": ["英文", "中文", "首次出现", "不用"],
}


def load_glossary(path: Path) -> list[dict]:
    """The entries of book/glossary.yml: en, zh, section, rejected (a list)."""
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of entries (- en: ..., zh: ..., section: ...)")
    for i, entry in enumerate(entries):
        missing = [key for key in ("en", "zh", "section") if not (entry or {}).get(key)]
        if missing:
            raise ValueError(f"{path}: entry {i + 1} ({entry}) lacks {', '.join(missing)}")
        entry.setdefault("rejected", [])
    return entries


def page_title(path: Path) -> str | None:
    """The first '# ' heading of a notebook or markdown file (also used by scripts/build_book.py)."""
    try:
        if path.suffix == ".ipynb":
            import json
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            texts = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in cells if c["cell_type"] == "markdown"]
        else:
            texts = [path.read_text(encoding="utf-8")]
    except (OSError, ValueError, KeyError):
        return None
    for text in texts:
        for line in text.splitlines():
            m = re.match(r"#\s+(.+?)\s*#*\s*$", line)
            if m:
                return m.group(1).strip()
    return None


def _source_title(env, docname: str) -> str | None:
    """The title of a page of this build, from its source."""
    return page_title(Path(env.doc2path(docname)))


class GlossaryTable(SphinxDirective):
    """``{cnnbook-glossary}``: book/glossary.yml as a table in the page's language, sorted by
    English term; each term links to the section (notebook) where it first appears.  Terms of a
    section that is not in the book yet are left out."""

    has_content = False

    def run(self):
        path = Path(self.config.cnnbook_glossary)
        self.env.note_dependency(str(path))
        try:
            entries = load_glossary(path)
        except (OSError, ValueError, yaml.YAMLError) as err:
            return [self.state.document.reporter.error(str(err), line=self.lineno)]
        lang = self.config.cnnbook_language
        headers = GLOSSARY_HEADERS.get(lang, GLOSSARY_HEADERS["en"])
        by_name = {}
        for docname in sorted(self.env.found_docs):
            by_name.setdefault(docname.rsplit("/", 1)[-1], docname)
        table = nodes.table(classes=["cnnbook-glossary"])
        tgroup = nodes.tgroup(cols=len(headers))
        table += tgroup
        for width in ([3, 2, 3, 2] if len(headers) == 4 else [4, 3, 4]):
            tgroup += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += self._row([nodes.Text(h) for h in headers])
        tgroup += head
        body = nodes.tbody()
        tgroup += body
        for entry in sorted(entries, key=lambda e: e["en"].casefold()):
            docname = by_name.get(entry["section"])
            if docname is None:
                # a section not written yet (tests/book/test_glossary.py names it)
                continue
            # the section's title as link text (also where the link cannot be made: a PDF
            # handout without that section)
            where = addnodes.pending_xref(
                "", nodes.inline(text=_source_title(self.env, docname) or entry["section"]),
                refdomain="std", reftype="doc", reftarget="/" + docname, refexplicit=True,
                refwarn=True, refdoc=self.env.docname)
            # Chinese text: class cnnbookzh (LaTeX \\DUrolecnnbookzh: a CJK font in the English PDF)
            cells = [nodes.Text(entry["en"]), nodes.inline(text=entry["zh"], classes=["cnnbookzh"]), where]
            if len(headers) == 4:
                cells.append(nodes.inline(text="、".join(entry["rejected"]), classes=["cnnbookzh"]))
            body += self._row(cells)
        # why the book departs from D2L's Chinese edition: notes under the table (a long text in a
        # cell would widen the printed table beyond the page)
        # Chinese page, under the table (a long text in a cell would widen the printed table beyond
        # the page): the other common names (``also``), and why the book departs from D2L-zh
        shown = [e for e in sorted(entries, key=lambda e: e["en"].casefold()) if e["section"] in by_name]
        if lang != "zh":
            return [table]
        result = [table]
        for title, lines in (
                (ALSO_TITLE, [f"{e['zh']}（{e['en']}）也称{'、'.join(e['also'])}" for e in shown if e.get("also")]),
                (WHY_TITLE, [f"{e['zh']}（{e['en']}）：{e['why']['zh']}" for e in shown if (e.get("why") or {}).get("zh")])):
            if lines:
                items = nodes.bullet_list()
                for line in lines:
                    item = nodes.list_item()
                    item += nodes.paragraph("", "", nodes.inline(text=line, classes=["cnnbookzh"]))
                    items += item
                result += [nodes.paragraph("", "", nodes.inline(text=title, classes=["cnnbookzh"])), items]
        return result

    @staticmethod
    def _row(contents) -> nodes.row:
        row = nodes.row()
        for content in contents:
            entry = nodes.entry()
            entry += nodes.paragraph("", "", content)
            row += entry
        return row


def _in_cell_input(node) -> bool:
    parent = node.parent
    while parent is not None:
        if "cell_input" in parent.get("classes", []):
            return True
        parent = parent.parent
    return False


def on_builder_inited(app: Sphinx):
    if app.builder.format == "html":
        static = Path(__file__).resolve().parents[2] / "_static"
        if static.is_dir() and str(static) not in map(str, app.config.html_static_path):
            app.config.html_static_path.append(str(static))
        app.add_css_file("cnnbook.css")


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def is_spent_widget(output: dict) -> bool:
    """A stored widget output that shows nothing without a kernel: a finished progress bar (its text
    form is empty).  Such an output would otherwise be rendered, and, in a cell whose figure has a
    caption and a name, wrapped as a second figure with the same name."""
    data = output.get("data", {})
    text = data.get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else text
    return output.get("output_type") == "display_data" and WIDGET_VIEW in data and not text.strip() \
        and set(data) <= {WIDGET_VIEW, "text/plain"}


def drop_spent_widgets(app: Sphinx, docname: str, source: list[str]) -> None:
    """source-read: leave finished progress bars out of a notebook's stored outputs (the notebook
    itself keeps them: nbval compares them, and in Jupyter they are the live bar)."""
    if not source or not source[0].lstrip().startswith("{") or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    import json
    notebook = json.loads(source[0])
    changed = False
    for cell in notebook.get("cells", []):
        outputs = cell.get("outputs")
        if outputs:
            kept = [o for o in outputs if not is_spent_widget(o)]
            if len(kept) != len(outputs):
                cell["outputs"], changed = kept, True
    if changed:
        source[0] = json.dumps(notebook, ensure_ascii=False)


def setup(app: Sphinx):
    app.add_config_value("cnnbook_language", "en", "env")
    # [{"code": "en", "label": "English", "hreflang": "en", "srcdir": "/abs/chapters/en"}, ...]
    app.add_config_value("cnnbook_languages", [], "env")
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", on_html_page_context)
    app.connect("source-read", drop_spent_widgets)
    app.add_post_transform(NonHtmlOutputs)
    app.add_post_transform(ChineseSolutionTitles)
    app.add_post_transform(ChineseLineBreaks)
    # absolute path of book/glossary.yml (set by scripts/build_book.py)
    app.add_config_value("cnnbook_glossary", "", "env")
    app.add_directive("cnnbook-glossary", GlossaryTable)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
