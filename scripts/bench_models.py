#!/usr/bin/env python3
"""Speed of our models against torchvision's on the CPU: forward + backward, measured in one run.

For each model name, our model and torchvision's (same architecture, weights=None) are timed on
the same random batch; repetitions alternate between the two (ours, theirs, ours, ...) so that
drifts of the machine hit both alike.  The table gives the median time of each and the median of
the per-repetition ratios ours / torchvision (1.00 = same speed; the target is within 5%).

    python scripts/bench_models.py                  # every torchvision-named model
    python scripts/bench_models.py --quick          # one model per family, fewer repetitions
    python scripts/bench_models.py resnet50 vgg11   # a subset
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch
import torchvision

import cnnbook.models as models

QUICK = ["alexnet", "vgg11", "googlenet", "resnet50", "resnext50_32x4d", "densenet121",
         "regnet_x_400mf", "regnet_y_400mf"]


def step_time(model: torch.nn.Module, images: torch.Tensor) -> float:
    """Seconds of one forward + backward pass."""
    start = time.perf_counter()
    output = model(images)
    logits = output[0] if isinstance(output, tuple) else output
    logits.sum().backward()
    elapsed = time.perf_counter() - start
    model.zero_grad(set_to_none=True)
    return elapsed


def bench(name: str, batch: int, size: int, repeats: int) -> tuple[float, float, float]:
    """Median times of ours and torchvision's, and the median of the per-repetition ratios."""
    torch.manual_seed(0)
    extra = {"aux_logits": False} if name == "googlenet" else {}
    ours = models.get_model(name, **extra).train()
    theirs = torchvision.models.get_model(name, weights=None,
                                          **({**extra, "init_weights": False} if extra else {})).train()
    ours.min_input_size  # the input check's one-off shape probe, not timed
    images = torch.randn(batch, 3, size, size)
    for model in (ours, theirs):  # warm-up
        step_time(model, images)
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    for repeat in range(repeats):
        order = [("ours", ours), ("theirs", theirs)]
        if repeat % 2:
            order.reverse()
        for key, model in order:
            times[key].append(step_time(model, images))
    # Each repetition times the two models back to back, so their ratio cancels the slow drifts
    # of a shared machine; the median of these ratios is the figure reported.
    ratio = statistics.median(o / t for o, t in zip(times["ours"], times["theirs"]))
    return statistics.median(times["ours"]), statistics.median(times["theirs"]), ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="model names (default: all torchvision-named models)")
    parser.add_argument("--quick", action="store_true", help="one model per family, 3 repetitions")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--size", type=int, default=64, help="image height and width (default 64)")
    parser.add_argument("--repeats", type=int, default=None, help="default 9 (3 with --quick)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    names = args.names or (QUICK if args.quick else models.list_models("torchvision"))
    repeats = args.repeats or (3 if args.quick else 9)
    unknown = [n for n in names if n not in models.list_models("torchvision")]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {models.list_models("torchvision")}")
    print(f"forward + backward, batch {args.batch} at {args.size}x{args.size}, {args.threads} threads, "
          f"{repeats} interleaved repetitions (ratio: median of per-repetition ratios), torch {torch.__version__}, "
          f"torchvision {torchvision.__version__}")
    print(f"| model | ours (ms) | torchvision (ms) | ours / torchvision |")
    print(f"|---|---:|---:|---:|")
    ratios = []
    for name in names:
        ours, theirs, ratio = bench(name, args.batch, args.size, repeats)
        ratios.append(ratio)
        print(f"| {name} | {ours * 1e3:.1f} | {theirs * 1e3:.1f} | {ratio:.3f} |", flush=True)
    print(f"median ratio {statistics.median(ratios):.3f}, range {min(ratios):.3f} - {max(ratios):.3f}; "
          f"{sum(abs(r - 1) <= 0.05 for r in ratios)} of {len(ratios)} within 5%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
