"""What every image classifier of the book shares: a clear check of its input.

A network that downsamples by 32 cannot classify a 16x16 image, and a network built for RGB
cannot read a grayscale batch.  PyTorch notices both only deep inside a layer, with a message
about kernel sizes or weight shapes.  ``ImageClassifier`` checks the batch before the first
layer runs and says what is wrong and how to fix it.

The smallest input a network accepts is not written down by hand for each architecture: it is
found once, by running the network on shape-only ("meta") tensors of growing size, which costs
no memory and no arithmetic.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import _disable_current_modes


class ImageClassifier(nn.Module):
    """Base class of the book's networks: ``forward`` maps images to class scores.

    Shapes: input ``(batch, in_channels, height, width)``, output ``(batch, num_classes)``.
    Subclasses set ``in_channels`` and ``num_classes`` and call ``super().__init__()`` first.
    """

    _largest_size_probed = 1024

    def __init__(self) -> None:
        super().__init__()
        self._min_input_size: int | None = None
        self._probing = False
        self.register_forward_pre_hook(_check_images)

    @property
    def min_input_size(self) -> int:
        """The smallest height (and width) this network can classify, found by a shape-only run."""
        if self._min_input_size is None:
            self._min_input_size = self._find_min_input_size()
        return self._min_input_size

    def _runs_on(self, size: int) -> bool:
        state = {name: torch.empty_like(t, device="meta")
                 for name, t in list(self.named_parameters()) + list(self.named_buffers())}
        images = torch.empty(2, self.in_channels, size, size, device="meta")
        self._probing = True
        try:  # outside any active dispatch mode, so a FLOP counter around the caller counts nothing
            with _disable_current_modes():
                torch.func.functional_call(self, state, (images,))
            return True
        except (RuntimeError, ValueError, IndexError):
            return False
        finally:
            self._probing = False

    def _find_min_input_size(self) -> int:
        low, high = 1, self._largest_size_probed
        if not self._runs_on(high):
            return high + 1
        while low < high:  # binary search: the sizes that work are all sizes above a threshold
            middle = (low + high) // 2
            if self._runs_on(middle):
                high = middle
            else:
                low = middle + 1
        return low


def _check_images(module: ImageClassifier, args: tuple[Any, ...]) -> None:
    if module._probing:
        return
    images = args[0]
    name = type(module).__name__
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(
            f"{name} expects a batch of images shaped (batch, channels, height, width), got {shape}. "
            "For a single image use images.unsqueeze(0).")
    channels, height, width = images.shape[1:]
    if channels != module.in_channels:
        raise ValueError(
            f"{name} was built with in_channels={module.in_channels} but the images have {channels} "
            f"channel(s). Build the model with in_channels={channels}, or convert the images "
            "(e.g. torchvision.transforms.Grayscale(num_output_channels=...)).")
    smallest = module.min_input_size
    if height < smallest or width < smallest:
        raise ValueError(
            f"{name} needs images of at least {smallest}x{smallest} pixels, got {height}x{width}: its "
            "downsampling layers would shrink them to nothing. Resize the images first, e.g. "
            f"torchvision.transforms.Resize({smallest}), or load the data with a larger image_size.")
