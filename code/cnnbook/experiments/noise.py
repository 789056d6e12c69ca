"""How much does a section's fast-profile result vary?  The same run under several seeds and CPUs.

Ten epochs of SGD amplify last-bit differences: the seeded fast-profile run of a section gives other
digits on another processor (other oneDNN kernels) or with another thread count, and after a few
epochs the difference is as large as a change of seed.  This experiment measures that spread: the
section's fast-profile training run (``cnnbook.train.run_section``, the page's code path, with the
section's learning-rate schedule if it has one) for each seed and each emulated CPU below, each
job in a fresh Python process (the kernel choice is fixed when PyTorch loads).

    python -m cnnbook.experiments.noise --section alexnet               # 3 seeds x 4 CPU settings
    python -m cnnbook.experiments.noise --section alexnet --workers 2   # the same, 2 jobs at once
    python -m cnnbook.experiments.noise --section alexnet --smoke       # 1 epoch, 1 seed, 2 settings

The stored result (``results/<section>_noise.json``) gives each run's final loss and accuracies,
their mean, standard deviation and range, and two numbers the notebook tests use
(CONTRIBUTING.md):

* ``tolerance``: how far a re-run's final metric may lie from the notebook's stored one,
  1.25 x the measured range (max - min) rounded up to 0.005, at least 0.01;
* ``learning_floor``: the held-out accuracy any run must reach, halfway between chance (0.1)
  and the measured mean; a run below it stopped learning.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from . import command_line
from ..spread import summarize
from .runner import Job

# Stand-ins for other readers' CPUs: oneDNN limited to older instruction sets, and one thread.
CPU_SETTINGS: dict[str, dict[str, str]] = {
    "default": {},
    "ONEDNN_MAX_CPU_ISA=SSE41": {"ONEDNN_MAX_CPU_ISA": "SSE41"},
    "ONEDNN_MAX_CPU_ISA=AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2"},
    "OMP_NUM_THREADS=1": {"OMP_NUM_THREADS": "1"},
}
SMOKE_CPU_SETTINGS = ("default", "OMP_NUM_THREADS=1")
# x 4 CPU settings = 12 runs: about 4 to 10 minutes per section on 2 quiet cores
SEEDS = (
    0,
    1,
    2,
)
METRICS = ("loss", "train_acc", "eval_acc")
CHANCE = 0.1  # ten classes
OPTIONS = (
    {
        "flags": ("--section",),
        "kwargs": {
            "default": "alexnet",
            "help": "the section whose fast profile is measured",
        },
    },
    {
        "flags": ("--epochs",),
        "kwargs": {
            "type": int,
            "default": None,
            "help": "epochs per run (default: the profile's)",
        },
    },
)


def extra_dependencies(settings: dict[str, Any]) -> list[str]:
    """The module of the model the section trains (``cnnbook.models.alexnet`` for AlexNet)."""
    from .. import models
    from ..profiles import run_config

    return [
        models.model_entry(
            run_config(settings.get("section", "alexnet"), "fast").model
        ).factory.__module__
    ]


def hash_material(settings: dict[str, Any]) -> str:
    """The section's fast-profile settings and schedule: its results depend on them, not on other sections'."""
    from ..section_settings import SECTION_SCHEDULES, SECTION_SETTINGS

    section = settings.get("section", "alexnet")
    return json.dumps(
        {
            section: SECTION_SETTINGS.get(section, {}).get("fast"),
            "schedule": SECTION_SCHEDULES.get(section),
        },
        sort_keys=True,
    )


def train_once(section: str, seed: int, epochs: int | None = None) -> dict[str, float]:
    """One fast-profile run of ``section`` on the CPU, seeded with ``seed``: the notebook's code path."""
    from ..profiles import run_config
    from ..train import run_section

    _, history = run_section(run_config(section, "fast"), seed, epochs=epochs)
    metrics = {
        "loss": history.train_loss[-1],
        "train_acc": history.train_acc[-1],
        "eval_acc": history.eval_acc[-1],
    }
    if (
        history.eval_acc_moving_averages
    ):  # precise batch-norm statistics: also what the moving averages gave
        metrics["eval_acc_moving_averages"] = history.eval_acc_moving_averages[-1]
    return metrics


def check(
    smoke: bool = False, section: str = "alexnet", epochs: int | None = None, **_: Any
) -> None:
    """Reject an unknown section or a bad number of epochs before any job starts."""
    from ..errors import check_int
    from ..profiles import run_config

    run_config(section, "fast")
    if epochs is not None:
        check_int("epochs", epochs, minimum=1)


def _epochs(smoke: bool, section: str, epochs: int | None) -> int | None:
    """Smoke: one epoch, or two for a section with a warm-up (one warm-up and one decay epoch)."""
    from ..section_settings import SECTION_SCHEDULES

    return (2 if section in SECTION_SCHEDULES else 1) if smoke else epochs


def _runs(smoke: bool) -> list[tuple[int, str]]:
    """(seed, CPU setting) of every run, in order."""
    return [
        (seed, name)
        for seed in (SEEDS[:1] if smoke else SEEDS)
        for name in (SMOKE_CPU_SETTINGS if smoke else tuple(CPU_SETTINGS))
    ]


def jobs(
    smoke: bool = False, section: str = "alexnet", epochs: int | None = None, **_: Any
) -> list[Job]:
    """One job per seed and CPU setting, each in a fresh process with that setting's environment."""
    return [
        Job(
            "cnnbook.experiments.noise:train_once",
            {
                "section": section,
                "seed": seed,
                "epochs": _epochs(smoke, section, epochs),
            },
            label=f"{section}, seed {seed}, {name}",
            environment=CPU_SETTINGS[name],
            fresh_process=True,
        )
        for seed, name in _runs(smoke)
    ]


def report(metrics: dict[str, float]) -> None:
    print(", ".join(f"{m} {metrics[m]:.4f}" for m in METRICS), flush=True)


def round_up(value: float, step: float = 0.005) -> float:
    """``value`` rounded up to a multiple of ``step``."""
    return round(math.ceil(value / step - 1e-9) * step, 3)


def collect(
    results: list[dict[str, float]],
    smoke: bool = False,
    section: str = "alexnet",
    epochs: int | None = None,
    **_: Any,
) -> dict[str, Any]:
    """The runs, their spread, the tolerance and the learning floor."""
    from ..profiles import run_config

    runs = [
        {"seed": seed, "cpu_setting": name, **metrics}
        for (seed, name), metrics in zip(_runs(smoke), results)
    ]
    summary = {metric: summarize(r[metric] for r in runs) for metric in METRICS}
    if all("eval_acc_moving_averages" in r for r in runs):
        summary["eval_acc_moving_averages"] = summarize(
            r["eval_acc_moving_averages"] for r in runs
        )
    tolerance = {
        metric: max(
            0.01, round_up(1.25 * (summary[metric]["max"] - summary[metric]["min"]))
        )
        for metric in METRICS
    }
    floor = round(CHANCE + (summary["eval_acc"]["mean"] - CHANCE) / 2, 3)
    run = run_config(section, "fast")
    settings = {
        "section": section,
        "profile": "fast",
        "run": run.describe(),
        "epochs": _epochs(smoke, section, epochs) or run.epochs,
    }
    if run.schedule is not None:
        settings["schedule"] = run.schedule
    settings.update(
        {
            "seeds": sorted({r["seed"] for r in runs}),
            "cpu_settings": {
                name: CPU_SETTINGS[name]
                for name in dict.fromkeys(r["cpu_setting"] for r in runs)
            },
        }
    )
    return {
        "name": f"{section}_noise",
        "settings": settings,
        "runs": runs,
        "summary": summary,
        "tolerance": tolerance,
        "learning_floor": floor,
    }


def main(argv: list[str] | None = None) -> int:
    import importlib

    return command_line(importlib.import_module("cnnbook.experiments.noise"), argv)


if __name__ == "__main__":
    sys.exit(main())
