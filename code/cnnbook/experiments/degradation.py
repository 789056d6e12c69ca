"""The degradation problem (He et al., CVPR 2016, Figure 1), measured at CPU scale: plain and
residual networks of the same CIFAR-style design (``cnnbook.models.cifar_resnet``, depth
``6n + 2``) trained at several depths and seeds on the 2,048-image Fashion-MNIST sample; stored
are every run's per-epoch curves (training loss, training error, held-out error, learning rate)
and, per kind and depth, the summary (mean, std, min, max) of the final metrics::

    python -m cnnbook.experiments.degradation            # depths 20, 32, 56 x plain/residual x seeds 0, 1, 2, 20 epochs
    python -m cnnbook.experiments.degradation --smoke    # depth 8, 1 epoch, seed 0

The page loads the result with ``load_result("degradation")`` and plots training and held-out
error against depth.  Training: 28x28 images, batch 32 (64 steps per epoch), SGD with momentum
0.9 and weight decay 1e-4 (the paper's), lr 0.025 (the paper's 0.1 for batch 128, scaled
linearly to batch 32) decayed to 0 over 20 epochs (1,280 steps) by ``CosineAnnealingLR``: long
enough for the training error to stop falling, as in the paper's Figure 1, which is read at
convergence; residual networks use option A
shortcuts (zero-padded identities, the paper's choice on CIFAR), so the plain and residual
networks of one depth have the same parameters and, for one seed, the same initial weights.
Run ``seed`` builds its model after ``torch.manual_seed(seed)`` and shuffles with ``seed``.

Each run trains with one thread, so the results do not depend on how many runs share the machine
(``--workers 2`` trains two at once).  The training error is the one
``cnnbook.train.train`` reports: measured on the training batches as they are trained on, in
training mode (as the paper's Figure 1 curves).
"""

from __future__ import annotations

import sys
from typing import Any

from . import command_line
from ..spread import summarize
from .runner import Job

NAME = "degradation"
MODULE = "cnnbook.experiments.degradation"  # also when run as ``python -m`` (then __name__ is "__main__")
KINDS = ("plain", "residual")
DEPTHS = (20, 32, 56)
SEEDS = (0, 1, 2)
EPOCHS = 20
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
        "flags": ("--depths",),
        "kwargs": {
            "type": int,
            "nargs": "+",
            "default": None,
            "help": f"depths 6n+2 to train (default: {' '.join(map(str, DEPTHS))})",
        },
    },
)


def train_run(kind: str, depth: int, seed: int, epochs: int) -> dict[str, Any]:
    """Train one network on the sample on the CPU (one thread): its per-epoch curves and final metrics."""
    import torch
    from ..data import data_loaders
    from ..inspection import count_parameters
    from ..models.cifar_resnet import cifar_resnet
    from ..schedules import scheduler_for
    from .sample_runs import sample_data, train_and_record

    torch.set_num_threads(1)
    data = sample_data(TRAINING["image_size"])
    train_iter, eval_iter = data_loaders(data, TRAINING["batch_size"], seed=seed)
    torch.manual_seed(seed)
    model = cifar_resnet(
        depth, residual=kind == "residual", shortcut=TRAINING["shortcut"]
    )
    curves, seconds = train_and_record(
        model,
        train_iter,
        eval_iter,
        eval_name=data.eval_name,
        epochs=epochs,
        lr=TRAINING["lr"],
        momentum=TRAINING["momentum"],
        weight_decay=TRAINING["weight_decay"],
        lr_scheduler=scheduler_for("cosine", epochs),
        seed=seed,
    )
    return {
        "kind": kind,
        "depth": depth,
        "seed": seed,
        "parameters": count_parameters(model),
        "epochs": epochs,
        "curves": curves,
        "train_loss": curves["train_loss"][-1],
        "train_error": curves["train_error"][-1],
        "eval_error": curves["eval_error"][-1],
        "seconds": round(seconds, 1),
    }


def check(smoke: bool = False, depths: list[int] | None = None, **_: Any) -> None:
    """Reject a depth that is not 6n + 2 before any job starts."""
    from ..models.cifar_resnet import blocks_for_depth

    for depth in depths or ():
        blocks_for_depth(depth)


def _plan(
    smoke: bool, depths: list[int] | None
) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    depths = tuple(sorted(set(depths))) if depths else ((8,) if smoke else DEPTHS)
    seeds, epochs = ((0,), 1) if smoke else (SEEDS, EPOCHS)
    return depths, seeds, epochs


def jobs(smoke: bool = False, depths: list[int] | None = None, **_: Any) -> list[Job]:
    """One job per depth, seed and kind, the shallow (fast) ones first."""
    depths, seeds, epochs = _plan(smoke, depths)
    return [
        Job(
            "cnnbook.experiments.degradation:train_run",
            {"kind": kind, "depth": depth, "seed": seed, "epochs": epochs},
            label=f"{kind}-{depth}, seed {seed}",
        )
        for depth in depths
        for seed in seeds
        for kind in KINDS
    ]


def report(result: dict[str, Any]) -> None:
    print(
        f"{result['kind']}-{result['depth']} seed {result['seed']}: train error {result['train_error']:.3f}, "
        f"held-out error {result['eval_error']:.3f} ({result['seconds']} s)",
        flush=True,
    )


def collect(
    results: list[dict[str, Any]],
    smoke: bool = False,
    depths: list[int] | None = None,
    **_: Any,
) -> dict[str, Any]:
    """Every run with its curves, and per kind and depth the summary of the final metrics."""
    depths, seeds, epochs = _plan(smoke, depths)
    runs = sorted(
        results, key=lambda r: (KINDS.index(r["kind"]), r["depth"], r["seed"])
    )
    summary: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        summary[kind] = {}
        for depth in depths:
            chosen = [r for r in runs if r["kind"] == kind and r["depth"] == depth]
            summary[kind][str(depth)] = {
                "parameters": chosen[0]["parameters"],
                **{
                    metric: summarize(r[metric] for r in chosen)
                    for metric in ("train_loss", "train_error", "eval_error")
                },
            }
    return {
        "name": NAME,
        "settings": {
            "kinds": list(KINDS),
            "depths": list(depths),
            "seeds": list(seeds),
            "epochs": epochs,
            "training": TRAINING,
            "schedule": "cosine",
            "threads_per_run": 1,
            "data": "sample",
            "profile": "fast",
        },
        "runs": runs,
        "summary": summary,
    }


def run(smoke: bool = False, **options: Any) -> dict[str, Any]:
    """The experiment in this process (``run_experiment``): ``depths``, ``workers``, ``scheduler``, ``cache``."""
    from . import run_experiment

    return run_experiment(MODULE, smoke, **options)


def main(argv: list[str] | None = None) -> int:
    import importlib

    return command_line(importlib.import_module(MODULE), argv)


if __name__ == "__main__":
    sys.exit(main())
