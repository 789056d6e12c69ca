"""The few words the package itself prints or draws, in English and Chinese.

The Chinese notebooks call ``set_language("zh")`` in their set-up cell, so that training
summaries, run descriptions and plot labels come out in Chinese; the code is otherwise the same.
The environment variable ``CNNBOOK_LANG`` sets the default.
"""

from __future__ import annotations

import os
import re

LANGUAGES = ("en", "zh")
_language = (
    os.environ.get("CNNBOOK_LANG", "en")
    if os.environ.get("CNNBOOK_LANG") in LANGUAGES
    else "en"
)

MESSAGES: dict[str, dict[str, str]] = {
    "epoch": {"en": "epoch", "zh": "迭代周期"},
    "train loss": {"en": "train loss", "zh": "训练损失"},
    "train acc": {"en": "train acc", "zh": "训练准确率"},
    "test acc": {"en": "test acc", "zh": "测试准确率"},
    "held-out acc": {"en": "held-out acc", "zh": "留出集准确率"},
    "training": {"en": "training", "zh": "训练中"},
    "summary": {
        "en": "loss {loss:.3f}, train acc {train_acc:.3f}, {eval_name} acc {eval_acc:.3f}",
        "zh": "损失 {loss:.3f}，训练准确率 {train_acc:.3f}，{eval_name}准确率 {eval_acc:.3f}",
    },
    # History.summary's second line: the device, not the speed (it describes only the machine
    # that ran the page, and its load: make bench compares speeds)
    "trained on": {
        "en": "trained on {device}",
        "zh": "训练设备：{device}",
    },
    # cnnbook.spread.describe_range: a summary over seeds, "mean (min-max)"
    "range": {
        "en": "{mean:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})",
        "zh": "{mean:.{digits}f}（{low:.{digits}f}-{high:.{digits}f}）",
    },
    "test": {"en": "test", "zh": "测试集"},
    "held-out": {"en": "held-out", "zh": "留出集"},
    "run": {
        "en": (
            "profile '{profile}': {model} on {train_size:,} training images ({train_what}), "
            "evaluated on {eval_size:,} {eval_what}; {image_size}x{image_size} pixels, batch {batch_size}, "
            "{epochs} epochs, lr {lr}, momentum {momentum}"
        ),
        "zh": (
            "{profile}配置：{model}，训练图像 {train_size:,} 张（{train_what}），"
            "评估图像 {eval_size:,} 张（{eval_what}）；{image_size}x{image_size} 像素，批量大小 {batch_size}，"
            "{epochs} 个迭代周期，学习率 {lr}，动量 {momentum}"
        ),
    },
    "run precise bn": {
        "en": "; batch-norm statistics recomputed over {batches} training batches ({images:,} images) "
        "before each evaluation",
        "zh": "；每次评估前用 {batches} 个训练小批量（{images:,} 张图像）重新计算批量规范化的统计量",
    },
    "sample train": {
        "en": "Fashion-MNIST training-set images 0-2047",
        "zh": "Fashion-MNIST 训练集第 0-2047 张",
    },
    "sample eval": {
        "en": "held-out images (training-set images 2048-2556, not the official test set)",
        "zh": "留出图像，即训练集第 2048-2556 张，并非官方测试集",
    },
    "official train": {
        "en": "the official Fashion-MNIST training set",
        "zh": "官方 Fashion-MNIST 训练集",
    },
    "official eval": {"en": "official test images", "zh": "官方测试集"},
    # cnnbook.stages: a VGG-style network's table, block by block
    "block input": {"en": "input", "zh": "输入"},
    "block n": {"en": "block {index}", "zh": "块 {index}"},
    "block head": {"en": "pool + classifier", "zh": "汇聚 + 分类器"},
    "block layers": {
        "en": "{num_convs} x conv 3x3, {channels} ch, max-pool",
        "zh": "{num_convs} 个 3x3 卷积，{channels} 通道，最大汇聚",
    },
    "block classifier": {"en": "3 fully connected", "zh": "3 个全连接层"},
    "block headers": {
        "en": "stage|layers|output shape|parameters|MFLOPs",
        "zh": "阶段|层|输出形状|参数|MFLOPs",
    },
    "total": {"en": "total", "zh": "合计"},
    # cnnbook.experiments.describe_provenance: where a stored result came from
    "provenance": {
        "en": "stored by `{command}` on {date} ({wall_time:.0f} s; {cpu}, {device})",
        "zh": "由 `{command}` 于 {date} 保存（用时 {wall_time:.0f} 秒；{cpu}，{device}）",
    },
    # cnnbook.plotting.plot_seed_bands: the legend label of a variant
    "variant over seeds": {
        "en": "{variant} ({count} seeds)",
        "zh": "{variant}（{count} 个随机种子）",
    },
    # cnnbook.spread: the verdict of two ranges of runs
    "higher at every seed": {
        "en": "{first} higher at every seed",
        "zh": "{first} 在每个随机种子下都更高",
    },
    "lower at every seed": {
        "en": "{first} lower at every seed",
        "zh": "{first} 在每个随机种子下都更低",
    },
    "within noise": {
        "en": "ranges overlap: within noise",
        "zh": "范围重叠，差异在噪声之内",
    },
    "paired higher": {
        "en": "{first} higher in {higher} of {n} pairs, lower in {lower} (sign test p = {p:.2g})",
        "zh": "{first} 有 {higher} 对更高（共 {n} 对），{lower} 对更低（符号检验 p = {p:.2g}）",
    },
    "paired lower": {
        "en": "{first} lower in {lower} of {n} pairs, higher in {higher} (sign test p = {p:.2g})",
        "zh": "{first} 有 {lower} 对更低（共 {n} 对），{higher} 对更高（符号检验 p = {p:.2g}）",
    },
    "paired all higher, too few": {
        "en": (
            "{first} higher in all {n} pairs (sign test p = {p:.2g}: {n} pairs are too "
            "few for p <= {level:g})"
        ),
        "zh": "{first} 在全部 {n} 对中都更高（符号检验 p = {p:.2g}：{n} 对太少，达不到 p <= {level:g}）",
    },
    "paired all lower, too few": {
        "en": (
            "{first} lower in all {n} pairs (sign test p = {p:.2g}: {n} pairs are too "
            "few for p <= {level:g})"
        ),
        "zh": "{first} 在全部 {n} 对中都更低（符号检验 p = {p:.2g}：{n} 对太少，达不到 p <= {level:g}）",
    },
    "paired within noise": {
        "en": (
            "{first} higher in {higher}, lower in {lower} of {n} pairs (sign test p = {p:.2g}): "
            "within noise"
        ),
        "zh": "{first} 有 {higher} 对更高、{lower} 对更低（共 {n} 对，符号检验 p = {p:.2g}）：在噪声之内",
    },
}


def set_language(language: str) -> None:
    """Choose the language of the package's printed text and plot labels: ``"en"`` or ``"zh"``."""
    global _language
    if not isinstance(language, str) or language not in LANGUAGES:
        from .errors import CnnbookError

        raise CnnbookError(
            f"unknown language {language!r}: choose one of {', '.join(LANGUAGES)}"
        )
    _language = language


def current_language() -> str:
    return _language


# Values that the package or a page prints, in the reader's language (a value missing here, or
# missing in a language, prints as it is stored): the profile "fast" is 快速配置 in Chinese.
VALUE_NAMES: dict[str, dict[str, dict[str, str]]] = {
    "profile": {
        "fast": {"en": "fast", "zh": "快速"},
        "full": {"en": "full", "zh": "完整"},
    },
    "schedule": {
        "cosine": {"zh": "余弦"},
        "constant": {"zh": "常数"},
        "warmup_cosine": {"zh": "预热 + 余弦"},
    },
    # the stored variant names of the comparisons (cnnbook.experiments.comparisons); a test checks
    # that every one has its Chinese name here
    "variant": {
        "VGG-11": {"zh": "VGG-11"},
        "VGG-16": {"zh": "VGG-16"},
        "VGG-11 + batch norm": {"zh": "VGG-11 + 批量规范化"},
        "VGG-16 + batch norm": {"zh": "VGG-16 + 批量规范化"},
        "He (the package's)": {"zh": "辅助包默认的 He"},
        "Xavier": {"zh": "Xavier"},
        "PyTorch default": {"zh": "PyTorch 默认"},
        "Xavier (the package's)": {"zh": "辅助包默认的 Xavier"},
        "He": {"zh": "He"},
        "VGG-11, Xavier (the package's)": {"zh": "VGG-11，辅助包默认的 Xavier"},
        "VGG-11, He (torchvision's)": {"zh": "VGG-11，torchvision 的 He"},
        "VGG-16, Xavier": {"zh": "VGG-16，Xavier"},
        "VGG-16, He (torchvision's)": {"zh": "VGG-16，torchvision 的 He"},
        "LeNet, lr 0.3": {"zh": "LeNet，学习率 0.3"},
        "LeNet + BN, lr 0.3": {"zh": "LeNet + BN，学习率 0.3"},
        "LeNet, lr 0.9": {"zh": "LeNet，学习率 0.9"},
        "LeNet + BN, lr 0.9": {"zh": "LeNet + BN，学习率 0.9"},
        "LeNet, lr 3.0": {"zh": "LeNet，学习率 3.0"},
        "LeNet + BN, lr 3.0": {"zh": "LeNet + BN，学习率 3.0"},
        "batch 2": {"zh": "批量大小 2"},
        "batch 8": {"zh": "批量大小 8"},
        "batch 32": {"zh": "批量大小 32"},
        "batch 128": {"zh": "批量大小 128"},
        "before the activation": {"zh": "激活函数之前"},
        "after the activation": {"zh": "激活函数之后"},
        "constant": {"zh": "常数学习率"},
        "cosine": {"zh": "余弦"},
        "label smoothing 0.1": {"zh": "标签平滑 0.1"},
        "PyTorch default init": {"zh": "PyTorch 默认初始化"},
        "no momentum": {"zh": "不带动量"},
    },
}

# The names of run settings (a stored result's "training" settings), for describe_settings.
SETTING_NAMES: dict[str, dict[str, str]] = {
    "image_size": {"en": "image size", "zh": "图像大小"},
    "batch_size": {"en": "batch size", "zh": "批量大小"},
    "lr": {"en": "lr", "zh": "学习率"},
    "shortcut": {"en": "shortcut option", "zh": "捷径选项"},
    "momentum": {"en": "momentum", "zh": "动量"},
    "weight_decay": {"en": "weight decay", "zh": "权重衰减"},
    "epochs": {"en": "epochs", "zh": "迭代周期数"},
    "steps_per_epoch": {"en": "steps per epoch", "zh": "每个迭代周期的步数"},
    "backbone_lr_factor": {"en": "backbone lr factor", "zh": "骨干网络学习率倍数"},
    "precise_bn_batches": {
        "en": "precise batch-norm batches",
        "zh": "重算批量规范化统计量的小批量数",
    },
    "warmup_epochs": {"en": "warm-up epochs", "zh": "预热迭代周期数"},
    "start_factor": {"en": "start factor", "zh": "预热起始倍数"},
}


def describe_settings(settings: dict[str, object]) -> str:
    """Run settings as words in the current language: "image size 28, batch size 64, lr 0.1"
    (a setting without a name in ``SETTING_NAMES`` is shown by its key)."""
    separator = "，" if _language == "zh" else ", "
    return separator.join(
        f"{SETTING_NAMES.get(key, {}).get(_language, key)} {value}"
        for key, value in settings.items()
    )


def device_name(device: str) -> str:
    """A stored device description in the current language: "cpu (2 threads)" is "CPU，2 个线程"."""
    match = re.fullmatch(r"cpu \((\d+) threads?\)", device)
    if match is None:
        return device
    threads = int(match.group(1))
    return (
        f"CPU，{threads} 个线程"
        if _language == "zh"
        else f"cpu ({threads} thread{'s' * (threads != 1)})"
    )


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
    values = {
        name: value_name(name, value) if isinstance(value, str) else value
        for name, value in values.items()
    }
    text = text.format(**values) if values else text
    return chinese_spacing(text) if _language == "zh" else text


# The package's error messages (cnnbook.errors and the checks that pages show on purpose).  The
# English text is what a reader searches for; the Chinese follows it.
ERRORS: dict[str, dict[str, str]] = {
    # cnnbook.errors: invalid() and the check_* helpers
    "invalid": {
        "en": "{name}={value} is not allowed: {name} must be {allowed}.",
        "zh": "{name}={value} 不可用：{name} 必须是 {allowed}。",
    },
    "integer": {"en": "an integer", "zh": "整数"},
    "integer from to": {
        "en": "an integer from {minimum} to {maximum}",
        "zh": "{minimum} 到 {maximum} 之间的整数",
    },
    "integer at least": {
        "en": "an integer >= {minimum}",
        "zh": "不小于 {minimum} 的整数",
    },
    "integer at most": {
        "en": "an integer <= {maximum}",
        "zh": "不大于 {maximum} 的整数",
    },
    "use int": {
        "en": "Use int({value}) if you meant a whole number.",
        "zh": "如果想要整数，请写 int({value})。",
    },
    "finite number": {"en": "a finite number", "zh": "有限数"},
    "finite number within": {
        "en": "a finite number {bounds}",
        "zh": "{bounds} 的有限数",
    },
    "and": {"en": " and ", "zh": " 且 "},
    "true or false": {"en": "True or False", "zh": "True 或 False"},
    "one of": {"en": "one of {choices}", "zh": "{choices} 之一"},
    "integer list": {
        "en": "a list of {count} integer(s), each >= {minimum}",
        "zh": "由 {count} 个整数组成的列表，每个都 >= {minimum}",
    },
    "integer list any": {
        "en": "a list of one or more integer(s), each >= {minimum}",
        "zh": "由一个或多个整数组成的列表，每个都 >= {minimum}",
    },
    "number list": {
        "en": "a list of finite numbers, each {bound}",
        "zh": "由有限数组成的列表，每个都 {bound}",
    },
    "entry is not": {
        "en": "{name}[{index}]={value} is not.",
        "zh": "{name}[{index}]={value} 不满足。",
    },
    "or none": {"en": "{allowed}, or None", "zh": "{allowed}，或者 None"},
    "rows": {
        "en": "a list of rows with {count} cells each, one per header",
        "zh": "一个行列表，每行 {count} 个单元格，与表头一一对应",
    },
    "right": {
        "en": "one True/False per column ({count})",
        "zh": "每列一个 True/False（共 {count} 列）",
    },
    "classification name hint": {
        "en": "Use a name of torchvision's classification models, e.g. 'resnet18' or 'resnet50'.",
        "zh": "请使用 torchvision 分类模型的名字，例如 'resnet18' 或 'resnet50'。",
    },
    "torchvision name hint": {
        "en": "Use a torchvision model name that cnnbook.models builds, e.g. 'resnet50'.",
        "zh": "请使用 cnnbook.models 能构建的 torchvision 模型名，例如 'resnet50'。",
    },
    # models: the input checks every model runs (cnnbook.models._base)
    "in_channels mismatch": {
        "en": (
            "{name} was built with in_channels={built} but the images have {channels} channel(s). Build the "
            "model with in_channels={channels}, or convert the images "
            "(e.g. torchvision.transforms.Grayscale(num_output_channels=...))."
        ),
        "zh": (
            "{name} 构建时 in_channels={built}，但图像有 {channels} 个通道。请用 in_channels={channels} 构建模型，"
            "或者转换图像（例如 torchvision.transforms.Grayscale(num_output_channels=...)）。"
        ),
    },
    "image too small": {
        "en": (
            "{name} needs images of at least {smallest}x{smallest} pixels, got {height}x{width}: its "
            "downsampling layers would shrink them to nothing. Resize the images first, e.g. "
            "torchvision.transforms.Resize({smallest}), or load the data with a larger image_size."
        ),
        "zh": (
            "{name} 需要至少 {smallest}x{smallest} 像素的图像，得到的却是 {height}x{width}：它的下采样层会把图像缩小到"
            "什么都不剩。请先放大图像，例如用 torchvision.transforms.Resize({smallest})，或者用更大的 image_size "
            "加载数据。"
        ),
    },
    # models: their arguments
    "vgg block": {
        "en": (
            "architecture[{position}] = {entry!r} is not a VGG block: every entry must be a pair "
            "(num_convs, out_channels) of positive integers, e.g. (2, 128)"
        ),
        "zh": "architecture[{position}] = {entry!r} 不是 VGG 块：每一项都必须是由两个正整数组成的 (num_convs, out_channels)，例如 (2, 128)",
    },
    "vgg empty": {
        "en": "architecture=[] is not allowed: architecture must list at least one (num_convs, out_channels) block",
        "zh": "architecture=[] 不可用：architecture 至少要列出一个 (num_convs, out_channels) 块",
    },
    "nin stages": {
        "en": "{name}={value!r} is not allowed: {what} NiNStage(out_channels, kernel_size, stride, padding)",
        "zh": "{name}={value!r} 不可用：{what} NiNStage(out_channels, kernel_size, stride, padding)",
    },
    "nin stages list": {
        "en": "stages must be a list of",
        "zh": "stages 必须是一个列表，其中每一项都是",
    },
    "nin stage": {"en": "each stage must be a", "zh": "每个阶段都必须是"},
    "inception sum": {
        "en": (
            "the sum of the four branch widths, ch1x1 + ch3x3 + ch_large + pool_proj = {ch1x1} + {ch3x3} + "
            "{ch_large} + {pool_proj} = {total}"
        ),
        "zh": "四个分支宽度之和，即 ch1x1 + ch3x3 + ch_large + pool_proj = {ch1x1} + {ch3x3} + {ch_large} + {pool_proj} = {total}",
    },
    "inception sum hint": {
        "en": "Change a branch width or out_channels so that they add up.",
        "zh": "请修改某个分支的宽度或 out_channels，使两者相等。",
    },
    "growth rate": {
        "en": (
            "growth_rate={value!r} is not allowed: each dense layer adds growth_rate new channels, so it must be "
            "a positive integer (DenseNet-BC uses 32; the CIFAR DenseNets 12)"
        ),
        "zh": (
            "growth_rate={value!r} 不可用：每个稠密层增加 growth_rate 个新通道，所以它必须是正整数"
            "（DenseNet-BC 用 32，CIFAR 上的 DenseNet 用 12）"
        ),
    },
    "resnet block": {
        "en": (
            "block={value!r} is not allowed: ResNet reads the class attributes expansion (the block's output "
            "channels as a multiple of its stage's width: 1 in BasicBlock and PreActBasicBlock, 4 in Bottleneck "
            "and PreActBottleneck), has_bottleneck and pre_activation; {name} has no {missing}. Subclass one of "
            "these blocks, or set all three in the class as they do."
        ),
        "zh": (
            "block={value!r} 不可用：ResNet 读取类属性 expansion（块的输出通道数是所在阶段宽度的几倍：BasicBlock 和 "
            "PreActBasicBlock 为 1，Bottleneck 和 PreActBottleneck 为 4）、has_bottleneck 和 pre_activation；"
            "{name} 缺少 {missing}。请继承这几个块之一，或者像它们一样在类中设置这三个属性。"
        ),
    },
    "resnet block class": {
        "en": (
            "block={value!r} is not allowed: block must be a residual block class, a subclass of nn.Module such as "
            "BasicBlock, Bottleneck, PreActBasicBlock or PreActBottleneck (the class itself: ResNet builds every "
            "block)"
        ),
        "zh": (
            "block={value!r} 不可用：block 必须是残差块类，即 nn.Module 的子类，例如 BasicBlock、Bottleneck、"
            "PreActBasicBlock 或 PreActBottleneck（传入类本身：ResNet 自己构建每一个块）"
        ),
    },
    # joins the entries of a list inside an error message ("expansion, has_bottleneck")
    "list separator": {"en": ", ", "zh": "、"},
    "resnet layers": {
        "en": "layers={value} is not allowed: layers must give a positive number of blocks for each of the {stages} stages",
        "zh": "layers={value} 不可用：layers 必须为 {stages} 个阶段各给出一个正的块数",
    },
    "resnext width": {
        "en": "{name}={value!r} is not allowed: groups (the cardinality) and width_per_group must be positive integers",
        "zh": "{name}={value!r} 不可用：groups（基数）和 width_per_group 都必须是正整数",
    },
    "groups divisor": {
        "en": (
            "groups={groups} must be a positive divisor of the {channels} channels of the grouped 3x3 convolution "
            "(each group gets channels / groups = {per_group:g} channels)"
        ),
        "zh": "groups={groups} 必须是通道数 {channels} 的正约数（分组 3x3 卷积有这么多通道，每组分到 channels / groups = {per_group:g} 个通道）",
    },
    "cifar depth": {
        "en": (
            "depth={value!r} is not 6n+2 with n >= 1: a CIFAR ResNet has 2 layers (stem and linear) plus 3 stages of "
            "n blocks of 2 convolutions each; use one of {depths}, ..."
        ),
        "zh": (
            "depth={value!r} 不是 6n+2（n >= 1）：CIFAR 残差网络有 2 层（茎部和线性层），外加 3 个阶段，每个阶段 n 个块，"
            "每块 2 个卷积；可用的深度为 {depths} 等"
        ),
    },
    "batch norm one value": {
        "en": "batch norm in training mode needs more than one value per feature (input shape {shape}): use a batch of at least 2",
        "zh": "训练模式下的批量规范化要求每个特征有不止一个值（输入形状 {shape}）：请使用至少含 2 个样本的小批量",
    },
    # training, schedules, design spaces, debugging, pretrained weights
    "batch of one": {
        "en": (
            "a batch of {count} image(s) from train_loader reached batch normalization, which needs at least 2 values "
            "per channel in training mode. Drop the incomplete last batch (DataLoader(..., drop_last=True); "
            "cnnbook.data.data_loaders does) or change batch_size."
        ),
        "zh": (
            "train_loader 中一个只有 {count} 张图像的小批量到达了批量规范化层，而训练模式下每个通道至少需要 2 个值。"
            "请丢弃不完整的最后一个小批量（DataLoader(..., drop_last=True)；cnnbook.data.data_loaders 就是这样做的），"
            "或者修改 batch_size。"
        ),
    },
    "warmup too long": {
        "en": (
            "warmup_epochs={warmup_epochs} is not allowed with epochs={epochs}: the warm-up must leave at least one "
            "epoch for the cosine decay, so warmup_epochs must be from 1 to {last}."
        ),
        "zh": (
            "warmup_epochs={warmup_epochs} 与 epochs={epochs} 不能同时使用：预热之后至少要留一个迭代周期给余弦衰减，"
            "所以 warmup_epochs 必须在 1 到 {last} 之间。"
        ),
    },
    "not in space shared": {
        "en": "{name}={value} is not in {space}: it needs one {what} shared by all stages",
        "zh": "{name}={value} 不在 {space} 中：它要求所有阶段共用一个{what}",
    },
    "bottleneck ratio": {"en": "bottleneck ratio", "zh": "瓶颈比率"},
    "group width": {"en": "group width", "zh": "组宽度"},
    "not in space decreasing": {
        "en": "{name}={value} is not in {space}: {name} must not decrease from stage to stage",
        "zh": "{name}={value} 不在 {space} 中：{name} 不能逐阶段减小",
    },
    "not a valid block": {
        "en": (
            "stage {stage}: width {width} with bottleneck ratio {ratio} and group width {group_width} is not a valid "
            "block: the middle width width / b = {middle:g} must be a whole multiple of the group width"
        ),
        "zh": (
            "阶段 {stage}：宽度 {width}、瓶颈比率 {ratio}、组宽度 {group_width} 构不成有效的块："
            "中间宽度 width / b = {middle:g} 必须是组宽度的整数倍"
        ),
    },
    "training diverged": {
        "en": (
            "the training loss stopped being finite ({loss}) in epoch {epoch}: training diverged. Lower the "
            "learning rate (lr={lr}) or the momentum (momentum={momentum}) and run again."
        ),
        "zh": (
            "训练损失在第 {epoch} 个迭代周期不再是有限数（{loss}）：训练发散了。请降低学习率（lr={lr}）"
            "或动量（momentum={momentum}）后重新运行。"
        ),
    },
    "shapes cannot be added": {
        "en": (
            "{block}: the residual branch gives {residual} but the shortcut gives {shortcut}, so they cannot be "
            "added. A block that changes the number of channels or the resolution needs a shortcut that changes "
            "them too: a 1x1 convolution with the block's stride "
            "(cnnbook.models.resnet.projection_shortcut(in_channels, out_channels, stride))."
        ),
        "zh": (
            "{block}：残差分支给出 {residual}，捷径却给出 {shortcut}，两者无法相加。改变通道数或分辨率的块，"
            "它的捷径也必须做同样的改变：用一个步幅与块相同的 1x1 卷积"
            "（cnnbook.models.resnet.projection_shortcut(in_channels, out_channels, stride)）。"
        ),
    },
    "last layer": {
        "en": "{shape} (its last layer, {name})",
        "zh": "{shape}（它的最后一层 {name}）",
    },
    "another shape": {"en": "another shape", "zh": "另一个形状"},
    "weights unavailable": {
        "en": (
            "the pretrained weights {architecture} {weights} are not in torch's cache ({target}) and could not be "
            "downloaded from {url} ({error}). Without internet access: download that file on a machine that has "
            "it and copy it to {target} (or set TORCH_HOME to a folder whose hub/checkpoints/ has it). The rest "
            "of this page runs without pretrained weights."
        ),
        "zh": (
            "预训练权重 {architecture} {weights} 不在 torch 的缓存中（{target}），也无法从 {url} 下载（{error}）。"
            "离线时：在能上网的机器上下载这个文件，再复制到 {target}（或者把 TORCH_HOME 设为某个文件夹，"
            "并把该文件放在它的 hub/checkpoints/ 下）。本页其余部分不用预训练权重也能运行。"
        ),
    },
}


def error_text(key: str, **values: object) -> str:
    """The error message ``key`` of ``ERRORS`` in the current language, formatted with ``values``
    (shown as they are: an error names the value it got)."""
    text = ERRORS[key][_language].format(**values)
    return chinese_spacing(text) if _language == "zh" else text


_CHINESE = "\u4e00-\u9fff"
_SPACE_BETWEEN_CHINESE = re.compile(f"(?<=[{_CHINESE}]) (?=[{_CHINESE}])")
_SPACE_AFTER_FULL_WIDTH = re.compile("(?<=[，。：；！？、（）“”]) (?=\\S)")


def chinese_spacing(text: str) -> str:
    """Chinese text without the single spaces a template leaves between two Chinese characters or
    after full-width punctuation ("{name} 在" with a Chinese name); spaces beside Latin letters and
    digits stay, as the book writes them ("在 ImageNet 上")."""
    return _SPACE_AFTER_FULL_WIDTH.sub("", _SPACE_BETWEEN_CHINESE.sub("", text))


# Full-width punctuation that must not start a line (it closes what comes before it) or end one.
_CLOSING_PUNCTUATION = "，。、；：！？）》」』】”"
_OPENING_PUNCTUATION = "（《「『【“"
_WRAP_TOKEN = re.compile(f"\\s+|[^\\s{_CHINESE}\u3000-\u303f\uff00-\uffef“”]+|.")


def wrap_text(text: str, width: int = 100) -> str:
    """``textwrap.fill`` for text that may be Chinese: lines of at most ``width`` display columns.

    ``textwrap`` breaks lines only at spaces and counts a Chinese character as one column, so a
    Chinese sentence comes out as one overlong line.  Here a Chinese character counts two columns
    (as in a monospaced font, through ``wcwidth``) and a line may also break between two Chinese
    characters, never before closing punctuation (，。）...) nor after opening punctuation (（《...).
    Runs of spaces become one space; a word longer than ``width`` (a URL) stays whole on its line.
    """
    from wcwidth import wcswidth

    if not isinstance(text, str):
        raise TypeError(
            f"text={text!r} is not allowed: wrap_text wraps a string (str(...) it first)"
        )
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise ValueError(
            f"width={width!r} is not allowed: width must be an integer >= 1 (columns)"
        )
    tokens: list[str] = []
    for token in _WRAP_TOKEN.findall(text):
        glue = (
            tokens
            and not tokens[-1].isspace()
            and (
                token in _CLOSING_PUNCTUATION or tokens[-1][-1] in _OPENING_PUNCTUATION
            )
        )
        if glue:  # punctuation stays on the line of what it opens or closes
            tokens[-1] += token
        else:
            tokens.append(token)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token.isspace():
            line += " " if line and not line.endswith(" ") else ""
            continue
        if line.strip() and wcswidth(line + token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)
