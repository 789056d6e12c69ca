"""Keep stored results through a code change that cannot change them, by showing that it does not.

A change to a module an experiment imports makes its stored result stale (CONTRIBUTING.md,
"Changing package code that stored results depend on"), even a refactor or a new input check.
Re-making the result costs its CPU hours; this script is the cheap alternative, with evidence:

    python scripts/renew_hashes.py snapshot /tmp/before     # 1. on the old code: every smoke run
    # 2. change the code
    python scripts/renew_hashes.py renew /tmp/before --why "what changed and why it cannot matter"

``snapshot`` runs every stored result's experiment in its ``--smoke`` setting and keeps what it
computed (every number but the timings).  ``renew`` runs the smoke setting of each result that is
now stale, and only where it computed the same, bit for bit, gives the stored result the new code
hash, keeping the old one and the reason in ``provenance["rehashed"]``.  A result whose smoke run
changed is left stale and named: re-make it (``make experiments ONLY=...``).

The smoke run is a few seconds of the same code path, not the whole experiment: use ``renew`` for
changes that cannot change a number (names, structure, checks of arguments), never to keep a
result through a change of what it computes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

# What a run measures about the machine, not what it computes.
TIMINGS = {"seconds", "wall_time_s", "examples_per_sec", "provenance"}


def without_timings(value: Any) -> Any:
    """``value`` (a result) without the keys of ``TIMINGS``, at any depth."""
    if isinstance(value, dict):
        return {key: without_timings(v) for key, v in value.items() if key not in TIMINGS}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def stored_runs() -> dict[str, tuple[str, dict[str, Any]]]:
    """Every stored result's name -> (experiment module, options), from the registry."""
    from cnnbook.experiments.registry import EXPERIMENTS, result_name

    return {
        result_name(experiment, options): (experiment, options)
        for experiment, runs in EXPERIMENTS.items()
        for options in runs()
    }


def smoke(name: str, experiment: str, options: dict[str, Any]) -> str:
    """The smoke run of the result ``name``, as canonical JSON without timings."""
    from cnnbook.experiments import run_experiment

    # The jobs run inline, each with its own threads; the runner gives this process its threads
    # back after each job, so a smoke run does not depend on which experiment ran before it.
    start = time.perf_counter()
    result = run_experiment(experiment, smoke=True, **options)
    print(f"{name}: smoke run in {time.perf_counter() - start:.0f} s", flush=True)
    return json.dumps(without_timings(result), indent=1, sort_keys=True, default=str)


def snapshot(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (experiment, options) in stored_runs().items():
        (folder / f"{name}.json").write_text(smoke(name, experiment, options), encoding="utf-8")
    print(f"smoke results of every stored result in {folder}; now change the code and run renew")
    return 0


def renew(folder: Path, why: str) -> int:
    from cnnbook.experiments import RESULTS_DIR, load_result, stored_results
    from cnnbook.experiments.hashing import HASH_SCHEME, code_hash, dependencies

    runs = stored_runs()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    left_stale = []
    for name in stored_results():
        result = load_result(name)
        origin = result["provenance"]
        current = code_hash(result["experiment"], result.get("settings"))
        if origin["code_hash"] == current:
            continue
        before = folder / f"{name}.json"
        if not before.is_file() or name not in runs:
            left_stale.append(f"{name}: no smoke run from before the change in {folder}")
            continue
        if smoke(name, *runs[name]) != before.read_text(encoding="utf-8"):
            left_stale.append(f"{name}: its smoke run computes something else now")
            continue
        previous = {key: origin[key] for key in ("code_hash", "hash_scheme", "depends_on")}
        if "rehashed" in origin:
            previous["rehashed"] = origin["rehashed"]
        origin.update(
            code_hash=current,
            hash_scheme=HASH_SCHEME,
            depends_on=dependencies(result["experiment"], result.get("settings")),
            rehashed={"date": date, "previous": previous, "why": why},
        )
        (RESULTS_DIR / f"{name}.json").write_text(
            json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"{name}: code hash renewed, {previous['code_hash']} -> {current}")
    for line in left_stale:
        print(f"still stale, re-make it (make experiments ONLY=...): {line}")
    return 1 if left_stale else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("snapshot", help="on the old code: keep every result's smoke run")
    take.add_argument("folder", type=Path)
    give = commands.add_parser("renew", help="on the new code: renew the hashes the smoke runs allow")
    give.add_argument("folder", type=Path)
    give.add_argument("--why", required=True, help="what changed, and why it cannot change a result")
    arguments = parser.parse_args(argv)
    if arguments.command == "snapshot":
        return snapshot(arguments.folder)
    if len(arguments.why.split()) < 4:
        parser.error("--why: say in a sentence what changed and why it cannot change a result")
    return renew(arguments.folder, arguments.why)


if __name__ == "__main__":
    sys.exit(main())
