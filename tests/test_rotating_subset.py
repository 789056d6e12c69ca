"""The emulated-CPU subset is decided by the commit: the same commit, the same pages."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
from rotating_subset import page_of, rotating_subset  # noqa: E402

NOTEBOOKS = [f"chapters/{language}/modern_cnn/{page}.ipynb" for page in "abcdefghij" for language in ("en", "zh")]


def test_the_same_rotation_gives_the_same_pages_in_both_languages():
    first = rotating_subset(NOTEBOOKS, 3, rotation=12345)
    assert first == rotating_subset(NOTEBOOKS, 3, rotation=12345)
    pages = {page_of(n) for n in first}
    assert len(pages) == 3 and len(first) == 6
    assert first != rotating_subset(NOTEBOOKS, 3, rotation=12346)


def test_the_pages_a_commit_changed_come_first():
    chosen = rotating_subset(NOTEBOOKS, 3, rotation=0, changed=["chapters/zh/modern_cnn/j.ipynb"])
    assert "chapters/en/modern_cnn/j.ipynb" in chosen and "chapters/zh/modern_cnn/j.ipynb" in chosen
    assert len({page_of(n) for n in chosen}) == 3


def test_the_command_line_is_decided_by_the_commit():
    run = lambda: subprocess.run([sys.executable, "scripts/rotating_subset.py", "--pages", "2", *NOTEBOOKS],
                                 cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert run() == run() and len(run().split()) == 4
