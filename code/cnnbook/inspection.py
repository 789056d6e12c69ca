"""Looking inside a model: output shapes layer by layer, parameter counts, FLOPs.

FLOPs are counted by PyTorch itself (``torch.utils.flop_counter.FlopCounterMode``), which counts
a multiply-add as two floating-point operations.  Papers often quote multiply-adds ("MACs"), half
that number; ``count_flops`` returns FLOPs and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .errors import check_bool, check_int, invalid
from .tables import Table, show


def check_model(model: nn.Module, name: str = "model") -> nn.Module:
    """``model`` if it is a PyTorch module; a clear error otherwise (e.g. a model's name)."""
    if not isinstance(model, nn.Module):
        hint = (
            f"Build it first, e.g. models.{model}()." if isinstance(model, str) else ""
        )
        raise invalid(
            name,
            model,
            "a model (a torch.nn.Module), e.g. cnnbook.models.lenet()",
            hint,
            type_error=True,
        )
    return model


def check_input_shape(
    input_shape: Sequence[int], name: str = "input_shape"
) -> tuple[int, ...]:
    """A batch shape ``(batch, channels, height, width)`` of positive integers."""
    allowed = "a shape (batch, channels, height, width) of positive integers, e.g. (1, 1, 28, 28)"
    if isinstance(input_shape, (str, bytes)) or not isinstance(
        input_shape, (Sequence, torch.Size)
    ):
        raise invalid(name, input_shape, allowed, type_error=True)
    if (
        not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1
            for n in input_shape
        )
        or not input_shape
    ):
        raise invalid(name, input_shape, allowed)
    return tuple(input_shape)


def _default_input_shape(model: nn.Module) -> tuple[int, int, int, int]:
    """One image of the model's own channels (3 if it does not say), at 224x224 or its smallest size."""
    channels = getattr(model, "in_channels", 3)
    smallest = getattr(model, "min_input_size", None) or 0
    size = max(224, smallest)
    return (1, channels if isinstance(channels, int) else 3, size, size)


def device_and_dtype(model: nn.Module) -> tuple[torch.device, torch.dtype]:
    """Where the model's parameters are, and the floating-point type they compute in."""
    parameter = next(model.parameters(), None)
    floating = next((p for p in model.parameters() if p.is_floating_point()), None)
    return (
        parameter.device if parameter is not None else torch.device("cpu"),
        floating.dtype if floating is not None else torch.get_default_dtype(),
    )


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (weights and biases), optionally only those that are trained."""
    check_model(model)
    trainable_only = check_bool("trainable_only", trainable_only)
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )


def count_flops(model: nn.Module, input_shape: Sequence[int] | None = None) -> int:
    """Floating-point operations of one forward pass, counted by ``torch.utils.flop_counter``.

    The model runs once in eval mode on a zero tensor of ``input_shape`` (by default one image
    with the model's own number of channels, 224x224 or the model's smallest size if larger);
    its train/eval mode is restored afterwards.  One multiply-add counts as 2 FLOPs.
    """
    check_model(model)
    input_shape = (
        _default_input_shape(model)
        if input_shape is None
        else check_input_shape(input_shape)
    )
    # the input check's one-off shape probe runs now, not below
    getattr(model, "min_input_size", None)
    was_training = model.training
    model.eval()
    device, dtype = device_and_dtype(model)
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(torch.zeros(*input_shape, device=device, dtype=dtype))
    finally:
        model.train(was_training)
    return int(counter.get_total_flops())


@dataclass(frozen=True)
class LayerRow:
    """One row of a layer table: a layer's name, type, output shape and own parameters."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    parameters: int


def layer_table(
    model: nn.Module, input_shape: Sequence[int], depth: int | None = None
) -> list[LayerRow]:
    """Run one batch through ``model`` and record every leaf layer's output shape.

    Leaf layers are modules without children (convolutions, activations, pooling, linear...),
    listed in the order they run.  With ``depth``, the modules at that depth of the module tree
    are listed instead (1: the model's direct children, 2: their children...; a leaf above that
    depth counts too), each with all its parameters: for multi-branch blocks such as Inception,
    whose own output (the concatenation) is no leaf's.  Modules that do not run are left out.
    The model is run in eval mode and restored afterwards.
    """
    check_model(model)
    input_shape = check_input_shape(input_shape)
    if depth is not None:
        depth = check_int("depth", depth, minimum=1)
    # the input check's one-off shape probe runs now, not under the hooks
    getattr(model, "min_input_size", None)
    rows: list[LayerRow] = []
    hooks = []
    for name, module in model.named_modules():
        is_leaf = not list(module.children())
        level = name.count(".") + 1
        if name and (
            is_leaf
            if depth is None
            else (level == depth or (level < depth and is_leaf))
        ):

            def record(mod: nn.Module, _inputs, output, name: str = name) -> None:
                shape = tuple(output.shape) if isinstance(output, torch.Tensor) else ()
                rows.append(
                    LayerRow(
                        name,
                        type(mod).__name__,
                        shape,
                        sum(p.numel() for p in mod.parameters()),
                    )
                )

            hooks.append(module.register_forward_hook(record))
    was_training = model.training
    model.eval()
    device, dtype = device_and_dtype(model)
    try:
        with torch.no_grad():
            model(torch.zeros(*input_shape, device=device, dtype=dtype))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return rows


def format_layer_table(
    rows: Sequence[LayerRow],
    headers: Sequence[str] = ("layer", "type", "output shape", "parameters"),
) -> Table:
    """The rows as a ``cnnbook.tables.Table`` with a total line; headers may be translated."""
    body = [
        (r.name, r.kind, "x".join(str(d) for d in r.output_shape), f"{r.parameters:,}")
        for r in rows
    ]
    body.append(("", "", "", f"{sum(r.parameters for r in rows):,}"))
    return Table(headers, body, right=(False, False, False, True))


def print_layer_table(
    model: nn.Module,
    input_shape: Sequence[int],
    headers: Sequence[str] = ("layer", "type", "output shape", "parameters"),
) -> None:
    """Show ``layer_table`` for ``model`` on a batch of ``input_shape`` as a table."""
    show(format_layer_table(layer_table(model, input_shape), headers))
