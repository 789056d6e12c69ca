"""What the stored experiments on the Fashion-MNIST sample share: the sample itself (all of it, or
its first images for a smoke run) and one training run on the CPU, recorded as per-epoch curves.

``degradation``, ``gradient_flow`` and ``zero_init`` each train CIFAR-style ResNets on the 2,048
training and 509 held-out images of the sample (``cnnbook.data.fashion_mnist("sample")``) and
store every run's curves; only what they measure besides differs.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

# Imported where used, as in every experiment module (listing the experiments stays quick).
if TYPE_CHECKING:
    from torch import nn
    from torch.utils.data import DataLoader

    from ..data import FashionMNISTSplit


def sample_data(
    image_size: int, train_images: int | None = None, eval_images: int | None = None
) -> "FashionMNISTSplit":
    """The sample at ``image_size`` pixels; with ``train_images`` and ``eval_images``, only the
    first that many of each split (a smoke run)."""
    from torch.utils.data import Subset

    from ..data import FashionMNISTSplit, fashion_mnist

    data = fashion_mnist("sample", image_size)
    if train_images is None and eval_images is None:
        return data
    return FashionMNISTSplit(
        Subset(data.train, range(train_images or len(data.train))),
        Subset(data.eval, range(eval_images or len(data.eval))),
        data.split,
        data.root,
    )


def train_and_record(
    model: "nn.Module",
    train_iter: "DataLoader",
    eval_iter: "DataLoader",
    *,
    eval_name: str,
    epochs: int,
    lr: float,
    momentum: float,
    weight_decay: float,
    lr_scheduler: Callable[[Any], Any] | None,
    seed: int,
) -> tuple[dict[str, list[float]], float]:
    """Train ``model`` with ``cnnbook.train.train`` on the CPU, without plot or progress bar.

    Returns its per-epoch curves (``train_loss``, ``train_error`` and ``eval_error``, that is one
    minus the accuracies, and the learning rate ``lr``) and the training's wall time in seconds.
    """
    from ..train import train

    start = time.perf_counter()
    history = train(
        model,
        train_iter,
        eval_iter,
        epochs,
        lr,
        momentum=momentum,
        weight_decay=weight_decay,
        lr_scheduler=lr_scheduler,
        device="cpu",
        eval_name=eval_name,
        seed=seed,
        plot=False,
        progress=False,
    )
    seconds = time.perf_counter() - start
    curves = {
        "train_loss": history.train_loss,
        "train_error": [1 - accuracy for accuracy in history.train_acc],
        "eval_error": [1 - accuracy for accuracy in history.eval_acc],
        "lr": history.learning_rates,
    }
    return curves, seconds
