"""Speed benchmarks (`make bench`).  Machines here are shared and noisy, so every comparison is a
ratio of two things measured in the same run, interleaved, taking medians.

1. The shared training loop (cnnbook.train.train) against a bare PyTorch loop doing the same
   work (same model, data, optimizer, epochs, evaluation each epoch): throughput ratio, target
   >= 0.95.
2. The fast profile's wall time per notebook (each notebook executed once, outputs not saved).
3. The model benchmark (scripts/bench_models.py), when present: our models against torchvision's.

    python scripts/bench.py [--repeats 6] [--epochs 2] [--skip-notebooks] [--skip-models]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))


def bare_loop(model: nn.Module, train_iter, eval_iter, epochs: int, lr: float, momentum: float) -> None:
    """The same work as cnnbook.train.train, written as plainly as possible."""
    torch.manual_seed(0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_function = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for images, labels in train_iter:
            loss = loss_function(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(images).argmax(1) == labels).sum().item() for images, labels in eval_iter)
        del correct


def bench_training_loop(repeats: int, epochs: int) -> float:
    from cnnbook.data import data_loaders, fashion_mnist
    from cnnbook.profiles import run_config
    from cnnbook.train import train
    import contextlib
    import io

    run = run_config("alexnet", "fast")
    split = fashion_mnist(run.split, run.image_size)
    train_iter, eval_iter = data_loaders(split, run.batch_size)
    times = {"shared loop": [], "bare loop": []}

    def time_shared() -> None:
        model = run.build_model()
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            train(model, train_iter, eval_iter, epochs, run.lr, momentum=run.momentum, device="cpu",
                  plot=False, progress=True)
        times["shared loop"].append(time.perf_counter() - start)

    def time_bare() -> None:
        model = run.build_model()
        start = time.perf_counter()
        bare_loop(model, train_iter, eval_iter, epochs, run.lr, run.momentum)
        times["bare loop"].append(time.perf_counter() - start)

    for repeat in range(repeats):  # interleaved, alternating which goes first, so load hits both alike
        for measure in ((time_shared, time_bare) if repeat % 2 == 0 else (time_bare, time_shared)):
            measure()
    shared, bare = statistics.median(times["shared loop"]), statistics.median(times["bare loop"])
    images = epochs * len(split.train)
    print(f"training loop, alexnet_small, fast profile, {epochs} epochs x {len(split.train)} images, "
          f"{repeats} interleaved repeats, {torch.get_num_threads()} threads")
    print(f"  bare PyTorch loop : median {bare:6.2f} s  ({images / bare:7.1f} images/s)")
    print(f"  shared loop       : median {shared:6.2f} s  ({images / shared:7.1f} images/s)")
    ratio = bare / shared
    print(f"  throughput ratio shared/bare = {ratio:.3f}  (target >= 0.95)")
    return ratio


def bench_notebooks() -> None:
    import os
    from run_notebooks import execute
    os.environ.setdefault("CNNBOOK_PROFILE", "fast")
    print(f"notebooks, profile {os.environ['CNNBOOK_PROFILE']}, executed once each (outputs not saved):")
    total = 0.0
    for path in sorted((REPO / "chapters").rglob("*.ipynb")):
        seconds = execute(path, store=False)
        total += seconds
        print(f"  {seconds:7.1f} s  {path.relative_to(REPO)}")
    print(f"  {total:7.1f} s  in all")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-models", action="store_true")
    arguments = parser.parse_args()
    bench_training_loop(arguments.repeats, arguments.epochs)
    if not arguments.skip_notebooks:
        bench_notebooks()
    models_bench = REPO / "scripts" / "bench_models.py"
    if not arguments.skip_models and models_bench.exists():
        return subprocess.call([sys.executable, str(models_bench)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
