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
    for doc in sections:
        text = _page(html_dir, lang, doc)
        path = f"chapters/{lang}/{doc}.ipynb"
        colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path}"
        binder = f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/{path}"
        assert f'href="{colab}"' in text, "Colab launch button"
        assert f'href="{binder}"' in text, "Binder (JupyterLab) launch button"
        # the badge cell of the notebook points at the same place
        assert colab == badges.expected_badge_url(ROOT / path)
        assert "/blob/master/" not in text


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
