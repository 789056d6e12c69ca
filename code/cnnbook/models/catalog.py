"""A table of every named model: parameters and FLOPs of ours next to torchvision's, computed
live, and the ImageNet top-1 accuracy *published by torchvision for its IMAGENET1K_V1 weights*
(read from torchvision's weight metadata; nothing is downloaded).

FLOPs are counted by ``cnnbook.inspection.count_flops`` for one 224x224 image (a multiply-add
counts as 2 FLOPs).  Models are built on PyTorch's "meta" device: shapes only, no memory, no
arithmetic, so the whole table takes seconds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import torch
import torchvision

from ..errors import CnnbookError
from ..inspection import count_flops, count_parameters
from . import TORCHVISION_NAMES


@dataclass(frozen=True)
class CatalogRow:
    """One model: our counts, torchvision's, and torchvision's published ImageNet top-1 accuracy."""
    name: str
    parameters: int
    torchvision_parameters: int
    flops: int
    torchvision_flops: int
    top1: Optional[float]


# GoogLeNet is listed as used for inference: without its auxiliary classifiers (as torchvision's weights)
OUR_OPTIONS = {"googlenet": {"aux_logits": False}}
REFERENCE_OPTIONS = {"googlenet": {"aux_logits": False, "init_weights": False}}


def _build_reference(name: str) -> torch.nn.Module:
    extra = REFERENCE_OPTIONS.get(name, {})
    # torchvision's RegNet computes its widths with tensor values: build it on the CPU, then move it
    with torch.device("cpu" if name.startswith("regnet") else "meta"):
        model = torchvision.models.get_model(name, weights=None, **extra)
    return model.to("meta")


def published_top1(name: str) -> Optional[float]:
    """ImageNet-1K top-1 accuracy (%) that torchvision publishes for ``name``'s IMAGENET1K_V1 weights."""
    weights = torchvision.models.get_model_weights(name)
    entry = getattr(weights, "IMAGENET1K_V1", None)
    return None if entry is None else float(entry.meta["_metrics"]["ImageNet-1K"]["acc@1"])


def catalog_rows(names: Sequence[str] = TORCHVISION_NAMES) -> list[CatalogRow]:
    """Count parameters and FLOPs of our model and torchvision's for each name."""
    from . import __dict__ as factories
    if isinstance(names, str):
        names = [names]
    unknown = [name for name in names if name not in TORCHVISION_NAMES] if isinstance(names, Sequence) else names
    if unknown:
        raise CnnbookError(f"names={names!r} is not allowed: names must be a list of torchvision model names "
                           f"that the book builds, from: {', '.join(TORCHVISION_NAMES)}")
    rows = []
    for name in names:
        with torch.device("meta"):
            ours = factories[name](**OUR_OPTIONS.get(name, {}))
        theirs = _build_reference(name)
        rows.append(CatalogRow(name, count_parameters(ours), count_parameters(theirs),
                               count_flops(ours), count_flops(theirs), published_top1(name)))
    return rows


def format_catalog(rows: Sequence[CatalogRow],
                   headers: Sequence[str] = ("model", "parameters (M)", "torchvision (M)", "GFLOPs",
                                             "torchvision GFLOPs", "ImageNet top-1 (%)*")) -> str:
    """The rows as a Markdown table (headers may be translated); the footnote cites the source."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
    for r in rows:
        top1 = "n/a" if r.top1 is None else f"{r.top1:.2f}"
        lines.append(f"| {r.name} | {r.parameters / 1e6:.2f} | {r.torchvision_parameters / 1e6:.2f} | "
                     f"{r.flops / 1e9:.2f} | {r.torchvision_flops / 1e9:.2f} | {top1} |")
    lines.append("")
    lines.append("\\* published by torchvision for its IMAGENET1K_V1 weights. FLOPs for one 224x224 "
                 "image, counted by torch.utils.flop_counter (a multiply-add = 2 FLOPs).")
    return "\n".join(lines)
