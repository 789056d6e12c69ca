"""Slideshow metadata (scripts/slides.py): every notebook has it, as `--mark` writes it, the same
in both languages; a notebook without it is refused with the fix."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import slides

REPO = Path(__file__).resolve().parents[1]
ALL = slides.notebooks([])


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(REPO)))
def test_slideshow_metadata_in_order(path):
    assert slides.check([path]) == []
    notebook = json.loads(path.read_text(encoding="utf-8"))
    kinds = slides.stored_types(notebook)
    assert kinds[0] == "slide"
    lo, hi = slides.SLIDES_RANGE
    shown = sum(kind in ("slide", "subslide") for kind in kinds)
    assert lo <= shown <= hi, f"{shown} slides: a lecture has {lo} to {hi}"
    assert notebook["metadata"]["rise"]["scroll"] is True


@pytest.mark.parametrize("path", [p for p in ALL if "/en/" in str(p)], ids=lambda p: str(p.relative_to(REPO)))
def test_both_languages_have_the_same_slides(path):
    twin = REPO / "chapters" / "zh" / path.relative_to(REPO / "chapters" / "en")
    english, chinese = (json.loads(p.read_text(encoding="utf-8")) for p in (path, twin))
    assert slides.stored_types(english) == slides.stored_types(chinese)


def test_a_notebook_without_metadata_is_refused_with_the_fix(tmp_path):
    source = REPO / "chapters" / "en" / "resnet" / "summary.ipynb"
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        cell["metadata"].pop("slideshow", None)
    bare = tmp_path / "summary.ipynb"
    bare.write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(slides.SlidesError, match=r"summary\.ipynb has no slideshow metadata: add it with "
                                                  r"`python3 scripts/slides\.py --mark .*summary\.ipynb`"):
        slides.deck_notebook(bare)
