"""Print the subset of the book's notebooks that ``make test-notebooks-emulated`` checks (both
languages of each page chosen), decided by the commit, so that a commit passes or fails the same
on every day and machine:

    python scripts/rotating_subset.py --pages 6 NOTEBOOK...

``make test-notebooks-emulated`` re-executes the notebooks under an emulated other CPU; with many
sections that would double the notebook tests' time, so it covers ``--pages`` pages: first the
pages whose notebooks the commit changed (``git diff HEAD~1``), then pages chosen by a rotation
that the commit's hash decides (``--commit`` names another commit), so that successive commits
cover every page.  With as many pages as that or fewer, every notebook is printed.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import PurePosixPath


def page_of(notebook: str) -> str:
    """The page a notebook belongs to: its path below chapters/<language>/."""
    parts = PurePosixPath(notebook).parts
    return "/".join(parts[2:]) if len(parts) > 2 and parts[0] == "chapters" else notebook


def _git(*arguments: str) -> str | None:
    try:
        completed = subprocess.run(["git", *arguments], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return completed.stdout.strip()


def rotating_subset(notebooks: list[str], pages: int, rotation: int, changed: list[str] = ()) -> list[str]:
    """The notebooks of ``pages`` pages: the pages of ``changed`` files first, then a rotation."""
    all_pages = sorted({page_of(n) for n in notebooks})
    if pages <= 0:
        raise SystemExit("--pages must be a positive number of pages")
    if len(all_pages) <= pages:
        return list(notebooks)
    chosen = [page for page in dict.fromkeys(page_of(c) for c in changed) if page in all_pages][:pages]
    start = (rotation * pages) % len(all_pages)
    for i in range(len(all_pages)):
        if len(chosen) == pages:
            break
        page = all_pages[(start + i) % len(all_pages)]
        if page not in chosen:
            chosen.append(page)
    return [n for n in notebooks if page_of(n) in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--commit", default="HEAD", help="the commit that decides the subset (default: HEAD)")
    parser.add_argument("notebooks", nargs="*")
    arguments = parser.parse_args()
    commit = _git("rev-parse", arguments.commit)
    if commit is None:
        print(f"rotating_subset: {arguments.commit!r} is not a commit here (no git checkout?): rotation 0",
              file=sys.stderr)
        rotation, changed = 0, []
    else:
        rotation = int(commit[:8], 16)
        diff = _git("diff", "--name-only", f"{commit}~1", commit)
        changed = [line for line in (diff or "").splitlines() if line.endswith(".ipynb")]
    print(" ".join(rotating_subset(arguments.notebooks, arguments.pages, rotation, changed)))


if __name__ == "__main__":
    main()
