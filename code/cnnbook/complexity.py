"""What a network costs, counted and measured, next to what torchvision publishes for it.

Four costs of one image, for the book's models under torchvision's names:

* **parameters**, counted on the package's model;
* **FLOPs** of one forward pass (``torch.utils.flop_counter.FlopCounterMode``, which counts the
  convolutions and matrix products; a multiply-add counts as 2 FLOPs, as in
  ``cnnbook.inspection.count_flops``);
* **activation memory**: the bytes autograd saves for the backward pass in one training-mode
  forward pass (every distinct storage once, the parameters left out: the same count as
  ``cnnbook.memory.saved_activation_bytes``, but for any batch size, one image included, and on
  PyTorch's shape-only ``meta`` device, where no memory is allocated);
* **latency**: seconds per image of an inference forward pass on the machine that runs it
  (``inference_latency``).  It depends on the machine and its load: plot it, never print it.

The first three depend only on the architecture and the image size, so they are the same on every
machine.  FLOPs and memory come from ONE training-mode forward pass on the meta device
(``forward_costs``), which takes well under a second even for ResNet-152.  The book's models check
their input in a forward pre-hook that first finds the smallest image the network accepts (a
binary search of shape-only passes, seconds for a deep network); ``forward_costs`` and
``inference_latency`` call ``model.forward`` directly, which skips that check (their input is a
known-good batch) and not the layers' own hooks.

``published(name)`` reads torchvision's weight metadata (it ships with torchvision; nothing is
downloaded): ``num_params``, ``_ops`` (torchvision's "GFLOPS", which counts a multiply-add as
one operation: half of ``FlopCounterMode``'s FLOPs) and the ImageNet-1K top-1 and top-5 accuracy
of those weights, trained by torchvision (or ported), not the papers' own numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .errors import CnnbookError, check_choice, check_int, invalid
from .i18n import error_text
from .inspection import check_input_shape, check_model, device_and_dtype
from .memory import training_mode_restored
from .timing import seconds_per_call

# Options that make the package's model the one torchvision's weights describe:
# GoogLeNet is used for inference without its auxiliary classifiers.
BUILD_OPTIONS = {"googlenet": {"aux_logits": False}}


def check_model_name(name: str, argument: str = "name") -> str:
    """``name`` if the package builds torchvision's architecture of that name; a clear error otherwise."""
    from .models import list_models

    return check_choice(
        argument,
        name,
        list_models("torchvision"),
        hint=error_text("torchvision name hint"),
    )


def build(name: str, device: str | torch.device = "meta") -> nn.Module:
    """The package's model ``name`` (a torchvision name, 1000 classes), built on ``device``.

    On ``"meta"`` (the default) the model has shapes only: no memory, no arithmetic, no time spent
    initializing its weights; enough to count its parameters, FLOPs and activation memory.
    """
    from . import models

    check_model_name(name)
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise invalid(
            "device", device, "a device name such as 'meta' or 'cpu'"
        ) from None
    with torch.device(device):
        return models.get_model(name, **BUILD_OPTIONS.get(name, {}))


def forward_costs(
    model: nn.Module, input_shape: Sequence[int] = (1, 3, 224, 224)
) -> tuple[int, int]:
    """(FLOPs, saved bytes) of ONE training-mode forward pass of a zero batch of
    ``input_shape``.

    FLOPs as ``cnnbook.inspection.count_flops`` counts them (a multiply-add = 2;
    convolutions and matrix products, the same in training and eval mode).  Saved bytes:
    the storage of every distinct tensor autograd keeps for the backward pass, the
    model's parameters left out.  Works on the meta device.  The model's mode,
    batch-norm moving averages and gradients are restored.
    """
    check_model(model)
    input_shape = check_input_shape(input_shape)
    device, dtype = device_and_dtype(model)
    # A storage's identity is its private ``_cdata``: the public ``data_ptr()`` is 0 for
    # every meta storage.
    parameters = {p.untyped_storage()._cdata for p in model.parameters()}
    saved: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        if (
            storage._cdata not in parameters
        ):  # one entry per storage: views of one tensor count once
            saved[storage._cdata] = storage.nbytes()
        return tensor

    images = torch.zeros(*input_shape, device=device, dtype=dtype)
    with training_mode_restored(model):
        try:
            with FlopCounterMode(
                display=False
            ) as counter, torch.autograd.graph.saved_tensors_hooks(
                pack, lambda tensor: tensor
            ):
                # forward, not __call__: skips the input check's probe
                output = model.forward(images)
        except (
            ValueError,
            RuntimeError,
        ) as error:  # batch norm on one value per channel, a too small image
            raise CnnbookError(
                f"input_shape={input_shape} cannot run through the model in "
                f"training mode: {error}. Use a larger image or batch."
            ) from None
        total = sum(saved.values())
        del output
    return int(counter.get_total_flops()), total


@dataclass(frozen=True)
class Published:
    """What torchvision publishes for one set of weights (from ``weights.meta``)."""

    name: str
    weights: str
    num_params: int
    gmacs: float  # meta["_ops"]: giga multiply-adds, torchvision's "GFLOPS"
    top1: float  # ImageNet-1K validation accuracy (%), torchvision's evaluation
    top5: float
    recipe: str  # the URL of the training recipe (or of where the weights were ported)
    ported: bool  # the weights were ported from another framework, not trained by torchvision


def published(name: str, weights: str = "IMAGENET1K_V1") -> Published:
    """torchvision's metadata of ``name``'s ``weights`` (``"IMAGENET1K_V1"``, ``"IMAGENET1K_V2"`` or
    ``"DEFAULT"``), read offline: torchvision ships it, only the weights themselves are downloaded.
    """
    from .pretrained import weights_info

    check_model_name(name)
    member = weights_info(name, weights)
    meta = member.meta
    metrics = meta["_metrics"]["ImageNet-1K"]
    return Published(
        name,
        member.name,
        int(meta["num_params"]),
        float(meta["_ops"]),
        float(metrics["acc@1"]),
        float(metrics["acc@5"]),
        str(meta.get("recipe", "")),
        "ported" in str(meta.get("_docs", "")).lower(),
    )


def weights_names(name: str) -> tuple[str, ...]:
    """The names of the ImageNet-1K weights torchvision publishes for ``name`` that have accuracies."""
    import torchvision

    check_model_name(name)
    return tuple(
        member.name
        for member in torchvision.models.get_model_weights(name)
        if not math.isnan(member.meta["_metrics"]["ImageNet-1K"]["acc@1"])
    )


@dataclass(frozen=True)
class CostRow:
    """One model's counted costs at one image, and whether they agree with torchvision's metadata."""

    name: str
    parameters: int
    flops: int
    saved_bytes: int
    published: Published

    @property
    def gflops(self) -> float:
        """FLOPs in billions (a multiply-add = 2)."""
        return self.flops / 1e9

    @property
    def same_parameters(self) -> bool:
        """The package's parameter count is torchvision's ``num_params``."""
        return self.parameters == self.published.num_params

    @property
    def same_ops(self) -> bool:
        """Half the FLOPs (multiply-adds) agree with torchvision's ``_ops`` to the 3 decimals it gives."""
        return abs(self.flops / 2e9 - self.published.gmacs) <= 0.0005 + 1e-9


def cost_row(name: str, image_size: int = 224) -> CostRow:
    """Count ``name``'s parameters, FLOPs and saved bytes for one RGB image of ``image_size``
    (built on the meta device), next to torchvision's metadata of its IMAGENET1K_V1 weights.
    """
    check_model_name(name)
    image_size = check_int("image_size", image_size, minimum=32, maximum=1024)
    model = build(name)
    flops, saved = forward_costs(model, (1, 3, image_size, image_size))
    return CostRow(
        name, sum(p.numel() for p in model.parameters()), flops, saved, published(name)
    )


def inference_latency(
    model: nn.Module, input_shape: Sequence[int] = (1, 3, 224, 224), repeats: int = 3
) -> float:
    """Seconds per image of ``model``'s forward pass in eval mode under ``torch.inference_mode``: the
    mean of ``repeats`` timed passes after the timer's warm-up (``cnnbook.timing.seconds_per_call``),
    on a zero batch of ``input_shape`` on the model's device (synchronized on a GPU).  Depends on the machine, its load and its threads:
    plot it, never print it.  The model's train/eval mode is restored."""
    check_model(model)
    input_shape = check_input_shape(input_shape)
    repeats = check_int("repeats", repeats, minimum=1, maximum=1000)
    device, dtype = device_and_dtype(model)
    if device.type == "meta":
        raise CnnbookError(
            "model is on the meta device, which has shapes but no arithmetic to time. "
            "Build it on a real device, e.g. cnnbook.complexity.build(name, device='cpu')."
        )
    images = torch.zeros(*input_shape, device=device, dtype=dtype)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            seconds = seconds_per_call(lambda: model.forward(images), repeats=repeats)
    finally:
        model.train(was_training)
    return seconds / input_shape[0]


def pareto_front(costs: dict[str, float], accuracies: dict[str, float]) -> list[str]:
    """The names that no other name beats on both counts: no other model is at most as costly and
    strictly more accurate, or strictly cheaper and at least as accurate.  Sorted by cost.
    """
    if not isinstance(costs, dict) or not isinstance(accuracies, dict):
        raise invalid(
            "costs",
            costs,
            "two dicts name -> number (costs, accuracies)",
            type_error=True,
        )
    if set(costs) != set(accuracies) or not costs:
        raise CnnbookError(
            f"costs and accuracies must name the same models (at least one); got "
            f"{sorted(costs)} and {sorted(accuracies)}"
        )
    for table, label in ((costs, "costs"), (accuracies, "accuracies")):
        for key, value in table.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise invalid(f"{label}[{key!r}]", value, "a finite number")

    def beaten(name: str) -> bool:
        return any(
            (costs[o] <= costs[name] and accuracies[o] > accuracies[name])
            or (costs[o] < costs[name] and accuracies[o] >= accuracies[name])
            for o in costs
            if o != name
        )

    return sorted(
        (name for name in costs if not beaten(name)), key=lambda name: costs[name]
    )


__all__ = [
    "BUILD_OPTIONS",
    "check_model_name",
    "build",
    "forward_costs",
    "Published",
    "published",
    "weights_names",
    "CostRow",
    "cost_row",
    "inference_latency",
    "pareto_front",
]
