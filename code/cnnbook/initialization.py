"""What an initialization does to a network before any training: the size of the signal at every
weighted layer, and of the gradient that reaches each layer's weights.

The book's one story about initialization (AlexNet, VGG and NiN pages) rests on this measurement.
A plain network starts learning only if the part of its signal that depends on the image keeps its
size from the first layer to the last, and with it the gradient that flows back to the first
layers:

* He initialization (He et al. 2015), derived for ReLU, keeps it through convolutions;
* Xavier initialization (Glorot and Bengio 2010), derived for activations symmetric around zero,
  halves the signal's second moment at every ReLU layer: harmless over AlexNet's 8 layers, a
  shrinking of hundreds of times over VGG-16's 16;
* PyTorch's default (``reset_parameters``: weights of variance 1/(3 fan-in), biases uniform in
  +-1/sqrt(fan-in)) shrinks it faster still, while its non-zero biases keep the outputs from
  vanishing: the outputs look large but hardly depend on the image.

``signal_scales(model, images, labels)`` measures this for any model, on a copy: one forward pass
and one backward pass of the cross-entropy loss on one batch.  Per convolution and linear layer, in
the order the forward pass runs them, it reports

* ``output_rms``: the root mean square of the layer's output (before its ReLU);
* ``image_spread``: the part of that output that depends on the image: for every output unit (a
  channel at a position, or a feature) the standard deviation over the images of the batch, then
  the root mean square over the units.  It is 0 for an output that is the same for every image;
* ``gradient_ratio``: ``||dL/dW|| / ||W||``, the relative change of the layer's weights that one
  step of plain SGD with learning rate 1 would make.

Shapes: ``images`` is ``(batch, channels, height, width)`` with at least 2 images, ``labels`` is
``(batch,)``.  See ``cnnbook.gradients.gradient_norms`` for gradient norms averaged over batches
during training.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .errors import CnnbookError, CnnbookTypeError, check_bool

__all__ = ["LayerSignal", "signal_scales"]


@dataclass(frozen=True)
class LayerSignal:
    """One weighted layer's signal and gradient at the measured batch."""

    name: str  # the layer's name in the model, e.g. "features.0"
    kind: str  # "Conv2d" or "Linear"
    output_rms: float  # root mean square of the layer's output
    image_spread: float  # root mean square over units of the std over images
    gradient_ratio: float  # ||dL/dW|| / ||W||


def signal_scales(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    train_mode: bool = False,
) -> list[LayerSignal]:
    """Per convolution and linear layer, in forward order: the output's size, the part of it that
    depends on the image, and the relative size of the loss gradient of the layer's weight.

    Measured on a copy of ``model`` (the model, its gradients and batch-norm statistics are left
    unchanged), in evaluation mode unless ``train_mode=True`` (dropout off; for a network with
    batch norm pass ``train_mode=True`` to normalize with the batch's statistics, as training
    does).
    """
    if not isinstance(model, nn.Module):
        raise CnnbookTypeError(
            f"model={type(model).__name__} is not allowed: model must be a torch.nn.Module, "
            "e.g. cnnbook.models.vgg_small(16)"
        )
    if not isinstance(images, torch.Tensor) or images.dim() != 4 or len(images) < 2:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else images
        raise CnnbookError(
            f"images={shape!r} is not allowed: images must be a tensor of shape "
            "(batch, channels, height, width) with at least 2 images (the spread over the "
            "images needs two)"
        )
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),):
        shape = tuple(labels.shape) if isinstance(labels, torch.Tensor) else labels
        raise CnnbookError(
            f"labels={shape!r} is not allowed: labels must be a tensor of shape "
            f"({len(images)},), one class index per image"
        )
    train_mode = check_bool("train_mode", train_mode)
    probe = copy.deepcopy(model)
    probe.train(train_mode)
    probe.zero_grad(set_to_none=True)
    # the input check's one-off shape probe runs now, not under the hooks
    getattr(probe, "min_input_size", None)
    outputs: list[tuple[str, nn.Module, torch.Tensor]] = []
    handles = [
        module.register_forward_hook(
            lambda module, args, output, name=name: outputs.append(
                (name, module, output.detach().float())
            )
        )
        for name, module in probe.named_modules()
        if isinstance(module, (nn.Conv2d, nn.Linear))
    ]
    device = next(probe.parameters()).device
    try:
        logits = probe(images.to(device))
        logits = logits if isinstance(logits, torch.Tensor) else logits[0]
        F.cross_entropy(logits, labels.to(device)).backward()
    finally:
        for handle in handles:
            handle.remove()
    rows = []
    for name, module, output in outputs:
        weight = module.weight
        gradient = weight.grad if weight.grad is not None else torch.zeros_like(weight)
        rows.append(
            LayerSignal(
                name=name,
                kind=type(module).__name__,
                output_rms=output.pow(2).mean().sqrt().item(),
                image_spread=output.var(dim=0).mean().sqrt().item(),
                gradient_ratio=(gradient.norm() / weight.detach().norm()).item(),
            )
        )
    return rows
