"""`make results` (scripts/results.py): refuses the sample, writes one row per section otherwise."""
from __future__ import annotations

import csv
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
import results  # noqa: E402  (scripts/results.py)


def write_idx(folder: Path, train_count: int, test_count: int) -> None:
    """A stand-in for the official split: random images in Fashion-MNIST's IDX format."""
    raw = folder / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, count in (("train", train_count), ("t10k", test_count)):
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, count, 28, 28) + images.tobytes())
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, count) + labels.tobytes())


def test_committed_table_has_the_columns(tmp_path):
    with (REPO / "results" / "full_profile.csv").open(newline="") as handle:
        assert tuple(next(csv.reader(handle))) == results.COLUMNS


@pytest.mark.slow
def test_refuses_the_sample_and_writes_nothing(sample_root, tmp_path):
    table = tmp_path / "table.csv"
    finished = subprocess.run([sys.executable, str(REPO / "scripts" / "results.py"), "--root", str(sample_root),
                               "--output", str(table)], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 2
    assert "needs the full Fashion-MNIST" in finished.stderr and "2,557" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not table.exists()


def test_a_stand_in_official_split_gives_one_row_per_section(tmp_path, monkeypatch, capsys):
    from cnnbook import data, profiles
    write_idx(tmp_path / "official", 64, 32)
    monkeypatch.setattr(data, "OFFICIAL_SIZES", (64, 32))  # the stand-in passes the size check
    monkeypatch.setattr(profiles, "SECTION_SETTINGS", {
        "alexnet": {"full": dict(model="lenet", image_size=28, batch_size=32, epochs=1, lr=0.1),
                    "fast": profiles.SECTION_SETTINGS["alexnet"]["fast"]},
        "tiny": {"full": dict(model="lenet_bn", image_size=32, batch_size=16, epochs=2, lr=0.1),
                 "fast": profiles.SECTION_SETTINGS["alexnet"]["fast"]}})
    table = tmp_path / "table.csv"
    table.write_text(",".join(results.COLUMNS) + "\nold,x,1,0.5,1,1,cpu,2020-01-01,abc\n")
    assert results.main(["--root", str(tmp_path / "official"), "--output", str(table)]) == 0
    with table.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["section"] for row in rows] == ["alexnet", "tiny", "old"]  # section order; other rows kept
    for row, model, epochs in zip(rows, ("lenet", "lenet_bn"), ("1", "2")):
        assert tuple(row) == results.COLUMNS
        assert (row["model"], row["epochs"]) == (model, epochs)
        assert 0 <= float(row["test_accuracy"]) <= 1 and len(row["test_accuracy"]) == 6
        assert float(row["wall_time_s"]) >= 0 and int(row["examples_per_sec"]) > 0  # a tiny stand-in run can take < 0.05 s
        assert row["device"].startswith(("cpu", "cuda"))
        assert len(row["date"]) == 10 and row["date"][4] == "-"
        assert row["commit"]
    assert "alexnet:" in capsys.readouterr().out
