"""Looking at a model block by block, and timing it: tables of whole blocks, CPU time per image.

``vgg_block_summary`` builds a ``cnnbook.models.VGG`` from a list of ``(num_convs, out_channels)``
blocks and reports, block by block, the output shape, the parameters and the FLOPs for one image
(on PyTorch's shape-only "meta" device, so even VGG-19 at 224x224 takes a fraction of a second;
FLOPs by ``torch.utils.flop_counter``, a multiply-add counting 2).  An invalid configuration is
refused by the model itself with a ``CnnbookError`` that names the problem.

``cnnbook.inspection.layer_table`` lists every leaf layer; for a network of multi-branch blocks
(GoogLeNet's Inception blocks) that is hundreds of rows, and a block's own output (the
concatenation of its branches) is no leaf's output.  ``module_table`` lists the modules at one
depth of the module tree instead, with each one's output shape and all its parameters.

``time_per_image`` measures the forward pass with ``torch.utils.benchmark``.  Timings depend on
the machine and its load: plot them, never print them as results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .errors import check_bool, check_float, check_int, invalid
from .i18n import tr
from .inspection import (
    LayerRow,
    check_input_shape,
    check_model,
    device_and_dtype,
    format_layer_table,
    layer_table,
)
from .tables import Table, show
from .timing import seconds_per_call


def module_table(
    model: nn.Module, input_shape: Sequence[int], depth: int = 1
) -> list[LayerRow]:
    """Run one batch through ``model`` and record the output shape of every module at ``depth``.

    Depth 1 is the model's direct children (for GoogLeNet: the stem's layers, each Inception
    block, the poolings, the classifier), depth 2 their children, and so on; a leaf above that
    depth counts too.  Rows are in the order the modules run, with all the parameters of each
    module; modules that do not run (GoogLeNet's auxiliary classifiers in eval mode) are left
    out.  This is ``cnnbook.inspection.layer_table(model, input_shape, depth)``.
    """
    return layer_table(model, input_shape, depth=check_int("depth", depth, minimum=1))


def print_module_table(
    model: nn.Module,
    input_shape: Sequence[int],
    depth: int = 1,
    headers: Sequence[str] = ("module", "type", "output shape", "parameters"),
) -> None:
    """Show ``module_table`` for ``model`` on a batch of ``input_shape`` as a table (headers may be translated)."""
    show(format_layer_table(module_table(model, input_shape, depth), headers))


def time_per_image(
    model: nn.Module,
    input_shape: Sequence[int] = (1, 3, 224, 224),
    min_run_time: float = 0.5,
) -> float:
    """Median seconds per image of ``model``'s forward pass (eval mode, no gradients).

    Measured with ``cnnbook.timing.seconds_per_call`` (``torch.utils.benchmark``'s ``blocked_autorange``) on a
    zero batch of ``input_shape`` on the model's device; the median time of one batch is divided
    by the batch size.  The result depends on the machine and its load.
    """
    check_model(model)
    input_shape = check_input_shape(input_shape)
    min_run_time = check_float(
        "min_run_time", min_run_time, minimum=0.0, include_minimum=False, maximum=60.0
    )
    device, dtype = device_and_dtype(model)
    images = torch.zeros(*input_shape, device=device, dtype=dtype)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():  # the timer's warm-up also runs the input check's one-off shape probe
            seconds = seconds_per_call(lambda: model(images), min_run_time=min_run_time)
    finally:
        model.train(was_training)
    return seconds / input_shape[0]


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


def vgg_block_summary(
    architecture: Sequence[Sequence[int]],
    image_size: int = 224,
    in_channels: int = 3,
    num_classes: int = 1000,
    batch_norm: bool = False,
    hidden_features: int = 4096,
    pool_size: int = 7,
) -> list[BlockRow]:
    """Per-block output shape, parameters and FLOPs of ``models.VGG(architecture, ...)`` for one image.

    Args:
        architecture: one ``(num_convs, out_channels)`` pair per VGG block, e.g. ``VGG_CONFIGS[11]``.
        image_size: height and width of the (square) input image.
        in_channels, num_classes, batch_norm, hidden_features, pool_size: as ``models.VGG``.

    Returns the rows: the input, one row per block, then the adaptive pooling with the classifier.
    Raises ``CnnbookError`` for an invalid architecture or an image too small for its blocks.
    """
    # the models import this package's inspection module: import late
    from .models import (
        VGG,
    )

    image_size = check_int("image_size", image_size, minimum=1)
    in_channels = check_int("in_channels", in_channels, minimum=1)
    batch_norm = check_bool("batch_norm", batch_norm)
    with torch.device("meta"):
        model = VGG(
            architecture,
            in_channels=in_channels,
            num_classes=num_classes,
            batch_norm=batch_norm,
            hidden_features=hidden_features,
            pool_size=pool_size,
        )
    model.eval()
    images = torch.empty(1, in_channels, image_size, image_size, device="meta")
    # the model's own input check: a clear error if the image is too small
    model(images)
    rows = [BlockRow(tr("block input"), "", tuple(images.shape), 0, 0)]
    features = images
    for index, block in enumerate(model.features, start=1):
        flops, features = _flops(block, features)
        num_convs = sum(isinstance(layer, nn.Conv2d) for layer in block)
        rows.append(
            BlockRow(
                tr("block n", index=index),
                tr("block layers", num_convs=num_convs, channels=features.shape[1]),
                tuple(features.shape),
                sum(p.numel() for p in block.parameters()),
                flops,
            )
        )
    head = nn.Sequential(model.avgpool, nn.Flatten(), model.classifier)
    flops, scores = _flops(head, features)
    rows.append(
        BlockRow(
            tr("block head"),
            tr("block classifier"),
            tuple(scores.shape),
            sum(p.numel() for p in head.parameters()),
            flops,
        )
    )
    return rows


def format_block_summary(
    rows: Sequence[BlockRow], headers: Sequence[str] | None = None
) -> Table:
    """The rows as a ``cnnbook.tables.Table`` with a total line (parameters, and FLOPs in millions).

    ``headers`` default to the current language's (``cnnbook.set_language``)."""
    headers = list(tr("block headers").split("|") if headers is None else headers)
    body = [
        (
            r.name,
            r.layers,
            "x".join(str(d) for d in r.output_shape),
            f"{r.parameters:,}",
            f"{r.flops / 1e6:,.1f}",
        )
        for r in rows
    ]
    body.append(
        (
            tr("total"),
            "",
            "",
            f"{sum(r.parameters for r in rows):,}",
            f"{sum(r.flops for r in rows) / 1e6:,.1f}",
        )
    )
    return Table(headers, body, right=[False, False, False, True, True])


def receptive_field(kernel_sizes: Sequence[int]) -> int:
    """Side of the receptive field of a stack of stride-1 convolutions: ``1 + sum(k - 1)``.

    Two 3x3 convolutions see 5x5 input pixels, three see 7x7."""
    if (
        isinstance(kernel_sizes, (str, bytes))
        or not isinstance(kernel_sizes, Sequence)
        or not kernel_sizes
    ):
        raise invalid(
            "kernel_sizes",
            kernel_sizes,
            "a non-empty list of kernel sizes, e.g. [3, 3]",
            type_error=not isinstance(kernel_sizes, Sequence),
        )
    return 1 + sum(
        check_int(f"kernel_sizes[{i}]", k, minimum=1) - 1
        for i, k in enumerate(kernel_sizes)
    )
