"""book/glossary.yml, the bilingual glossary: well-formed, and each term used where it first
appears.  (The glossary page itself is tested with the built book, test_html.py / test_pdf.py;
that no Chinese notebook uses a rejected variant is the translations check's.)"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import LANGS, ROOT
from cnnbook_sphinx import load_glossary

GLOSSARY = ROOT / "book" / "glossary.yml"
ENTRIES = load_glossary(GLOSSARY)


def _notebook(lang: str, section: str, chapters: Path = ROOT / "chapters") -> Path | None:
    found = [p for p in (chapters / lang).rglob(f"{section}.ipynb")
             if ".ipynb_checkpoints" not in p.parts]
    return found[0] if len(found) == 1 else None


def _text(notebook: Path) -> str:
    """The notebook's markdown and code, whitespace runs made single spaces (a term may be broken
    over two lines of markdown)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in cells if c["cell_type"] in ("markdown", "code"))
    return re.sub(r"\s+", " ", text)


def english_form(term: str) -> str:
    """'convolution kernel (filter)' -> 'convolution kernel'."""
    return re.sub(r"\s*\([^)]*\)", "", term).strip()


def term_in_english(term: str, text: str) -> bool:
    """Case-insensitive; a hyphen and a space are the same ('max-pooling', 'max pooling')."""
    def norm(s):
        return re.sub(r"[\s-]+", " ", s.casefold())
    return norm(english_form(term)) in norm(text)


def term_in_chinese(term: str, text: str) -> bool:
    return re.sub(r"\s+", "", term) in re.sub(r"\s+", "", text)


def test_entries_complete():
    assert len(ENTRIES) >= 10
    for entry in ENTRIES:
        assert {"en", "zh", "section", "rejected"} <= set(entry) <= {"en", "zh", "section", "rejected", "also", "why"}, entry
        assert isinstance(entry["rejected"], list), entry
        # the other common name, given once per page as 「也称X」 (scripts/translations.py checks the pages)
        assert isinstance(entry.get("also", []), list) and entry["zh"] not in entry.get("also", []), entry
        # why the book departs from D2L's Chinese edition, in both languages
        assert set(entry.get("why", {"en": "", "zh": ""})) == {"en", "zh"}, entry
        assert all(isinstance(entry[k], str) and entry[k].strip() == entry[k]
                   for k in ("en", "zh", "section")), entry
        assert re.fullmatch(r"[a-z0-9_]+", entry["section"]), entry["section"]


@pytest.mark.parametrize("key", ["en", "zh"])
def test_terms_unique(key):
    seen = {}
    for entry in ENTRIES:
        term = entry[key].casefold()
        assert term not in seen, f"{key} term {entry[key]!r} twice: {seen[term]} and {entry}"
        seen[term] = entry


def test_rejected_variants_never_the_chosen_term():
    """A rejected variant that equals or contains the chosen term would flag every correct use."""
    for entry in ENTRIES:
        for variant in entry["rejected"]:
            assert variant != entry["zh"] and entry["zh"] not in variant, (entry["zh"], variant)
        assert len(set(entry["rejected"])) == len(entry["rejected"]), entry
    chosen = {e["zh"] for e in ENTRIES}
    for entry in ENTRIES:
        for variant in entry["rejected"]:
            clash = [term for term in chosen if term in variant]
            assert not clash, f"rejected {variant!r} contains the chosen term(s) {clash}"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["en"])
def test_section_exists_in_both_languages(entry):
    for lang in LANGS:
        assert _notebook(lang, entry["section"]) is not None, (
            f"glossary term {entry['en']!r}: no notebook chapters/{lang}/**/{entry['section']}.ipynb "
            "(book/glossary.yml, `section:` names the notebook where the term first appears)")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["en"])
def test_term_used_in_its_first_section(entry):
    """The English term in the English notebook, the Chinese term in the Chinese one."""
    en, zh = _notebook("en", entry["section"]), _notebook("zh", entry["section"])
    assert en and zh, f"no notebook {entry['section']}"
    assert term_in_english(entry["en"], _text(en)), (
        f"{en.relative_to(ROOT)} never says {english_form(entry['en'])!r}")
    assert term_in_chinese(entry["zh"], _text(zh)), (
        f"{zh.relative_to(ROOT)} never says {entry['zh']!r}")


def test_matching_rules():
    assert english_form("convolution kernel (filter)") == "convolution kernel"
    assert term_in_english("Max-pooling", "a max\npooling layer".replace("\n", " "))
    assert term_in_english("convolution kernel (filter)", "Each Convolution Kernel slides")
    assert not term_in_english("dropout", "drop out")
    assert term_in_chinese("卷积核", "每个卷积 核") and not term_in_chinese("卷积核", "卷积层")
