"""The built HTML site, read as files: pages, language links, launch buttons, search index."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import LANGS, ROOT
import add_colab_badges as badges
import build_book

OTHER = {"en": "zh", "zh": "en"}


def _page(html_dir: Path, lang: str, doc: str) -> str:
    path = html_dir / lang / f"{doc}.html"
    assert path.is_file(), f"not built: {path}"
    return path.read_text(encoding="utf-8")


def test_root_index_chooses_a_language(html_dir):
    text = (html_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="en/index.html"' in text and 'href="zh/index.html"' in text
    assert "中文" in text and "English" in text


@pytest.mark.parametrize("lang", LANGS)
def test_every_toc_page_built_with_its_language(html_dir, lang):
    for doc in build_book.toc_files():
        text = _page(html_dir, lang, doc)
        expected = {"en": 'lang="en"', "zh": 'lang="zh-CN"'}[lang]
        assert f"<html {expected}" in text
    assert not (html_dir / "jupyter_execute").exists()


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_links_to_its_twin(html_dir, lang):
    for doc in build_book.toc_files():
        text = _page(html_dir, lang, doc)
        hrefs = re.findall(r'<a class="cnnbook-lang-link[^"]*" href="([^"]+)"', text)
        assert len(hrefs) == 1, f"{lang}/{doc}: language links {hrefs}"
        target = ((html_dir / lang / doc).parent / hrefs[0]).resolve()
        assert target == (html_dir / OTHER[lang] / f"{doc}.html").resolve(), hrefs[0]
        assert target.is_file()


@pytest.mark.parametrize("lang", LANGS)
def test_launch_buttons_and_badge_from_the_repository_setting(html_dir, lang, config, sections):
    url, branch = config["repository"]["url"], config["repository"]["branch"]
    slug = url.removeprefix("https://github.com/")
    for doc in _notebook_sections(lang, sections):
        text = _page(html_dir, lang, doc)
        path = f"chapters/{lang}/{doc}.ipynb"
        colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path}"
        binder = f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/{path}"
        assert f'href="{colab}"' in text, "Colab launch button"
        assert f'href="{binder}"' in text, "Binder (JupyterLab) launch button"
        # the badge cell of the notebook points at the same place
        assert colab == badges.expected_badge_url(ROOT / path)
        assert "/blob/master/" not in text


def _notebook_sections(lang: str, sections: list[str]) -> list[str]:
    return [doc for doc in sections
            if build_book.source_path(ROOT / "chapters", lang, doc).suffix == ".ipynb"]


def _html_pages(html_dir: Path, lang: str) -> list[Path]:
    return sorted(p for p in (html_dir / lang).rglob("*.html") if "_static" not in p.parts)


@pytest.mark.parametrize("lang", LANGS)
def test_no_remote_images(html_dir, lang):
    """Every image is served with the book (the Colab badge included): pages work offline."""
    for page in _html_pages(html_dir, lang):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<img[^>]+src="((?:https?:)?//[^"]+)"', text)
        assert not remote, f"{page.relative_to(html_dir)}: remote images {remote}"


@pytest.mark.parametrize("lang", LANGS)
def test_colab_badge_served_with_the_book(html_dir, lang, sections):
    for doc in _notebook_sections(lang, sections):
        text = _page(html_dir, lang, doc)
        srcs = re.findall(r'<img alt="([^"]*)" src="([^"]*colab-badge[^"]*)"', text)
        assert len(srcs) == 1, f"{lang}/{doc}: Colab badge images {srcs}"
        alt, src = srcs[0]
        assert alt == {"en": "Open in Colab", "zh": "在 Colab 中打开"}[lang]
        badge = ((html_dir / lang / doc).parent / src).resolve()
        assert badge == (html_dir / lang / "_static" / f"colab-badge-{lang}.svg").resolve()
        svg = badge.read_text(encoding="utf-8")
        assert alt in svg and "<svg" in svg and "http" not in svg.replace("http://www.w3.org", "")


@pytest.mark.parametrize("lang", LANGS)
def test_colab_setup_cell_left_out(html_dir, lang, sections):
    """The set-up cell (tag remove-cell) stays in the notebook, not in the book."""
    for doc in _notebook_sections(lang, sections):
        nb = json.loads((ROOT / "chapters" / lang / f"{doc}.ipynb").read_text(encoding="utf-8"))
        assert "google.colab" in "".join(nb["cells"][1]["source"]), "the notebook keeps it"
        text = _page(html_dir, lang, doc)
        assert "google.colab" not in text and "pip install" not in text, f"{lang}/{doc}"


@pytest.mark.parametrize("lang", LANGS)
def test_lab_reference_cell_left_out(html_dir, lang, sections):
    """The cell listing the cited works by key for JupyterLab (tag remove-cell) is not in the
    book, which has its own bibliography."""
    checked = 0
    for doc in _notebook_sections(lang, sections):
        nb = json.loads((ROOT / "chapters" / lang / f"{doc}.ipynb").read_text(encoding="utf-8"))
        cell = next((c for c in nb["cells"] if c.get("id") == "lab-references"), None)
        if cell is None:
            continue
        sentence = "".join(cell["source"]).split("\n\n")[1]
        assert sentence not in _page(html_dir, lang, doc), f"{lang}/{doc}"
        checked += 1
    assert checked >= 10, checked


@pytest.mark.parametrize("lang", LANGS)
def test_exercises_of_every_section(html_dir, lang, sections):
    """Every {exercise} of a notebook is numbered in its page, with its hints folded and its
    solution present (folded); none is lost by a typo in the colon fences."""
    for doc in _notebook_sections(lang, sections):
        nb = json.loads((ROOT / "chapters" / lang / f"{doc}.ipynb").read_text(encoding="utf-8"))
        source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        exercises = len(re.findall(r"^:{3,}\{exercise\}", source, re.M))
        solutions = len(re.findall(r"^:{3,}\{solution\}", source, re.M))
        hints = len(re.findall(r"^:{3,}\{hint\}", source, re.M))
        text = _page(html_dir, lang, doc)
        word = {"en": "Exercise", "zh": "练习"}[lang]
        numbers = re.findall(r'<span class="caption-number">' + word + r' ([\d.]+) </span>', text)
        # numbered within the section, like the figures (the toc is numbered): "Exercise 1.4.2" is
        # the second exercise of section 1.4; each page shows all of its own, consecutively from 1,
        # none lost to a typo in the fences.
        section = re.search(r'<h1><span class="section-number">([\d.]+?)\.? </span>', text).group(1)
        assert numbers == [f"{section}.{i}" for i in range(1, exercises + 1)], f"{lang}/{doc}: {numbers}"
        assert text.count('class="dropdown admonition hint"') == hints
        assert len(re.findall(r'class="solution dropdown admonition"', text)) == solutions


def test_glossary_page(html_dir):
    """book/glossary.yml as a table in each language, each term linked to its first section."""
    from cnnbook_sphinx import load_glossary
    written = {d.rsplit("/", 1)[-1] for d in build_book.toc_files()}
    entries = [e for e in load_glossary(ROOT / "book" / "glossary.yml") if e["section"] in written]
    assert entries
    for lang in LANGS:
        text = _page(html_dir, lang, "glossary")
        table = text[text.index('<table class="cnnbook-glossary'):text.index("</table>")]
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
        header, rows = rows[0], rows[1:]
        assert len(rows) == len(entries)
        if lang == "zh":
            assert "不用" in header and "中文" in header
        else:
            assert "English" in header and "不用" not in header
        for entry in entries:
            row = next((r for r in rows if f"<p>{entry['en']}</p>" in r), None)
            assert row is not None, f"{lang}: no row for {entry['en']!r}"
            assert f">{entry['zh']}</span></p>" in row
            if lang == "zh" and entry.get("also"):   # listed under the table
                assert f"{entry['zh']}（{entry['en']}）也称{'、'.join(entry['also'])}" in text
            doc = next(d for d in build_book.toc_files() if d.rsplit("/", 1)[-1] == entry["section"])
            href = re.search(r'href="([^"#]+)"', row).group(1)
            assert ((html_dir / lang / "glossary.html").parent / href).resolve() == (
                html_dir / lang / f"{doc}.html").resolve()
            if lang == "zh":
                for variant in entry["rejected"]:
                    assert variant in row


def _search_index(html_dir: Path, lang: str) -> dict:
    text = (html_dir / lang / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def test_search_index_has_chinese_words(html_dir):
    index = _search_index(html_dir, "zh")
    terms = set(index["terms"]) | set(index["titleterms"])
    assert "卷积" in terms, "Chinese words are not indexed (is jieba installed?)"
    alexnet = index["docnames"].index("modern_cnn/alexnet")
    hits = _docs(index["terms"].get("卷积", [])) + _docs(index["titleterms"].get("卷积", []))
    assert alexnet in hits, "卷积 does not lead to the AlexNet page"


def _docs(value) -> list[int]:
    return [value] if isinstance(value, int) else list(value)


def test_search_index_english(html_dir):
    index = _search_index(html_dir, "en")
    assert "alexnet" in index["titleterms"] or "alexnet" in index["terms"]


@pytest.mark.parametrize("lang", LANGS)
def test_math_is_rendered_markup(html_dir, lang):
    text = _page(html_dir, lang, "modern_cnn/alexnet")
    assert 'class="math' in text, "no math in the AlexNet page"
    assert "mathjax" in text.lower()


def test_chinese_prose_has_no_line_breaks_inside_it(html_dir, sections):
    """A source line break between two Chinese characters (or after full-width punctuation) is
    dropped by the build: a browser would show it as a space ("训练在 若干")."""
    for doc in _notebook_sections("zh", sections):
        paragraphs = re.findall(r"<p>(.*?)</p>", _page(html_dir, "zh", doc), re.S)
        broken = [p for p in paragraphs if re.search(r"[\u4e00-\u9fff]\n[\u4e00-\u9fff]|[，。：；！？、（）]\n",
                                                    re.sub(r"<[^>]+>", "\0", p))]  # a break next to a tag is the HTML's
        assert not broken, f"zh/{doc}: {broken[0][:200]!r}"


def stored_tables(lang: str, doc: str) -> list[list[str]]:
    """The header cells of each table (``cnnbook.tables.Table``) a page's stored outputs show."""
    nb = build_book.source_path(ROOT / "chapters", lang, doc)
    if nb.suffix != ".ipynb":
        return []
    tables = []
    for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            markdown = "".join(output.get("data", {}).get("text/markdown", ""))
            if markdown.startswith("|"):
                header = markdown.splitlines()[0].strip().strip("|")
                tables.append([re.sub(r"\\(.)", r"\1", h.strip()) for h in re.split(r"(?<!\\)\|", header)])
    return tables


@pytest.mark.parametrize("lang", LANGS)
def test_tables_render_as_tables(html_dir, lang, sections):
    """Every table a page shows is an HTML table with its headers (in the page's language), not
    text in a code block."""
    import html as html_module
    counted = 0
    for doc in sections:
        text = _page(html_dir, lang, doc)
        quotes = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")  # the HTML writer's smart quotes
        heads = [re.sub(r"<[^>]+>", "", html_module.unescape(head)).strip().translate(quotes)
                 for head in re.findall(r"<th class=\"head[^\"]*\">(.*?)</th>", text, re.S)]
        for headers in stored_tables(lang, doc):
            counted += 1
            position = next((i for i in range(len(heads)) if heads[i:i + len(headers)] == headers), None)
            assert position is not None, f"{lang}/{doc}: no HTML table with the headers {headers}"
    assert counted >= 30, f"only {counted} tables found in the {lang} pages"
