"""Experiments larger than a page: run once as a script, stored with their provenance, plotted by the page.

A notebook must run in under a minute on two CPU cores, but some questions need minutes: the same
training run under several seeds, a family of depths, dozens of sampled architectures.  Such an
experiment is a module of this package (``cnnbook.experiments.<name>``, listed in ``registry.py``)
that defines

* ``jobs(smoke, **options) -> list[Job]``: its independent pieces (a seed, a variant, a sampled
  model), each a call of one of its functions (``cnnbook.experiments.runner.Job``); ``smoke=True``
  gives a seconds-long version with the same structure, which the tests run in CI;
* ``collect(results, smoke, **options) -> dict``: the jobs' results gathered into the stored
  result, with at least ``"name"``, ``"settings"``, ``"runs"`` and ``"summary"``;
* optionally ``check(smoke, **options)`` (rejects bad options before any job runs), ``report(result)``
  (prints a finished job), ``OPTIONS`` (its command-line flags), ``extra_dependencies(settings)``
  and ``hash_material(settings)`` (see ``hashing.py``);
* ``main()``: ``cnnbook.experiments.command_line(module)``, so that

      python -m cnnbook.experiments.<name>                 # the real experiment: writes results/<file>.json
      python -m cnnbook.experiments.<name> --workers 2     # two jobs at once on local processes
      python -m cnnbook.experiments.<name> --scheduler tcp://host:8786   # on a Dask cluster
      python -m cnnbook.experiments.<name> --smoke         # a quick check, written to a temporary folder

The jobs run through one runner (``runner.py``: inline, local processes or Dask, with a cache of
finished jobs).  The stored file (``code/cnnbook/experiments/results/<name>.json``, shipped with
the package so that a page opened in Colab finds it too) holds the results and their
**provenance**: the command, the package version, a hash of the code that produced them
(``hashing.py``: the code the experiment imports, without docstrings and comments, and the
settings it depends on), the data, the profile, the device, the date and the wall time.  A page
loads it with ``load_result`` and says where it came from; the tests fail when the stored hash no
longer matches the code (``stale_results``), so a result never silently outlives the code that
made it.
"""

from __future__ import annotations

import argparse
import datetime as _datetime
import hashlib
import os
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Sequence

from ..spread import summarize
from .hashing import HASH_SCHEME, code_hash, dependencies, experiment_module

RESULTS_DIR = Path(__file__).resolve().parent / "results"
from .registry import (
    EXPERIMENTS,
)  # noqa: E402  (every experiment module and its real runs)


class ExperimentResultError(LookupError):
    """A stored experiment result is missing or does not match the code that made it."""


def _module(name_or_module: str | ModuleType) -> ModuleType:
    return experiment_module(name_or_module)


def cpu_name() -> str:
    """The processor's model name (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def data_fingerprint(root: Path | None = None) -> dict[str, Any]:
    """Which Fashion-MNIST files were used: their folder and a hash of each raw file."""
    from ..data import RAW_FILES, resolve_data_root

    root = resolve_data_root(root, download=False)
    raw = root / "FashionMNIST" / "raw"
    hashes = {}
    for name in RAW_FILES:
        hashes[name] = hashlib.sha256((raw / name).read_bytes()).hexdigest()[:16]
    return {"dataset": "Fashion-MNIST", "files_sha256": hashes}


def provenance(
    experiment: str | ModuleType,
    *,
    smoke: bool,
    wall_time_s: float,
    profile: str | None,
    command: Sequence[str] | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Where a result came from: command, versions, code hash, data, profile, device, date, time."""
    import torch

    from .. import __version__
    from ..device import choose_device, describe_device

    module = _module(experiment)
    return {
        "command": (
            " ".join(command)
            if command is not None
            else f"python -m {module.__name__}" + (" --smoke" if smoke else "")
        ),
        "cnnbook_version": __version__,
        "code_hash": code_hash(module, settings),
        "hash_scheme": HASH_SCHEME,
        "depends_on": dependencies(module, settings),
        "smoke": smoke,
        "data": data_fingerprint(),
        "profile": profile,
        "device": describe_device(choose_device()),
        "cpu": cpu_name(),
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),  # in this process (a noise run's workers set their own)
        "environment": {
            name: os.environ[name]
            for name in ("OMP_NUM_THREADS", "ONEDNN_MAX_CPU_ISA")
            if name in os.environ
        },
        "python_version": platform.python_version(),
        "date": _datetime.datetime.now(_datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"
        ),
        "wall_time_s": round(wall_time_s, 1),
    }


def result_path(name: str) -> Path:
    return RESULTS_DIR / f"{name}.json"


def store_result(name: str, result: dict[str, Any], output: Path | None = None) -> Path:
    """Write ``result`` (with its provenance) as pretty JSON; return the path written."""
    path = Path(output) if output is not None else result_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")  # never leave half a file behind
    temporary.write_text(
        json.dumps(result, indent=1, ensure_ascii=False, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    temporary.replace(path)
    return path


def load_result(name: str) -> dict[str, Any]:
    """The stored result of the experiment ``name`` (for example ``"alexnet_noise"``)."""
    path = result_path(name)
    if not path.is_file():
        stored = sorted(p.stem for p in RESULTS_DIR.glob("*.json"))
        raise ExperimentResultError(
            f"no stored result named {name!r} in {RESULTS_DIR}. Stored results: {', '.join(stored) or 'none'}. "
            "Each one is made by its experiment module: see the 'provenance' -> 'command' of a stored result, "
            "e.g. python -m cnnbook.experiments.noise --section alexnet"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def stored_results() -> list[str]:
    """The names of every stored result."""
    return sorted(path.stem for path in RESULTS_DIR.glob("*.json"))


def is_current(name: str) -> bool:
    """Whether the stored result ``name`` holds for the package's code as it is now: the code hash stored
    with it equals the hash of the code and settings it depends on today.  That is so when this code
    made it, or when a later change was shown not to change it and its hash was renewed
    (``provenance["rehashed"]`` then says when and why)."""
    result = load_result(name)
    return result["provenance"]["code_hash"] == code_hash(
        result["experiment"], result.get("settings")
    )


def describe_provenance(provenance: dict[str, Any]) -> str:
    """Where a stored result came from, in one line in the page's language: the command that made
    it, when, its wall time, the processor and the threads (``result["provenance"]``).
    """
    from ..i18n import device_name, tr

    return tr(
        "provenance",
        command=provenance["command"],
        date=provenance["date"],
        wall_time=provenance["wall_time_s"],
        cpu=provenance["cpu"],
        device=device_name(provenance["device"]),
    )


def stale_results() -> list[str]:
    """Stored results whose code hash no longer matches the code: each needs re-running."""
    stale = []
    for name in stored_results():
        result = load_result(name)
        origin = result["provenance"]
        current = code_hash(result["experiment"], result.get("settings"))
        if origin["code_hash"] != current:
            stale.append(
                f"{name}: stored code hash {origin['code_hash']}, code now {current}; "
                f"re-run: {origin['command']}"
            )
    return stale


def run_experiment(
    experiment: str | ModuleType,
    smoke: bool = False,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    cache: str | Path | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Run an experiment's jobs (``cnnbook.experiments.runner``) and gather them into its result.

    An experiment module defines ``jobs(smoke, **options) -> list[Job]`` and ``collect(results,
    smoke, **options) -> dict`` (``name``, ``settings``, ``runs``, ``summary``, ...), and may
    define ``check(smoke, **options)``, which rejects bad options before any job runs.
    """
    from .runner import run_jobs

    module = _module(experiment)
    check = getattr(module, "check", None)
    if check is not None:
        check(smoke=smoke, **options)
    jobs = module.jobs(smoke=smoke, **options)
    report = getattr(module, "report", None)
    results = run_jobs(
        jobs,
        workers=workers,
        scheduler=scheduler,
        cache=cache,
        cache_prefix=code_hash(module, options) + ("-smoke" if smoke else ""),
        report=(lambda job, result: report(result)) if report is not None else None,
    )
    return module.collect(results, smoke=smoke, **options)


def command_line(module: ModuleType, argv: Sequence[str] | None = None) -> int:
    """The command line every experiment module shares (``main()`` of each experiment)."""
    from ..errors import CnnbookError
    from .runner import SCHEDULER_VARIABLE

    parser = argparse.ArgumentParser(
        prog=f"python -m {module.__spec__.name}",
        description=module.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a seconds-long run with the same structure, written to a temporary folder",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="where to write the JSON result"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="jobs at once on local processes (default 1: one after the other, in this process)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        help=f"a Dask scheduler's address (tcp://host:8786) whose workers run the jobs "
        f"(default: ${SCHEDULER_VARIABLE}, else this machine)",
    )
    parser.add_argument(
        "--cache",
        default=None,
        help="a folder keeping each finished job (keyed by the code hash): an interrupted "
        "experiment, run again, runs only what is missing",
    )
    for option in getattr(module, "OPTIONS", ()):
        parser.add_argument(*option["flags"], **option["kwargs"])
    arguments = parser.parse_args(argv)
    options = {
        key: value
        for key, value in vars(arguments).items()
        if key not in ("smoke", "output")
    }
    start = time.perf_counter()
    try:
        result = run_experiment(module, smoke=arguments.smoke, **options)
    except CnnbookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    name = result.pop("name")
    command = [
        f"python -m {module.__spec__.name}",
        *(argv if argv is not None else sys.argv[1:]),
    ]
    result = {
        "name": name,
        "experiment": module.__spec__.name,
        "provenance": provenance(
            module,
            smoke=arguments.smoke,
            wall_time_s=time.perf_counter() - start,
            profile=result.get("settings", {}).get("profile"),
            command=command,
            settings=result.get("settings"),
        ),
        **result,
    }
    output = arguments.output
    if output is None and arguments.smoke:
        output = Path(tempfile.mkdtemp(prefix="cnnbook-smoke-")) / f"{name}.json"
    path = store_result(name, result, output)
    print(f"wrote {path} ({result['provenance']['wall_time_s']} s)")
    return 0


__all__ = [
    "run_experiment",
    "dependencies",
    "load_result",
    "is_current",
    "store_result",
    "stored_results",
    "stale_results",
    "summarize",
    "code_hash",
    "provenance",
    "describe_provenance",
    "command_line",
    "ExperimentResultError",
    "EXPERIMENTS",
    "RESULTS_DIR",
]
