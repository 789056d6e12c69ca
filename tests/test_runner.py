"""The one job runner of the experiments: inline, local processes and a Dask cluster compute the same;
a failed job is named and the others are kept; an unreachable scheduler is a clear error."""
from __future__ import annotations

import os

import pytest

from cnnbook.errors import CnnbookError
from cnnbook.experiments import run_experiment
from cnnbook.experiments import runner
from cnnbook.experiments.runner import Job, JobsFailed, run_jobs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dask_cluster(sample_root):
    """A 2-worker Dask cluster of local processes, reached by address as a reader's cluster would be;
    its workers find the sample through CNNBOOK_DATA."""
    saved = os.environ.get("CNNBOOK_DATA")
    os.environ["CNNBOOK_DATA"] = str(sample_root)
    try:
        with runner.local_cluster(2) as address:
            yield address
    finally:
        if saved is None:
            os.environ.pop("CNNBOOK_DATA", None)
        else:
            os.environ["CNNBOOK_DATA"] = saved


def _round_up(value, label="") -> Job:
    return Job("cnnbook.experiments.noise:round_up", {"value": value}, label=label or f"round_up({value!r})")


def test_the_same_experiment_gives_the_same_result_inline_on_processes_and_on_dask(dask_cluster, sample_root):
    """The noise experiment's smoke run (two jobs, each in a fresh process with its own CPU setting)."""
    results = {
        "inline": run_experiment("noise", smoke=True, section="batch_norm"),
        "2 local processes": run_experiment("noise", smoke=True, section="batch_norm", workers=2),
        "Dask LocalCluster": run_experiment("noise", smoke=True, section="batch_norm", scheduler=dask_cluster),
    }
    reference = results["inline"]
    assert len(reference["runs"]) == 2
    for where, result in results.items():
        assert result["runs"] == reference["runs"], f"{where} computed other numbers than inline"
        assert result["summary"] == reference["summary"]


def test_jobs_that_run_in_the_worker_compute_the_same_on_dask(dask_cluster, sample_root):
    """A job without a fresh process runs with the submitting process's threads, also where Dask
    limits its workers to one thread (one comparison run of LeNet, one epoch)."""
    job = Job("cnnbook.experiments.compare:train_variant",
              {"section": "batch_norm", "variant": {"model": "lenet"}, "seed": 0, "epochs": 1}, label="LeNet")
    inline, = run_jobs([job])
    on_dask, = run_jobs([job], scheduler=dask_cluster)
    assert on_dask == inline


@pytest.mark.parametrize("where", ["inline", "local", "dask"])
def test_a_failed_job_is_named_and_the_others_are_kept(where, dask_cluster):
    options = {"inline": {}, "local": {"workers": 2}, "dask": {"scheduler": dask_cluster}}[where]
    jobs = [_round_up(0.123), _round_up("not a number", label="seed 7, variant 'broken'"), _round_up(0.2)]
    with pytest.raises(JobsFailed) as failed:
        run_jobs(jobs, **options)
    assert list(failed.value.failures) == ["seed 7, variant 'broken'"]
    assert "seed 7, variant 'broken'" in str(failed.value) and "TypeError" in str(failed.value)
    assert failed.value.results == [0.125, None, 0.2]


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 2)
    with pytest.raises(CnnbookError, match=r"could not reach the Dask scheduler at 'tcp://127.0.0.1:9'.*dask scheduler"):
        run_jobs([_round_up(0.1)], scheduler="tcp://127.0.0.1:9")


def test_the_scheduler_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(runner.SCHEDULER_VARIABLE, "tcp://127.0.0.1:9")
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 2)
    with pytest.raises(CnnbookError, match="could not reach"):
        run_jobs([_round_up(0.1)])


def test_finished_jobs_are_kept_in_the_cache_and_not_run_again(tmp_path, monkeypatch):
    jobs = [_round_up(0.123), _round_up(0.2)]
    assert run_jobs(jobs, cache=tmp_path, cache_prefix="abc") == [0.125, 0.2]
    assert len(list(tmp_path.glob("abc-*.json"))) == 2
    monkeypatch.setattr(runner, "execute", lambda job: pytest.fail("a cached job ran again"))
    seen = []
    assert run_jobs(jobs, cache=tmp_path, cache_prefix="abc", report=lambda job, r: seen.append(r)) == [0.125, 0.2]
    assert seen == [0.125, 0.2]


def test_bad_workers_is_a_clear_error():
    with pytest.raises(CnnbookError, match="workers"):
        run_jobs([_round_up(0.1)], workers=0)


def test_an_inline_job_does_not_change_the_threads_of_the_process_that_runs_it():
    import torch

    before = torch.get_num_threads()
    job = Job("cnnbook.experiments.noise:round_up", {"value": 0.1}, label="round_up(0.1)", threads=before + 1)
    assert run_jobs([job]) == [0.1]
    assert torch.get_num_threads() == before
