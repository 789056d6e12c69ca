"""Shared test set-up: where the Fashion-MNIST sample is, and a tiny real subset of it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def sample_root() -> Path:
    """The folder holding the 2,557-image Fashion-MNIST sample (CNNBOOK_DATA or ../shared/data)."""
    from cnnbook.data import has_fashion_mnist
    for candidate in (os.environ.get("CNNBOOK_DATA"), SHARED_DATA, REPO / "data"):
        if candidate and has_fashion_mnist(Path(candidate)):
            return Path(candidate)
    pytest.fail("The Fashion-MNIST sample is missing: set CNNBOOK_DATA to it (see ../shared/data/README.md).")


@pytest.fixture
def offline(monkeypatch):
    """Make torchvision's download fail at once, as on a machine without internet access."""
    import torchvision
    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """``smoke_run(experiment, *arguments)``: the JSON result of ``python -m
    cnnbook.experiments.<experiment> --smoke <arguments>`` (the command line a reader runs), run once
    per test session however many tests read it."""
    import json
    import subprocess
    import sys
    cache: dict[tuple[str, ...], dict] = {}

    def run(experiment: str, *arguments: str) -> dict:
        key = (experiment, *arguments)
        if key not in cache:
            output = tmp_path_factory.mktemp("smoke") / "result.json"
            completed = subprocess.run([sys.executable, "-m", f"cnnbook.experiments.{experiment}", "--smoke",
                                        *arguments, "--output", str(output)], capture_output=True, text=True,
                                       timeout=900)
            assert completed.returncode == 0, completed.stderr[-3000:]
            cache[key] = json.loads(output.read_text())
        return cache[key]
    return run
