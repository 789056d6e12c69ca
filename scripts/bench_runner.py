"""Wall time of one section's noise experiment run three ways, measured in one run: inline (one job
after the other), on 2 local processes, and on a 2-worker Dask LocalCluster; and a check that the
three computed the same numbers.

    python scripts/bench_runner.py                              # batch_norm, its 10 epochs: minutes
    python scripts/bench_runner.py --section alexnet --epochs 2

Each job of the noise experiment is a training run in a fresh process with its own CPU setting;
on 2 cores two jobs at once can at best halve the wall time, less where a job uses both cores.
"""
from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--section", default="batch_norm")
    parser.add_argument("--epochs", type=int, default=None, help="epochs per run (default: the section's)")
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args(argv)

    from cnnbook.experiments import run_experiment
    from cnnbook.experiments.runner import local_cluster
    options = dict(section=arguments.section, epochs=arguments.epochs)
    with local_cluster(arguments.workers) as address:
        ways = {"inline": {}, f"{arguments.workers} local processes": {"workers": arguments.workers},
                f"{arguments.workers}-worker Dask LocalCluster": {"scheduler": address}}
        times, results = {}, {}
        for way, where in ways.items():
            start = time.perf_counter()
            results[way] = run_experiment("noise", **options, **where)
            times[way] = time.perf_counter() - start
            print(f"{way}: {times[way]:.1f} s", flush=True)
    runs = len(results["inline"]["runs"])
    same = all(result["runs"] == results["inline"]["runs"] for result in results.values())
    print(f"{arguments.section}_noise, {runs} runs: " + ", ".join(
        f"{way} {seconds:.0f} s ({times['inline'] / seconds:.2f}x)" for way, seconds in times.items())
          + f"; the same numbers all three ways: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
