"""Choosing where to compute, and making runs repeatable.

The book never assumes a GPU: ``choose_device`` picks one at run time.  ``seed_everything``
seeds Python, NumPy and PyTorch; on a CPU, a seeded run of the book's training loop gives the
same numbers every time on the same machine, which is what lets the tests compare a notebook's
stored outputs with a fresh run.  (GPU kernels may still differ in the last digits.)
"""

from __future__ import annotations

import difflib
import os
import random

import numpy as np
import torch

from .errors import CnnbookError, CnnbookTypeError, check_seed

DEVICE_VARIABLE = "CNNBOOK_DEVICE"
# What readers type for a device, and what PyTorch calls it.
DEVICE_ALIASES = {
    "gpu": "cuda",
    "nvidia": "cuda",
    "cuda0": "cuda:0",
    "apple": "mps",
    "metal": "mps",
}


def _mps_available() -> bool:
    return (
        getattr(torch.backends, "mps", None) is not None
        and torch.backends.mps.is_available()
    )


def _parse_device(preferred: object, source: str) -> torch.device:
    """``preferred`` as a ``torch.device`` that exists on this machine, or a clear error."""
    where = (
        f" (from the environment variable {DEVICE_VARIABLE})"
        if source == DEVICE_VARIABLE
        else ""
    )
    if isinstance(preferred, torch.device):
        device = preferred
    elif isinstance(preferred, str):
        try:
            device = torch.device(preferred)
        except RuntimeError:
            lowered = preferred.strip().lower()
            guess = DEVICE_ALIASES.get(lowered) or (
                lowered if lowered != preferred else None
            )
            if guess is None:
                close = difflib.get_close_matches(
                    lowered, ["cpu", "cuda", "mps", "cuda:0"], n=1
                )
                guess = close[0] if close else None
            hint = f" Did you mean {guess!r}?" if guess else ""
            raise CnnbookError(
                f"{source}={preferred!r}{where} is not a device: {source} must be 'cpu', 'cuda' "
                f"(an NVIDIA GPU; 'cuda:1' for the second), 'mps' (Apple) or None to choose "
                f"automatically.{hint}"
            ) from None
    else:
        raise CnnbookTypeError(
            f"{source}={preferred!r}{where} is not allowed: {source} must be a device name "
            "such as 'cpu' or 'cuda', a torch.device, or None to choose automatically"
        )
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise CnnbookError(
                f"{source}={str(preferred)!r}{where} was asked for, but PyTorch sees no CUDA GPU "
                "here. Use choose_device() to pick what is available, or 'cpu'."
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise CnnbookError(
                f"{source}={str(preferred)!r}{where} asks for GPU number {device.index}, but this "
                f"machine has {torch.cuda.device_count()} (numbered from 0)."
            )
    elif device.type == "mps" and not _mps_available():
        raise CnnbookError(
            f"{source}={str(preferred)!r}{where} (Apple's Metal GPU) was asked for, but PyTorch "
            "cannot use MPS here. Use choose_device() to pick what is available, or 'cpu'."
        )
    elif device.type not in ("cpu", "cuda", "mps", "meta"):
        raise CnnbookError(
            f"{source}={str(preferred)!r}{where} is not allowed: the book runs on 'cpu', 'cuda' or "
            "'mps'."
        )
    return device


def choose_device(preferred: str | None = None) -> torch.device:
    """The device to compute on: ``preferred`` if given (e.g. ``"cpu"``), else the first GPU
    (CUDA, or Apple's MPS), else the CPU.  The environment variable ``CNNBOOK_DEVICE`` overrides.
    """
    if preferred is not None and preferred != "":
        return _parse_device(preferred, "preferred")
    if os.environ.get(DEVICE_VARIABLE):
        return _parse_device(os.environ[DEVICE_VARIABLE], DEVICE_VARIABLE)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device(device: torch.device) -> str:
    """A short human-readable name, e.g. ``cpu (2 threads)`` or ``cuda:0 (NVIDIA H200)``."""
    device = (
        _parse_device(device, "device")
        if not isinstance(device, torch.device)
        else device
    )
    if device.type == "cuda":
        index = (
            device.index if device.index is not None else torch.cuda.current_device()
        )
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's, NumPy's and PyTorch's random number generators; return a seeded
    ``torch.Generator`` for data shuffling."""
    seed = check_seed("seed", seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator
