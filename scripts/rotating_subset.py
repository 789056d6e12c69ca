"""Print a subset of the book's notebooks that rotates from day to day (both languages of a page).

    python scripts/rotating_subset.py --pages 6 NOTEBOOK...

``make test-notebooks-emulated`` re-executes the notebooks under an emulated other CPU; once the
book has many sections that doubles the notebook tests' time, so it covers ``--pages`` pages a
day, chosen by the day of the year (or ``--day``), so that every page is covered within a few days.
With as many pages as that or fewer, every notebook is printed.
"""
from __future__ import annotations

import argparse
import datetime
from pathlib import PurePosixPath


def page_of(notebook: str) -> str:
    """The page a notebook belongs to: its path below chapters/<language>/."""
    parts = PurePosixPath(notebook).parts
    return "/".join(parts[2:]) if len(parts) > 2 and parts[0] == "chapters" else notebook


def rotating_subset(notebooks: list[str], pages: int, day: int) -> list[str]:
    all_pages = sorted({page_of(n) for n in notebooks})
    if pages <= 0:
        raise SystemExit("--pages must be a positive number of pages")
    if len(all_pages) <= pages:
        return list(notebooks)
    start = (day * pages) % len(all_pages)
    chosen = {all_pages[(start + i) % len(all_pages)] for i in range(pages)}
    return [n for n in notebooks if page_of(n) in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--day", type=int, default=datetime.date.today().timetuple().tm_yday)
    parser.add_argument("notebooks", nargs="*")
    arguments = parser.parse_args()
    print(" ".join(rotating_subset(arguments.notebooks, arguments.pages, arguments.day)))


if __name__ == "__main__":
    main()
