"""Speed benchmarks (`make bench`).  Machines here are shared and noisy, so every comparison is a
ratio of two things measured in the same run, interleaved, taking medians.

1. The shared training loop (cnnbook.train.train) against a bare PyTorch loop doing the same
   work (same model, data, optimizer, epochs, evaluation each epoch): throughput ratio, target
   >= 0.95.  Both are fed by the device data path (cnnbook.device_data) on the benchmark's
   device (a GPU if there is one, else the CPU); --data-path cpu (or both) for the DataLoader.
   Then the share of the training time spent waiting for data (target < 5% on a GPU).
2. The fast profile's wall time per notebook (each notebook executed once, outputs not saved).
3. The model benchmark (scripts/bench_models.py), when present: our models against torchvision's.

    python scripts/bench.py [--repeats 6] [--epochs 2] [--data-path device|cpu|both] [--device cpu]
                            [--skip-notebooks] [--skip-models]

The full-profile speed benchmark (`make bench-full`), which needs no full dataset: every
section's full-profile model, image size and batch size, fed from the sample repeated to an epoch
of 60,000 images through the device data path and the shared training loop; SPEED ONLY (the
images repeat, so no accuracy means anything).  On a GPU it times a whole epoch; on a CPU it
times --steps steps (default 2) after a warm-up and extrapolates, and says so.

    python scripts/bench.py --full-profile-speed [--steps N] [--sections alexnet ...]
                            [--amp bf16|fp16] [--channels-last] [--compile] [--device cuda]
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


def bare_loop(model: nn.Module, train_iter, eval_iter, epochs: int, lr: float, momentum: float,
              device: torch.device = torch.device("cpu")) -> None:
    """The same work as cnnbook.train.train, written as plainly as possible."""
    torch.manual_seed(0)
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_function = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for images, labels in train_iter:
            images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
            loss = loss_function(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(images.to(device)).argmax(1) == labels.to(device)).sum().item()
                          for images, labels in eval_iter)
        del correct


def bench_training_loop(repeats: int, epochs: int, data_path: str = "device",
                        device: torch.device = torch.device("cpu")) -> float:
    from cnnbook.data import data_loaders, fashion_mnist
    from cnnbook.device import describe_device
    from cnnbook.profiles import run_config
    from cnnbook.train import train
    import contextlib
    import io

    run = run_config("alexnet", "fast")
    split = fashion_mnist(run.split, run.image_size, on_device=device if data_path == "device" else False)
    train_iter, eval_iter = data_loaders(split, run.batch_size)
    times = {"shared loop": [], "bare loop": []}

    def time_shared() -> None:
        model = run.build_model()
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            train(model, train_iter, eval_iter, epochs, run.lr, momentum=run.momentum, device=device,
                  plot=False, progress=True)
        times["shared loop"].append(time.perf_counter() - start)

    def time_bare() -> None:
        model = run.build_model()
        start = time.perf_counter()
        bare_loop(model, train_iter, eval_iter, epochs, run.lr, run.momentum, device)
        times["bare loop"].append(time.perf_counter() - start)

    for repeat in range(repeats):  # interleaved, alternating which goes first, so load hits both alike
        for measure in ((time_shared, time_bare) if repeat % 2 == 0 else (time_bare, time_shared)):
            measure()
    shared, bare = statistics.median(times["shared loop"]), statistics.median(times["bare loop"])
    images = epochs * len(split.train)
    print(f"training loop, alexnet_small, fast profile, {epochs} epochs x {len(split.train)} images, "
          f"{repeats} interleaved repeats, {data_path} data path, on {describe_device(device)}")
    print(f"  bare PyTorch loop : median {bare:6.2f} s  ({images / bare:7.1f} images/s)")
    print(f"  shared loop       : median {shared:6.2f} s  ({images / shared:7.1f} images/s)")
    ratio = bare / shared
    print(f"  throughput ratio shared/bare = {ratio:.3f}  (target >= 0.95)")
    share, seconds = data_wait_share(run.build_model(), train_iter, device, run.lr, run.momentum)
    print(f"  waiting for data  : {share:.1%} of {seconds:.2f} s of training steps (one epoch, bare loop, "
          "synchronized after each batch and each step; target < 5% on a GPU)")
    return ratio


def data_wait_share(model: nn.Module, train_iter, device: torch.device, lr: float, momentum: float,
                    max_steps: int | None = None) -> tuple[float, float]:
    """The share of one epoch's training time spent getting the next batch ready on ``device``,
    and the epoch's seconds.  The device is synchronized after each batch and after each step,
    so that the batch's own GPU work (gathering, resizing) counts as waiting, not as training."""
    def synchronize() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_function = nn.CrossEntropyLoss()
    waiting = total = 0.0
    batches = iter(train_iter)
    for step in range(max_steps or len(train_iter)):
        start = time.perf_counter()
        try:
            images, labels = next(batches)
        except StopIteration:
            break
        images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
        synchronize()
        ready = time.perf_counter()
        loss = loss_function(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        synchronize()
        waiting += ready - start
        total += time.perf_counter() - start
    return waiting / total, total


class FirstBatches:
    """The first ``steps`` batches of ``loader`` (it passes for the loader in ``train``)."""

    def __init__(self, loader, steps: int):
        self.loader, self.steps = loader, min(steps, len(loader))
        self.generator = getattr(loader, "generator", None)

    def __len__(self) -> int:
        return self.steps

    def __iter__(self):
        import itertools
        return itertools.islice(iter(self.loader), self.steps)


def full_profile_speed(steps: int | None, sections: list[str] | None, device: torch.device,
                       amp: str | None = None, channels_last: bool = False, compile: bool = False,
                       warmup_steps: int | None = None) -> dict[str, float]:
    """Examples per second of each section's full-profile training (speed only, see the docstring
    at the top); returns them by section."""
    import contextlib
    import io
    import math

    from cnnbook.data import fashion_mnist
    from cnnbook.device import describe_device
    from cnnbook.device_data import DeviceImages, DeviceLoader
    from cnnbook.profiles import SECTION_SETTINGS, run_config
    from cnnbook.train import train

    epoch_images = 60_000
    source = fashion_mnist("sample", 28, on_device="cpu")  # the sample's training images, uint8
    copies = math.ceil(epoch_images / len(source.train))
    images = source.train.images.repeat(copies, 1, 1, 1)[:epoch_images]
    labels = source.train.labels.repeat(copies)[:epoch_images]
    warmup_steps = warmup_steps if warmup_steps is not None else (5 if device.type == "cuda" else 1)
    options = ", ".join(name for name, on in (
        (f"amp {amp}", amp), ("channels-last", channels_last), ("torch.compile", compile)) if on) or "no speed options"
    how = "a whole epoch" if not steps else f"{steps} steps, EXTRAPOLATED to an epoch"
    print(f"full-profile SPEED ONLY (sample images repeated to {epoch_images:,}; accuracies mean nothing), "
          f"on {describe_device(device)}, {options}; timed: {how}, after {warmup_steps} warm-up steps; "
          "training steps only (the evaluation after each epoch is not included)")
    print(f"  {'section':<12}{'model':<18}{'size':>5}{'batch':>6}{'epochs':>7}{'images/s':>11}"
          f"{'s/epoch':>10}{'s/run':>10}")
    speeds, total = {}, 0.0
    for section in sections or list(SECTION_SETTINGS):
        run = run_config(section, "full")
        train_set = DeviceImages(images, labels, run.image_size, (), device)
        eval_set = DeviceImages(images[:run.batch_size], labels[:run.batch_size], run.image_size, (), device)
        loader = DeviceLoader(train_set, run.batch_size, shuffle=True, generator=torch.Generator())
        eval_loader = DeviceLoader(eval_set, run.batch_size)
        model = run.build_model()
        quiet = dict(momentum=run.momentum, device=device, plot=False, progress=False, amp=amp,
                     channels_last=channels_last, compile=compile)
        with contextlib.redirect_stdout(io.StringIO()):
            if warmup_steps:
                train(model, FirstBatches(loader, warmup_steps), eval_loader, 1, run.lr, **quiet)
            history = train(model, FirstBatches(loader, steps) if steps else loader, eval_loader, 1, run.lr, **quiet)
        speed = history.examples_per_sec
        epoch_seconds = epoch_images / speed
        speeds[section] = speed
        total += run.epochs * epoch_seconds
        print(f"  {section:<12}{run.model:<18}{run.image_size:>5}{run.batch_size:>6}{run.epochs:>7}{speed:>11.1f}"
              f"{epoch_seconds:>10.1f}{run.epochs * epoch_seconds:>10.1f}")
    print(f"  projected wall time of every section's full-profile training: {total:.1f} s = {total / 60:.1f} min"
          f" ({'extrapolated' if steps else 'measured epochs'}; evaluation not included)")
    return speeds


NOTEBOOK_BUDGET_S = 60.0  # a notebook's fast profile on 2 CPU cores (CONTRIBUTING.md)


def bench_notebooks() -> None:
    import os
    from run_notebooks import execute
    os.environ.setdefault("CNNBOOK_PROFILE", "fast")
    print(f"notebooks, profile {os.environ['CNNBOOK_PROFILE']}, executed once each (outputs not saved), "
          f"budget {NOTEBOOK_BUDGET_S:.0f} s each on 2 cores:")
    total, over = 0.0, []
    for path in sorted((REPO / "chapters").rglob("*.ipynb")):
        seconds = execute(path, store=False)
        total += seconds
        flag = "  OVER BUDGET" if seconds > NOTEBOOK_BUDGET_S else ""
        if flag:
            over.append(path.relative_to(REPO))
        print(f"  {seconds:7.1f} s  {path.relative_to(REPO)}{flag}")
    print(f"  {total:7.1f} s  in all; over budget: {', '.join(map(str, over)) or 'none'} "
          f"(on a loaded machine, measure again before acting on it)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-models", action="store_true")
    parser.add_argument("--data-path", choices=("device", "cpu", "both"), default="device")
    parser.add_argument("--device", default=None, help="default: a GPU if there is one, else the CPU")
    parser.add_argument("--full-profile-speed", action="store_true",
                        help="only the full-profile speed benchmark (speed only; needs no full dataset)")
    parser.add_argument("--steps", type=int, default=None,
                        help="full-profile speed: time this many steps and extrapolate (0: a whole epoch; "
                             "default: a whole epoch on a GPU, 2 steps on a CPU)")
    parser.add_argument("--sections", nargs="+", default=None)
    parser.add_argument("--amp", choices=("bf16", "fp16"), default=None)
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--compile", action="store_true")
    arguments = parser.parse_args()
    from cnnbook.device import choose_device
    device = choose_device(arguments.device)
    if arguments.full_profile_speed:
        steps = arguments.steps if arguments.steps is not None else (0 if device.type == "cuda" else 2)
        full_profile_speed(steps, arguments.sections, device, arguments.amp, arguments.channels_last,
                           arguments.compile)
        return 0
    for data_path in (("device", "cpu") if arguments.data_path == "both" else (arguments.data_path,)):
        bench_training_loop(arguments.repeats, arguments.epochs, data_path, device)
    if not arguments.skip_notebooks:
        bench_notebooks()
    models_bench = REPO / "scripts" / "bench_models.py"
    if not arguments.skip_models and models_bench.exists():
        return subprocess.call([sys.executable, str(models_bench)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
