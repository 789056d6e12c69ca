#!/usr/bin/env python3
"""Check (default) or fix (--write) the Colab badge and the Colab set-up cell of every notebook.

Both are derived from ONE setting, `repository: url/branch` in /_config.yml:

* cell 0 (markdown) starts with the `# Title` and holds the badge
  [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/<org>/<repo>/blob/<branch>/chapters/<lang>/<chapter>/<section>.ipynb)
* cell 1 (code) installs the helper package, only in Colab, from the same repository and branch
  (the branch the book is read from, so the package is the book's own version):
  if "google.colab" in sys.modules:
      !pip install -q "cnnbook @ git+https://github.com/<org>/<repo>@<branch>#subdirectory=code"
  (a tag `v<version>`, <version> = code/pyproject.toml's, is accepted as the ref too.)
  It carries the cell tag `remove-cell`: it stays in the notebook (Colab runs it) but not in the
  HTML and PDF book, where it would only confuse.

--write only rewrites the badge URL / pip URL inside those two cells (or adds the badge line under
the title) and adds the set-up cell's tag; it never adds, removes or reorders cells.  Exit status 1 if a notebook is wrong.

    python3 scripts/add_colab_badges.py [--write] [NOTEBOOK ...]   (default: chapters/**/*.ipynb)
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BADGE_SVG = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_RE = re.compile(r"\[!\[[^\]]*\]\(" + re.escape(BADGE_SVG) + r"\)\]\((?P<url>[^)\s]*)\)")
PIP_RE = re.compile(r"cnnbook\s*@\s*git\+(?P<url>https://github\.com/[^@\s\"']+?)(?:\.git)?"
                    r"@(?P<ref>[^#\s\"']+)#subdirectory=(?P<sub>[^\s\"']+)")
COLAB_GUARD = 'if "google.colab" in sys.modules:'
SETUP_TAG = "remove-cell"  # myst-nb: the cell is left out of the built book


def repository() -> tuple[str, str]:
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = cfg["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "master")


def package_version() -> str:
    text = (ROOT / "code" / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)


def repo_path(notebook: Path) -> str:
    return notebook.resolve().relative_to(ROOT).as_posix()


def expected_badge_url(notebook: Path) -> str:
    url, branch = repository()
    slug = url.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{slug}/blob/{branch}/{repo_path(notebook)}"


def expected_badge(notebook: Path) -> str:
    return f"[![Open In Colab]({BADGE_SVG})]({expected_badge_url(notebook)})"


def expected_pip_spec() -> str:
    url, branch = repository()
    return f"cnnbook @ git+{url}@{branch}#subdirectory=code"


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def check(notebook: Path) -> list[str]:
    """The problems of one notebook (empty list: all good)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = nb.get("cells", [])
    problems = []
    if len(cells) < 2:
        return [f"{notebook}: needs the title/badge cell and the Colab set-up cell first"]
    c0, c1 = cells[0], cells[1]
    text0 = _source(c0)
    if c0["cell_type"] != "markdown" or not text0.lstrip().startswith("# "):
        problems.append(f"{notebook}: cell 0 must be markdown starting with '# Title'")
    badges = BADGE_RE.findall(text0)
    if badges != [expected_badge_url(notebook)]:
        problems.append(f"{notebook}: cell 0 must hold exactly one Colab badge "
                        f"{expected_badge(notebook)} (found {badges})")
    text1 = _source(c1)
    url, branch = repository()
    if c1["cell_type"] != "code" or COLAB_GUARD not in text1:
        problems.append(f"{notebook}: cell 1 must be the Colab set-up code cell ({COLAB_GUARD})")
    if SETUP_TAG not in c1.get("metadata", {}).get("tags", []):
        problems.append(f"{notebook}: cell 1 (Colab set-up) needs the cell tag {SETUP_TAG!r}, "
                        "so that the book leaves it out (fix: add_colab_badges.py --write)")
    specs = list(PIP_RE.finditer(text1))
    if len(specs) != 1:
        problems.append(f"{notebook}: cell 1 must pip-install \"{expected_pip_spec()}\" once")
    else:
        m = specs[0]
        if m["url"].rstrip("/") != url:
            problems.append(f"{notebook}: set-up cell installs from {m['url']}, not {url}")
        if m["ref"] not in (branch, f"v{package_version()}"):
            problems.append(f"{notebook}: set-up cell installs ref {m['ref']!r}, not the book's "
                            f"branch {branch!r} (or tag v{package_version()})")
        if m["sub"] != "code":
            problems.append(f"{notebook}: set-up cell installs subdirectory {m['sub']!r}, not 'code'")
        guard_at = text1.find(COLAB_GUARD)
        if guard_at < 0 or m.start() < guard_at:
            problems.append(f"{notebook}: the pip install must be inside {COLAB_GUARD}")
    return problems


def fix(notebook: Path) -> bool:
    """Rewrite the badge / pip URL in cells 0 and 1; True if the file changed."""
    raw = notebook.read_text(encoding="utf-8")
    nb = json.loads(raw)
    cells = nb["cells"]
    n = len(cells)
    text0 = _source(cells[0])
    badge = expected_badge(notebook)
    if BADGE_RE.search(text0):
        text0 = BADGE_RE.sub(lambda m: badge, text0)
    else:
        lines = text0.split("\n")
        title_at = next((i for i, l in enumerate(lines) if l.startswith("# ")), 0)
        lines[title_at + 1:title_at + 1] = ["", badge]
        text0 = "\n".join(lines)
    cells[0]["source"] = text0.splitlines(keepends=True)
    if len(cells) > 1 and cells[1]["cell_type"] == "code":
        text1 = PIP_RE.sub(lambda m: expected_pip_spec(), _source(cells[1]))
        cells[1]["source"] = text1.splitlines(keepends=True)
        tags = cells[1].setdefault("metadata", {}).setdefault("tags", [])
        if COLAB_GUARD in text1 and SETUP_TAG not in tags:
            tags.append(SETUP_TAG)
    assert len(cells) == n
    new = json.dumps(nb, ensure_ascii=False, indent=1) + "\n"
    if new != raw:
        notebook.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="fix the notebooks in place")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(p for p in (ROOT / "chapters").rglob("*.ipynb")
                                         if ".ipynb_checkpoints" not in p.parts)
    bad = 0
    for nb in notebooks:
        if args.write and check(nb):
            if fix(nb):
                print(f"fixed {nb}")
        for problem in check(nb):
            print(problem)
            bad += 1
    print(f"{len(notebooks)} notebooks, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
