"""Gradient flow in plain and residual networks, measured before and during training: plain and
residual CIFAR-style networks of one depth (``cnnbook.models.cifar_resnet``, depth ``6n + 2``),
the residual one also with the scale of every block's last batch norm started at 0 (Goyal et al.
2017), trained for a few epochs under several seeds on the 2,048-image Fashion-MNIST sample::

    python -m cnnbook.experiments.gradient_flow            # depth 20 x 3 variants x seeds 0, 1, 2, 2 epochs
    python -m cnnbook.experiments.gradient_flow --smoke    # depth 8, 1 epoch, seed 0, 256 images

Stored per run: the per-epoch training curves (``cnnbook.train.train``: training loss, training
error, held-out error, learning rate) and, at initialization and after every epoch, the gradient
norms of ``cnnbook.gradients.gradient_norms``: per weighted layer (``6n + 2`` of them: the
stem's convolution, the two convolutions of each block, the linear layer) the norm of the loss
gradient with respect to its weight, and per block the norm of the loss gradient with respect to
the block's output, each the mean over the same 4 fixed batches of 64 training images (the first
256 images of the sample's training split, in training mode: batch statistics, as training sees
them; measured on a copy of the model, so the measurement changes nothing in the run), and the standard
deviation of the stem's and every block's output on the first of these batches (``cnnbook.debugging.activation_statistics``).  The
measurements after each epoch are taken where ``train`` steps its learning-rate scheduler (a
``CosineAnnealingLR`` that also measures), so the training loop is the book's own, unchanged.

Training as ``cnnbook.experiments.degradation``: 28x28 images, batch 32, SGD with momentum 0.9 and
weight decay 1e-4, lr 0.025 decayed to 0 by cosine annealing over the epochs; option A shortcuts, so
the plain and residual networks have the same parameters and, for one seed, the same initial
weights (the zero-init variant differs only in its last batch-norm scales).  Each run trains in its
own job with one thread (``--workers 2`` trains two at once); ``--cache`` keeps finished runs.
"""

from __future__ import annotations

import sys
from typing import Any

from . import command_line
from ..spread import summarize
from .runner import Job

NAME = "gradient_flow"
MODULE = "cnnbook.experiments.gradient_flow"  # also when run as ``python -m`` (then __name__ is "__main__")
VARIANTS = ("plain", "residual", "residual_zero_init")
DEPTH = 20
SEEDS = (0, 1, 2)
EPOCHS = 2
# the fixed batches the gradient norms are averaged over
PROBE = dict(batch_size=64, batches=4)
# --smoke: seconds
SMOKE = dict(train_images=256, eval_images=128, probe_batch_size=16, probe_batches=2)
TRAINING = dict(
    image_size=28,
    batch_size=32,
    lr=0.025,
    momentum=0.9,
    weight_decay=1e-4,
    shortcut="A",
)
OPTIONS = (
    {
        "flags": ("--depth",),
        "kwargs": {
            "type": int,
            "default": None,
            "help": f"depth 6n+2 of the networks (default: {DEPTH})",
        },
    },
    {
        "flags": ("--epochs",),
        "kwargs": {
            "type": int,
            "default": None,
            "help": f"training epochs of each run (default: {EPOCHS})",
        },
    },
)


def build_model(variant: str, depth: int):
    """The network of one variant (built after the caller seeded torch)."""
    from ..gradients import zero_init_last_bn
    from ..models.cifar_resnet import cifar_resnet

    model = cifar_resnet(
        depth, residual=variant != "plain", shortcut=TRAINING["shortcut"]
    )
    return zero_init_last_bn(model) if variant == "residual_zero_init" else model


def train_run(
    variant: str, depth: int, seed: int, epochs: int, smoke: bool = False
) -> dict[str, Any]:
    """Train one network on the sample on the CPU (one thread), measuring its gradient norms at
    initialization and after every epoch; return its curves, measurements and final metrics.
    ``smoke``: on the first 256 training and 128 held-out images of the sample, probing 2 batches of 16.
    """
    from copy import deepcopy

    import torch
    from ..data import data_loaders
    from ..debugging import activation_statistics
    from ..gradients import fixed_batches, gradient_norms, stem_and_blocks
    from .sample_runs import sample_data, train_and_record

    torch.set_num_threads(1)
    if smoke:
        data = sample_data(
            TRAINING["image_size"], SMOKE["train_images"], SMOKE["eval_images"]
        )
        probe = fixed_batches(
            data.train, SMOKE["probe_batch_size"], SMOKE["probe_batches"]
        )
    else:
        data = sample_data(TRAINING["image_size"])
        probe = fixed_batches(data.train, PROBE["batch_size"], PROBE["batches"])
    train_iter, eval_iter = data_loaders(data, TRAINING["batch_size"], seed=seed)
    torch.manual_seed(seed)
    model = build_model(variant, depth)
    measured = [gradient_norms(model, probe)]

    def block_stds() -> list[float]:
        """Standard deviation of the stem's and every block's output on the first probe batch (batch
        statistics, on a copy: the model's moving averages stay as they are)."""
        copy = deepcopy(model).train()
        return [
            std
            for _, std in activation_statistics(
                copy, probe[0][0], stem_and_blocks(copy)
            ).values()
        ]

    stds = [block_stds()]

    class MeasuringCosine(torch.optim.lr_scheduler.CosineAnnealingLR):
        """Cosine annealing whose step (once after each epoch, in ``train``) first measures the gradients."""

        def __init__(self, optimizer, T_max):
            self.ready = False
            # steps once while it is built: no measurement then
            super().__init__(optimizer, T_max=T_max)
            self.ready = True

        def step(self, *args, **kwargs):
            if self.ready:
                measured.append(gradient_norms(model, probe))
                stds.append(block_stds())
            return super().step(*args, **kwargs)

    curves, seconds = train_and_record(
        model,
        train_iter,
        eval_iter,
        eval_name=data.eval_name,
        epochs=epochs,
        lr=TRAINING["lr"],
        momentum=TRAINING["momentum"],
        weight_decay=TRAINING["weight_decay"],
        lr_scheduler=lambda optimizer: MeasuringCosine(optimizer, T_max=epochs),
        seed=seed,
    )
    return {
        "variant": variant,
        "depth": depth,
        "seed": seed,
        "epochs": epochs,
        "curves": curves,
        "layers": measured[0]["layers"],
        "blocks": measured[0]["blocks"],
        "weight_grad": [
            m["weight_grad"] for m in measured
        ],  # [epoch 0 (init), 1, ..., epochs][layer]
        "output_grad": [m["output_grad"] for m in measured],  # [epoch][block]
        "probe_loss": [m["loss"] for m in measured],
        "activation_std": stds,  # [epoch][stem, block 1, ...]
        "train_loss": curves["train_loss"][-1],
        "train_error": curves["train_error"][-1],
        "eval_error": curves["eval_error"][-1],
        "seconds": round(seconds, 1),
    }


def check(
    smoke: bool = False, depth: int | None = None, epochs: int | None = None, **_: Any
) -> None:
    """Reject a depth that is not 6n + 2, or a bad number of epochs, before any job starts."""
    from ..errors import check_int
    from ..models.cifar_resnet import blocks_for_depth

    if depth is not None:
        blocks_for_depth(depth)
    if epochs is not None:
        check_int("epochs", epochs, minimum=1)


def _plan(
    smoke: bool, depth: int | None, epochs: int | None
) -> tuple[int, int, tuple[int, ...]]:
    depth = (8 if smoke else DEPTH) if depth is None else depth
    epochs = (1 if smoke else EPOCHS) if epochs is None else epochs
    return depth, epochs, ((0,) if smoke else SEEDS)


def jobs(
    smoke: bool = False, depth: int | None = None, epochs: int | None = None, **_: Any
) -> list[Job]:
    """One job per seed and variant."""
    depth, epochs, seeds = _plan(smoke, depth, epochs)
    return [
        Job(
            "cnnbook.experiments.gradient_flow:train_run",
            {
                "variant": variant,
                "depth": depth,
                "seed": seed,
                "epochs": epochs,
                "smoke": smoke,
            },
            label=f"{variant}-{depth}, seed {seed}",
        )
        for seed in seeds
        for variant in VARIANTS
    ]


def report(result: dict[str, Any]) -> None:
    print(
        f"{result['variant']}-{result['depth']} seed {result['seed']}: train error {result['train_error']:.3f}, "
        f"held-out error {result['eval_error']:.3f} ({result['seconds']} s)",
        flush=True,
    )


def collect(
    results: list[dict[str, Any]],
    smoke: bool = False,
    depth: int | None = None,
    epochs: int | None = None,
    **_: Any,
) -> dict[str, Any]:
    """Every run with its measurements, and per variant the summary of the final metrics and gradients."""
    depth, epochs, seeds = _plan(smoke, depth, epochs)
    runs = sorted(results, key=lambda r: (VARIANTS.index(r["variant"]), r["seed"]))
    summary: dict[str, dict[str, Any]] = {}
    for variant in VARIANTS:
        chosen = [r for r in runs if r["variant"] == variant]
        summary[variant] = {
            metric: summarize(r[metric] for r in chosen)
            for metric in ("train_loss", "train_error", "eval_error")
        }
        for key in (
            "weight_grad",
            "output_grad",
        ):  # per layer (block) after the last epoch, over the seeds
            summary[variant][f"final_{key}"] = [
                summarize(r[key][-1][i] for r in chosen)
                for i in range(len(chosen[0][key][-1]))
            ]
    return {
        "name": NAME,
        "settings": {
            "variants": list(VARIANTS),
            "depth": depth,
            "seeds": list(seeds),
            "epochs": epochs,
            "training": TRAINING,
            "probe": PROBE,
            "smoke_data": SMOKE if smoke else None,
            "schedule": "cosine",
            "threads_per_run": 1,
            "data": "sample",
            "profile": "fast",
        },
        "runs": runs,
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> int:
    import importlib

    return command_line(importlib.import_module(MODULE), argv)


if __name__ == "__main__":
    sys.exit(main())
