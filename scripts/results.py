#!/usr/bin/env python3
"""Every section's full-profile training run, recorded in one table (`make results`).

Each section in ``cnnbook.profiles.SECTION_SETTINGS`` is trained with its full-profile settings
(D2L's model, image size, batch size, epochs and learning rate) on the official 60,000 / 10,000
Fashion-MNIST split, through the same code path as its page (``fashion_mnist``, ``data_loaders``,
``train``; on a CUDA GPU the data stays on the device).  One row per section goes into
``results/full_profile.csv`` (a section run again replaces its row):

    section, model, epochs, test_accuracy, wall_time_s, examples_per_sec, device, date, commit

``wall_time_s`` is the whole run (training and the evaluation after each epoch);
``examples_per_sec`` is the training loop's own figure (training steps only).

It refuses to run on the book's 2,557-image sample: the table holds full-dataset results only.
The Makefile points CNNBOOK_DATA at the sample when ../shared/data exists, so with the full
dataset elsewhere say where:  CNNBOOK_DATA=/path/to/full make results  (or --root).

    python scripts/results.py [--sections alexnet ...] [--root FOLDER] [--output FILE]
"""
from __future__ import annotations

import argparse
import csv
import datetime
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TABLE = REPO / "results" / "full_profile.csv"
COLUMNS = ("section", "model", "epochs", "test_accuracy", "wall_time_s", "examples_per_sec",
           "device", "date", "commit")


class FullDatasetMissing(RuntimeError):
    """Only the sample (or nothing) is there: no row may be written."""


def commit_id() -> str:
    """The checked-out commit (short), with ``+changes`` when the work tree has uncommitted edits."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def check_full_dataset(root: str | None = None) -> None:
    """Raise ``FullDatasetMissing`` (with what to do) unless the official split is on disk."""
    from cnnbook import data
    try:
        data.fashion_mnist("official", 28, root=root, on_device=False)
    except (ValueError, data.DatasetNotFoundError) as error:
        raise FullDatasetMissing(
            "make results needs the full Fashion-MNIST (60,000 training and 10,000 test images) and "
            "writes nothing without it; the results table holds full-dataset runs only.\n"
            f"{error}\nWith the full dataset in another folder: CNNBOOK_DATA=/that/folder make results "
            "(or scripts/results.py --root /that/folder).") from None


def run_section(section: str, root: str | None = None) -> dict[str, str]:
    """Train ``section``'s full profile as its page does (``cnnbook.train.run_section``, its learning-rate
    schedule included) and return its table row.  ``main`` has checked that the official split is there."""
    import contextlib
    import io

    from cnnbook.device import choose_device, describe_device
    from cnnbook.profiles import run_config
    from cnnbook.train import run_section as train_section

    run = run_config(section, "full")
    if run.split != "official":  # never a sample row
        raise FullDatasetMissing(f"{section}: its full profile does not train on the official split")
    device = choose_device()
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        _, history = train_section(run, 0, device=device, root=root, description=run.describe())
    wall = time.perf_counter() - start
    print(f"{section}:", printed.getvalue().strip().replace("\n", " | "))
    return {"section": section, "model": run.model, "epochs": str(run.epochs),
            "test_accuracy": f"{history.eval_acc[-1]:.4f}", "wall_time_s": f"{wall:.1f}",
            "examples_per_sec": f"{history.examples_per_sec:.0f}", "device": describe_device(device),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"), "commit": commit_id()}


def read_table(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_table(path: Path, rows: list[dict[str, str]]) -> None:
    """The rows in section order (as in SECTION_SETTINGS), one per section."""
    from cnnbook.profiles import SECTION_SETTINGS
    order = {name: index for index, name in enumerate(SECTION_SETTINGS)}
    rows = sorted(rows, key=lambda row: (order.get(row["section"], len(order)), row["section"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    from cnnbook.profiles import SECTION_SETTINGS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", nargs="+", default=None, help="default: every section")
    parser.add_argument("--root", default=None, help="the folder holding FashionMNIST/raw (default: as the pages)")
    parser.add_argument("--output", type=Path, default=TABLE)
    arguments = parser.parse_args(argv)
    sections = arguments.sections or list(SECTION_SETTINGS)
    unknown = [name for name in sections if name not in SECTION_SETTINGS]
    if unknown:
        print(f"unknown sections {unknown}: known are {', '.join(SECTION_SETTINGS)}", file=sys.stderr)
        return 2
    try:
        check_full_dataset(arguments.root)
        rows = {row["section"]: row for row in read_table(arguments.output)}
        for section in sections:
            rows[section] = run_section(section, arguments.root)
            write_table(arguments.output, list(rows.values()))  # each finished run is kept at once
    except FullDatasetMissing as error:
        print(error, file=sys.stderr)
        return 2
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
