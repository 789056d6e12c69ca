"""The PDF handouts: whole book and one per section, English and Chinese."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ARTIFACTS, LANGS, ROOT
import build_book
from pdfcheck import (face_cids, face_name, is_cjk, pdf_lang, pdf_pages, pdffonts, pdfinfo,
                      pdftotext, tounicode_maps)

PAGES = ARTIFACTS / "pdf-pages"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _title(lang: str, doc: str) -> str:
    return build_book.doc_title(build_book.source_path(ROOT / "chapters", lang, doc))


def _pdfs(lang):
    return ["book"] + [build_book.handout_name(d) for d in build_book.toc_sections()]


@pytest.mark.parametrize("lang", LANGS)
def test_all_pdfs_built(pdf_dir, lang):
    names = sorted(p.stem for p in (pdf_dir / lang).glob("*.pdf"))
    assert names == sorted(_pdfs(lang))
    for name in names:
        assert pdf_pages(pdf_dir / lang / f"{name}.pdf") >= 1


@pytest.mark.parametrize("lang", LANGS)
def test_book_has_every_title(pdf_dir, lang):
    text = _squash(pdftotext(pdf_dir / lang / "book.pdf"))
    for doc in build_book.toc_files()[1:]:
        assert _squash(_title(lang, doc)) in text, f"{lang}/book.pdf lacks '{_title(lang, doc)}'"
    if lang == "zh":
        assert "目录" in text and "Contents" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_handouts_have_their_title(pdf_dir, lang, sections):
    for doc in sections:
        pdf = pdf_dir / lang / f"{build_book.handout_name(doc)}.pdf"
        text = pdftotext(pdf)
        assert _squash(_title(lang, doc)) in _squash(text)
        assert "\x1b" not in text and "[0m" not in text, "ANSI colour codes in the PDF text"


@pytest.mark.parametrize("lang", LANGS)
def test_latex_logs_clean(pdf_dir, lang):
    for name in _pdfs(lang):
        log = (pdf_dir / lang / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        assert "Missing character" not in log, [l for l in log.splitlines() if "Missing" in l][:5]
        assert "! " not in "\n".join(l[:2] for l in log.splitlines())


@pytest.mark.parametrize("lang", LANGS)
def test_fonts_embedded(pdf_dir, lang):
    for name in _pdfs(lang):
        fonts = pdffonts(pdf_dir / lang / f"{name}.pdf")
        assert fonts and all(f["emb"] == "yes" for f in fonts), [f["line"] for f in fonts]
        # "ABCDEF+Name": the six letters are a random subset tag (once "RCJKLI+FontAwesome..."): not the name
        cjk = [f for f in fonts if "CJK" in f["name"].split("+", 1)[-1]]
        if lang == "zh" or name in _WITH_CHINESE_TERMS:
            assert cjk, f"{lang}/{name}.pdf: no CJK font embedded"
        else:
            assert not cjk, f"{lang}/{name}.pdf: a CJK font, but no Chinese text expected"


# English PDFs that print Chinese words: the glossary's Chinese column
_WITH_CHINESE_TERMS = ("book", "glossary")


def _sc_faces():
    """Every face of the Noto CJK collections the book uses: (file, index, PostScript name)."""
    zh = build_book.lang_overrides("zh")["cjk_fonts"]
    faces = set()
    for family, regular, bold in zh.values():
        for style in (regular, bold):
            path, _index = build_book.fc_face(family, style)
            for index in range(10):
                try:
                    faces.add((str(path), index, face_name(str(path), index)))
                except Exception:  # noqa: BLE001  (fewer faces in this collection)
                    break
    return sorted(faces)


def test_chinese_pdf_uses_simplified_chinese_glyphs(pdf_dir):
    """Debian's Noto CJK .ttc faces share ONE CFF table, named after the JP face, so pdffonts
    always says 'NotoSerifCJKjp-...'; the region is in the cmap: each face maps a character to
    its own CID (直 is CID 27745 in JP, 27746 in SC).  The PDF's codes are CIDs (Identity-H), so
    every CJK character of the PDF must carry the SC face's CID."""
    faces = _sc_faces()
    assert faces
    pdfs = [("zh", name) for name in _pdfs("zh")] + [("en", name) for name in _WITH_CHINESE_TERMS]
    for lang, name in pdfs:
        checked = 0
        for cmap in tounicode_maps(pdf_dir / lang / f"{name}.pdf"):
            pairs = [(code, ch) for code, ch in cmap.items() if len(ch) == 1 and is_cjk(ch)]
            if not pairs:
                continue
            fits = {ps: sum(face_cids(f, i).get(ch) == code for code, ch in pairs)
                    for f, i, ps in faces}
            exact = [ps for ps, n in fits.items() if n == len(pairs)]
            # (a few glyphs may have the same CID in the SC, TC and HK faces: one SC face must
            # fit them all; a JP face would not)
            assert any("sc-" in ps.lower() for ps in exact), (
                f"{name}.pdf: {len(pairs)} CJK glyphs fit {exact or max(fits, key=fits.get)}")
            checked += len(pairs)
        assert checked > 20, f"{lang}/{name}.pdf: only {checked} CJK glyphs found"


@pytest.mark.parametrize("lang", LANGS)
def test_figures_included_and_pages_rendered(pdf_dir, lang, sections):
    """Figures: at least as many images in each handout as PNG outputs in its notebook.
    Every page of every PDF is rendered to artifacts/pdf-pages/<lang>/ for a person to look at."""
    import json
    for doc in sections:
        nb = build_book.source_path(ROOT / "chapters", lang, doc)
        if nb.suffix != ".ipynb":
            continue
        stored = sum(1 for c in json.loads(nb.read_text("utf-8"))["cells"]
                     for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
        pdf = pdf_dir / lang / f"{build_book.handout_name(doc)}.pdf"
        listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True,
                                 capture_output=True, text=True).stdout.splitlines()[2:]
        assert len(listing) >= stored, f"{pdf.name}: {len(listing)} images, {stored} figures stored"
    out = PAGES / lang
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in _pdfs(lang):
        pdf = pdf_dir / lang / f"{name}.pdf"
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / name)], check=True)
        pngs = list(out.glob(f"{name}-*.png"))
        assert len(pngs) == pdf_pages(pdf)


@pytest.mark.parametrize("lang", LANGS)
def test_document_info_and_title_page(pdf_dir, lang):
    """The PDF's document info (hyperref) and the book's title page: the book's metadata."""
    meta = build_book.book_metadata(lang)
    assert meta["author"] in {"en": ["The Modern CNN Book contributors"],
                              "zh": ["《现代卷积神经网络》编写组"]}[lang]
    info = pdfinfo(pdf_dir / lang / "book.pdf")
    assert info["Title"] == meta["title"]
    assert info["Author"] == meta["author"]
    assert meta["title"] in info["Subject"] and meta["subtitle"] in info["Subject"]
    assert meta["subtitle"] and len(meta["keywords"]) >= 3
    assert info["Keywords"] == ", ".join(meta["keywords"])
    assert pdf_lang(pdf_dir / lang / "book.pdf") == {"en": "en", "zh": "zh-CN"}[lang]
    first_page = _squash(pdftotext(pdf_dir / lang / "book.pdf", last_page=1))
    import cnnbook
    for value in (meta["title"], meta["subtitle"], meta["author"], cnnbook.__version__,
                  meta["date"], meta["url"], meta["license"]):
        assert _squash(value) in first_page, f"{lang}/book.pdf title page lacks {value!r}"
    assert "cnnbook作者" not in first_page and "cnnbookauthors" not in first_page
    for doc in build_book.toc_sections():
        handout = pdf_dir / lang / f"{build_book.handout_name(doc)}.pdf"
        info = pdfinfo(handout)
        assert info["Title"] == _title(lang, doc)
        assert info["Author"] == meta["author"] and meta["title"] in info["Subject"]
        assert pdf_lang(handout) == {"en": "en", "zh": "zh-CN"}[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_colab_setup_cell_not_printed(pdf_dir, lang):
    """The Colab set-up cell (tag remove-cell) stays in the notebook, not in the PDF."""
    for name in _pdfs(lang):
        text = pdftotext(pdf_dir / lang / f"{name}.pdf")
        assert "google.colab" not in text and "pip install" not in text, name


@pytest.mark.parametrize("lang", LANGS)
def test_glossary_printed(pdf_dir, lang):
    """The glossary page: every term of book/glossary.yml, English and Chinese, in each book
    (hyphens ignored, the non-breaking U+2011 too: LaTeX may hyphenate a term in a narrow table column,
    and the Chinese PDF sets "-" between CJK characters as U+2011)."""
    from cnnbook_sphinx import load_glossary
    text = re.sub(r"[-‐‑]", "", _squash(pdftotext(pdf_dir / lang / "book.pdf")))
    assert _squash(_title(lang, "glossary")) in text
    written = {d.rsplit("/", 1)[-1] for d in build_book.toc_files()}
    handout = _squash(pdftotext(pdf_dir / lang / "glossary.pdf"))
    for entry in load_glossary(ROOT / "book" / "glossary.yml"):
        if entry["section"] not in written:
            continue  # a section not written yet: left out of the page
        # the section where the term first appears, by its title (the handout too)
        doc = next(d for d in build_book.toc_files() if d.rsplit("/", 1)[-1] == entry["section"])
        assert _squash(_title(lang, doc)) in handout
        for term in (entry["en"], entry["zh"]):
            assert re.sub(r"[-‐‑]", "", _squash(term)) in text, f"{lang}/book.pdf lacks {term!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_tables_are_typeset_as_tables(pdf_dir, lang, sections):
    """Every table a page shows is a LaTeX table in its handout (aligned columns in both
    languages), not text in a verbatim block."""
    from test_html import stored_tables
    for doc in sections:
        tables = stored_tables(lang, doc)
        if not tables:
            continue
        tex = (ROOT / "_build" / "latex" / lang / f"{build_book.handout_name(doc)}.tex").read_text(encoding="utf-8")
        typeset = len(re.findall(r"\\begin\{(tabulary|longtable|tabular)\}", tex))
        assert typeset >= len(tables), f"{lang}/{doc}: {len(tables)} tables shown, {typeset} typeset as tables"
        def letters(text):  # letters, digits and Chinese: LaTeX commands and escapes set aside
            return "".join(ch for ch in re.sub(r"\\[a-zA-Z]+", "", text) if ch.isalnum())
        typeset_text = letters(tex)
        for headers in tables:
            assert all(letters(h) in typeset_text for h in headers), f"{lang}/{doc}: headers {headers} not typeset"
