"""The package is formatted as the book prints code: black at 88 columns (`make format`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "code" / "cnnbook"


def test_the_package_is_formatted_with_black_at_88_columns():
    result = subprocess.run([sys.executable, "-m", "black", "--check", "-q", "-l", "88", str(PACKAGE)],
                            capture_output=True, text=True)
    assert result.returncode == 0, ("the package is not formatted as black -l 88 would: run `make format`\n"
                                    + result.stderr[-2000:])
