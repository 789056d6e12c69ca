"""Run an experiment's jobs: in this process, on local processes, or on a Dask cluster.

An experiment is a list of independent **jobs** (one seed, one variant, one sampled model), each a
call of a function of the package named by its module and name, with JSON arguments, so that any
worker can run it.  ``run_jobs`` hands them to a ``concurrent.futures`` executor:

* ``workers=1`` and no scheduler (the default): one after the other, in this process;
* ``workers=N``: ``N`` local processes (``ProcessPoolExecutor``, started with ``spawn``);
* ``scheduler="tcp://host:8786"`` (or the environment variable ``CNNBOOK_SCHEDULER``): the workers
  of a running Dask cluster, through ``distributed.Client(...).get_executor()``.  Dask starts such
  a cluster on a laptop (``dask scheduler`` and ``dask worker``), on Slurm (dask-jobqueue) or on
  Kubernetes; on a machine with several GPUs, dask-cuda's ``dask cuda worker`` starts one worker
  per GPU.  Each worker needs the package (``pip install -e code``) and the data (``CNNBOOK_DATA``).

A job that must start from a fresh interpreter (``fresh_process=True``: the experiment sets
environment variables such as ``ONEDNN_MAX_CPU_ISA``, which PyTorch reads once, when it loads)
runs in a child process of whichever worker takes it: ``python -m cnnbook.experiments.runner``.
With ``cache=`` a folder, every finished job is kept there under the experiment's code hash and the
job's arguments, so an interrupted experiment run again trains only what is missing.  A job that
fails does not stop the others: ``run_jobs`` raises ``JobsFailed`` at the end, naming each failed
job, with the finished jobs' results kept in the error (and in the cache).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import importlib
import json
import multiprocessing
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..errors import CnnbookError, check_int

SCHEDULER_VARIABLE = "CNNBOOK_SCHEDULER"
CONNECT_TIMEOUT_S = 10
_MARK = "CNNBOOK-JOB-RESULT "


@dataclass(frozen=True)
class Job:
    """One independent piece of an experiment: ``function(**arguments)``, where ``function`` is
    ``"package.module:name"``; ``label`` says which one it is in messages ("seed 1, VGG-16").
    """

    function: str
    arguments: dict[str, Any]
    label: str
    # for the fresh process (None: unset)
    environment: dict[str, str | None] = field(default_factory=dict)
    fresh_process: bool = False
    threads: int | None = (
        None  # PyTorch's threads in a job that runs in the worker itself
    )

    def key(self) -> str:
        """A short hash of what the job computes (its function, arguments, environment and threads)."""
        text = json.dumps(
            [
                self.function,
                self.arguments,
                self.environment,
                self.fresh_process,
                self.threads,
            ],
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class JobsFailed(CnnbookError):
    """Some jobs failed: ``failures`` maps each one's label to its error; ``results`` holds, in
    job order, the results of the others (``None`` where a job failed)."""

    def __init__(self, failures: dict[str, str], results: list[Any]) -> None:
        finished = sum(result is not None for result in results)
        super().__init__(
            f"{len(failures)} of {len(results)} job(s) failed ({finished} finished; their results are "
            "kept, and in the cache folder when --cache is given):\n"
            + "\n".join(f"  {label}: {error}" for label, error in failures.items())
        )
        self.failures, self.results = failures, results


# Thread settings a worker may have that the submitting process had not (Dask's workers set them to 1).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def pinned(job: Job) -> Job:
    """``job`` as it would run in the submitting process, wherever it runs: a fresh-process job gets
    this process's thread variables (unless it sets its own), any other job this process's number
    of PyTorch threads (unless it says), so inline, local and Dask runs compute the same.
    """
    import dataclasses

    import torch

    if job.fresh_process:
        inherited = {name: os.environ.get(name) for name in THREAD_VARIABLES}
        return dataclasses.replace(job, environment={**inherited, **job.environment})
    return dataclasses.replace(job, threads=job.threads or torch.get_num_threads())


def call(job: Job) -> Any:
    """Run ``job`` in this process; this process keeps its own number of PyTorch threads."""
    import torch

    threads = torch.get_num_threads()
    if job.threads is not None and not job.fresh_process:
        torch.set_num_threads(job.threads)
    module_name, _, name = job.function.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module_name), name)
    try:
        return function(**job.arguments)
    finally:
        # A job sets its threads (or its function does: one per training run); an inline run
        # must not pass them on to the jobs and experiments this process runs next.
        torch.set_num_threads(threads)


def execute(job: Job) -> Any:
    """Run ``job`` where this is called: in this process, or in a fresh child process when it asks."""
    if not job.fresh_process:
        return call(job)
    command = [
        sys.executable,
        "-m",
        "cnnbook.experiments.runner",
        json.dumps(asdict(job)),
    ]
    environment = {
        **os.environ,
        **{k: v for k, v in job.environment.items() if v is not None},
    }
    for name in (k for k, v in job.environment.items() if v is None):
        environment.pop(name, None)
    completed = subprocess.run(command, env=environment, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(
            f"the fresh process ({' '.join(f'{k}={v}' for k, v in job.environment.items() if v)} "
            f"python -m cnnbook.experiments.runner ...) failed:\n{completed.stderr[-3000:]}"
        )
    line = next(
        line for line in completed.stdout.splitlines() if line.startswith(_MARK)
    )
    return json.loads(line[len(_MARK) :])


@contextlib.contextmanager
def executor(
    workers: int = 1, scheduler: str | None = None
) -> Iterator[concurrent.futures.Executor | None]:
    """The executor jobs run on: ``None`` (this process, one job after the other) for one worker
    and no scheduler, local processes for several, a Dask cluster's workers for a scheduler address.
    """
    workers = check_int("workers", workers, minimum=1)
    scheduler = scheduler or os.environ.get(SCHEDULER_VARIABLE) or None
    if scheduler is None:
        if workers == 1:
            yield None
            return
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            yield pool
        return
    try:
        from distributed import Client
    except ImportError:
        raise CnnbookError(
            f"scheduler={scheduler!r} needs Dask's distributed package: pip install "
            "'dask[distributed]' (or leave the scheduler out to run on local processes)."
        ) from None
    try:
        client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as error:
        raise CnnbookError(
            f"could not reach the Dask scheduler at {scheduler!r} within {CONNECT_TIMEOUT_S} s "
            f"({type(error).__name__}: {error}). Start one (dask scheduler; dask worker "
            f"{scheduler}), check the address, or leave --scheduler and ${SCHEDULER_VARIABLE} unset "
            "to run on this machine."
        ) from None
    with client, client.get_executor(pure=False) as pool:
        yield pool


@contextlib.contextmanager
def local_cluster(workers: int = 2) -> Iterator[str]:
    """A Dask cluster of ``workers`` local processes (one thread each) for as long as the block runs;
    yields its scheduler's address, to pass as ``scheduler=``.  Dask sets OMP_NUM_THREADS=1 (and more)
    in this process's environment while it starts the workers: the environment is put back, so that
    fresh-process jobs submitted from here run as they would without the cluster."""
    from distributed import LocalCluster

    workers = check_int("workers", workers, minimum=1)
    saved = dict(os.environ)
    try:
        with LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster:
            os.environ.clear()
            os.environ.update(saved)
            yield cluster.scheduler_address
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _cache_path(cache: Path, prefix: str, job: Job) -> Path:
    return cache / f"{prefix}-{job.key()}.json"


def run_jobs(
    jobs: Sequence[Job],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    cache: str | Path | None = None,
    cache_prefix: str = "",
    report: Callable[[Job, Any], None] | None = None,
) -> list[Any]:
    """Run every job (see the module's docstring); return their results in job order.

    ``cache``: a folder; a job found there under ``cache_prefix`` (the experiment's code hash) and
    its own key is not run again.  ``report(job, result)`` is called as each job finishes.
    Raises ``JobsFailed`` after all jobs ran if any failed."""
    jobs = [pinned(job) for job in jobs]
    results: list[Any] = [None] * len(jobs)
    done = [False] * len(jobs)
    cache = Path(cache) if cache is not None else None
    for index, job in enumerate(jobs):
        if cache is not None and _cache_path(cache, cache_prefix, job).is_file():
            results[index] = json.loads(
                _cache_path(cache, cache_prefix, job).read_text(encoding="utf-8")
            )
            done[index] = True
            if report is not None:
                report(job, results[index])
    failures: dict[str, str] = {}

    def finished(index: int, result: Any) -> None:
        results[index], done[index] = result, True
        if cache is not None:
            path = _cache_path(cache, cache_prefix, jobs[index])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result), encoding="utf-8")
        if report is not None:
            report(jobs[index], result)

    todo = [index for index in range(len(jobs)) if not done[index]]
    with executor(workers, scheduler) as pool:
        if pool is None:
            for index in todo:
                try:
                    finished(index, execute(jobs[index]))
                except (
                    Exception
                ) as error:  # noqa: BLE001  (reported with the job's label, the others go on)
                    failures[jobs[index].label] = f"{type(error).__name__}: {error}"
        else:
            futures = {pool.submit(execute, jobs[index]): index for index in todo}
            for future in concurrent.futures.as_completed(futures):
                index = futures[future]
                try:
                    finished(index, future.result())
                except Exception as error:  # noqa: BLE001
                    failures[jobs[index].label] = f"{type(error).__name__}: {error}"
    if failures:
        raise JobsFailed(failures, results)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cnnbook.experiments.runner '<job as JSON>'``: run one job, print its result."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    job = Job(**json.loads(arguments[0]))
    print(_MARK + json.dumps(call(job)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "Job",
    "JobsFailed",
    "SCHEDULER_VARIABLE",
    "call",
    "execute",
    "executor",
    "local_cluster",
    "run_jobs",
]
