"""The sources of the book, both languages: toc, mirrored notebooks, Colab badge and set-up cell."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import LANGS, ROOT
import build_book
import add_colab_badges as badges

NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)


def _cells(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_toc_files_exist_in_every_language():
    files = build_book.toc_files()
    assert files[0] == "index" and len(files) >= 3
    missing = [f"chapters/{lang}/{doc}" for doc in files for lang in LANGS
               if build_book.source_path(ROOT / "chapters", lang, doc) is None]
    assert not missing, f"in _toc.yml but missing: {missing}"


def test_every_source_is_in_the_toc():
    listed = set(build_book.toc_files())
    for lang in LANGS:
        src = ROOT / "chapters" / lang
        docs = {p.relative_to(src).with_suffix("").as_posix()
                for p in list(src.rglob("*.ipynb")) + list(src.rglob("*.md"))
                if ".ipynb_checkpoints" not in p.parts}
        assert docs - listed == set(), f"chapters/{lang}: not in _toc.yml: {docs - listed}"


def test_handout_names_unique():
    names = [build_book.handout_name(d) for d in build_book.toc_sections()]
    assert len(names) == len(set(names)) and "book" not in names


def test_alexnet_is_there():
    for lang in LANGS:
        assert (ROOT / "chapters" / lang / "modern_cnn" / "alexnet.ipynb").is_file()
    assert "modern_cnn/alexnet" in build_book.toc_sections()


@pytest.mark.parametrize("en", [p for p in NOTEBOOKS if p.relative_to(ROOT / "chapters").parts[0] == "en"],
                         ids=lambda p: p.relative_to(ROOT / "chapters" / "en").as_posix())
def test_notebooks_mirror_cell_for_cell(en):
    zh = ROOT / "chapters" / "zh" / en.relative_to(ROOT / "chapters" / "en")
    assert zh.is_file(), f"no Chinese twin {zh}"
    a, b = _cells(en), _cells(zh)
    assert [c["cell_type"] for c in a] == [c["cell_type"] for c in b], "cells differ"


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_badge_and_colab_setup_cell(nb):
    assert badges.check(nb) == []


def test_badge_and_setup_derive_from_the_one_repository_setting(config):
    repo = config["repository"]
    assert repo["url"] == "https://github.com/cnnbook/modern-cnn-book"
    assert repo["branch"] == "main"
    nb = ROOT / "chapters" / "en" / "modern_cnn" / "alexnet.ipynb"
    assert badges.expected_badge_url(nb) == (
        "https://colab.research.google.com/github/cnnbook/modern-cnn-book/blob/main/"
        "chapters/en/modern_cnn/alexnet.ipynb")
    assert badges.expected_pip_spec() == (
        "cnnbook @ git+https://github.com/cnnbook/modern-cnn-book@main#subdirectory=code")
    # launch buttons on: Colab and Binder (JupyterLab)
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["launch_buttons"]["binderhub_url"]
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"


def test_badge_checker_catches_a_wrong_badge(tmp_path, monkeypatch):
    nb = ROOT / "chapters" / "en" / "modern_cnn" / "alexnet.ipynb"
    data = json.loads(nb.read_text(encoding="utf-8"))
    src = "".join(data["cells"][0]["source"]).replace("/blob/main/", "/blob/master/")
    data["cells"][0]["source"] = src
    data["cells"][1]["source"] = "".join(data["cells"][1]["source"]).replace("@main#", "@dev#")
    fake = tmp_path / "alexnet.ipynb"
    fake.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(badges, "repo_path", lambda p: "chapters/en/modern_cnn/alexnet.ipynb")
    problems = badges.check(fake)
    assert any("badge" in p for p in problems) and any("ref 'dev'" in p for p in problems)
    assert badges.fix(fake) and badges.check(fake) == []
    assert len(json.loads(fake.read_text(encoding="utf-8"))["cells"]) == len(data["cells"])


def test_package_version_is_the_books():
    import cnnbook
    assert cnnbook.__version__ == badges.package_version()


def test_language_configs():
    en, zh = build_book.lang_overrides("en"), build_book.lang_overrides("zh")
    assert en["sphinx"]["config"]["language"] == "en"
    assert zh["sphinx"]["config"]["language"] == "zh_CN"
    import jieba  # noqa: F401  (without it Sphinx indexes no Chinese word)
    for kind, (family, *_styles) in zh["cjk_fonts"].items():
        assert family.endswith(" SC"), f"{kind}: {family} is not a Simplified Chinese face"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_missing_glyph_warnings_in_stored_outputs(nb):
    """matplotlib warns 'Glyph ... missing from font(s)' when a figure lacks a CJK font."""
    for cell in _cells(nb):
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            assert not re.search(r"[Gg]lyph .* missing from", text), text[:300]
