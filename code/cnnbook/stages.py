"""Looking at a model block by block, and timing it: tables of whole blocks, CPU time per image.

``cnnbook.inspection.layer_table`` lists every leaf layer; for a network of multi-branch blocks
(GoogLeNet's Inception blocks) that is hundreds of rows, and a block's own output (the
concatenation of its branches) is no leaf's output.  ``module_table`` lists the modules at one
depth of the module tree instead, with each one's output shape and all its parameters.

``time_per_image`` measures the forward pass with ``torch.utils.benchmark``.  Timings depend on
the machine and its load: plot them, never print them as results.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from .errors import check_float, check_int
from .inspection import LayerRow, check_input_shape, check_model, device_and_dtype, format_layer_table, layer_table
from .timing import seconds_per_call


def module_table(model: nn.Module, input_shape: Sequence[int], depth: int = 1) -> list[LayerRow]:
    """Run one batch through ``model`` and record the output shape of every module at ``depth``.

    Depth 1 is the model's direct children (for GoogLeNet: the stem's layers, each Inception
    block, the poolings, the classifier), depth 2 their children, and so on; a leaf above that
    depth counts too.  Rows are in the order the modules run, with all the parameters of each
    module; modules that do not run (GoogLeNet's auxiliary classifiers in eval mode) are left
    out.  This is ``cnnbook.inspection.layer_table(model, input_shape, depth)``.
    """
    return layer_table(model, input_shape, depth=check_int("depth", depth, minimum=1))


def print_module_table(model: nn.Module, input_shape: Sequence[int], depth: int = 1,
                       headers: Sequence[str] = ("module", "type", "output shape", "parameters")) -> None:
    """Print ``module_table`` for ``model`` on a batch of ``input_shape`` (headers may be translated)."""
    print(format_layer_table(module_table(model, input_shape, depth), headers))


def time_per_image(model: nn.Module, input_shape: Sequence[int] = (1, 3, 224, 224),
                   min_run_time: float = 0.5) -> float:
    """Median seconds per image of ``model``'s forward pass (eval mode, no gradients).

    Measured with ``cnnbook.timing.seconds_per_call`` (``torch.utils.benchmark``'s ``blocked_autorange``) on a
    zero batch of ``input_shape`` on the model's device; the median time of one batch is divided
    by the batch size.  The result depends on the machine and its load.
    """
    check_model(model)
    input_shape = check_input_shape(input_shape)
    min_run_time = check_float("min_run_time", min_run_time, minimum=0.0, include_minimum=False, maximum=60.0)
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
