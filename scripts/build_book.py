#!/usr/bin/env python3
"""Build the bilingual book: HTML site and PDF handouts, English and Chinese.

    python3 scripts/build_book.py html      # -> _build/html/{index.html,en/,zh/}
    python3 scripts/build_book.py pdf       # -> artifacts/pdf/{en,zh}/{book,<section>}.pdf
    python3 scripts/build_book.py all

One Jupyter Book (Sphinx) project per language: sources in chapters/<lang>/, ONE table of
contents for both (_toc.yml, language-neutral paths), configuration /_config.yml with the
language overrides of book/<lang>.yml merged over it.  Notebooks are rendered from their stored
outputs (execute_notebooks: off).  Warnings are errors (-W -n --keep-going).  The languages are
built in parallel, one process each.  The PDFs come from Sphinx's LaTeX builder + xelatex (xeCJK
with the Noto CJK SC faces for Chinese): the whole book, and one handout per section of the toc.

Teachers: --solutions hide leaves the exercises' solutions out of the HTML and the PDFs
(sphinx-exercise's `hide_solutions`); by default they are shown (folded in HTML, printed in PDF).

Options: --lang en zh (default: all), --chapters DIR (default: chapters), --toc FILE (default:
_toc.yml), --build DIR (default: _build), --artifacts DIR (default: artifacts), --solutions
show|hide (default: show).  Exit status non-zero if anything failed.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import copy
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
TOC = ROOT / "_toc.yml"
LANG_DIR = ROOT / "book"
LANGUAGES = ("en", "zh")
HREFLANG = {"en": "en", "zh": "zh-CN"}
# keys of book/<lang>.yml that are ours, not Jupyter Book's
OWN_KEYS = ("language_label", "cjk_fonts", "subtitle", "keywords")
PYPROJECT = ROOT / "code" / "pyproject.toml"
SOLUTIONS = ("show", "hide")


# ---------------------------------------------------------------------------------------------
# configuration, toc


def deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def lang_overrides(lang: str) -> dict:
    return load_yaml(LANG_DIR / f"{lang}.yml")


def toc_files(toc: dict | Path | None = None) -> list[str]:
    """Every docname of the toc (a loaded toc or a _toc.yml path), in reading order (root first)."""
    toc = load_yaml(toc or TOC) if not isinstance(toc, dict) else toc
    out = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                out.append(entry["file"])
            walk(entry.get("sections"))
            for part in entry.get("parts", []) or []:
                walk(part.get("chapters"))
            walk(entry.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    return out


def toc_sections(toc: dict | Path | None = None) -> list[str]:
    """The section docnames: every toc file that is not the root or a chapter's index page."""
    return [f for f in toc_files(toc)[1:] if Path(f).name != "index"]


def source_path(chapters: Path, lang: str, docname: str) -> Path | None:
    for suffix in (".ipynb", ".md"):
        path = chapters / lang / (docname + suffix)
        if path.is_file():
            return path
    return None


def doc_title(path: Path) -> str:
    """The first level-1 heading of a notebook or markdown file (the book's extension reads it)."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))  # the Sphinx extension is not a package; Sphinx adds it the same way
    from cnnbook_sphinx import page_title
    return page_title(path) or path.stem


def handout_name(docname: str) -> str:
    return Path(docname).name


def package_version() -> str:
    """The helper package's version (code/pyproject.toml, its one home): the book's version."""
    import tomllib
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]


def package_license() -> str:
    m = re.search(r'^license\s*=\s*\{\s*text\s*=\s*"([^"]+)"', PYPROJECT.read_text(encoding="utf-8"),
                  re.M)
    return m.group(1) if m else "see the repository"


def book_date() -> str:
    """The date of the last commit (YYYY-MM-DD): a rebuild of the same commit prints the same date."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%cs"],
                             capture_output=True, text=True, check=True).stdout.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", out):
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    return time.strftime("%Y-%m-%d")


def book_metadata(lang: str) -> dict:
    """Title, subtitle, author, keywords (book/<lang>.yml over /_config.yml), version, date,
    repository URL and license: what the PDF's title page and document info show."""
    base, over = load_yaml(CONFIG), lang_overrides(lang)
    merged = deep_merge(base, over)
    return {
        "title": merged["title"], "subtitle": over.get("subtitle", ""),
        "author": merged["author"], "keywords": over.get("keywords", []),
        "version": package_version(), "date": book_date(),
        "url": merged["repository"]["url"], "license": package_license(),
        "pdflang": HREFLANG[lang],
    }


def _tex(text: str) -> str:
    """Plain text -> LaTeX (the few special characters metadata may hold)."""
    out = []
    for ch in text:
        out.append({"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
                    "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                    "\\": r"\textbackslash{}"}.get(ch, ch))
    return "".join(out)


TITLE_LABELS = {
    "en": {"version": "Version", "license": "License", "source": "Source and notebooks"},
    "zh": {"version": "版本", "license": "许可证", "source": "源代码与笔记本"},
}


def latex_metadata(lang: str) -> tuple[str, str]:
    """(preamble, maketitle): the PDF document info (hyperref) and the book's title page.
    The handouts (howto class) keep Sphinx's title block (section title, author, version, date);
    their document info names the section as title and the book as subject."""
    meta, labels = book_metadata(lang), TITLE_LABELS[lang]
    colon = "：" if lang == "zh" else ": "
    subject = meta["title"] + (f"{colon}{meta['subtitle']}" if meta["subtitle"] else "")
    fields = {key: _tex(str(value)) for key, value in meta.items() if key != "keywords"}
    fields["url"] = meta["url"]  # \url{} takes it verbatim
    fields.update(subject=_tex(subject), keywords=_tex(", ".join(meta["keywords"])),
                  **{f"label_{key}": value for key, value in labels.items()})
    preamble = (r"\hypersetup{pdfsubject={<subject>}, pdfkeywords={<keywords>}, pdflang={<pdflang>}}"
                "\n")
    maketitle = r"""\makeatletter
\@ifclassloaded{sphinxmanual}{%
\begin{titlepage}%
  \hypersetup{pageanchor=false}%
  \begingroup\def\and{, }\hypersetup{pdfauthor={\@author}, pdftitle={\@title}}\endgroup
  \centering\py@HeaderFamily
  \vspace*{0.15\textheight}
  {\Huge\bfseries \@title\par}\vspace{1.5em}
  {\Large <subtitle>\par}\vspace{4em}
  {\Large \@author\par}
  \vfill
  {\large <label_version> <version>\quad\textbullet\quad <date>\par}\vspace{1em}
  {\normalsize <label_source>: \url{<url>}\par}\vspace{0.5em}
  {\normalsize <label_license>: <license>\par}
\end{titlepage}%
\setcounter{footnote}{0}%
\hypersetup{pageanchor=true}%
}{\sphinxmaketitle}
\makeatother
"""
    for key, value in fields.items():
        preamble = preamble.replace(f"<{key}>", value)
        maketitle = maketitle.replace(f"<{key}>", value)
    return preamble, maketitle


def language_config(lang: str, chapters: Path, builder: str, build: Path,
                    toc: Path = TOC, solutions: str = "show") -> dict:
    """The merged Jupyter Book config of one language, with the paths the build needs."""
    base = load_yaml(CONFIG)
    over = lang_overrides(lang)
    cjk_fonts = over.get("cjk_fonts")
    for key in OWN_KEYS:
        over.pop(key, None)
    cfg = deep_merge(base, over)
    cfg.setdefault("repository", {})["path_to_book"] = f"chapters/{lang}"
    # the ONE bibliography (book/references.bib): paths in _config.yml are relative to it
    cfg["bibtex_bibfiles"] = [str((ROOT / path).resolve()) for path in cfg.get("bibtex_bibfiles", [])]
    # local extension paths are relative to _config.yml; the merged file lives elsewhere
    sph = cfg.setdefault("sphinx", {})
    sph["local_extensions"] = {name: str((ROOT / path).resolve())
                               for name, path in (sph.get("local_extensions") or {}).items()}
    sconf = sph.setdefault("config", {})
    sconf["cnnbook_language"] = lang
    sconf["cnnbook_glossary"] = str(ROOT / "book" / "glossary.yml")
    if solutions not in SOLUTIONS:
        raise SystemExit(f"--solutions {solutions!r}: use one of {', '.join(SOLUTIONS)}")
    sconf["hide_solutions"] = solutions == "hide"
    sconf["version"] = sconf["release"] = package_version()
    sconf["today"] = book_date()
    sconf["cnnbook_languages"] = [
        {"code": code, "label": lang_overrides(code).get("language_label", code),
         "hreflang": HREFLANG[code], "srcdir": str((chapters / code).resolve())}
        for code in LANGUAGES
    ]
    if builder == "latex":
        sconf["latex_documents"] = latex_documents(lang, chapters, cfg, toc)
        le = sconf.setdefault("latex_elements", {})
        # Missing glyphs are written to the log as "Missing character: ..." (tests look for them)
        le["preamble"] = "\\tracinglostchars=2\n" + le.get("preamble", "")
        if cjk_fonts:
            le["preamble"] += xecjk_font_commands(cjk_fonts)
        else:
            le["preamble"] += cjk_font_family(lang_overrides("zh")["cjk_fonts"])
        meta_preamble, le["maketitle"] = latex_metadata(lang)
        le["preamble"] += meta_preamble
    return cfg


def fc_face(family: str, style: str) -> tuple[Path, int]:
    """File and index (in a .ttc collection) of a font face, from fontconfig; exact match only."""
    out = subprocess.run(["fc-match", "-f", "%{family}|%{style}|%{file}|%{index}",
                          f"{family}:style={style}"], capture_output=True, text=True, check=True)
    families, styles, file, index = out.stdout.split("|")
    if family not in families.split(",") or style not in styles.split(","):
        raise SystemExit(f"font '{family}' ({style}) not installed (fontconfig offers "
                         f"'{families}' '{styles}'): install fonts-noto-cjk (make install)")
    return Path(file), int(index)


def xecjk_font_commands(cjk_fonts: dict) -> str:
    """\\setCJK{main,sans,mono}font commands selecting each face by file and FontIndex."""
    lines = []
    for kind, (family, regular, bold) in cjk_fonts.items():
        (rfile, rindex), (bfile, bindex) = fc_face(family, regular), fc_face(family, bold)
        if rfile.parent != bfile.parent:
            raise SystemExit(f"{family}: regular and bold faces in different folders")
        lines.append(
            f"\\setCJK{kind}font{{{rfile.name}}}[Path={rfile.parent}/, FontIndex={rindex}, "
            f"BoldFont={bfile.name}, BoldFeatures={{FontIndex={bindex}}}]  % {family}")
    return "\n" + "\n".join(lines) + "\n"


def cjk_font_family(cjk_fonts: dict) -> str:
    """A book without xeCJK (English) still prints a few Chinese words (the glossary's Chinese
    column, class cnnbookzh): \\DUrolecnnbookzh{...} sets them in the Chinese book's main face."""
    family, regular, _bold = cjk_fonts["main"]
    file, index = fc_face(family, regular)
    return (f"\\newfontfamily\\cnnbookzhfont{{{file.name}}}[Path={file.parent}/, "
            f"FontIndex={index}]  % {family}\n"
            "\\newcommand{\\DUrolecnnbookzh}[1]{{\\cnnbookzhfont #1}}\n")


def latex_documents(lang: str, chapters: Path, cfg: dict, toc: Path = TOC) -> list[list]:
    docs = [[load_yaml(toc)["root"], "book.tex", cfg["title"], cfg["author"], "manual", False]]
    names = set()
    for docname in toc_sections(toc):
        name = handout_name(docname)
        if name in names or name == "book":
            raise SystemExit(f"two sections would share the handout name {name!r}: rename one")
        names.add(name)
        src = source_path(chapters, lang, docname)
        title = doc_title(src) if src else docname
        docs.append([docname, f"{name}.tex", title, cfg["author"], "howto", False])
    return docs


# ---------------------------------------------------------------------------------------------
# one Sphinx build (run in its own process: docutils' global state is not shared between builds)


def sphinx_build(lang: str, builder: str, chapters: Path, build: Path, toc: Path = TOC,
                 solutions: str = "show") -> int:
    import jupyter_book.sphinx as jb_sphinx

    # jupyter-book 1.0.4 crashes (a bad call to its message box) when latex_documents has more
    # than one entry, after deciding to leave such a list alone: leave it alone without the crash.
    original_update = jb_sphinx.update_latex_documents
    jb_sphinx.update_latex_documents = (
        lambda docs, overrides: docs if len(docs) > 1 else original_update(docs, overrides))
    build_sphinx = jb_sphinx.build_sphinx

    cfg = language_config(lang, chapters, builder, build, toc, solutions)
    cfg_path = build / "config" / f"{builder}-{lang}" / "_config.yml"
    cfg_path.parent.mkdir(parents=True, exist_ok=True)
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    outdir = build / builder / lang
    result = build_sphinx(
        str((chapters / lang).resolve()),
        str(outdir.resolve()),
        noconfig=True,
        path_config=str(cfg_path),
        confoverrides={"external_toc_path": str(toc), "latex_individualpages": False,
                       "nitpicky": True},
        doctreedir=str((build / "doctrees" / f"{builder}-{lang}").resolve()),
        builder=builder,
        warningiserror=True,
        keep_going=True,
        freshenv=True,
    )
    if isinstance(result, Exception):
        return 2
    return int(result or 0)


def run_sphinx_builds(builder: str, langs, chapters: Path, build: Path, toc: Path = TOC,
                      solutions: str = "show") -> bool:
    """The languages in parallel, one subprocess each; True if all succeeded."""
    procs = {}
    for lang in langs:
        cmd = [sys.executable, str(Path(__file__).resolve()), "_sphinx", builder, "--lang", lang,
               "--chapters", str(chapters), "--build", str(build), "--toc", str(toc),
               "--solutions", solutions]
        procs[lang] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True)
    ok = True
    for lang, proc in procs.items():
        out, _ = proc.communicate()
        log = build / "logs" / f"{builder}-{lang}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(out, encoding="utf-8")
        if proc.returncode != 0:
            ok = False
            print(f"--- {builder} build of '{lang}' FAILED (exit {proc.returncode}), log {log}:")
            print(out[-6000:])
        else:
            warnings = [l for l in out.splitlines() if "WARNING" in l or "ERROR" in l]
            print(f"{builder} [{lang}] ok" + (f" ({len(warnings)} warnings)" if warnings else ""))
    return ok


# ---------------------------------------------------------------------------------------------
# HTML

ROOT_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title_en} · {title_zh}</title>
<style>
 body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 40rem; margin: 4rem auto;
        padding: 0 1rem; text-align: center; }}
 a.lang {{ display: block; margin: 1.5rem auto; padding: 1rem; border: 1px solid #ccc;
          border-radius: .5rem; font-size: 1.4rem; text-decoration: none; }}
 a.lang:hover {{ background: #f4f4f4; }}
</style>
</head>
<body>
<h1>{title_en}<br><span lang="zh-CN">{title_zh}</span></h1>
<a class="lang" id="lang-en" href="en/index.html" hreflang="en" lang="en">English</a>
<a class="lang" id="lang-zh" href="zh/index.html" hreflang="zh-CN" lang="zh-CN">中文</a>
</body>
</html>
"""


def build_html(langs, chapters: Path, build: Path, toc: Path = TOC, solutions: str = "show") -> bool:
    html = build / "html"
    for lang in langs:
        shutil.rmtree(html / lang, ignore_errors=True)
    ok = run_sphinx_builds("html", langs, chapters, build, toc, solutions)
    # myst-nb's scratch folder for output images (always <outdir>/../jupyter_execute); the pages
    # use the copies in <lang>/_images/
    shutil.rmtree(html / "jupyter_execute", ignore_errors=True)
    base = load_yaml(CONFIG)
    title_zh = deep_merge(base, lang_overrides("zh")).get("title", base["title"])
    (html / "index.html").write_text(
        ROOT_INDEX.format(title_en=base["title"], title_zh=title_zh), encoding="utf-8")
    (html / ".nojekyll").write_text("", encoding="utf-8")
    if ok:
        print(f"HTML: {html / 'index.html'}")
    return ok


# ---------------------------------------------------------------------------------------------
# PDF


def compile_pdf(texdir: Path, texname: str) -> tuple[Path, int, str]:
    """xelatex through the Makefile/latexmkrc that Sphinx writes beside the .tex files."""
    target = texname[:-4] + ".pdf"
    proc = subprocess.run(
        ["make", "-C", str(texdir), target,
         "LATEXMKOPTS=-interaction=nonstopmode -halt-on-error -file-line-error"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return texdir / target, proc.returncode, proc.stdout


def build_pdf(langs, chapters: Path, build: Path, artifacts: Path, toc: Path = TOC,
              solutions: str = "show") -> bool:
    latex = build / "latex"
    for lang in langs:
        shutil.rmtree(latex / lang, ignore_errors=True)
    ok = run_sphinx_builds("latex", langs, chapters, build, toc, solutions)
    if not ok:
        return False
    jobs = []
    for lang in langs:
        for tex in sorted((latex / lang).glob("*.tex")):
            jobs.append((lang, tex))
    # biggest first (the books), so that the handouts fill the other core
    jobs.sort(key=lambda job: -job[1].stat().st_size)
    results = []
    with cf.ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        futures = {pool.submit(compile_pdf, tex.parent, tex.name): (lang, tex) for lang, tex in jobs}
        for fut in cf.as_completed(futures):
            lang, tex = futures[fut]
            pdf, rc, out = fut.result()
            results.append((lang, tex, pdf, rc, out))
    for lang in langs:
        dest = artifacts / "pdf" / lang
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True, exist_ok=True)
    for lang, tex, pdf, rc, out in sorted(results, key=lambda r: (r[0], r[1].name)):
        if rc != 0 or not pdf.is_file():
            ok = False
            print(f"--- xelatex FAILED for {tex} (exit {rc}):\n{out[-4000:]}")
            continue
        log = tex.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
        missing = [l for l in log.splitlines() if l.startswith("Missing character")]
        if missing:
            ok = False
            print(f"--- {tex.with_suffix('.log')}: glyphs missing from the fonts:\n"
                  + "\n".join(missing[:20]))
        shutil.copy2(pdf, artifacts / "pdf" / lang / pdf.name)
        shutil.copy2(tex.with_suffix(".log"), artifacts / "pdf" / lang / (tex.stem + ".log"))
        print(f"PDF: {artifacts / 'pdf' / lang / pdf.name}")
    return ok


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=["html", "pdf", "all", "_sphinx"])
    parser.add_argument("builder", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--lang", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    parser.add_argument("--chapters", type=Path, default=ROOT / "chapters")
    parser.add_argument("--build", type=Path, default=ROOT / "_build")
    parser.add_argument("--artifacts", type=Path, default=ROOT / "artifacts")
    parser.add_argument("--toc", type=Path, default=TOC)
    parser.add_argument("--solutions", choices=SOLUTIONS, default="show",
                        help="show (default) or hide the exercises' solutions")
    args = parser.parse_args(argv)
    chapters, build, toc = args.chapters.resolve(), args.build.resolve(), args.toc.resolve()

    if args.target == "_sphinx":
        return sphinx_build(args.lang[0], args.builder, chapters, build, toc, args.solutions)

    start = time.perf_counter()
    ok = True
    if args.target in ("html", "all"):
        ok = build_html(args.lang, chapters, build, toc, args.solutions) and ok
    if args.target in ("pdf", "all"):
        ok = build_pdf(args.lang, chapters, build, args.artifacts.resolve(), toc,
                       args.solutions) and ok
    print(f"{args.target}: {'ok' if ok else 'FAILED'} in {time.perf_counter() - start:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
