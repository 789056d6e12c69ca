"""The book's experiments and the runs that make each stored result: the one list that
``make experiments``, the tests and CONTRIBUTING.md read.

    python -m cnnbook.experiments                 # list every result and the command that makes it
    python -m cnnbook.experiments --run           # make them all (hours on 2 CPU cores)
    python -m cnnbook.experiments --run --only alexnet_noise vgg_depth --workers 2
    python -m cnnbook.experiments --run --scheduler tcp://host:8786   # on a Dask cluster

Each entry of ``EXPERIMENTS`` is an experiment module of ``cnnbook.experiments`` and the options of
each of its real runs (one stored result per run).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import Any, Callable


def _noise_runs() -> list[dict[str, Any]]:
    from ..section_settings import SECTION_SETTINGS

    return [{"section": section} for section in SECTION_SETTINGS]


def _comparison_runs() -> list[dict[str, Any]]:
    from .comparisons import COMPARISONS

    return [{"comparison": name} for name in COMPARISONS]


# experiment module -> its real runs (a function, so that a new section or comparison is picked up)
EXPERIMENTS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "noise": _noise_runs,  # <section>_noise: the spread of a page's run
    "compare": _comparison_runs,  # <comparison>: trained variants over seeds
    "design_space_edf": lambda: [{}],
    "degradation": lambda: [{}],
    "gradient_flow": lambda: [{}],
    "zero_init": lambda: [{}],
    "transfer": lambda: [{}],
}


def result_name(experiment: str, options: dict[str, Any]) -> str:
    """The name of the stored result a run makes."""
    if experiment == "noise":
        return f"{options['section']}_noise"
    if experiment == "compare":
        return options["comparison"]
    return experiment


def arguments(options: dict[str, Any]) -> list[str]:
    """A run's options as command-line arguments (``{"depths": [8, 20]}`` -> ``--depths 8 20``)."""
    words: list[str] = []
    for key, value in options.items():
        words.append("--" + key.replace("_", "-"))
        words += (
            [str(v) for v in value]
            if isinstance(value, (list, tuple))
            else [str(value)]
        )
    return words


def planned_runs() -> list[tuple[str, str, list[str]]]:
    """(result name, experiment, command-line arguments) of every stored result, in order."""
    return [
        (result_name(experiment, options), experiment, arguments(options))
        for experiment, runs in EXPERIMENTS.items()
        for options in runs()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cnnbook.experiments",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--run", action="store_true", help="make the results (default: list them)"
    )
    parser.add_argument(
        "--only", nargs="+", default=None, metavar="RESULT", help="only these results"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="seconds-long runs, written to temporary folders",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="passed to each experiment"
    )
    parser.add_argument("--scheduler", default=None, help="passed to each experiment")
    parser.add_argument("--cache", default=None, help="passed to each experiment")
    options = parser.parse_args(argv)
    runs = planned_runs()
    if options.only:
        unknown = sorted(set(options.only) - {name for name, _, _ in runs})
        if unknown:
            print(
                f"error: no result named {', '.join(unknown)}; known: {', '.join(n for n, _, _ in runs)}",
                file=sys.stderr,
            )
            return 2
        runs = [run for run in runs if run[0] in options.only]
    extra = ["--smoke"] * options.smoke
    for flag in ("workers", "scheduler", "cache"):
        if getattr(options, flag) is not None:
            extra += [f"--{flag}", str(getattr(options, flag))]
    for name, experiment, words in runs:
        command = [
            sys.executable,
            "-m",
            f"cnnbook.experiments.{experiment}",
            *words,
            *extra,
        ]
        print(
            f"{name}: python -m cnnbook.experiments.{experiment} {' '.join([*words, *extra])}".rstrip(),
            flush=True,
        )
        if options.run and subprocess.run(command).returncode != 0:
            print(f"error: {name} failed", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
