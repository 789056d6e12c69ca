"""Tools for debugging a residual network, used by chapter 2's debugging page.

* ``activation_statistics(model, images, modules)``: mean and standard deviation of what each of
  the given modules (by default the residual blocks) outputs on a minibatch, caught by forward
  hooks, in the mode the model is in.
* ``check_block_shapes(block, input_shape)``: runs a residual block on a probe and, when its
  residual branch and its shortcut disagree in shape, raises a ``CnnbookError`` that names both
  shapes and the fix, instead of PyTorch's "The size of tensor a must match..." from deep inside
  the addition.

The other tools of that page, ``residual_blocks`` and ``gradient_norms`` (per layer, from real
backward passes), are those of the residual-learning page, in ``cnnbook.gradients``.

Shapes: ``images`` is ``(batch, channels, height, width)``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
from torch import nn

from .errors import CnnbookError, CnnbookTypeError, check_int_sequence
from .i18n import error_text

__all__ = ["activation_statistics", "check_block_shapes"]


def _check_model(model: nn.Module, name: str = "model") -> nn.Module:
    if not isinstance(model, nn.Module):
        raise CnnbookTypeError(
            f"{name}={type(model).__name__} is not allowed: {name} must be a torch.nn.Module"
        )
    return model


def _check_images(images: torch.Tensor) -> torch.Tensor:
    if not isinstance(images, torch.Tensor) or images.dim() != 4 or images.shape[0] < 1:
        shape = (
            tuple(images.shape)
            if isinstance(images, torch.Tensor)
            else type(images).__name__
        )
        raise CnnbookError(
            f"images={shape} is not allowed: images must be a tensor of shape "
            "(batch, channels, height, width) with at least one image"
        )
    return images


def activation_statistics(
    model: nn.Module,
    images: torch.Tensor,
    modules: Mapping[str, nn.Module] | Sequence[tuple[str, nn.Module]] | None = None,
) -> dict[str, tuple[float, float]]:
    """``{name: (mean, std)}`` of each module's output on ``images``, in forward order.

    ``modules`` defaults to the residual blocks of a ``cnnbook.models`` ResNet
    (``cnnbook.gradients.residual_blocks``); for any other model, name the modules to
    watch.  The model runs once, without gradients, in the mode it is in (call
    ``model.eval()`` first for evaluation statistics; in training mode the batch-norm
    moving averages are updated).
    """
    from .gradients import residual_blocks

    _check_model(model)
    _check_images(images)
    if modules is None and not getattr(model, "stage_names", None):
        raise CnnbookError(
            f"{type(model).__name__} is not a ResNet of cnnbook.models, so there "
            "are no residual blocks to watch by default: name the modules to watch, "
            "e.g. activation_statistics(model, images, dict(model.named_children()))"
        )
    watched = list(
        (modules.items() if isinstance(modules, Mapping) else modules)
        if modules is not None
        else residual_blocks(model)
    )
    if not watched:
        raise CnnbookError(
            "modules=[] is not allowed: give at least one (name, module) pair to watch"
        )
    statistics: dict[str, tuple[float, float]] = {}

    def hook_for(name: str):
        def hook(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
            values = output.detach().float()
            statistics[name] = (values.mean().item(), values.std().item())

        return hook

    # the input check's one-off shape probe runs now, not under the hooks
    getattr(model, "min_input_size", None)
    handles = [module.register_forward_hook(hook_for(name)) for name, module in watched]
    try:
        with torch.no_grad():
            model(images)
    finally:
        for handle in handles:
            handle.remove()
    return statistics


def check_block_shapes(block: nn.Module, input_shape: Sequence[int]) -> tuple[int, ...]:
    """Run ``block`` on zeros of ``input_shape`` = (batch, channels, height, width) and
    return its output shape; if the shortcut and the residual branch give different
    shapes, raise a ``CnnbookError`` naming both (the residual branch's shape is the
    output of its last layer).
    """
    _check_model(block, "block")
    shape = check_int_sequence("input_shape", input_shape, minimum=1, length=4)
    outputs: list[tuple[str, tuple[int, ...]]] = []
    handles = [
        module.register_forward_hook(
            lambda module, args, output, name=name: outputs.append(
                (name, tuple(output.shape))
            )
        )
        for name, module in block.named_children()
        if name != "downsample"
    ]
    shortcut_shape = [shape]
    downsample = getattr(block, "downsample", None)
    if isinstance(downsample, nn.Module):
        handles.append(
            downsample.register_forward_hook(
                lambda module, args, output: shortcut_shape.__setitem__(
                    0, tuple(output.shape)
                )
            )
        )
    try:
        with torch.no_grad():
            result = block(torch.zeros(shape))
    except RuntimeError as error:
        if "must match the size" not in str(error):
            raise
        raise CnnbookError(
            error_text(
                "shapes cannot be added",
                block=type(block).__name__,
                shortcut=tuple(shortcut_shape[0]),
                residual=next(
                    (
                        error_text("last layer", shape=shape_, name=name)
                        for name, shape_ in reversed(outputs)
                        if len(shape_) == 4 and shape_ != shortcut_shape[0]
                    ),
                    error_text("another shape"),
                ),
            )
        ) from None
    finally:
        for handle in handles:
            handle.remove()
    return tuple(result.shape)
