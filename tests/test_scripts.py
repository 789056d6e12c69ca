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


def _renew_hashes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("renew_hashes", REPO / "scripts" / "renew_hashes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_renew_hashes_renews_only_what_the_smoke_run_shows_unchanged(tmp_path, monkeypatch, capsys):
    import json
    import shutil

    import cnnbook.experiments as experiments

    renew_hashes = _renew_hashes()
    results, before = tmp_path / "results", tmp_path / "before"
    results.mkdir(), before.mkdir()
    for name in ("bn_position", "vgg_depth"):  # two stored results, made stale by hand
        shutil.copy(experiments.RESULTS_DIR / f"{name}.json", results)
        stored = json.loads((results / f"{name}.json").read_text())
        stored["provenance"]["code_hash"] = "0000000000000000"
        (results / f"{name}.json").write_text(json.dumps(stored))
        (before / f"{name}.json").write_text(f"the smoke result of {name}")
    monkeypatch.setattr(experiments, "RESULTS_DIR", results)
    # the new code computes the same for bn_position and something else for vgg_depth
    monkeypatch.setattr(renew_hashes, "smoke", lambda name, *_: f"the smoke result of {name}"
                        if name == "bn_position" else "something else")
    assert renew_hashes.main(["renew", str(before), "--why", "a refactor that changes no number"]) == 1
    printed = capsys.readouterr().out
    assert "vgg_depth: its smoke run computes something else now" in printed
    assert experiments.is_current("bn_position") and not experiments.is_current("vgg_depth")
    renewed = json.loads((results / "bn_position.json").read_text())["provenance"]["rehashed"]
    assert renewed["previous"]["code_hash"] == "0000000000000000"
    assert renewed["why"] == "a refactor that changes no number"
    assert renew_hashes.without_timings({"a": 1, "seconds": 2.5, "runs": [{"wall_time_s": 3, "b": 4}]}) == \
        {"a": 1, "runs": [{"b": 4}]}
    with pytest.raises(SystemExit):  # a reason is a sentence
        renew_hashes.main(["renew", str(before), "--why", "refactor"])
