"""The command-line entry points behind make targets."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message a machine without a GPU prints")
def test_make_test_gpu_says_clearly_that_there_is_no_gpu():
    notebook = next((REPO / "chapters" / "en").rglob("*.ipynb"))
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "run_notebooks.py"), "--gpu", str(notebook)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "needs a CUDA GPU" in result.stderr and "Traceback" not in result.stderr
