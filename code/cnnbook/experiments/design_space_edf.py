"""Design spaces compared by the error distributions of their models (Radosavovic et al., CVPR
2020), at CPU scale: ``count`` networks drawn from each AnyNetX space (``cnnbook.design_spaces``)
within one FLOP window, each trained briefly on the Fashion-MNIST sample; stored are every
model's configuration, FLOPs, parameters and errors, and each space's error distribution::

    python -m cnnbook.experiments.design_space_edf            # 5 spaces x 32 models, 3 epochs each
    python -m cnnbook.experiments.design_space_edf --smoke    # 1 model per space, 1 epoch

The page loads the result with ``load_result("design_space_edf")`` and plots the empirical
distribution functions.  Training: 28x28 images, batch 64, SGD with momentum 0.9, lr 0.1 decayed
to 0 by ``CosineAnnealingLR``, no weight decay; model ``i`` of a space is seeded with ``i``.
"""

from __future__ import annotations

import sys
from typing import Any

from . import command_line
from ..spread import summarize
from .runner import Job

NAME = "design_space_edf"
MODULE = "cnnbook.experiments.design_space_edf"  # also when run as ``python -m`` (then __name__ is "__main__")
COUNT = 32  # models per space (the paper: 500)
EPOCHS = 3  # per model (the paper: 10 ImageNet epochs)
FLOPS_RANGE = (6e6, 10e6)  # every sampled model (the paper: 360-400 MFLOPs)
SAMPLING_SEED = 0
# Evaluated with precise batch-norm statistics (8 training batches, 512 images), as pycls evaluates
# its models; the error with the moving averages is stored beside it.
TRAINING = dict(
    image_size=28, batch_size=64, lr=0.1, momentum=0.9, precise_bn_batches=8
)
ERROR_GRID = [round(0.01 * i, 2) for i in range(101)]


def train_model(
    config: dict[str, list[int]], seed: int, epochs: int
) -> dict[str, float]:
    """Train one network (``AnyNetConfig.to_dict()``) on the sample on the CPU; its final training
    loss and errors."""
    import torch
    from ..data import data_loaders, fashion_mnist
    from ..design_spaces import AnyNetConfig
    from ..schedules import scheduler_for
    from ..train import train

    data = fashion_mnist("sample", TRAINING["image_size"])
    train_iter, eval_iter = data_loaders(data, TRAINING["batch_size"], seed=seed)
    torch.manual_seed(seed)
    model = AnyNetConfig(**{key: tuple(value) for key, value in config.items()}).build(
        num_classes=10, in_channels=1
    )
    history = train(
        model,
        train_iter,
        eval_iter,
        epochs,
        TRAINING["lr"],
        momentum=TRAINING["momentum"],
        lr_scheduler=scheduler_for("cosine", epochs),
        precise_bn_batches=TRAINING["precise_bn_batches"],
        device="cpu",
        eval_name=data.eval_name,
        seed=seed,
        plot=False,
        progress=False,
    )
    return {
        "loss": history.train_loss[-1],
        "train_error": 1 - history.train_acc[-1],
        "eval_error": 1 - history.eval_acc[-1],
        "eval_error_moving_averages": 1 - history.eval_acc_moving_averages[-1],
    }


def _models(smoke: bool) -> list[tuple[str, int, Any, int]]:
    """(space, index, configuration, FLOPs) of every model, drawn with the sampling seed."""
    from ..design_spaces import SPACES, sample_space

    count = 1 if smoke else COUNT
    return [
        (space, index, config, flops)
        for space in SPACES
        for index, (config, flops) in enumerate(
            sample_space(space, count, SAMPLING_SEED, FLOPS_RANGE)
        )
    ]


def jobs(smoke: bool = False, **_: Any) -> list[Job]:
    """One job per sampled model; model ``i`` of a space is seeded with ``i``."""
    epochs = 1 if smoke else EPOCHS
    return [
        Job(
            "cnnbook.experiments.design_space_edf:train_model",
            {"config": config.to_dict(), "seed": index, "epochs": epochs},
            label=f"{space} #{index}",
        )
        for space, index, config, _ in _models(smoke)
    ]


def collect(
    results: list[dict[str, float]], smoke: bool = False, **_: Any
) -> dict[str, Any]:
    """Every model's configuration, cost and errors, and each space's error distribution."""
    from ..design_spaces import SPACES, empirical_distribution
    from ..inspection import count_parameters

    count, epochs = (1, 1) if smoke else (COUNT, EPOCHS)
    runs = [
        {
            "space": space,
            "index": index,
            "config": config.to_dict(),
            "flops": flops,
            "parameters": count_parameters(config.build()),
            **metrics,
        }
        for (space, index, config, flops), metrics in zip(_models(smoke), results)
    ]
    summary = {}
    for space in SPACES:
        errors = [r["eval_error"] for r in runs if r["space"] == space]
        summary[space] = {
            "eval_error": summarize(errors),
            "train_error": summarize(
                r["train_error"] for r in runs if r["space"] == space
            ),
            "eval_error_moving_averages": summarize(
                r["eval_error_moving_averages"] for r in runs if r["space"] == space
            ),
            "edf": empirical_distribution(errors, ERROR_GRID),
        }
    return {
        "name": NAME,
        "settings": {
            "spaces": list(SPACES),
            "count": count,
            "epochs": epochs,
            "flops_range": list(FLOPS_RANGE),
            "sampling_seed": SAMPLING_SEED,
            "training": TRAINING,
            "schedule": "cosine",
            "error_grid": ERROR_GRID,
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
