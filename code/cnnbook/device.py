"""Choosing where to compute, and making runs repeatable.

The book never assumes a GPU: ``choose_device`` picks one at run time.  ``seed_everything``
seeds Python, NumPy and PyTorch; on a CPU, a seeded run of the book's training loop gives the
same numbers every time on the same machine, which is what lets the tests compare a notebook's
stored outputs with a fresh run.  (GPU kernels may still differ in the last digits.)
"""
from __future__ import annotations

import os
import random

import numpy as np
import torch


def choose_device(preferred: str | None = None) -> torch.device:
    """The device to compute on: ``preferred`` if given (e.g. ``"cpu"``), else the first GPU
    (CUDA, or Apple's MPS), else the CPU.  The environment variable ``CNNBOOK_DEVICE`` overrides."""
    preferred = preferred or os.environ.get("CNNBOOK_DEVICE") or None
    if preferred:
        device = torch.device(preferred)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"device {preferred!r} was asked for, but PyTorch sees no CUDA GPU here. "
                             "Use choose_device() to pick what is available, or 'cpu'.")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device(device: torch.device) -> str:
    """A short human-readable name, e.g. ``cpu (2 threads)`` or ``cuda:0 (NVIDIA H200)``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's, NumPy's and PyTorch's random number generators; return a seeded
    ``torch.Generator`` for data shuffling."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator
