"""Sphinx extension of the bilingual book (loaded through `sphinx: local_extensions` in _config.yml).

* HTML: every page gets a link to the same page in the other language(s) (a bar at the top of
  the article, plus ``<link rel="alternate" hreflang=...>``).  The languages are built side by side
  into ``_build/html/<lang>/``, so the link is the relative URL ``../<other>/<pagename>.html``.
* LaTeX (and every other non-HTML builder): the Colab badge of each notebook (a remote SVG that
  LaTeX cannot include, and that would need the network) becomes a plain text link, and the
  summary of a foldable ``<details>`` hint becomes a bold "Hint:" label before its text.
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

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

__version__ = "0.1.0"

COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
SOURCE_SUFFIXES = (".md", ".ipynb", ".rst")
SPECIAL_PAGES = {"search", "genindex"}
SUMMARY_RE = re.compile(r"<summary>(.*?)</summary>", re.S)

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
        if is_html:
            return
        # <details><summary>Hint</summary> ... </details> (the exercises' foldable hints) is raw
        # HTML that LaTeX drops: keep its summary as a bold label, so a printed hint stays marked.
        for raw in list(self.document.findall(nodes.raw)):
            if "html" in raw.get("format", "").split():
                summary = SUMMARY_RE.search(raw.astext())
                if summary:
                    label = html.unescape(re.sub(r"<[^>]+>", "", summary.group(1))).strip()
                    raw.replace_self(nodes.paragraph("", "", nodes.strong(text=f"{label}:")))
        label = OPEN_IN_COLAB.get(self.config.cnnbook_language, OPEN_IN_COLAB["en"])
        for image in list(self.document.findall(nodes.image)):
            if image.get("uri", "").startswith(COLAB_BADGE):
                image.replace_self(nodes.Text(label))


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


def setup(app: Sphinx):
    app.add_config_value("cnnbook_language", "en", "env")
    # [{"code": "en", "label": "English", "hreflang": "en", "srcdir": "/abs/chapters/en"}, ...]
    app.add_config_value("cnnbook_languages", [], "env")
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", on_html_page_context)
    app.add_post_transform(NonHtmlOutputs)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
