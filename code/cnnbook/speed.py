"""Opt-in speed features of the training loop: mixed precision, channels-last, ``torch.compile``.

All three are off by default, because each changes the numbers a page prints (mixed precision
rounds the activations; a compiled model may run its kernels in another order), and the stored
pages are compared with fresh runs.  They are worth switching on for long full-profile runs:

* ``amp="bf16"`` (or ``"fp16"``, with a gradient scaler against underflow): the forward pass
  under ``torch.autocast``; on tensor-core GPUs convolutions and matrix products run in half
  precision.  ``bf16`` needs no scaler and is the better choice where supported (A100, H100).
* ``channels_last=True``: weights and inputs in NHWC memory order, which the GPU's convolution
  kernels prefer, especially under mixed precision.
* ``compile=True``: ``torch.compile`` fuses operations; its compilation takes tens of seconds to
  minutes, so it pays off only on long GPU runs (several epochs of the full profile), never in
  a fast-profile run on a CPU.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

AMP_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def check_speed_options(amp: str | None) -> None:
    """A clear error for an unknown mixed-precision setting."""
    if amp is not None and amp not in AMP_DTYPES:
        raise ValueError(
            f"amp={amp!r} is not a mixed-precision setting: choose 'bf16', 'fp16' or None (off)"
        )


def _to_float32(output: Any) -> Any:
    """Scores back in float32 (tuples of scores too), so the loss is computed in full precision."""
    if isinstance(output, torch.Tensor):
        return output.float() if output.is_floating_point() else output
    if isinstance(output, tuple):
        converted = [_to_float32(item) for item in output]
        return (
            type(output)(*converted)
            if hasattr(output, "_fields")
            else type(output)(converted)
        )
    return output


class FastForward(nn.Module):
    """``model``'s forward pass with the speed options switched on; it shares the model's
    parameters, so training it trains ``model``."""

    def __init__(
        self,
        model: nn.Module,
        device: torch.device,
        amp: str | None = None,
        channels_last: bool = False,
        compile: bool = False,
    ):
        super().__init__()
        check_speed_options(amp)
        self.model = model
        self.device_type = torch.device(device).type
        self.amp = amp
        self.channels_last = channels_last
        if channels_last:
            model.to(memory_format=torch.channels_last)
        self.forward_model = torch.compile(model) if compile else model

    def forward(self, images: torch.Tensor) -> Any:
        if self.channels_last and images.dim() == 4:
            images = images.contiguous(memory_format=torch.channels_last)
        with torch.autocast(
            self.device_type,
            dtype=AMP_DTYPES.get(self.amp, torch.float32),
            enabled=self.amp is not None,
        ):
            output = self.forward_model(images)
        return _to_float32(output) if self.amp is not None else output


def with_speed_options(
    model: nn.Module,
    device: torch.device,
    amp: str | None = None,
    channels_last: bool = False,
    compile: bool = False,
) -> nn.Module:
    """``model`` itself when every option is off (nothing changes), else a ``FastForward``."""
    check_speed_options(amp)
    if amp is None and not channels_last and not compile:
        return model
    return FastForward(model, device, amp, channels_last, compile)


def grad_scaler(device: torch.device, amp: str | None) -> torch.amp.GradScaler:
    """A gradient scaler, switched on for fp16 only (switched off it passes everything through)."""
    return torch.amp.GradScaler(torch.device(device).type, enabled=amp == "fp16")
