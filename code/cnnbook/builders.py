"""Summaries of a network built from blocks: what each block does to the shape, what it costs.

``vgg_block_summary`` builds a ``cnnbook.models.VGG`` from a list of ``(num_convs, out_channels)``
blocks and reports, block by block, the output shape, the parameters and the FLOPs for one image.
The network is built on PyTorch's "meta" device (shapes only: no memory, no arithmetic), so even
VGG-19 at 224x224 is summarized in a fraction of a second, and FLOPs are counted by PyTorch's own
``torch.utils.flop_counter`` (a multiply-add counts as 2 FLOPs), as ``cnnbook.inspection`` does.

Invalid configurations are refused by the model itself with a ``CnnbookError`` that names the
problem: a block that is not a pair of positive integers, an empty list, or images too small for
the number of blocks (every block halves the height and width).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .errors import check_bool, check_int
from .i18n import tr
from .inspection import display_width



@dataclass(frozen=True)
class BlockRow:
    """One stage of a block summary: its label, what it holds, its output shape, parameters and FLOPs."""
    name: str
    layers: str
    output_shape: tuple[int, ...]
    parameters: int
    flops: int


def _flops(module: nn.Module, inputs: torch.Tensor) -> tuple[int, torch.Tensor]:
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        outputs = module(inputs)
    return int(counter.get_total_flops()), outputs


def vgg_block_summary(architecture: Sequence[Sequence[int]], image_size: int = 224, in_channels: int = 3,
                      num_classes: int = 1000, batch_norm: bool = False, hidden_features: int = 4096,
                      pool_size: int = 7) -> list[BlockRow]:
    """Per-block output shape, parameters and FLOPs of ``models.VGG(architecture, ...)`` for one image.

    Args:
        architecture: one ``(num_convs, out_channels)`` pair per VGG block, e.g. ``VGG_CONFIGS[11]``.
        image_size: height and width of the (square) input image.
        in_channels, num_classes, batch_norm, hidden_features, pool_size: as ``models.VGG``.

    Returns the rows: the input, one row per block, then the adaptive pooling with the classifier.
    Raises ``CnnbookError`` for an invalid architecture or an image too small for its blocks.
    """
    from .models import VGG  # the models import this package's inspection module: import late
    image_size = check_int("image_size", image_size, minimum=1)
    in_channels = check_int("in_channels", in_channels, minimum=1)
    batch_norm = check_bool("batch_norm", batch_norm)
    with torch.device("meta"):
        model = VGG(architecture, in_channels=in_channels, num_classes=num_classes, batch_norm=batch_norm,
                    hidden_features=hidden_features, pool_size=pool_size)
    model.eval()
    images = torch.empty(1, in_channels, image_size, image_size, device="meta")
    model(images)  # the model's own input check: a clear error if the image is too small
    rows = [BlockRow(tr("block input"), "", tuple(images.shape), 0, 0)]
    features = images
    for index, block in enumerate(model.features, start=1):
        flops, features = _flops(block, features)
        num_convs = sum(isinstance(layer, nn.Conv2d) for layer in block)
        rows.append(BlockRow(tr("block n", index=index),
                             tr("block layers", num_convs=num_convs, channels=features.shape[1]),
                             tuple(features.shape), sum(p.numel() for p in block.parameters()), flops))
    head = nn.Sequential(model.avgpool, nn.Flatten(), model.classifier)
    flops, scores = _flops(head, features)
    rows.append(BlockRow(tr("block head"), tr("block classifier"), tuple(scores.shape),
                         sum(p.numel() for p in head.parameters()), flops))
    return rows


def _pad(text: str, width: int, right: bool) -> str:
    padding = " " * max(width - display_width(text), 0)
    return padding + text if right else text + padding


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None) -> str:
    """A fixed-width text table; columns aligned by display width, so Chinese text lines up.

    ``right`` says, per column, whether to align right (numbers); by default all but the first."""
    headers = [str(h) for h in headers]
    if any(len(row) != len(headers) for row in rows):
        from .errors import invalid
        raise invalid("rows", rows, f"a list of rows with {len(headers)} cells each, one per header")
    right = [index > 0 for index in range(len(headers))] if right is None else list(right)
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(display_width(line[i]) for line in cells) for i in range(len(headers))]
    lines = ["  ".join(_pad(c, w, r) for c, w, r in zip(line, widths, right)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_block_summary(rows: Sequence[BlockRow], headers: Sequence[str] | None = None) -> str:
    """The rows as a fixed-width text table with a total line (parameters, and FLOPs in millions).

    ``headers`` default to the current language's (``cnnbook.set_language``)."""
    headers = list(tr("block headers").split("|") if headers is None else headers)
    body = [(r.name, r.layers, "x".join(str(d) for d in r.output_shape), f"{r.parameters:,}",
             f"{r.flops / 1e6:,.1f}") for r in rows]
    body.append((tr("total"), "", "", f"{sum(r.parameters for r in rows):,}",
                 f"{sum(r.flops for r in rows) / 1e6:,.1f}"))
    return format_table(headers, body, right=[False, False, False, True, True])


def receptive_field(kernel_sizes: Sequence[int]) -> int:
    """Side of the receptive field of a stack of stride-1 convolutions: ``1 + sum(k - 1)``.

    Two 3x3 convolutions see 5x5 input pixels, three see 7x7."""
    if isinstance(kernel_sizes, (str, bytes)) or not isinstance(kernel_sizes, Sequence) or not kernel_sizes:
        from .errors import invalid
        raise invalid("kernel_sizes", kernel_sizes, "a non-empty list of kernel sizes, e.g. [3, 3]",
                      type_error=not isinstance(kernel_sizes, Sequence))
    return 1 + sum(check_int(f"kernel_sizes[{i}]", k, minimum=1) - 1 for i, k in enumerate(kernel_sizes))
