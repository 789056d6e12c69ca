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

from ..errors import CnnbookError, CnnbookTypeError, check_int
from ..i18n import error_text

_PROBE_ERRORS = (RuntimeError, ValueError, IndexError, TypeError, NotImplementedError)


class ImageClassifier(nn.Module):
    """Base class of the book's networks: ``forward`` maps images to class scores.

    Shapes: input ``(batch, in_channels, height, width)``, output ``(batch, num_classes)``.
    Subclasses set ``in_channels`` and ``num_classes`` (checked: positive integers) and call
    ``super().__init__()`` first.
    """

    _largest_size_probed = 1024

    def __init__(self) -> None:
        super().__init__()
        self._min_input_size: int | None = None
        self._min_input_size_key: tuple | None = None
        self._probing = False
        self.register_forward_pre_hook(_check_images)

    @property
    def in_channels(self) -> int:
        """Channels of the input images."""
        return self._in_channels

    @in_channels.setter
    def in_channels(self, value: int) -> None:
        self._in_channels = check_int("in_channels", value, minimum=1)

    @property
    def num_classes(self) -> int:
        """Number of classes (the width of the output)."""
        return self._num_classes

    @num_classes.setter
    def num_classes(self, value: int) -> None:
        self._num_classes = check_int("num_classes", value, minimum=1)

    def _structure_key(self) -> tuple:
        """What the smallest input size depends on: the modules (replacing one changes it) and the
        shapes and dtypes of their parameters."""
        return (self.in_channels,) + tuple(
            (
                id(module),
                *((tuple(p.shape), p.dtype) for p in module.parameters(recurse=False)),
            )
            for module in self.modules()
        )

    @property
    def min_input_size(self) -> int | None:
        """The smallest height (and width) this network can classify, found by a shape-only run
        (again whenever a layer has been replaced).  ``None`` when the network fails at every
        size tried (then it is not the image size that is wrong, and no size check is made).
        """
        key = self._structure_key()
        if key != self._min_input_size_key:
            self._min_input_size = self._find_min_input_size()
            self._min_input_size_key = key
        return self._min_input_size

    def _probe_dtype(self) -> torch.dtype:
        for tensor in self.parameters():
            if tensor.is_floating_point():
                return tensor.dtype
        return torch.get_default_dtype()

    def _runs_on(self, size: int) -> bool:
        state = {
            name: torch.empty_like(t, device="meta")
            for name, t in list(self.named_parameters()) + list(self.named_buffers())
        }
        images = torch.empty(
            2, self.in_channels, size, size, device="meta", dtype=self._probe_dtype()
        )
        self._probing = True
        try:  # outside any active dispatch mode, so a FLOP counter around the caller counts nothing
            with _disable_current_modes():  # private: PyTorch has no public way to step outside an active dispatch mode
                torch.func.functional_call(self, state, (images,))
            return True
        except _PROBE_ERRORS:
            return False
        finally:
            self._probing = False

    def _find_min_input_size(self) -> int | None:
        low, high = 1, self._largest_size_probed
        if not self._runs_on(high):
            return None  # not a size problem: the real forward pass will show the real error
        while (
            low < high
        ):  # binary search: the sizes that work are all sizes above a threshold
            middle = (low + high) // 2
            if self._runs_on(middle):
                high = middle
            else:
                low = middle + 1
        return low


def _dtype_hint(dtype: torch.dtype, wanted: torch.dtype) -> str:
    if dtype == torch.uint8:
        return (
            "Convert 0-255 images with torchvision.transforms.v2.ToDtype(torch.float32, scale=True), "
            "or images.float() / 255."
        )
    if not dtype.is_floating_point:
        return "Convert them with images.float()."
    return (
        f"Convert them with images.to({wanted}), or the model with model.to({dtype})."
    )


def _check_images(module: ImageClassifier, args: tuple[Any, ...]) -> None:
    if module._probing:
        return
    images = args[0] if args else None
    name = type(module).__name__
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        shape = (
            tuple(images.shape)
            if isinstance(images, torch.Tensor)
            else type(images).__name__
        )
        error = CnnbookError if isinstance(images, torch.Tensor) else CnnbookTypeError
        raise error(
            f"{name} expects a batch of images shaped (batch, channels, height, width), got {shape}. "
            "For a single image use images.unsqueeze(0)."
        )
    channels, height, width = images.shape[1:]
    if channels != module.in_channels:
        if width == module.in_channels:
            raise CnnbookError(
                f"{name} expects images shaped (batch, channels, height, width) with {module.in_channels} "
                f"channel(s), but got {tuple(images.shape)}: channels last (batch, height, width, channels). "
                "Put the channels first with images.permute(0, 3, 1, 2)."
            )
        raise CnnbookError(
            error_text(
                "in_channels mismatch",
                name=name,
                built=module.in_channels,
                channels=channels,
            )
        )
    if images.numel() == 0:
        raise CnnbookError(
            f"{name} got an empty batch of images shaped {tuple(images.shape)}: the batch "
            "size, height and width must all be at least 1."
        )
    wanted = module._probe_dtype()
    autocast = (
        images.is_floating_point()
        and images.device.type in ("cpu", "cuda", "mps", "xpu")
        and torch.is_autocast_enabled(images.device.type)
    )
    if images.dtype != wanted and not autocast:
        raise CnnbookError(
            f"{name} computes in {wanted} but the images are {images.dtype}. "
            + _dtype_hint(images.dtype, wanted)
        )
    # Fast path: large enough for the size found last time.  Otherwise look again (a layer may have
    # been replaced since) before saying the images are too small.
    smallest = (
        module._min_input_size
        if module._min_input_size_key is not None
        else module.min_input_size
    )
    if smallest is not None and (height < smallest or width < smallest):
        smallest = module.min_input_size
    if smallest is not None and (height < smallest or width < smallest):
        raise CnnbookError(
            error_text(
                "image too small",
                name=name,
                smallest=smallest,
                height=height,
                width=width,
            )
        )
