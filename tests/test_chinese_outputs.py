"""What a Chinese page prints is Chinese.

Every stored output of every Chinese notebook (printed text and the text form of results) is read
for English sentences: three or more lowercase English words in a row ("is not allowed", "the
residual branch gives").  Names are not sentences and pass: identifiers (``residual_zero_init``),
model, library and file names, units, commands, numbers.  Also allowed, each for the reason given:

* the package's source listings (``show_source``): the package's real code, docstrings included,
  is the same in both editions;
* PyTorch's own error messages, shown as PyTorch prints them and labelled as PyTorch's;
* data: ImageNet's category names as torchvision ships them.

The package's own messages, its error messages included, come out in the page's language
(``cnnbook.i18n``), so they need no exception.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
CHINESE_NOTEBOOKS = sorted(p for p in (REPO / "chapters" / "zh").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)

ENGLISH_SENTENCE = re.compile(r"(?<![\w/.`'-])[a-z]{2,}(?: [a-z]{2,}){2,}(?![\w/.`'(-])")
ALLOWED_LINES = [
    (re.compile(r"^\s*(PyTorch 的 \S+|PyTorch 的报错|反向传播，自动微分的报错)："), "PyTorch's own message, labelled as such"),
    (re.compile(r"^ImageNet 类别数："), "data: ImageNet's category names as torchvision ships them"),
]

def english_lines(path: Path) -> dict[int, list[str]]:
    """Cell index -> the printed lines holding an English sentence (allowed ones left out)."""
    found: dict[int, list[str]] = {}
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code" or "show_source(" in cell.source:
            continue
        for output in cell.get("outputs", []):
            text = "".join(output.get("text") or output.get("data", {}).get("text/plain", ""))
            if output.get("output_type") == "error" or text.startswith("<Figure"):
                continue
            for line in text.splitlines():
                if ENGLISH_SENTENCE.search(line) and not any(p.search(line) for p, _ in ALLOWED_LINES):
                    found.setdefault(index, []).append(line)
    return found


def name_of(path: Path) -> str:
    return path.relative_to(REPO / "chapters" / "zh").with_suffix("").as_posix()


@pytest.mark.parametrize("path", CHINESE_NOTEBOOKS, ids=name_of)
def test_chinese_outputs_are_chinese(path):
    found = english_lines(path)
    assert not found, ("English sentences in the outputs of a Chinese page (print them in Chinese: the "
                            "page's strings, or the package's messages through cnnbook.i18n):\n"
                            + "\n".join(f"cell {cell}: {line}" for cell, lines in found.items() for line in lines))


def test_the_check_tells_a_sentence_from_names():
    assert ENGLISH_SENTENCE.search("growth_rate=0 is not allowed: each dense layer adds")
    for text in ("变体 plain、residual、residual_zero_init", "cpu (2 threads)", "python -m cnnbook.experiments.noise",
                 "在 ImageNet 上训练 ResNet-50", "torch.optim.lr_scheduler 调度器"):
        assert not ENGLISH_SENTENCE.search(text), text


def test_stored_names_print_in_the_pages_language():
    from cnnbook import i18n
    before = i18n.current_language()
    try:
        i18n.set_language("zh")
        assert i18n.value_name("schedule", "cosine") == "余弦"
        assert i18n.value_name("variant", "VGG-11 + batch norm") == "VGG-11 + 批量规范化"
        assert i18n.value_name("variant", "VGG-11") == "VGG-11"          # no translation: as stored
        assert i18n.profile_name("fast") == "快速配置" and i18n.profile_name("gpu-big") == "gpu-big"
        i18n.set_language("en")
        assert i18n.value_name("schedule", "cosine") == "cosine" and i18n.profile_name("fast") == "fast"
    finally:
        i18n.set_language(before)


def test_every_stored_variant_has_a_chinese_name():
    """A page prints a comparison's variants through ``value_name("variant", ...)``: each stored
    variant needs its Chinese name in ``cnnbook.i18n.VALUE_NAMES`` (a new comparison fails here)."""
    from cnnbook.experiments.comparisons import COMPARISONS
    from cnnbook.i18n import VALUE_NAMES
    missing = [f"{name}: {variant!r}" for name, comparison in COMPARISONS.items()
               for variant in comparison["variants"] if "zh" not in VALUE_NAMES["variant"].get(variant, {})]
    assert not missing, "variants without a Chinese name in cnnbook.i18n.VALUE_NAMES['variant']:\n" + "\n".join(missing)


def test_settings_devices_and_provenance_print_in_the_page_language():
    from cnnbook import set_language
    from cnnbook.experiments import describe_provenance
    from cnnbook.i18n import describe_settings, device_name
    origin = {"command": "python -m x", "date": "2026-12-06 13:00 UTC", "wall_time_s": 61.4, "cpu": "AMD EPYC",
              "device": "cpu (1 threads)"}
    try:
        set_language("zh")
        assert describe_settings({"batch_size": 64, "lr": 0.1}) == "批量大小 64，学习率 0.1"
        assert device_name("cpu (2 threads)") == "CPU，2 个线程"
        assert describe_provenance(origin) == ("由 `python -m x` 于 2026-12-06 13:00 UTC 保存（用时 61 秒；AMD EPYC，"
                                               "CPU，1 个线程）")
    finally:
        set_language("en")
    assert describe_settings({"batch_size": 64, "lr": 0.1}) == "batch size 64, lr 0.1"
    assert device_name("cpu (1 threads)") == "cpu (1 thread)" and device_name("cuda:0") == "cuda:0"
    assert describe_provenance(origin) == "stored by `python -m x` on 2026-12-06 13:00 UTC (61 s; AMD EPYC, cpu (1 thread))"
