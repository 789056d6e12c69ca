"""How much does a section's fast-profile result vary?  The same run under several seeds and CPUs.

Ten epochs of SGD amplify last-bit differences: the seeded fast-profile run of a section gives other
digits on another processor (other oneDNN kernels) or with another thread count, and after a few
epochs the difference is as large as a change of seed.  This experiment measures that spread: the
section's fast-profile training run (the same code path as its notebook) for each seed and each
emulated CPU below, each in a fresh Python process (the kernel choice is fixed when PyTorch loads).

    python -m cnnbook.experiments.noise --section alexnet           # 3 seeds x 4 CPU settings
    python -m cnnbook.experiments.noise --section alexnet --smoke   # 1 epoch, 1 seed, 2 settings

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
import os
import subprocess
import sys
from typing import Any

from . import command_line, summarize

DEPENDS_ON = ("cnnbook.train", "cnnbook.data", "cnnbook.profiles", "cnnbook.device", "cnnbook.speed",
              "cnnbook.models._base", "cnnbook.models._init")

# Stand-ins for other readers' CPUs: oneDNN limited to older instruction sets, and one thread.
CPU_SETTINGS: dict[str, dict[str, str]] = {
    "default": {},
    "ONEDNN_MAX_CPU_ISA=SSE41": {"ONEDNN_MAX_CPU_ISA": "SSE41"},
    "ONEDNN_MAX_CPU_ISA=AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2"},
    "OMP_NUM_THREADS=1": {"OMP_NUM_THREADS": "1"},
}
SEEDS = (0, 1, 2)  # x 4 CPU settings = 12 runs: about 4 to 10 minutes per section on 2 quiet cores
METRICS = ("loss", "train_acc", "eval_acc")
CHANCE = 0.1  # ten classes
OPTIONS = (
    {"flags": ("--section",), "kwargs": {"default": "alexnet", "help": "the section whose fast profile is measured"}},
    {"flags": ("--epochs",), "kwargs": {"type": int, "default": None, "help": "epochs per run (default: the profile's)"}},
)
_MARK = "NOISE-RESULT "
MODULE = "cnnbook.experiments.noise"  # also when run as ``python -m`` (then __name__ is "__main__")


def extra_dependencies(settings: dict[str, Any]) -> list[str]:
    """The module of the model the section trains (``cnnbook.models.alexnet`` for AlexNet)."""
    from .. import models
    from ..profiles import run_config
    return [getattr(models, run_config(settings.get("section", "alexnet"), "fast").model).__module__]


def hash_material(settings: dict[str, Any]) -> str:
    """The section's fast-profile settings: results depend on them, not on other sections' settings."""
    from ..section_settings import SECTION_SETTINGS
    section = settings.get("section", "alexnet")
    return json.dumps({section: SECTION_SETTINGS.get(section, {}).get("fast")}, sort_keys=True)


def train_once(section: str, seed: int, epochs: int | None = None) -> dict[str, float]:
    """One fast-profile run of ``section`` on the CPU, seeded with ``seed``: the notebook's code path."""
    from ..data import data_loaders, fashion_mnist
    from ..profiles import run_config
    from ..train import train
    run = run_config(section, "fast")
    data = fashion_mnist(run.split, run.image_size)
    train_iter, eval_iter = data_loaders(data, run.batch_size, seed=seed)
    model = run.build_model(in_channels=1, num_classes=10, seed=seed)
    history = train(model, train_iter, eval_iter, epochs or run.epochs, run.lr, momentum=run.momentum,
                    device="cpu", eval_name=data.eval_name, seed=seed, plot=False, progress=False)
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


def _round_up(value: float, step: float = 0.005) -> float:
    return round(math.ceil(value / step - 1e-9) * step, 3)


def run(smoke: bool = False, section: str = "alexnet", epochs: int | None = None) -> dict[str, Any]:
    """Train ``section``'s fast profile once per seed and CPU setting; summarize the spread."""
    seeds = SEEDS[:1] if smoke else SEEDS
    settings = {name: CPU_SETTINGS[name] for name in (("default", "OMP_NUM_THREADS=1") if smoke else CPU_SETTINGS)}
    epochs = 1 if smoke else epochs
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
    from ..profiles import run_config
    return {"name": f"{section}_noise",
            "settings": {"section": section, "profile": "fast", "run": run_config(section, "fast").describe(),
                         "epochs": epochs or run_config(section, "fast").epochs,
                         "seeds": list(seeds), "cpu_settings": settings},
            "runs": runs, "summary": summary, "tolerance": tolerance, "learning_floor": floor}


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if "--worker-seed" in arguments:  # one training run, in this process: print its metrics
        section = arguments[arguments.index("--section") + 1] if "--section" in arguments else "alexnet"
        seed = int(arguments[arguments.index("--worker-seed") + 1])
        epochs = int(arguments[arguments.index("--epochs") + 1]) if "--epochs" in arguments else None
        print(_MARK + json.dumps(train_once(section, seed, epochs)), flush=True)
        return 0
    import importlib
    return command_line(importlib.import_module(MODULE), arguments)


if __name__ == "__main__":
    sys.exit(main())
