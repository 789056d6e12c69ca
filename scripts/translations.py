#!/usr/bin/env python3
"""Keep the Chinese edition in step with the English one: translation stamps and the glossary.

Every cell of a Chinese notebook carries a stamp of the English text it translates, in its cell
metadata (written here, never by hand):

    "metadata": {"cnnbook": {"translated_from": "<hash of the English text>",
                             "translation_hash": "<hash of the Chinese text when stamped>"}}

The "text" of a markdown cell is its source; the text of a code cell is its comments and string
literals (what the mirror check in tests/test_notebooks_static.py lets differ between the two
languages: comments, printed strings, plot labels).  Hashes are the first 12 hex digits of the
SHA-256 of that text (trailing spaces and surrounding blank lines dropped).

The English text itself, at translation time, is kept beside the Chinese notebook in
chapters/zh/<chapter>/.translations/<section>.json (keyed by that hash), so that a report can show
what changed in English since the translation as a unified diff.  The Markdown pages (the index
page of the book and of each chapter, the glossary page) are checked and stamped too, each as one
markdown cell; having no cell metadata, their stamp is kept in that same file.

The glossary check (book/glossary.yml) fails a Chinese page that uses a rejected variant of a
term, or that names a term's other common name (its `also`) anywhere but once, as 「也称X」, in the
first prose cell that uses the term.

    python3 scripts/translations.py                 list the cells that need translating (with the
                                                    English change) and the rejected glossary terms;
                                                    exit status 1 if there are any
    python3 scripts/translations.py --stamp         after translating: re-stamp the Chinese cells
                                                    whose Chinese text changed since their stamp
                                                    (and cells never stamped)
    python3 scripts/translations.py --mark-translated modern_cnn/alexnet:12
                                                    re-stamp cell 12 although its Chinese text did
                                                    not change (the English change needs none)
    python3 scripts/translations.py --stamp --force stamp every cell from scratch (a new pair of
                                                    notebooks translated in one go)

NOTEBOOK arguments restrict the work to some notebooks (modern_cnn/alexnet, alexnet, or a path).
"""
from __future__ import annotations

import argparse
import difflib
import hashlib
import io
import json
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
GLOSSARY = ROOT / "book" / "glossary.yml"
STORE_DIR = ".translations"
HASH_LENGTH = 12
MAX_DIFF_LINES = 30

STAMP_KEY = "cnnbook"               # metadata namespace of the book
ENGLISH_HASH = "translated_from"    # hash of the English text the Chinese cell translates
CHINESE_HASH = "translation_hash"   # hash of the Chinese text when it was stamped


# ---------------------------------------------------------------------------------------------
# The translatable text of a cell and its hash

def code_texts(source: str) -> list[str]:
    """The comments and string literals of a code cell, in order (f-strings whole)."""
    from IPython.core.inputtransformer2 import TransformerManager
    python = TransformerManager().transform_cell(source)  # IPython syntax (!pip) to plain Python
    lines = python.splitlines(keepends=True)

    def text_between(start: tuple[int, int], end: tuple[int, int]) -> str:
        (row_a, col_a), (row_b, col_b) = start, end
        if row_a == row_b:
            return lines[row_a - 1][col_a:col_b]
        return lines[row_a - 1][col_a:] + "".join(lines[row_a:row_b - 1]) + lines[row_b - 1][:col_b]

    texts, depth, start = [], 0, (0, 0)
    try:
        for token in tokenize.generate_tokens(io.StringIO(python).readline):
            name = tokenize.tok_name[token.type]
            if name.endswith("STRING_START"):      # Python >= 3.12 splits f-strings into tokens
                depth, start = depth + 1, (token.start if depth == 0 else start)
            elif name.endswith("STRING_END"):
                depth -= 1
                if depth == 0:
                    texts.append(text_between(start, token.end))
            elif depth == 0 and token.type == tokenize.COMMENT:
                texts.append(token.string.rstrip())
            elif depth == 0 and token.type == tokenize.STRING:
                texts.append(token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [source]  # not Python: the whole cell is its text
    return texts


def normalize(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def cell_text(cell) -> str:
    """What a translator translates in this cell: markdown source, or a code cell's comments and strings."""
    if cell.cell_type == "code":
        return normalize("\n".join(code_texts(cell.source)))
    return normalize(cell.source)


def caption_texts(node) -> list[str]:
    """The figure captions in a cell's metadata (myst-nb ``mystnb.figure.caption``): prose the book shows."""
    if isinstance(node, dict):
        return [text for key, value in node.items()
                for text in ([value] if key == "caption" and isinstance(value, str) else caption_texts(value))]
    if isinstance(node, list):
        return [text for value in node for text in caption_texts(value)]
    return []


def shown_text(cell) -> str:
    """What a reader of the Chinese page reads of this cell: its translatable text and its captions."""
    return "\n".join([cell_text(cell), *caption_texts(cell.get("metadata", {}))])


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def stamp_of(cell) -> dict:
    return dict(cell.metadata.get(STAMP_KEY, {}))


# ---------------------------------------------------------------------------------------------
# Notebook pairs and the store of English texts

@dataclass
class Pair:
    name: str        # "modern_cnn/alexnet", "modern_cnn/index"
    english: Path
    chinese: Path

    @property
    def store(self) -> Path:
        return self.chinese.parent / STORE_DIR / (self.chinese.stem + ".json")

    @property
    def is_markdown(self) -> bool:
        return self.english.suffix == ".md"


def pairs(chapters: Path = CHAPTERS, only: list[str] | None = None) -> list[Pair]:
    found = []
    pages = sorted([*(chapters / "en").rglob("*.ipynb"), *(chapters / "en").rglob("*.md")])
    for english in pages:
        if ".ipynb_checkpoints" in english.parts:
            continue
        relative = english.relative_to(chapters / "en")
        found.append(Pair(relative.with_suffix("").as_posix(), english, chapters / "zh" / relative))
    if only:
        chosen = []
        for wanted in only:
            pair = find_pair(found, wanted)
            if pair not in chosen:
                chosen.append(pair)
        return chosen
    return found


class UsageError(Exception):
    """A command-line argument names no notebook or no cell."""


def find_pair(found: list[Pair], wanted: str) -> Pair:
    """modern_cnn/alexnet, alexnet, chapters/zh/modern_cnn/alexnet.ipynb, ... -> its Pair."""
    key = wanted.replace("\\", "/").removesuffix(".ipynb")
    for prefix in ("chapters/", "en/", "zh/"):
        key = key.removeprefix(prefix)
    matches = [p for p in found if p.name == key] or [p for p in found if p.name.split("/")[-1] == key]
    if len(matches) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise UsageError(f"{wanted!r} names {'several' if matches else 'no'} notebook(s); "
                         f"write one of: {names}")
    return matches[0]


def read_store(pair: Pair) -> dict[str, str]:
    if not pair.store.exists():
        return {}
    data = json.loads(pair.store.read_text(encoding="utf-8"))
    return {key: "".join(lines) for key, lines in data.get("english", {}).items()}


def read_page(pair: Pair, lang: str) -> nbformat.NotebookNode:
    """The page as a notebook: a Markdown page is one markdown cell, its stamp read from the store."""
    path = pair.english if lang == "en" else pair.chinese
    if not pair.is_markdown:
        return nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_markdown_cell(path.read_text(encoding="utf-8"))
    if lang == "zh" and pair.store.exists():
        stamp = json.loads(pair.store.read_text(encoding="utf-8")).get("stamp")
        if stamp:
            cell.metadata[STAMP_KEY] = stamp
    return nbformat.v4.new_notebook(cells=[cell])


def write_store(pair: Pair, texts: dict[str, str], page_stamp: dict | None = None) -> bool:
    """Write the store, entries in the order given (cell order), only if it changes; True if it did."""
    where = "in the cell's metadata" if page_stamp is None else "under \"stamp\" below"
    data = {
        "about": f"The English text each cell of {pair.chinese.name} was translated from, keyed by the "
                 f"hash {where} ({STAMP_KEY}.{ENGLISH_HASH}). Written by "
                 "scripts/translations.py --stamp: do not edit.",
        "english": {key: text.splitlines(keepends=True) for key, text in texts.items()},
    }
    if page_stamp is not None:
        data["stamp"] = page_stamp
    new = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if pair.store.exists() and pair.store.read_text(encoding="utf-8") == new:
        return False
    pair.store.parent.mkdir(parents=True, exist_ok=True)
    pair.store.write_text(new, encoding="utf-8")
    return True


# ---------------------------------------------------------------------------------------------
# The check

@dataclass
class Problem:
    notebook: str    # the Chinese notebook, relative to the repository when possible
    cell: int | None
    kind: str        # "changed", "unstamped", "glossary", "structure"
    message: str
    details: list[str] = field(default_factory=list)
    label: str = ""  # the cell's type and first line

    def __str__(self) -> str:
        where = self.notebook if self.cell is None else f"{self.notebook} cell {self.cell} {self.label}".rstrip()
        return "\n".join([f"{where}: {self.message}"] + ["    " + line for line in self.details])


def shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def describe(index: int, cell) -> str:
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    first = first if len(first) <= 60 else first[:57] + "..."
    return f"({cell.cell_type}: {first!r})" if first else f"({cell.cell_type})"


def short_diff(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_label, new_label,
                                      n=1, lineterm=""))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)"]
    return lines


def load_glossary(path: Path = GLOSSARY) -> list[dict]:
    import yaml
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for entry in entries:
        if not {"en", "zh"} <= set(entry):
            raise ValueError(f"{path}: glossary entry {entry!r} needs 'en' and 'zh'")
    return entries


def rejected_terms(text: str, glossary: list[dict]) -> list[tuple[str, dict, int, str]]:
    """(variant, entry, count, excerpt) for every rejected variant the Chinese text uses.

    The chosen terms are masked first (a chosen term that contains a rejected variant is fine), and
    the longest variant wins where two overlap (池化层 is reported, not also 池化)."""
    masked = text
    for entry in glossary:
        masked = masked.replace(entry["zh"], "\0" * len(entry["zh"]))
    variants = sorted(((v, e) for e in glossary for v in e.get("rejected") or []), key=lambda ve: -len(ve[0]))
    taken = [False] * len(masked)
    found = []
    for variant, entry in variants:
        count, first, start = 0, None, masked.find(variant)
        while start != -1:
            end = start + len(variant)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(variant)
                count += 1
                first = start if first is None else first
            start = masked.find(variant, start + 1)
        if count:
            excerpt = text[max(0, first - 15):first + len(variant) + 15].replace("\n", " ")
            found.append((variant, entry, count, excerpt))
    return found


def other_name_problems(name: str, zh: nbformat.NotebookNode, glossary: list[dict]) -> list[Problem]:
    """A term's other common name (``also``) only once, as 「也称X」, in the first prose cell using the term."""
    problems = []
    for entry in glossary:
        for other in entry.get("also") or []:
            marked = f"也称{other}"
            texts = [shown_text(cell) for cell in zh.cells]
            for index, text in enumerate(texts):
                bare = text.count(other) - text.count(marked)
                if bare:
                    problems.append(Problem(
                        name, index, "glossary",
                        f"uses {other}{f' ({bare} times)' if bare > 1 else ''}: the book writes {entry['zh']} for "
                        f"\"{entry['en']}\" and names {other} once per page, as 「{entry['zh']}（{marked}）」 at "
                        "the first use (book/glossary.yml)", [], describe(index, zh.cells[index])))
            prose = [i for i, cell in enumerate(zh.cells) if cell.cell_type == "markdown" and entry["zh"] in texts[i]]
            given = [i for i, text in enumerate(texts) for _ in range(text.count(marked))]
            if prose and given != [prose[0]]:
                where = ", ".join(f"cell {i}" for i in given) or "nowhere"
                problems.append(Problem(
                    name, prose[0], "glossary",
                    f"the first prose use of {entry['zh']} on this page should give its other name once, as "
                    f"「{entry['zh']}（{marked}）」 (book/glossary.yml), so that a search for either finds the page; "
                    f"it is given {where}", [], describe(prose[0], zh.cells[prose[0]])))
            elif not prose and given:
                problems.append(Problem(
                    name, given[0], "glossary",
                    f"gives {marked} but its prose never uses {entry['zh']}: write the term", [],
                    describe(given[0], zh.cells[given[0]])))
    return problems


def check_pair(pair: Pair, glossary: list[dict]) -> list[Problem]:
    name = shown(pair.chinese)
    if not pair.chinese.exists():
        return [Problem(name, None, "structure", f"missing: {shown(pair.english)} has no Chinese twin")]
    en, zh = read_page(pair, "en"), read_page(pair, "zh")
    problems = other_name_problems(name, zh, glossary)
    for index, cell in enumerate(zh.cells):
        for variant, entry, count, excerpt in rejected_terms(shown_text(cell), glossary):
            times = f" ({count} times)" if count > 1 else ""
            problems.append(Problem(
                name, index, "glossary",
                f"uses the rejected term {variant}{times}: the book writes "
                f"{entry['zh']} for \"{entry['en']}\" (book/glossary.yml)", [f"…{excerpt}…"],
                describe(index, cell)))
    if [c.cell_type for c in en.cells] != [c.cell_type for c in zh.cells]:
        problems.append(Problem(name, None, "structure",
                                f"its cells do not mirror {shown(pair.english)} cell for cell (see "
                                "tests/test_notebooks_static.py): fix that first, stamps pair cells by position"))
        return problems
    store = read_store(pair)
    for index, (english, chinese) in enumerate(zip(en.cells, zh.cells)):
        text, stamp = cell_text(english), stamp_of(chinese)
        if ENGLISH_HASH not in stamp:
            if text:
                problems.append(Problem(
                    name, index, "unstamped", "never stamped as translated; the English text:",
                    short_diff("", text, "(nothing translated)", "English now")[2:], describe(index, english)))
        elif stamp[ENGLISH_HASH] != text_hash(text):
            old = store.get(stamp[ENGLISH_HASH])
            if old is None:
                details = [f"(the English text of stamp {stamp[ENGLISH_HASH]} is not in {shown(pair.store)}; "
                           "the English text now:)"] + text.splitlines()[:MAX_DIFF_LINES]
            else:
                details = short_diff(old, text, "English when translated", "English now")
            problems.append(Problem(
                name, index, "changed",
                f"the English {'comments/strings' if english.cell_type == 'code' else 'text'}"
                " changed since the Chinese was translated:", details, describe(index, english)))
    return problems


def check(chapters: Path = CHAPTERS, glossary: Path = GLOSSARY, only: list[str] | None = None) -> list[Problem]:
    """Every problem in every notebook pair: English changed since translation, unstamped, glossary."""
    terms = load_glossary(glossary)
    problems = []
    for pair in pairs(chapters, only):
        problems += check_pair(pair, terms)
    return problems


# ---------------------------------------------------------------------------------------------
# Stamping

@dataclass
class StampResult:
    stamped: list[str] = field(default_factory=list)   # "notebook cell N: why"
    refused: list[str] = field(default_factory=list)   # English changed, Chinese did not
    written: list[str] = field(default_factory=list)   # files written


def stamp(chapters: Path = CHAPTERS, only: list[str] | None = None, *, changed: bool = True,
          force: bool = False, mark: list[str] = ()) -> StampResult:
    """Stamp Chinese cells with the English text they now translate.

    changed: stamp cells whose Chinese text changed since their stamp, and cells never stamped.
    force: stamp every cell.  mark: "notebook:cell" items to stamp although their Chinese text did
    not change.  Cells whose English changed while their Chinese did not are refused otherwise."""
    result = StampResult()
    all_pairs = pairs(chapters)
    marked: dict[str, set[int]] = {}
    for item in mark:
        notebook, sep, cell = item.rpartition(":")
        if not sep or not cell.isdigit():
            raise UsageError(f"--mark-translated {item!r}: write NOTEBOOK:CELL, e.g. modern_cnn/alexnet:12")
        pair = find_pair(all_pairs, notebook)
        count = len(read_page(pair, "zh").cells) if pair.chinese.exists() else 0
        if int(cell) >= count:
            raise UsageError(f"--mark-translated {item}: {shown(pair.chinese)} has cells 0 to {count - 1}")
        marked.setdefault(pair.name, set()).add(int(cell))
    chosen = pairs(chapters, only) if only else all_pairs
    if mark and not (changed or force):
        chosen = []
    chosen += [p for p in all_pairs if p.name in marked and p not in chosen]
    for pair in chosen:
        if not pair.chinese.exists():
            result.refused.append(f"{shown(pair.english)}: no Chinese twin at {shown(pair.chinese)}")
            continue
        en, zh = read_page(pair, "en"), read_page(pair, "zh")
        if [c.cell_type for c in en.cells] != [c.cell_type for c in zh.cells]:
            result.refused.append(f"{shown(pair.chinese)}: its cells do not mirror the English notebook; "
                                  "nothing stamped")
            continue
        store, notebook_changed = read_store(pair), False
        for index, (english, chinese) in enumerate(zip(en.cells, zh.cells)):
            english_text, chinese_text = cell_text(english), cell_text(chinese)
            new = {ENGLISH_HASH: text_hash(english_text), CHINESE_HASH: text_hash(chinese_text)}
            old = stamp_of(chinese)
            where = f"{shown(pair.chinese)} cell {index} {describe(index, english)}"
            if force or index in marked.get(pair.name, ()):
                why = "marked as translated"
            elif not changed:
                continue
            elif ENGLISH_HASH not in old:
                why = "stamped for the first time"
            elif old.get(CHINESE_HASH) != new[CHINESE_HASH]:
                why = "Chinese text updated"
            elif old[ENGLISH_HASH] != new[ENGLISH_HASH]:
                result.refused.append(
                    f"{where}: the English changed but the Chinese did not; translate the change, or, if it "
                    f"needs none, --mark-translated {pair.name}:{index}")
                continue
            else:
                continue
            store[new[ENGLISH_HASH]] = english_text
            if {k: old.get(k) for k in new} != new:
                chinese.metadata[STAMP_KEY] = {**chinese.metadata.get(STAMP_KEY, {}), **new}
                notebook_changed = True
                result.stamped.append(f"{where}: {why}")
        used = list(dict.fromkeys(stamp_of(c)[ENGLISH_HASH] for c in zh.cells if ENGLISH_HASH in stamp_of(c)))
        if notebook_changed and not pair.is_markdown:
            nbformat.write(zh, pair.chinese)   # nbformat's own layout (indent 1): small diffs
            result.written.append(shown(pair.chinese))
        page_stamp = stamp_of(zh.cells[0]) if pair.is_markdown else None
        if write_store(pair, {key: store[key] for key in used if key in store}, page_stamp):
            result.written.append(shown(pair.store))
    return result


# ---------------------------------------------------------------------------------------------

def print_report(problems: list[Problem]) -> None:
    if not problems:
        print("The Chinese edition is in step with the English one, and uses the glossary's terms.")
        return
    for problem in problems:
        print(problem)
        print()
    kinds = {p.kind for p in problems}
    counts = ", ".join(f"{sum(p.kind == k for p in problems)} {label}" for k, label in
                       [("changed", "changed in English"), ("unstamped", "never stamped"),
                        ("glossary", "rejected glossary terms"), ("structure", "notebook problems")] if k in kinds)
    print(f"{len(problems)} to fix ({counts}).")
    if kinds & {"changed", "unstamped"}:
        print("Translate the English changes into the Chinese cells named above, then run\n"
              "    python3 scripts/translations.py --stamp\n"
              "If an English change needs no Chinese change, mark the cell as translated instead:\n"
              "    python3 scripts/translations.py --mark-translated NOTEBOOK:CELL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="See CONTRIBUTING.md, 'Keeping the Chinese edition in step'.")
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="only these notebooks (modern_cnn/alexnet, alexnet or a path); default: all")
    parser.add_argument("--stamp", action="store_true",
                        help="re-stamp the Chinese cells whose Chinese text changed since their stamp")
    parser.add_argument("--force", action="store_true",
                        help="with --stamp: stamp EVERY cell as translated (a new pair translated in one go)")
    parser.add_argument("--mark-translated", action="append", default=[], metavar="NOTEBOOK:CELL",
                        help="stamp this cell although its Chinese text did not change (repeatable)")
    parser.add_argument("--chapters", type=Path, default=CHAPTERS, help="folder with en/ and zh/ (default: chapters)")
    parser.add_argument("--glossary", type=Path, default=GLOSSARY, help="default: book/glossary.yml")
    args = parser.parse_args(argv)
    if args.force and not args.stamp:
        parser.error("--force stamps every cell: it goes with --stamp (or use --mark-translated NOTEBOOK:CELL)")
    try:
        if args.stamp or args.mark_translated:
            result = stamp(args.chapters, args.notebooks, changed=args.stamp, force=args.force,
                           mark=args.mark_translated)
            for line in result.stamped:
                print("stamped", line)
            for line in result.refused:
                print("NOT stamped", line)
            print(f"{len(result.stamped)} cell(s) stamped; wrote {', '.join(result.written) or 'nothing'}.\n")
        problems = check(args.chapters, args.glossary, args.notebooks)
    except UsageError as error:
        print(f"translations.py: {error}", file=sys.stderr)
        return 2
    print_report(problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
