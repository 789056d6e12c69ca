"""Measuring how the gradient and the activations flow through a (plain or residual) network.

The tools of the residual-learning page and of ``cnnbook.experiments.gradient_flow``.  They measure,
on real batches and real backward passes, what a chain of layers does to the signal:

* ``gradient_norms(model, batches)``: per *weighted layer* (every convolution and linear layer, in
  the order the forward pass runs them: for a CIFAR ResNet of depth ``6n + 2`` exactly ``6n + 2``
  layers) the norm of the loss gradient with respect to its weight, and per *block* the norm of the
  loss gradient with respect to the block's output (caught by a tensor hook that a forward hook
  puts on each block's output), each averaged over the batches;
* ``stem_and_blocks(model)``: the modules whose outputs show how the activations grow with depth
  (the stem, then every block), to watch with ``cnnbook.debugging.activation_statistics``;
* ``zero_init_last_bn(model)``: set the scale (gamma) of every residual block's last batch norm to
  0, so that every block starts as the identity on its non-negative input (Goyal et al. 2017), for
  models such as ``CifarResNet`` whose constructor has no ``zero_init_residual`` option.

``gradient_norms`` runs on a copy of the model (``copy.deepcopy``), in training mode (batch
statistics, as training sees them) unless ``train_mode=False``: the model itself, its gradients
and its batch-norm statistics are left as they were.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .errors import CnnbookError, CnnbookTypeError, check_bool, check_int

__all__ = [
    "residual_blocks",
    "weighted_layers",
    "zero_init_last_bn",
    "gradient_norms",
    "stem_and_blocks",
    "fixed_batches",
]


def _check_model(model: Any) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise CnnbookTypeError(
            f"model={model!r} is not allowed: model must be a torch.nn.Module, "
            "e.g. cnnbook.models.cifar_resnet(20)"
        )
    if not getattr(model, "stage_names", None):
        raise CnnbookError(
            f"model={type(model).__name__} is not allowed: model must be a ResNet of cnnbook.models "
            "(with stages of blocks, model.stage_names), e.g. cnnbook.models.cifar_resnet(20, "
            "residual=False)"
        )
    return model


def residual_blocks(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The blocks of a ``cnnbook.models`` ResNet (or plain twin) in forward order, named ``"layer1.0"``, ..."""
    model = _check_model(model)
    return [
        (f"{stage}.{index}", block)
        for stage in model.stage_names
        for index, block in enumerate(getattr(model, stage))
    ]


def weighted_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Every convolution and linear layer of ``model`` in registration order (for the book's ResNets the
    forward order: stem, then each block's convolutions, then the shortcut projections, then ``fc``).
    Shortcut projections (``downsample``) are left out, so that a CIFAR ResNet of depth ``6n + 2`` has
    ``6n + 2`` of them, as many as its plain twin."""
    return [
        (name, module)
        for name, module in model.named_modules()
        if isinstance(module, (nn.Conv2d, nn.Linear))
        and "downsample" not in name.split(".")
    ]


def zero_init_last_bn(model: nn.Module) -> nn.Module:
    """Set the scale (gamma) of the last batch norm of every *residual* block of
    ``model`` to 0, in place; return the model.  A plain network (``PlainBlock``) is
    refused: without a shortcut, a zero scale would cut the signal instead of making the
    block the identity."""
    from .models.cifar_resnet import PlainBlock
    from .models.resnet import last_residual_weight

    blocks = residual_blocks(model)
    if any(isinstance(block, PlainBlock) for _, block in blocks):
        raise CnnbookError(
            "zero_init_last_bn(model) is not allowed for a plain network: its blocks "
            "have no shortcut, so a zero batch-norm scale would make every block "
            "output 0 instead of its input; use it on a residual network, e.g. "
            "cifar_resnet(20, residual=True)"
        )
    with torch.no_grad():
        for _, block in blocks:
            last_residual_weight(block).zero_()
    return model


def _check_images(images: Any, name: str = "images") -> torch.Tensor:
    if (
        not isinstance(images, torch.Tensor)
        or images.dim() != 4
        or not images.is_floating_point()
        or images.shape[0] < 2
    ):
        shape = (
            tuple(images.shape)
            if isinstance(images, torch.Tensor)
            else type(images).__name__
        )
        raise CnnbookError(
            f"{name} of shape {shape} is not allowed: it must be a floating-point tensor "
            "(batch, channels, height, width) with at least 2 images (batch norm in training mode "
            "needs more than one value per channel)"
        )
    return images


def _check_batches(batches: Any) -> list[tuple[torch.Tensor, torch.Tensor]]:
    if (
        isinstance(batches, tuple)
        and len(batches) == 2
        and isinstance(batches[0], torch.Tensor)
    ):
        batches = [batches]  # one (images, labels) pair
    try:
        batches = list(batches)
    except TypeError:
        raise CnnbookTypeError(
            f"batches={batches!r} is not allowed: batches must be a list of (images, labels) "
            "pairs"
        ) from None
    if not batches:
        raise CnnbookError(
            "batches=[] is not allowed: give at least one (images, labels) pair"
        )
    checked = []
    for index, pair in enumerate(batches):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise CnnbookError(
                f"batches[{index}]={type(pair).__name__} is not allowed: each batch must be an "
                "(images, labels) pair"
            )
        images, labels = pair
        _check_images(images, f"batches[{index}] images")
        if (
            not isinstance(labels, torch.Tensor)
            or labels.dim() != 1
            or labels.shape[0] != images.shape[0]
            or labels.dtype != torch.long
        ):
            raise CnnbookError(
                f"batches[{index}] labels are not allowed: labels must be a 1-d integer (long) tensor "
                f"with one label per image ({images.shape[0]})"
            )
        checked.append((images, labels))
    return checked


def gradient_norms(
    model: nn.Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    train_mode: bool = True,
) -> dict[str, Any]:
    """Per weighted layer and per block, the norm of the cross-entropy loss's gradient,
    averaged over ``batches``.

    Returns ``{"layers": names, "weight_grad": [...], "blocks": names,
    "output_grad": [...], "loss": mean}``: ``weight_grad[i]`` is the mean over the
    batches of ``||dL/dW_i||`` for the ``i``-th weighted layer (``weighted_layers``),
    ``output_grad[j]`` that of ``||dL/dy_j||`` for the output ``y_j`` of the ``j``-th
    block (``residual_blocks``).  Measured on a copy of the model: the model is left
    unchanged.
    """
    _check_model(model)
    batches = _check_batches(batches)
    train_mode = check_bool("train_mode", train_mode)
    probe = copy.deepcopy(model)
    probe.train(train_mode)
    layers, blocks = weighted_layers(probe), residual_blocks(probe)
    weight_sums = [0.0] * len(layers)
    output_sums = [0.0] * len(blocks)
    loss_sum = 0.0
    caught: dict[int, torch.Tensor] = {}

    def catch(index: int):
        def forward_hook(module, inputs, output):
            def tensor_hook(gradient):
                caught[index] = gradient.detach()

            output.register_hook(tensor_hook)

        return forward_hook

    # the input check's one-off shape probe runs now, not under the hooks
    getattr(probe, "min_input_size", None)
    handles = [
        block.register_forward_hook(catch(index))
        for index, (_, block) in enumerate(blocks)
    ]
    device = next(probe.parameters()).device
    try:
        for images, labels in batches:
            probe.zero_grad(set_to_none=True)
            caught.clear()
            loss = F.cross_entropy(probe(images.to(device)), labels.to(device))
            loss.backward()
            loss_sum += loss.item()
            for index, (_, layer) in enumerate(layers):
                weight_sums[index] += layer.weight.grad.norm().item()
            for index in range(len(blocks)):
                output_sums[index] += caught[index].norm().item()
    finally:
        for handle in handles:
            handle.remove()
    count = len(batches)
    return {
        "layers": [name for name, _ in layers],
        "weight_grad": [s / count for s in weight_sums],
        "blocks": [name for name, _ in blocks],
        "output_grad": [s / count for s in output_sums],
        "loss": loss_sum / count,
    }


def stem_and_blocks(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """``[("stem", the stem's last module), ("layer1.0", block), ...]``: the outputs to watch in a
    ``cnnbook.models`` ResNet, in forward order (the stem ends with ``model.maxpool``, an identity in the
    small-image stem)."""
    model = _check_model(model)
    return [("stem", model.maxpool)] + residual_blocks(model)


def fixed_batches(
    dataset: Sequence, batch_size: int, count: int
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The first ``count * batch_size`` images of ``dataset`` (in its order, no shuffling) as ``count``
    (images, labels) batches: the same batches every time, for measurements that are compared.
    """
    batch_size = check_int("batch_size", batch_size, minimum=2)
    count = check_int("count", count, minimum=1)
    if count * batch_size > len(dataset):
        raise CnnbookError(
            f"count={count} batches of batch_size={batch_size} is not allowed: the dataset has only "
            f"{len(dataset)} images"
        )
    batches = []
    for start in range(0, count * batch_size, batch_size):
        pairs = [dataset[i] for i in range(start, start + batch_size)]
        batches.append(
            (
                torch.stack([image for image, _ in pairs]),
                torch.tensor([int(label) for _, label in pairs], dtype=torch.long),
            )
        )
    return batches
