"""Chinese typography of the Chinese edition: no stray spaces inside Chinese text.

Chinese is written without spaces between characters, and full-width punctuation (，。：；…) carries
its own spacing.  A space between two Chinese characters, or after full-width punctuation, is
almost always left over from an f-string ("{name} 在" where the name is Chinese, "参数数量： {n}") or
from a translation that replaced an English word.  Spaces beside Latin letters and digits stay, as
the book writes them ("在 ImageNet 上", "3 个迭代周期").

Checked: the prose of every Chinese page (notebooks and Markdown pages), its figure captions, the
comments and strings of its code cells, and the stored outputs (printed text).  Not checked in the outputs: lines that
pad columns with runs of spaces (the printed tables: their alignment is their own check).
``print("…：", value)`` puts a space after the colon: write ``print(f"…：{value}")``.
"""
from __future__ import annotations

import importlib.util
import re
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("translations", REPO / "scripts" / "translations.py")
translations = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("translations", translations)
_spec.loader.exec_module(translations)

CHINESE = "\u4e00-\u9fff"
SPACE_BETWEEN_CHINESE = re.compile(f"(?<=[{CHINESE}]) (?=[{CHINESE}])")
SPACE_AFTER_FULL_WIDTH = re.compile(r"(?<=[，。：；！？、（）《》“”‘’「」]) +(?=\S)")
COLUMN_PADDING = re.compile(r"\S {2,}\S")

PAGES = sorted(p for p in (REPO / "chapters" / "zh").rglob("*")
               if p.suffix in (".ipynb", ".md") and ".ipynb_checkpoints" not in p.parts)


def page_texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) of a page's prose and of its code cells' comments and strings."""
    if path.suffix == ".md":
        return [("page", path.read_text(encoding="utf-8"))]
    notebook = nbformat.read(path, as_version=4)
    return [(f"cell {index}", _without_bibliography(cell, translations.shown_text(cell)))
            for index, cell in enumerate(notebook.cells)]


def _without_bibliography(cell, text: str) -> str:
    """The JupyterLab reference cell (written by scripts/colab_edition.py) lists the cited works
    as the bibliography prints them, in English (titles may hold curly quotes): its sentence is
    checked, its list is not."""
    if cell.get("id") != "lab-references":
        return text
    return "\n".join(line for line in text.splitlines() if not line.startswith("- `"))


def output_lines(path: Path) -> list[tuple[str, str]]:
    if path.suffix != ".ipynb":
        return []
    lines = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            lines += [(f"cell {index} output", line) for line in "".join(text).splitlines()]
    return lines


def offenders(items: list[tuple[str, str]], pattern: re.Pattern) -> list[str]:
    found = []
    for where, text in items:
        for match in pattern.finditer(text):
            excerpt = text[max(0, match.start() - 15):match.end() + 15].replace("\n", "⏎")
            found.append(f"{where}: …{excerpt}…")
    return found


def test_there_are_chinese_pages():
    assert any(p.suffix == ".ipynb" for p in PAGES) and any(p.suffix == ".md" for p in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_space_inside_chinese_text(page):
    texts = page_texts(page)
    found = offenders(texts, SPACE_BETWEEN_CHINESE) + offenders(texts, SPACE_AFTER_FULL_WIDTH)
    printed = [(where, line) for where, line in output_lines(page) if not COLUMN_PADDING.search(line)]
    found += offenders(printed, SPACE_BETWEEN_CHINESE) + offenders(printed, SPACE_AFTER_FULL_WIDTH)
    assert not found, ("stray spaces in Chinese text (a space between two Chinese characters or after "
                       "full-width punctuation: delete it; in an f-string, write the value without the space):\n"
                       + "\n".join(found))


@pytest.mark.parametrize("text, expected", [
    ("20 层残差网络 在每个随机种子下", ["…20 层残差网络 在每个随机种子下…"]),
    ("参数数量： 11,689,512", ["…参数数量： 11,689,512…"]),
    ("在 ImageNet 上训练 3 个迭代周期", []),
])
def test_the_check_finds_stray_spaces(text, expected):
    found = offenders([("here", text)], SPACE_BETWEEN_CHINESE) + offenders([("here", text)], SPACE_AFTER_FULL_WIDTH)
    assert [f.removeprefix("here: ") for f in found] == expected


def test_package_messages_in_chinese_have_no_stray_spaces():
    from cnnbook import i18n
    before = i18n.current_language()
    try:
        i18n.set_language("zh")
        assert i18n.chinese_spacing("20 层残差网络 在每个：True，在 ImageNet 上") == \
            "20 层残差网络在每个：True，在 ImageNet 上"
        for key, message in [*i18n.MESSAGES.items(), *i18n.ERRORS.items()]:   # the templates themselves
            assert not SPACE_BETWEEN_CHINESE.search(message["zh"]), (key, message["zh"])
            assert not SPACE_AFTER_FULL_WIDTH.search(message["zh"]), (key, message["zh"])
        assert set(i18n.ERRORS) <= {key for key, message in i18n.ERRORS.items() if {"en", "zh"} <= set(message)}
    finally:
        i18n.set_language(before)


def test_every_error_message_has_both_languages_with_the_same_fields():
    """An error the package raises is in the page's language; both templates name the same values."""
    import string

    from cnnbook import i18n, models
    from cnnbook.errors import CnnbookError
    for key, message in i18n.ERRORS.items():
        fields = [{name for _, name, _, _ in string.Formatter().parse(message[lang]) if name} for lang in ("en", "zh")]
        assert fields[0] == fields[1], (key, fields)
    before = i18n.current_language()
    try:
        i18n.set_language("zh")
        with pytest.raises(CnnbookError, match="growth_rate=0 不可用：growth_rate 必须是不小于 1 的整数。"):
            models.DenseNet(growth_rate=0)
    finally:
        i18n.set_language(before)
    with pytest.raises(CnnbookError, match="growth_rate=0 is not allowed: growth_rate must be an integer >= 1."):
        models.DenseNet(growth_rate=0)


def test_wrap_text_wraps_chinese_by_display_width():
    from wcwidth import wcswidth

    from cnnbook import i18n

    text = "预训练权重不在缓存中（没有网络），也无法下载。" * 6 + " https://download.pytorch.org/models/resnet18-f37072fd.pth 下载。"
    lines = i18n.wrap_text(text, width=40).splitlines()
    assert len(lines) > 3 and "".join(lines).replace(" ", "") == text.replace(" ", ""), "nothing lost"
    url = "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    assert all(wcswidth(line) <= 40 for line in lines if url not in line), lines
    assert any(line.startswith(url) for line in lines), "a word longer than the width stays whole"
    assert not any(line[0] in "，。）" or line[-1] == "（" for line in lines), "punctuation stays with its text"
    english = "the pretrained weights are not in torch's cache and could not be downloaded " * 3
    assert i18n.wrap_text(english, 30) == textwrap.fill(english, 30), "English wraps as textwrap does"
    with pytest.raises(ValueError, match="width must be an integer"):
        i18n.wrap_text(text, width=0)
