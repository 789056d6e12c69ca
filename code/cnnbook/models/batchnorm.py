"""Batch normalization from scratch: Ioffe and Szegedy, "Batch Normalization: Accelerating Deep
Network Training by Reducing Internal Covariate Shift", ICML 2015.

In training mode a batch-norm layer standardizes each channel with the mean and variance of the
current minibatch, then rescales it with a learned scale ``gamma`` (``weight``) and shift
``beta`` (``bias``):

    x_hat = (x - mean_batch) / sqrt(var_batch + eps),      y = gamma * x_hat + beta

and keeps exponential moving averages of the batch statistics (``running_mean``,
``running_var``).  In eval mode it uses those averages instead, so that a prediction does not
depend on the other images of the batch.

Shapes: fully connected inputs ``(batch, num_features)`` are normalized per feature (statistics
over the batch axis); convolutional inputs ``(batch, num_features, height, width)`` per channel
(statistics over batch, height and width).  ``gamma``, ``beta`` and the running statistics have
shape ``(num_features,)``.

Two implementations: ``BatchNorm``, a PyTorch module that behaves like ``nn.BatchNorm1d`` /
``nn.BatchNorm2d`` (same running-statistics convention: ``momentum`` is the weight of the new
batch, and the running variance uses the unbiased batch variance), and NumPy functions
``batchnorm_forward`` / ``batchnorm_backward`` that write the gradient out by hand, with
``numerical_gradient`` to check it.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import torch
from torch import nn

from ..errors import CnnbookError, CnnbookTypeError, check_float, check_int
from ..i18n import error_text


def _reduction_dims(x: torch.Tensor | np.ndarray) -> tuple[int, ...]:
    if x.ndim == 2:
        return (0,)
    if x.ndim == 4:
        return (0, 2, 3)
    raise CnnbookError(
        f"batch norm expects inputs shaped (batch, features) or (batch, channels, height, "
        f"width), got {tuple(x.shape)}"
    )


def _per_feature(t: torch.Tensor | np.ndarray, ndim: int):
    """Reshape a ``(num_features,)`` vector to broadcast against a 2-D or 4-D input."""
    return t.reshape(1, -1) if ndim == 2 else t.reshape(1, -1, 1, 1)


class BatchNorm(nn.Module):
    """Batch normalization for fully connected ``(N, C)`` or convolutional
    ``(N, C, H, W)`` inputs.

    Args:
        num_features: number of features (fully connected) or channels (convolutional).
        eps: added to the variance before the square root, for numerical stability.
        momentum: weight of the current batch in the running statistics
            (``running = (1 - momentum) * running + momentum * batch``, PyTorch's
            convention).
    """

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1
    ) -> None:
        super().__init__()
        check_batchnorm_arguments(num_features, eps, momentum)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))  # gamma
        self.bias = nn.Parameter(torch.zeros(num_features))  # beta
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dims = _reduction_dims(x)
        if x.shape[1] != self.num_features:
            raise CnnbookError(
                f"BatchNorm was built for num_features={self.num_features}, "
                f"the input has {x.shape[1]} features/channels"
            )
        if self.training:
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            count = x.numel() // x.shape[1]
            if count < 2:
                raise CnnbookError(
                    error_text("batch norm one value", shape=tuple(x.shape))
                )
            with torch.no_grad():
                unbiased_var = var * count / (count - 1)
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(
                    self.momentum * unbiased_var
                )
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - _per_feature(mean, x.ndim)) / torch.sqrt(
            _per_feature(var, x.ndim) + self.eps
        )
        return _per_feature(self.weight, x.ndim) * x_hat + _per_feature(
            self.bias, x.ndim
        )

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNormCache(NamedTuple):
    """What ``batchnorm_backward`` needs from the forward pass."""

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, BatchNormCache]:
    """Training-mode batch norm in NumPy; returns the output and the cache for the
    backward pass.

    Shapes: ``x`` is ``(N, C)`` or ``(N, C, H, W)``; ``gamma`` and ``beta`` are
    ``(C,)``.
    """
    check_batchnorm_forward_arguments(x, gamma, beta)
    dims = _reduction_dims(x)
    mean = x.mean(axis=dims, keepdims=True)
    var = x.var(axis=dims, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    out = _per_feature(gamma, x.ndim) * x_hat + _per_feature(beta, x.ndim)
    return out, BatchNormCache(x_hat, inv_std, gamma)


def batchnorm_backward(
    dout: np.ndarray, cache: BatchNormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients ``(dx, dgamma, dbeta)`` of the loss, given ``dout`` = dloss/dout.

    With ``m`` values per feature, ``g = dout * gamma`` (the gradient with respect to
    ``x_hat``), the chain rule through the batch mean and variance gives

        dx = inv_std / m * (m * g - sum(g) - x_hat * sum(g * x_hat))

    (sums over the batch, and height and width for images).
    """
    x_hat, inv_std, gamma = cache
    dims = _reduction_dims(dout)
    m = dout.size // dout.shape[1]
    dbeta = dout.sum(axis=dims)
    dgamma = (dout * x_hat).sum(axis=dims)
    g = dout * _per_feature(gamma, dout.ndim)
    dx = (
        inv_std
        / m
        * (
            m * g
            - g.sum(axis=dims, keepdims=True)
            - x_hat * (g * x_hat).sum(axis=dims, keepdims=True)
        )
    )
    return dx, dgamma, dbeta


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference estimate of the gradient of the scalar function ``f`` at
    ``x``.

    ``x`` is perturbed in place one entry at a time (and restored); use float64 arrays.
    """
    check_numerical_gradient_arguments(f, x, h)
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(*x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


# The argument checks.  Each class or builder above that has arguments to check calls its function
# here in one line, so that the source above reads like the paper's equations.


def check_batchnorm_arguments(num_features: int, eps: float, momentum: float) -> None:
    """Raise ``CnnbookError`` naming the problem if ``BatchNorm``'s arguments cannot build it."""
    check_int("num_features", num_features, minimum=1)
    check_float("eps", eps, minimum=0.0, include_minimum=False)
    check_float("momentum", momentum, 0.0, 1.0)


def check_batchnorm_forward_arguments(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``batchnorm_forward``'s arguments cannot be normalized."""
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        dtype = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise CnnbookTypeError(
            f"x has type/dtype {dtype}: x must be a NumPy array of floats, e.g. "
            "x.astype(np.float64)"
        )
    _reduction_dims(x)  # a (batch, features) or (batch, channels, height, width) array
    for name, vector in (("gamma", gamma), ("beta", beta)):
        if np.shape(vector) != (x.shape[1],):
            raise CnnbookError(
                f"{name} has shape {np.shape(vector)} but must have shape ({x.shape[1]},): one "
                f"value per feature/channel of x, which has shape {x.shape}"
            )


def check_numerical_gradient_arguments(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float
) -> None:
    """Raise ``CnnbookError`` naming the problem if ``numerical_gradient``'s arguments cannot give a gradient."""
    h = check_float("h", h, minimum=0.0, include_minimum=False)
    if not callable(f):
        raise CnnbookTypeError(
            f"f={f!r} is not allowed: f must be a function of the array x that returns a number"
        )
    if (
        not isinstance(x, np.ndarray)
        or not np.issubdtype(x.dtype, np.floating)
        or np.finfo(x.dtype).eps * 10 > h
    ):
        dtype = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise CnnbookTypeError(
            f"x has dtype {dtype}, but numerical_gradient perturbs x in place by h={h:g}, which needs a float64 "
            "NumPy array (an integer array cannot hold x + h, and a float16/float32 one rounds it away). "
            "Convert it first: x = x.astype(np.float64)."
        )
