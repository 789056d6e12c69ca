"""Why a zero-initialized residual branch can end a short run far behind, measured: ResNet-20 of
He et al.'s CIFAR design (``cnnbook.models.cifar_resnet``, option A shortcuts) trained on the
2,048-image Fashion-MNIST sample with PyTorch's default batch-norm scales (gamma = 1) and with the
scale of every block's last batch norm started at 0 (``cnnbook.gradients.zero_init_last_bn``;
Goyal et al. 2017, "Bag of Tricks" of He et al. 2019), under four recipes that separate the
suspects: the length of the run, the learning rate and warm-up::

    python -m cnnbook.experiments.zero_init            # 2 inits x 4 recipes x seeds 0, 1, 2
    python -m cnnbook.experiments.zero_init --smoke    # depth 8, 1 epoch, seed 0, 256 images

The recipes: ``short`` (2 epochs at lr 0.025, cosine: the gradient-flow experiment's run),
``long`` (12 epochs at lr 0.025, cosine), ``long, lr 0.1`` (12 epochs at lr 0.1, cosine) and
``long, lr 0.1 + warm-up`` (the same with 2 epochs of linear warm-up from 0.01, Goyal et al.'s
recipe in miniature).  Everything else as ``cnnbook.experiments.degradation``: 28x28 images,
batch 32, SGD with momentum 0.9 and weight decay 1e-4.  Run ``seed`` builds its model after
``torch.manual_seed(seed)``, so the two inits of one seed differ only in the zeroed scales.

Stored per run, besides the per-epoch curves: after every epoch (and at the start) the mean
absolute value of the blocks' last batch-norm scales, ``|gamma|``.  A residual branch's output is
its last batch norm's ``gamma * z_hat + beta``; with ``gamma = 0`` the gradient reaching the
branch's convolutions is multiplied by 0, so only the scales (and shifts) learn at first: the
network starts as its stem, pooling and linear layer, and the branches join as fast as their
scales grow.  Each run trains with one thread (``--workers 2`` trains two at once).
"""

from __future__ import annotations

import sys
from typing import Any

from . import command_line
from ..spread import summarize
from .runner import Job

NAME = "zero_init"
MODULE = "cnnbook.experiments.zero_init"  # also when run as ``python -m``
INITS = ("default", "zero_init")
DEPTH = 20
SEEDS = (0, 1, 2)
# recipe -> epochs, peak learning rate and schedule (``cnnbook.schedules.scheduler_for``)
RECIPES: dict[str, dict[str, Any]] = {
    "short": dict(epochs=2, lr=0.025, schedule="cosine"),
    "long": dict(epochs=12, lr=0.025, schedule="cosine"),
    "long, lr 0.1": dict(epochs=12, lr=0.1, schedule="cosine"),
    "long, lr 0.1 + warm-up": dict(
        epochs=12, lr=0.1, schedule={"warmup_epochs": 2, "start_factor": 0.1}
    ),
}
TRAINING = dict(
    image_size=28, batch_size=32, momentum=0.9, weight_decay=1e-4, shortcut="A"
)
# --smoke: seconds
SMOKE = dict(depth=8, epochs=1, train_images=256, eval_images=128)


def last_scales(model) -> float:
    """The mean absolute scale (gamma) of the last batch norm of every residual block."""
    from ..gradients import residual_blocks
    from ..models.resnet import last_residual_weight

    scales = [
        last_residual_weight(block).abs().mean().item()
        for _, block in residual_blocks(model)
    ]
    return sum(scales) / len(scales)


def train_run(init: str, recipe: str, seed: int, smoke: bool = False) -> dict[str, Any]:
    """Train one ResNet on the sample on the CPU (one thread); its curves, its blocks' mean last
    batch-norm scale after every epoch and its final metrics."""
    import torch
    from ..data import data_loaders
    from ..gradients import zero_init_last_bn
    from ..models.cifar_resnet import cifar_resnet
    from ..schedules import scheduler_for
    from .sample_runs import sample_data, train_and_record

    torch.set_num_threads(1)
    settings = RECIPES[recipe]
    depth = SMOKE["depth"] if smoke else DEPTH
    epochs = SMOKE["epochs"] if smoke else settings["epochs"]
    data = (
        sample_data(TRAINING["image_size"], SMOKE["train_images"], SMOKE["eval_images"])
        if smoke
        else sample_data(TRAINING["image_size"])
    )
    train_iter, eval_iter = data_loaders(data, TRAINING["batch_size"], seed=seed)
    torch.manual_seed(seed)
    model = cifar_resnet(depth, residual=True, shortcut=TRAINING["shortcut"])
    if init == "zero_init":
        zero_init_last_bn(model)
    scales = [last_scales(model)]
    make_scheduler = scheduler_for(settings["schedule"], epochs)

    def measuring_scheduler(optimizer):
        """The recipe's scheduler, which first records the scales when ``train`` steps it (once
        after every epoch)."""
        scheduler = make_scheduler(optimizer)
        step = scheduler.step

        def step_and_measure(*args, **kwargs):
            scales.append(last_scales(model))
            return step(*args, **kwargs)

        scheduler.step = step_and_measure
        return scheduler

    curves, seconds = train_and_record(
        model,
        train_iter,
        eval_iter,
        eval_name=data.eval_name,
        epochs=epochs,
        lr=settings["lr"],
        momentum=TRAINING["momentum"],
        weight_decay=TRAINING["weight_decay"],
        lr_scheduler=measuring_scheduler if make_scheduler else None,
        seed=seed,
    )
    if make_scheduler is None:  # a one-epoch smoke run has no schedule to measure from
        scales.append(last_scales(model))
    curves["last_scale"] = scales  # [start, after epoch 1, ..., after the last epoch]
    return {
        "init": init,
        "recipe": recipe,
        "seed": seed,
        "depth": depth,
        "epochs": epochs,
        "curves": curves,
        "train_loss": curves["train_loss"][-1],
        "train_error": curves["train_error"][-1],
        "eval_error": curves["eval_error"][-1],
        "last_scale": scales[-1],
        "seconds": round(seconds, 1),
    }


def jobs(smoke: bool = False, **_: Any) -> list[Job]:
    """One job per recipe, seed and init, the long ones first (the runner balances better)."""
    seeds = (0,) if smoke else SEEDS
    order = sorted(RECIPES, key=lambda name: -RECIPES[name]["epochs"])
    return [
        Job(
            "cnnbook.experiments.zero_init:train_run",
            {"init": init, "recipe": recipe, "seed": seed, "smoke": smoke},
            label=f"{init}, {recipe}, seed {seed}",
        )
        for recipe in order
        for seed in seeds
        for init in INITS
    ]


def report(result: dict[str, Any]) -> None:
    print(
        f"{result['init']}, {result['recipe']}, seed {result['seed']}: train error "
        f"{result['train_error']:.3f}, held-out error {result['eval_error']:.3f}, "
        f"mean |gamma| {result['last_scale']:.3f} ({result['seconds']} s)",
        flush=True,
    )


def collect(
    results: list[dict[str, Any]], smoke: bool = False, **_: Any
) -> dict[str, Any]:
    """Every run with its curves, and per recipe and init the summary of the final metrics."""
    runs = sorted(
        results,
        key=lambda r: (
            list(RECIPES).index(r["recipe"]),
            INITS.index(r["init"]),
            r["seed"],
        ),
    )
    summary = {
        recipe: {
            init: {
                metric: summarize(
                    r[metric]
                    for r in runs
                    if r["recipe"] == recipe and r["init"] == init
                )
                for metric in ("train_loss", "train_error", "eval_error", "last_scale")
            }
            for init in INITS
        }
        for recipe in RECIPES
    }
    return {
        "name": NAME,
        "settings": {
            "inits": list(INITS),
            "recipes": RECIPES,
            "depth": SMOKE["depth"] if smoke else DEPTH,
            "seeds": [0] if smoke else list(SEEDS),
            "training": TRAINING,
            "smoke_data": SMOKE if smoke else None,
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
