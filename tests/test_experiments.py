"""The experiment mechanism: stored results match their code, re-run in smoke mode, carry provenance."""
from __future__ import annotations

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


def _edited_copy(monkeypatch, tmp_path, module: str, edit) -> None:
    """Make the hash read an edited copy of ``module``'s source (the package itself is not touched)."""
    from cnnbook.experiments import hashing as deps
    original = deps._module_file(module)
    copy = tmp_path / original.name
    copy.write_text(edit(original.read_text(encoding="utf-8")), encoding="utf-8")
    real = deps._module_file
    monkeypatch.setattr(deps, "_module_file", lambda name: copy if name == module else real(name))


NOISE_SETTINGS = {"section": "alexnet"}


def test_a_docstring_or_comment_edit_in_a_dependency_keeps_the_results_fresh(monkeypatch, tmp_path):
    before = code_hash("noise", NOISE_SETTINGS)

    def reword(source: str) -> str:
        source = source.replace('"""The one training loop every section uses', '"""The single training loop of the book', 1)
        source = source.replace("def train(", "# a new comment\ndef train(", 1)
        return source.replace("            it is stepped once after every epoch.", "            stepped after each epoch.")
    _edited_copy(monkeypatch, tmp_path, "cnnbook.train", reword)
    assert code_hash("noise", NOISE_SETTINGS) == before


def test_a_code_change_in_a_dependency_makes_the_results_stale(monkeypatch, tmp_path):
    before = code_hash("noise", NOISE_SETTINGS)
    _edited_copy(monkeypatch, tmp_path, "cnnbook.train",
                 lambda source: source.replace("loss_sum += loss.detach() * labels.numel()",
                                               "loss_sum += loss.detach() * len(labels)", 1))
    assert code_hash("noise", NOISE_SETTINGS) != before


def test_an_error_message_edit_keeps_the_results_fresh_but_not_a_change_of_what_is_raised(monkeypatch, tmp_path):
    """A run that raises stores nothing, so a reworded (or translated) message cannot change a result;
    raising a different exception, or raising where it did not, can."""
    before = code_hash("noise", NOISE_SETTINGS)
    old = 'raise CnnbookError(error_text("batch of one", count=len(images))) from error'
    _edited_copy(monkeypatch, tmp_path, "cnnbook.train",
                 lambda source: source.replace(old, 'raise CnnbookError(f"one image only ({len(images)})") from error', 1))
    assert code_hash("noise", NOISE_SETTINGS) == before
    monkeypatch.undo()  # back to the package's own file
    (tmp_path / "other").mkdir()  # a second copy in another file: the parsed tree is cached per file
    _edited_copy(monkeypatch, tmp_path / "other", "cnnbook.train",
                 lambda source: source.replace(old, 'raise RuntimeError(error_text("batch of one")) from error', 1))
    assert code_hash("noise", NOISE_SETTINGS) != before


def test_the_model_of_another_section_is_not_a_dependency():
    from cnnbook.experiments import dependencies
    alexnet = dependencies("noise", {"section": "alexnet"})
    assert "cnnbook.models.alexnet" in alexnet and "cnnbook.train" in alexnet and "cnnbook.data" in alexnet
    assert "cnnbook.models.vgg" not in alexnet and "cnnbook.section_settings" not in alexnet
    assert "cnnbook.models.vgg" in dependencies("noise", {"section": "vgg"})


def test_every_stored_result_is_hashed_by_the_current_scheme():
    from cnnbook.experiments.hashing import HASH_SCHEME
    for name in stored_results():
        assert load_result(name)["provenance"].get("hash_scheme") == HASH_SCHEME, name


def test_the_registry_makes_exactly_the_stored_results():
    from cnnbook.experiments.registry import planned_runs
    planned = [name for name, _, _ in planned_runs()]
    assert len(planned) == len(set(planned))
    assert sorted(planned) == stored_results()
    for name, experiment, _ in planned_runs():
        assert load_result(name)["experiment"] == f"cnnbook.experiments.{experiment}"


def _traced_modules(job) -> set[str]:
    """The package modules whose functions ran while ``job`` ran in this process."""
    import importlib
    import inspect
    import pkgutil
    import sys
    from pathlib import Path

    import cnnbook
    from cnnbook.experiments.runner import call
    root = Path(cnnbook.__file__).resolve().parent
    for module in pkgutil.walk_packages([str(root)], "cnnbook."):  # import-time code is not the job's
        if not module.name.endswith("__main__"):  # a command line, not a module to import
            importlib.import_module(module.name)
    ran: set[str] = set()

    def on_call(frame, event, arg):  # a global trace function: called when a Python function starts
        if frame.f_code.co_flags & inspect.CO_NEWLOCALS:  # a function, not a module or class body
            path = Path(frame.f_code.co_filename)
            if path.is_relative_to(root):
                parts = path.relative_to(root).with_suffix("").parts
                ran.add(".".join(("cnnbook", *(parts[:-1] if parts[-1] == "__init__" else parts))))
        return None  # no line-by-line tracing inside it
    sys.settrace(on_call)
    try:
        call(job)
    finally:
        sys.settrace(None)
    return ran


def _traced() -> list[tuple[str, dict]]:
    """Every experiment of the registry with the options of its first real run (and the noise
    experiment also for a section with a learning-rate schedule)."""
    from cnnbook.section_settings import SECTION_SCHEDULES, SECTION_SETTINGS
    runs = [(experiment, planned()[0]) for experiment, planned in EXPERIMENTS.items()]
    shortest = min(SECTION_SCHEDULES, key=lambda section: SECTION_SETTINGS[section]["fast"]["epochs"])
    return runs + [("noise", {"section": shortest})]


TRACED = _traced()


@pytest.mark.slow
@pytest.mark.parametrize("experiment, options", TRACED, ids=[f"{e}-{'-'.join(map(str, o.values()))}" for e, o in TRACED])
def test_the_hash_covers_every_module_an_experiment_runs(experiment, options, sample_root):
    """Run the first smoke job under a tracer: every package module whose code ran is hashed, or is
    one of the modules ``EXCLUDED`` (with the reason it never decides a number)."""
    import dataclasses

    from cnnbook.experiments import dependencies, experiment_module
    from cnnbook.experiments.hashing import EXCLUDED
    options = {key: value for key, value in options.items() if key != "depths"}  # smoke: the smallest network
    job = dataclasses.replace(experiment_module(experiment).jobs(smoke=True, **options)[0], fresh_process=False)
    ran = _traced_modules(job)
    assert f"cnnbook.experiments.{experiment}" in ran and "cnnbook.train" in ran
    missing = ran - set(dependencies(experiment, options)) - set(EXCLUDED)
    assert not missing, f"{experiment}: code of {sorted(missing)} ran but is not hashed"


def test_the_excluded_data_modules_hold_no_code():
    """A data module is left out of the hash (each experiment hashes its own entry): it must define no
    function or class whose code could decide a result."""
    import ast

    from cnnbook.experiments.hashing import EXCLUDED, _parse
    for name, reason in EXCLUDED.items():
        if reason.startswith("data:"):
            tree = _parse(name)
            assert not [node for node in ast.walk(tree)
                        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda))], name


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
    """Each experiment once; the comparison experiment once per comparison (each has its own result);
    the noise experiment for a section without and one with a learning-rate schedule."""
    from cnnbook.experiments.comparisons import COMPARISONS
    runs = []
    for experiment in EXPERIMENTS:
        if experiment == "compare":
            runs += [(experiment, ("--comparison", name)) for name in COMPARISONS]
        elif experiment == "noise":
            runs += [(experiment, ("--section", "alexnet")), (experiment, ("--section", "debugging"))]
        else:
            runs.append((experiment, ()))
    return runs


@pytest.mark.slow
@pytest.mark.parametrize("experiment, arguments", _smoke_runs(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_every_experiment_reruns_in_smoke_mode(experiment, arguments, smoke_run):
    """The smoke run has the structure of the stored result (same keys), and its provenance says smoke."""
    smoke = smoke_run(experiment, *arguments)
    assert smoke["provenance"]["smoke"] is True
    stored = [load_result(name) for name in stored_results() if load_result(name)["experiment"] == smoke["experiment"]
              and (experiment not in ("compare", "noise") or name == smoke["name"])]
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


def test_the_registry_lists_every_result_with_its_command(capsys):
    from cnnbook.experiments.registry import main
    assert main([]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert sorted(line.split(":")[0] for line in printed) == stored_results()
    assert "degradation: python -m cnnbook.experiments.degradation" in printed
    assert "zero_init: python -m cnnbook.experiments.zero_init" in printed
    assert main(["--only", "no_such_result"]) == 2
    assert "no result named no_such_result" in capsys.readouterr().err
