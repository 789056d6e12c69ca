"""The benchmarks' device-data parts (scripts/bench.py), kept tiny so that they run on a CPU in CI."""
from __future__ import annotations

from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
import bench  # noqa: E402  (scripts/bench.py)


def test_full_profile_speed_loops_over_every_section_and_says_speed_only(monkeypatch, capsys):
    from cnnbook import profiles
    fast = profiles.SECTION_SETTINGS["alexnet"]["fast"]
    monkeypatch.setattr(profiles, "SECTION_SETTINGS", {  # stand-ins for the paper-sized models
        "alexnet": {"full": dict(model="lenet", image_size=28, batch_size=16, epochs=10, lr=0.1), "fast": fast},
        "other": {"full": dict(model="lenet_bn", image_size=32, batch_size=8, epochs=3, lr=0.1), "fast": fast}})
    speeds = bench.full_profile_speed(steps=2, sections=None, device=torch.device("cpu"), warmup_steps=1)
    assert set(speeds) == {"alexnet", "other"} and all(speed > 0 for speed in speeds.values())
    printed = capsys.readouterr().out
    assert "SPEED ONLY" in printed and "2 steps, EXTRAPOLATED" in printed and "60,000" in printed
    assert "lenet_bn" in printed and "projected wall time" in printed


def test_data_wait_share_is_a_fraction(sample_root):
    from cnnbook import data, models
    split = data.fashion_mnist("sample", 28, root=sample_root, on_device="cpu")
    train_loader, _ = data.data_loaders(split, 64)
    share, seconds = bench.data_wait_share(models.lenet(), train_loader, torch.device("cpu"), 0.1, 0.0, max_steps=3)
    assert 0 < share < 1 and seconds > 0


def test_first_batches_stands_in_for_a_loader(sample_root):
    from cnnbook import data
    split = data.fashion_mnist("sample", 28, root=sample_root, on_device="cpu")
    train_loader, _ = data.data_loaders(split, 100)
    first = bench.FirstBatches(train_loader, 3)
    assert len(first) == 3 and len(list(first)) == 3 and first.generator is train_loader.generator
    assert len(bench.FirstBatches(train_loader, 1000)) == len(train_loader)
