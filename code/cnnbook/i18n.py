"""The few words the package itself prints or draws, in English and Chinese.

The Chinese notebooks call ``set_language("zh")`` in their set-up cell, so that training
summaries, run descriptions and plot labels come out in Chinese; the code is otherwise the same.
The environment variable ``CNNBOOK_LANG`` sets the default.
"""
from __future__ import annotations

import os
import re

LANGUAGES = ("en", "zh")
_language = os.environ.get("CNNBOOK_LANG", "en") if os.environ.get("CNNBOOK_LANG") in LANGUAGES else "en"

MESSAGES: dict[str, dict[str, str]] = {
    "epoch": {"en": "epoch", "zh": "迭代周期"},
    "train loss": {"en": "train loss", "zh": "训练损失"},
    "train acc": {"en": "train acc", "zh": "训练准确率"},
    "test acc": {"en": "test acc", "zh": "测试准确率"},
    "held-out acc": {"en": "held-out acc", "zh": "留出集准确率"},
    "training": {"en": "training", "zh": "训练中"},
    "summary": {
        "en": "loss {loss:.3f}, train acc {train_acc:.3f}, {eval_name} acc {eval_acc:.3f}",
        "zh": "损失 {loss:.3f}，训练准确率 {train_acc:.3f}，{eval_name}准确率 {eval_acc:.3f}"},
    "speed": {"en": "{speed:.1f} examples/sec on {device}",
              "zh": "{speed:.1f} 样本/秒，设备 {device}"},
    "test": {"en": "test", "zh": "测试集"},
    "held-out": {"en": "held-out", "zh": "留出集"},
    "run": {
        "en": ("profile '{profile}': {model} on {train_size:,} training images ({train_what}), "
               "evaluated on {eval_size:,} {eval_what}; {image_size}x{image_size} pixels, batch {batch_size}, "
               "{epochs} epochs, lr {lr}, momentum {momentum}"),
        "zh": ("{profile}配置：{model}，训练图像 {train_size:,} 张（{train_what}），"
               "评估图像 {eval_size:,} 张（{eval_what}）；{image_size}x{image_size} 像素，批量大小 {batch_size}，"
               "{epochs} 个迭代周期，学习率 {lr}，动量 {momentum}")},
    "run precise bn": {"en": "; batch-norm statistics recomputed over {batches} training batches ({images:,} images) "
                              "before each evaluation",
                       "zh": "；每次评估前用 {batches} 个训练小批量（{images:,} 张图像）重新计算批量规范化的统计量"},
    "sample train": {"en": "Fashion-MNIST training-set images 0-2047",
                     "zh": "Fashion-MNIST 训练集第 0-2047 张"},
    "sample eval": {"en": "held-out images (training-set images 2048-2556, not the official test set)",
                    "zh": "留出图像，即训练集第 2048-2556 张，并非官方测试集"},
    "official train": {"en": "the official Fashion-MNIST training set",
                       "zh": "官方 Fashion-MNIST 训练集"},
    "official eval": {"en": "official test images", "zh": "官方测试集"},
    # cnnbook.stages: a VGG-style network's table, block by block
    "block input": {"en": "input", "zh": "输入"},
    "block n": {"en": "block {index}", "zh": "块 {index}"},
    "block head": {"en": "pool + classifier", "zh": "汇聚 + 分类器"},
    "block layers": {"en": "{num_convs} x conv 3x3, {channels} ch, max-pool",
                     "zh": "{num_convs} 个 3x3 卷积，{channels} 通道，最大汇聚"},
    "block classifier": {"en": "3 fully connected", "zh": "3 个全连接层"},
    "block headers": {"en": "stage|layers|output shape|parameters|MFLOPs", "zh": "阶段|层|输出形状|参数|MFLOPs"},
    "total": {"en": "total", "zh": "合计"},
    # cnnbook.spread: the verdict of two ranges of runs
    "higher at every seed": {"en": "{first} higher at every seed", "zh": "{first} 在每个随机种子下都更高"},
    "lower at every seed": {"en": "{first} lower at every seed", "zh": "{first} 在每个随机种子下都更低"},
    "within noise": {"en": "ranges overlap: within noise", "zh": "范围重叠：在噪声之内"},
    "paired higher": {"en": "{first} higher in {higher} of {n} pairs, lower in {lower} (sign test p = {p:.2g})",
                      "zh": "{first} 有 {higher} 对更高（共 {n} 对），{lower} 对更低（符号检验 p = {p:.2g}）"},
    "paired lower": {"en": "{first} lower in {lower} of {n} pairs, higher in {higher} (sign test p = {p:.2g})",
                     "zh": "{first} 有 {lower} 对更低（共 {n} 对），{higher} 对更高（符号检验 p = {p:.2g}）"},
    "paired all higher, too few": {"en": ("{first} higher in all {n} pairs (sign test p = {p:.2g}: {n} pairs are too "
                                          "few for p <= {level:g})"),
                                   "zh": "{first} 在全部 {n} 对中都更高（符号检验 p = {p:.2g}：{n} 对太少，达不到 p <= {level:g}）"},
    "paired all lower, too few": {"en": ("{first} lower in all {n} pairs (sign test p = {p:.2g}: {n} pairs are too "
                                         "few for p <= {level:g})"),
                                  "zh": "{first} 在全部 {n} 对中都更低（符号检验 p = {p:.2g}：{n} 对太少，达不到 p <= {level:g}）"},
    "paired within noise": {"en": ("{first} higher in {higher}, lower in {lower} of {n} pairs (sign test p = {p:.2g}): "
                                   "within noise"),
                            "zh": "{first} 有 {higher} 对更高、{lower} 对更低（共 {n} 对，符号检验 p = {p:.2g}）：在噪声之内"},
}


def set_language(language: str) -> None:
    """Choose the language of the package's printed text and plot labels: ``"en"`` or ``"zh"``."""
    global _language
    if not isinstance(language, str) or language not in LANGUAGES:
        from .errors import CnnbookError
        raise CnnbookError(f"unknown language {language!r}: choose one of {', '.join(LANGUAGES)}")
    _language = language


def current_language() -> str:
    return _language


# Values that the package or a page prints, in the reader's language (a value missing here, or
# missing in a language, prints as it is stored): the profile "fast" is 快速配置 in Chinese.
VALUE_NAMES: dict[str, dict[str, dict[str, str]]] = {
    "profile": {"fast": {"en": "fast", "zh": "快速"}, "full": {"en": "full", "zh": "完整"}},
    "schedule": {"cosine": {"zh": "余弦"}, "constant": {"zh": "常数"}, "warmup_cosine": {"zh": "预热 + 余弦"}},
    # stored variant names of the experiments (cnnbook.experiments.comparisons)
    "variant": {"VGG-11 + batch norm": {"zh": "VGG-11 + 批量规范化"}, "VGG-16 + batch norm": {"zh": "VGG-16 + 批量规范化"}},
}


def value_name(kind: str, value: str) -> str:
    """``value`` (a stored name of kind ``"schedule"``, ``"variant"``, ...) in the current language."""
    return VALUE_NAMES.get(kind, {}).get(value, {}).get(_language, value)


def profile_name(profile: str) -> str:
    """The name of a run profile in the current language: "fast" or "快速配置"."""
    name = value_name("profile", profile)
    return name + "配置" if _language == "zh" and name != profile else name


def tr(key: str, **values: object) -> str:
    """The message ``key`` in the current language, formatted with ``values``."""
    text = MESSAGES[key][_language]
    values = {name: value_name(name, value) if isinstance(value, str) else value for name, value in values.items()}
    text = text.format(**values) if values else text
    return chinese_spacing(text) if _language == "zh" else text


_CHINESE = "\u4e00-\u9fff"
_SPACE_BETWEEN_CHINESE = re.compile(f"(?<=[{_CHINESE}]) (?=[{_CHINESE}])")
_SPACE_AFTER_FULL_WIDTH = re.compile("(?<=[，。：；！？、（）“”]) (?=\\S)")


def chinese_spacing(text: str) -> str:
    """Chinese text without the single spaces a template leaves between two Chinese characters or
    after full-width punctuation ("{name} 在" with a Chinese name); spaces beside Latin letters and
    digits stay, as the book writes them ("在 ImageNet 上")."""
    return _SPACE_AFTER_FULL_WIDTH.sub("", _SPACE_BETWEEN_CHINESE.sub("", text))
