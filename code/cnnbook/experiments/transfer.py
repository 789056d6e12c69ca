"""Transfer learning at CPU scale: pretrain a small ResNet on five Fashion-MNIST classes, then adapt
it to the other five with few labels, three ways, against training from scratch::

    python -m cnnbook.experiments.transfer               # 5 seeds x 2 label budgets x 3 methods
    python -m cnnbook.experiments.transfer --smoke       # seed 0, the same label budgets, tiny runs (seconds)

The 2,557-image sample is split **by class**: the *source* task is the classes ``SOURCE_CLASSES``
(T-shirt/top, trouser, pullover, dress, coat), the *target* task the other five (sandal, shirt,
sneaker, bag, ankle boot), so no target image and no target class is seen while pretraining.  Per
seed:

1. **Pretraining.** ``cifar_resnet(DEPTH)`` (He et al. 2016, section 4.2) with a 5-way head learns
   the source classes on their ~1,000 training images of the sample.
2. **Few labels.** From the target classes' training images, ``k`` labeled images per class are
   drawn with the seed (the 10-label set is part of the 50-label set), for each ``k`` in
   ``LABELS_PER_CLASS``; each model gets the same images, batches and number of steps.
3. **Three ways to learn the target task**, each with a new 5-way linear head (seeded):

   * ``linear_probe``: the pretrained backbone frozen (no gradients, batch norm in evaluation
     mode, so it uses the source statistics), only the head trained;
   * ``fine_tune``: every layer trained, the backbone with a 10x smaller learning rate than the
     head, through two optimizer parameter groups;
   * ``scratch``: the same network, randomly initialized, every layer at the head's rate.

Held-out accuracy is measured on the target classes' held-out images of the sample (never used
for training or choosing anything).  Stored: per run the per-epoch curves (training loss and
accuracy, held-out accuracy, learning rate) and, per label budget and method, the summary (mean,
std, min, max) of the final held-out accuracy.  Each seed (its pretraining and its six target runs)
is one job with one thread, so the numbers do not depend on how many seeds share the machine
(``--workers 2`` trains two at once); ``--cache`` keeps finished seeds.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, Sequence

from . import command_line
from ..spread import summarize
from ..transfer import NUM_CLASSES, freeze_backbone, labeled_indices, split_classes
from .runner import Job

NAME = "transfer"
MODULE = "cnnbook.experiments.transfer"  # also when run as ``python -m`` (then __name__ is "__main__")
# T-shirt/top, trouser, pullover, dress, coat; the target: the other five
SOURCE_CLASSES = (
    0,
    1,
    2,
    3,
    4,
)
METHODS = ("linear_probe", "fine_tune", "scratch")
SEEDS = (0, 1, 2, 3, 4)
LABELS_PER_CLASS = (10, 50)
DEPTH = 8  # cifar_resnet(8): stem, 3 stages of one basic block (16, 32, 64 channels), linear head
PRETRAIN = dict(epochs=12, batch_size=32, lr=0.025, momentum=0.9, weight_decay=1e-4)
# target runs: every label budget gets the same number of steps (the few images repeat within an epoch)
TARGET = dict(
    epochs=8,
    steps_per_epoch=25,
    batch_size=10,
    lr=0.05,
    backbone_lr_factor=0.1,
    momentum=0.9,
    weight_decay=1e-4,
)
# the same label budgets
SMOKE = dict(source_images=128, pretrain_epochs=1, target_epochs=1, steps_per_epoch=2)


def _tensors(dataset):
    import torch

    images, labels = zip(*(dataset[i] for i in range(len(dataset))))
    return torch.stack(images), torch.tensor(labels)


def _task(
    images, labels, classes: Sequence[int], indices=None, repeat_to: int | None = None
):
    """A dataset of the images of ``classes`` (or of ``indices``), relabeled 0..len(classes)-1;
    ``repeat_to``: the images repeated (whole copies, then a part) to that many."""
    import torch
    from torch.utils.data import TensorDataset

    if indices is None:
        keep = torch.isin(labels, torch.tensor(list(classes)))
        indices = keep.nonzero().flatten()
    indices = torch.as_tensor(indices)
    if repeat_to is not None:
        indices = indices.repeat(math.ceil(repeat_to / len(indices)))[:repeat_to]
    relabel = torch.full((NUM_CLASSES,), -1, dtype=torch.long)
    relabel[list(classes)] = torch.arange(len(classes))
    return TensorDataset(images[indices], relabel[labels[indices]])


def _loader(dataset, batch_size: int, shuffle: bool, seed: int):
    import torch
    from torch.utils.data import DataLoader

    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        dataset, batch_size, shuffle=shuffle, generator=generator, drop_last=shuffle
    )


def _curves(history) -> dict[str, list[float]]:
    return {
        "train_loss": history.train_loss,
        "train_acc": history.train_acc,
        "eval_acc": history.eval_acc,
        "lr": history.learning_rates,
    }


def train_seed(seed: int, smoke: bool = False) -> list[dict[str, Any]]:
    """Pretrain on the source classes, then every label budget x method on the target classes."""
    import copy

    import torch
    from torch import nn
    from ..data import fashion_mnist
    from ..models.cifar_resnet import cifar_resnet
    from ..schedules import scheduler_for
    from ..train import train

    torch.set_num_threads(1)
    source, target = split_classes(SOURCE_CLASSES, NUM_CLASSES)
    data = fashion_mnist("sample", 28)
    train_images, train_labels = _tensors(data.train)
    eval_images, eval_labels = _tensors(data.eval)
    pretrain = dict(
        PRETRAIN, epochs=SMOKE["pretrain_epochs"] if smoke else PRETRAIN["epochs"]
    )
    settings = dict(
        TARGET,
        **(
            {
                "epochs": SMOKE["target_epochs"],
                "steps_per_epoch": SMOKE["steps_per_epoch"],
            }
            if smoke
            else {}
        ),
    )
    budgets = LABELS_PER_CLASS
    options = dict(device="cpu", eval_name=data.eval_name, plot=False, progress=False)

    def cosine(epochs):
        return scheduler_for("cosine", epochs)

    source_train = _task(train_images, train_labels, source)
    if smoke:
        source_train = torch.utils.data.Subset(
            source_train, range(SMOKE["source_images"])
        )
    torch.manual_seed(seed)
    network = cifar_resnet(DEPTH, num_classes=len(source))
    start = time.perf_counter()
    history = train(
        network,
        _loader(source_train, pretrain["batch_size"], True, seed),
        _loader(_task(eval_images, eval_labels, source), 256, False, seed),
        pretrain["epochs"],
        pretrain["lr"],
        momentum=pretrain["momentum"],
        weight_decay=pretrain["weight_decay"],
        lr_scheduler=cosine(pretrain["epochs"]),
        seed=seed,
        **options,
    )
    runs = [
        {
            "phase": "pretrain",
            "method": "pretrain",
            "labels_per_class": None,
            "seed": seed,
            "train_images": len(source_train),
            "trained_parameters": sum(p.numel() for p in network.parameters()),
            "curves": _curves(history),
            "eval_acc": history.eval_acc[-1],
            "seconds": round(time.perf_counter() - start, 1),
        }
    ]
    pretrained = copy.deepcopy(network.state_dict())
    target_eval = _loader(_task(eval_images, eval_labels, target), 256, False, seed)
    per_epoch = settings["steps_per_epoch"] * settings["batch_size"]
    for k in budgets:
        indices = labeled_indices(train_labels, target, k, seed)
        target_train = _task(
            train_images, train_labels, target, indices, repeat_to=per_epoch
        )
        for method in METHODS:
            torch.manual_seed(seed)
            model = cifar_resnet(DEPTH, num_classes=len(source))
            if method != "scratch":
                model.load_state_dict(pretrained)
            torch.manual_seed(seed + 1)
            model.fc, model.num_classes = nn.Linear(
                model.fc.in_features, len(target)
            ), len(target)
            lr, parameters = settings["lr"], None
            if method == "linear_probe":
                model = freeze_backbone(model)
                parameters = [p for p in model.parameters() if p.requires_grad]
            elif method == "fine_tune":
                head = list(model.fc.parameters())
                backbone = [
                    p
                    for name, p in model.named_parameters()
                    if not name.startswith("fc.")
                ]
                parameters = [
                    {"params": backbone, "lr": lr * settings["backbone_lr_factor"]},
                    {"params": head},
                ]
            start = time.perf_counter()
            history = train(
                model,
                _loader(target_train, settings["batch_size"], True, seed),
                target_eval,
                settings["epochs"],
                lr,
                momentum=settings["momentum"],
                weight_decay=settings["weight_decay"],
                lr_scheduler=cosine(settings["epochs"]),
                parameters=parameters,
                seed=seed,
                **options,
            )
            runs.append(
                {
                    "phase": "target",
                    "method": method,
                    "labels_per_class": k,
                    "seed": seed,
                    "train_images": len(indices),
                    "trained_parameters": sum(
                        p.numel() for p in model.parameters() if p.requires_grad
                    ),
                    "curves": _curves(history),
                    "eval_acc": history.eval_acc[-1],
                    "seconds": round(time.perf_counter() - start, 1),
                }
            )
    return runs


def jobs(smoke: bool = False, **_: Any) -> list[Job]:
    """One job per seed: its pretraining and its six target runs."""
    return [
        Job(
            "cnnbook.experiments.transfer:train_seed",
            {"seed": seed, "smoke": smoke},
            label=f"seed {seed}",
        )
        for seed in ((0,) if smoke else SEEDS)
    ]


def report(runs: list[dict[str, Any]]) -> None:
    for r in runs:
        budget = (
            ""
            if r["labels_per_class"] is None
            else f", {r['labels_per_class']} labels/class"
        )
        print(
            f"seed {r['seed']} {r['method']}{budget}: held-out acc {r['eval_acc']:.3f} ({r['seconds']} s)",
            flush=True,
        )


def collect(
    results: list[list[dict[str, Any]]], smoke: bool = False, **_: Any
) -> dict[str, Any]:
    """Every run with its curves, and per label budget and method the summary of the held-out accuracy."""
    source, target = split_classes(SOURCE_CLASSES)
    seeds = (0,) if smoke else SEEDS
    budgets = LABELS_PER_CLASS
    runs = [run for seed_runs in results for run in seed_runs]
    summary: dict[str, Any] = {
        "pretrain": {
            "eval_acc": summarize(
                r["eval_acc"] for r in runs if r["phase"] == "pretrain"
            )
        }
    }
    for k in budgets:
        summary[str(k)] = {
            method: {
                "eval_acc": summarize(
                    r["eval_acc"]
                    for r in runs
                    if r["labels_per_class"] == k and r["method"] == method
                )
            }
            for method in METHODS
        }
    return {
        "name": NAME,
        "settings": {
            "source_classes": list(source),
            "target_classes": list(target),
            "methods": list(METHODS),
            "labels_per_class": list(budgets),
            "seeds": list(seeds),
            "depth": DEPTH,
            "model": f"cifar_resnet({DEPTH})",
            "image_size": 28,
            "pretrain": dict(
                PRETRAIN,
                **(
                    {
                        "epochs": SMOKE["pretrain_epochs"],
                        "source_images": SMOKE["source_images"],
                    }
                    if smoke
                    else {}
                ),
            ),
            "target": dict(
                TARGET,
                **(
                    {
                        "epochs": SMOKE["target_epochs"],
                        "steps_per_epoch": SMOKE["steps_per_epoch"],
                    }
                    if smoke
                    else {}
                ),
            ),
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
