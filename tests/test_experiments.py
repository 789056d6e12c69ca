"""The experiment mechanism: stored results match their code, re-run in smoke mode, carry provenance."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cnnbook import experiments
from cnnbook.experiments import (EXPERIMENTS, ExperimentResultError, code_hash, load_result, stale_results,
                                 store_result, stored_results, summarize)

PROVENANCE_KEYS = {"command", "cnnbook_version", "code_hash", "smoke", "data", "profile", "device", "cpu",
                   "torch_version", "date", "wall_time_s"}


def test_every_stored_result_matches_the_code_that_made_it():
    assert not stale_results(), "stored results made by other code; re-run them:\n" + "\n".join(stale_results())


def test_stale_results_notices_a_code_change(tmp_path, monkeypatch):
    name = stored_results()[0]
    result = load_result(name)
    result["provenance"]["code_hash"] = "0" * 16
    monkeypatch.setattr(experiments, "RESULTS_DIR", tmp_path)
    store_result(name, result, tmp_path / f"{name}.json")
    assert len(stale_results()) == 1 and "re-run: python -m cnnbook.experiments" in stale_results()[0]


def test_code_hash_covers_the_modules_an_experiment_depends_on(monkeypatch):
    from cnnbook.experiments import noise
    before = code_hash(noise)
    monkeypatch.setattr(noise, "DEPENDS_ON", noise.DEPENDS_ON[:-1])  # one module fewer: another hash
    assert code_hash(noise) != before


@pytest.mark.parametrize("name", stored_results())
def test_stored_results_carry_their_provenance(name):
    result = load_result(name)
    assert PROVENANCE_KEYS <= set(result["provenance"]), f"{name}: provenance lacks {PROVENANCE_KEYS - set(result['provenance'])}"
    assert result["provenance"]["smoke"] is False, f"{name} stores a smoke run: re-run it for real"
    assert result["runs"], f"{name} stores no runs"


def test_a_missing_result_names_the_command_that_makes_it():
    with pytest.raises(ExperimentResultError, match="python -m cnnbook.experiments"):
        load_result("no_such_experiment")


def test_summarize():
    summary = summarize([1.0, 2.0, 3.0])
    assert summary == {"mean": 2.0, "std": 1.0, "min": 1.0, "max": 3.0, "n": 3}


def _smoke_runs() -> list[tuple[str, tuple[str, ...]]]:
    """Each experiment once; the comparison experiment once per comparison (each has its own result)."""
    from cnnbook.experiments.comparisons import COMPARISONS
    runs = []
    for experiment in EXPERIMENTS:
        if experiment == "compare":
            runs += [(experiment, ("--comparison", name)) for name in COMPARISONS]
        else:
            runs.append((experiment, ()))
    return runs


@pytest.mark.parametrize("experiment, arguments", _smoke_runs(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_every_experiment_reruns_in_smoke_mode(experiment, arguments, tmp_path):
    """The smoke run has the structure of the stored result (same keys), and its provenance says smoke."""
    output = tmp_path / "smoke.json"
    completed = subprocess.run([sys.executable, "-m", f"cnnbook.experiments.{experiment}", "--smoke", *arguments,
                                "--output", str(output)], capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    smoke = json.loads(output.read_text())
    assert smoke["provenance"]["smoke"] is True
    stored = [load_result(name) for name in stored_results() if load_result(name)["experiment"] == smoke["experiment"]
              and (experiment != "compare" or name == smoke["name"])]
    assert stored, f"the experiment {experiment} {' '.join(arguments)} has no stored result"
    for result in stored:
        assert set(smoke) == set(result)
        assert set(smoke["runs"][0]) == set(result["runs"][0])
        if experiment == "compare":  # a smoke run trains the first two variants only
            assert set(smoke["summary"]) <= set(result["summary"])
            for variant, metrics in smoke["summary"].items():
                assert set(metrics) == set(result["summary"][variant])
        else:
            assert set(smoke["summary"]) == set(result["summary"])


def test_comparison_definitions_are_checked():
    from cnnbook.errors import CnnbookError
    from cnnbook.experiments.compare import check_definition
    good = {"section": "alexnet", "seeds": [0, 1, 2], "variants": {"a": {}, "b": {"lr": 0.01}}}
    assert check_definition("ok", good) is good
    for bad, message in [({**good, "section": "nope"}, "no run settings"),
                         ({**good, "seeds": [0, 1]}, "at least 3 seeds"),
                         ({**good, "variants": {"a": {}}}, "at least 2"),
                         ({**good, "variants": {"a": {}, "b": {"learning_rate": 0.1}}}, "unknown field"),
                         ({**good, "variants": {"a": {}, "b": {"init": "orthogonal"}}}, "init="),
                         ({**good, "variants": {"a": {}, "b": {"schedule": "linear"}}}, "schedule=")]:
        with pytest.raises(CnnbookError, match=message):
            check_definition("bad", bad)
    from cnnbook.experiments.comparisons import COMPARISONS
    for name, definition in COMPARISONS.items():
        check_definition(name, definition)
