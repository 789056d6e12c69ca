"""What training costs in memory and time, measured: the activations autograd keeps for the
backward pass, and the time of one training step.

During training, every layer's forward pass stores what its backward pass will need (a
convolution its input, a batch norm its input and batch statistics, a ReLU its output...).
These *saved activations*, not the weights, fill the memory when images are large or batches
big, and they grow with the batch size.  ``saved_activation_bytes`` counts them exactly: it runs
one training-mode forward pass under ``torch.autograd.graph.saved_tensors_hooks`` and adds up the
storage of every distinct tensor autograd saves, leaving out the model's own parameters.  The
count depends only on the model and the input shape, not on the machine.

``torch.utils.checkpoint`` (DenseNet's ``memory_efficient=True``) keeps only a region's inputs
and recomputes the rest in the backward pass; the count sees exactly that: the inputs it saves,
none of the region's inner activations.

``training_step_time`` measures one forward and backward pass with ``torch.utils.benchmark``.
It depends on the machine and its load: plot it, or compare ratios measured in one run.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

import torch
from torch import nn

from .errors import CnnbookError, check_float
from .inspection import check_input_shape, check_model, device_and_dtype
from .timing import seconds_per_call


def _images(model: nn.Module, input_shape: Sequence[int]) -> torch.Tensor:
    input_shape = check_input_shape(input_shape)
    if input_shape[0] < 2:
        raise CnnbookError(
            f"input_shape={tuple(input_shape)} has a batch of {input_shape[0]} image: training "
            "memory is measured in training mode, where batch norm needs at least 2 images "
            "per batch. Use a batch size of 2 or more, e.g. (64, 1, 28, 28)."
        )
    device, dtype = device_and_dtype(model)
    generator = torch.Generator().manual_seed(0)
    return torch.randn(*input_shape, generator=generator, dtype=dtype).to(device)


@contextmanager
def training_mode_restored(model: nn.Module) -> Iterator[None]:
    """Train mode (and gradients) inside; afterwards the model's mode, batch-norm moving averages
    and parameter gradients are as before, so that measuring does not change the model.
    """
    buffers = {name: buffer.clone() for name, buffer in model.named_buffers()}
    gradients = {
        name: None if p.grad is None else p.grad.clone()
        for name, p in model.named_parameters()
    }
    was_training = model.training
    model.train()
    try:
        with torch.enable_grad():
            yield
    finally:
        model.train(was_training)
        with torch.no_grad():
            for name, buffer in model.named_buffers():
                buffer.copy_(buffers[name])
            for name, parameter in model.named_parameters():
                parameter.grad = gradients[name]


def saved_activation_bytes(model: nn.Module, input_shape: Sequence[int]) -> int:
    """Bytes of the tensors autograd saves for the backward pass in one training-mode forward
    pass of a batch of ``input_shape`` (the parameters not counted; each storage counted once).

    The model's train/eval mode is restored afterwards; its batch-norm moving averages are
    restored too, so measuring does not change the model.
    """
    check_model(model)
    images = _images(model, input_shape)
    parameters = {p.untyped_storage().data_ptr() for p in model.parameters()}
    saved: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in parameters:
            saved[storage.data_ptr()] = storage.nbytes()
        return tensor

    with training_mode_restored(model), torch.autograd.graph.saved_tensors_hooks(
        pack, lambda tensor: tensor
    ):
        model(images)
    return sum(saved.values())


def training_step_time(
    model: nn.Module, input_shape: Sequence[int], min_run_time: float = 0.5
) -> float:
    """Median seconds of one training step's forward and backward pass (no optimizer update) on
    a batch of ``input_shape``, measured with ``torch.utils.benchmark``.  Machine- and load-dependent.

    The model's parameters, gradients, mode and batch-norm moving averages are restored afterwards.
    """
    check_model(model)
    min_run_time = check_float(
        "min_run_time", min_run_time, minimum=0.0, include_minimum=False, maximum=60.0
    )
    images = _images(model, input_shape)

    def step() -> None:
        model.zero_grad(set_to_none=True)
        model(images).sum().backward()

    with training_mode_restored(
        model
    ):  # the timer's warm-up also runs the input check's one-off shape probe
        return seconds_per_call(step, min_run_time=min_run_time)
