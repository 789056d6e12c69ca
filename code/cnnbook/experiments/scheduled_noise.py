"""The spread of a section's fast-profile run that trains with a learning-rate schedule.

``cnnbook.experiments.noise`` measures the spread of a section's run at a constant learning rate.
A section whose page trains with linear warm-up and cosine decay (``cnnbook.schedules.warmup_cosine``,
its settings in ``SECTION_SCHEDULES`` of ``cnnbook.section_settings``) needs the spread of *that*
run: the same protocol (3 seeds x 4 CPU settings, each run in a fresh process, the notebook's code
path) with the schedule on.  The stored result has noise.py's schema (``summary``, ``tolerance``,
``learning_floor``) and its name, ``<section>_noise``, so the notebook tests find it::

    python -m cnnbook.experiments.scheduled_noise --section design_spaces          # 12 runs
    python -m cnnbook.experiments.scheduled_noise --section design_spaces --smoke  # 1 epoch... 2 runs

The protocol's constants (CPU settings, seeds, metrics, chance level) and the summary come from
``noise.py``; only the training run differs (the scheduler).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from . import command_line, summarize
from .noise import CHANCE, CPU_SETTINGS, METRICS, SEEDS, _round_up
from .noise import DEPENDS_ON as NOISE_DEPENDS_ON

DEPENDS_ON = (*NOISE_DEPENDS_ON, "cnnbook.schedules", "cnnbook.experiments.noise")
DEFAULT_SECTION = "design_spaces"
OPTIONS = (
    {"flags": ("--section",), "kwargs": {"default": DEFAULT_SECTION,
                                         "help": "the section (with an entry in SECTION_SCHEDULES) whose fast profile is measured"}},
)
_MARK = "SCHEDULED-NOISE-RESULT "
MODULE = "cnnbook.experiments.scheduled_noise"  # also when run as ``python -m`` (then __name__ is "__main__")


def _schedule(section: str) -> dict[str, Any]:
    from ..errors import CnnbookError
    from ..section_settings import SECTION_SCHEDULES
    if section not in SECTION_SCHEDULES:
        raise CnnbookError(f"section={section!r} has no learning-rate schedule in SECTION_SCHEDULES "
                           f"(cnnbook.section_settings); sections with one: {', '.join(sorted(SECTION_SCHEDULES))}. "
                           "A section trained at a constant rate is measured by cnnbook.experiments.noise.")
    return dict(SECTION_SCHEDULES[section])


def extra_dependencies(settings: dict[str, Any]) -> list[str]:
    """The module of the model the section trains (``cnnbook.models.regnet`` for design_spaces)."""
    from .. import models
    from ..profiles import run_config
    return [getattr(models, run_config(settings.get("section", DEFAULT_SECTION), "fast").model).__module__]


def hash_material(settings: dict[str, Any]) -> str:
    """The section's fast-profile settings and its schedule: results depend on them, not on other sections'."""
    from ..section_settings import SECTION_SCHEDULES, SECTION_SETTINGS
    section = settings.get("section", DEFAULT_SECTION)
    return json.dumps({section: SECTION_SETTINGS.get(section, {}).get("fast"),
                       "schedule": SECTION_SCHEDULES.get(section)}, sort_keys=True)


def train_once(section: str, seed: int, epochs: int | None = None) -> dict[str, float]:
    """One scheduled fast-profile run of ``section`` on the CPU, seeded with ``seed``: the notebook's code path."""
    from ..data import data_loaders, fashion_mnist
    from ..profiles import run_config
    from ..schedules import warmup_cosine
    from ..train import train
    run = run_config(section, "fast")
    epochs = epochs or run.epochs
    schedule = _schedule(section)
    if epochs <= schedule["warmup_epochs"]:  # a smoke run of 1-2 epochs: shorten the warm-up with it
        schedule["warmup_epochs"] = epochs - 1
    data = fashion_mnist(run.split, run.image_size)
    train_iter, eval_iter = data_loaders(data, run.batch_size, seed=seed)
    model = run.build_model(in_channels=1, num_classes=10, seed=seed)
    scheduler = warmup_cosine(epochs, **schedule) if schedule["warmup_epochs"] >= 1 else None
    history = train(model, train_iter, eval_iter, epochs, run.lr, momentum=run.momentum, device="cpu",
                    eval_name=data.eval_name, seed=seed, plot=False, progress=False, lr_scheduler=scheduler)
    return {"loss": history.train_loss[-1], "train_acc": history.train_acc[-1], "eval_acc": history.eval_acc[-1]}


def _in_fresh_process(section: str, seed: int, environment: dict[str, str], epochs: int | None) -> dict[str, float]:
    command = [sys.executable, "-m", MODULE, "--section", section, "--worker-seed", str(seed)]
    if epochs is not None:
        command += ["--epochs", str(epochs)]
    completed = subprocess.run(command, env={**os.environ, **environment}, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"the run {' '.join(command)} with {environment} failed:\n{completed.stderr[-3000:]}")
    line = next(line for line in completed.stdout.splitlines() if line.startswith(_MARK))
    return json.loads(line[len(_MARK):])


def run(smoke: bool = False, section: str = DEFAULT_SECTION) -> dict[str, Any]:
    """Train ``section``'s scheduled fast profile once per seed and CPU setting; summarize the spread."""
    from ..profiles import run_config
    schedule = _schedule(section)  # a section without a schedule fails here, before any run
    seeds = SEEDS[:1] if smoke else SEEDS
    settings = {name: CPU_SETTINGS[name] for name in (("default", "OMP_NUM_THREADS=1") if smoke else CPU_SETTINGS)}
    epochs = 2 if smoke else None  # smoke: one warm-up epoch and one decay epoch
    runs = []
    for seed in seeds:
        for name, environment in settings.items():
            metrics = _in_fresh_process(section, seed, environment, epochs)
            runs.append({"seed": seed, "cpu_setting": name, **metrics})
            print(f"seed {seed}, {name}: " + ", ".join(f"{m} {metrics[m]:.4f}" for m in METRICS), flush=True)
    summary = {metric: summarize(r[metric] for r in runs) for metric in METRICS}
    tolerance = {metric: max(0.01, _round_up(1.25 * (summary[metric]["max"] - summary[metric]["min"])))
                 for metric in METRICS}
    floor = round(CHANCE + (summary["eval_acc"]["mean"] - CHANCE) / 2, 3)
    return {"name": f"{section}_noise",
            "settings": {"section": section, "profile": "fast", "run": run_config(section, "fast").describe(),
                         "epochs": epochs or run_config(section, "fast").epochs, "schedule": schedule,
                         "seeds": list(seeds), "cpu_settings": settings},
            "runs": runs, "summary": summary, "tolerance": tolerance, "learning_floor": floor}


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if "--worker-seed" in arguments:  # one training run, in this process: print its metrics
        section = arguments[arguments.index("--section") + 1] if "--section" in arguments else DEFAULT_SECTION
        seed = int(arguments[arguments.index("--worker-seed") + 1])
        epochs = int(arguments[arguments.index("--epochs") + 1]) if "--epochs" in arguments else None
        print(_MARK + json.dumps(train_once(section, seed, epochs)), flush=True)
        return 0
    import importlib
    return command_line(importlib.import_module(MODULE), arguments)


if __name__ == "__main__":
    sys.exit(main())
