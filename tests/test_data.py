"""Where the data comes from, how it is split, and what a reader sees when it is missing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from cnnbook import data


def test_explicit_root_wins_over_environment(sample_root, tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_VARIABLE, str(tmp_path))  # empty folder
    assert data.resolve_data_root(sample_root, download=False) == sample_root


def test_environment_variable_is_used(sample_root, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.DATA_VARIABLE, str(sample_root))
    assert data.resolve_data_root(download=False) == sample_root


def test_project_data_folder_is_found_from_a_chapter_folder(tmp_path, monkeypatch):
    (tmp_path / "_config.yml").write_text("title: x\n")
    (tmp_path / "code" / "cnnbook").mkdir(parents=True)
    chapter = tmp_path / "chapters" / "en" / "modern_cnn"
    chapter.mkdir(parents=True)
    monkeypatch.chdir(chapter)
    assert data.project_data_dir() == tmp_path / "data"


def test_order_environment_then_project_folder(tmp_path, monkeypatch, sample_root):
    (tmp_path / "_config.yml").write_text("title: x\n")
    (tmp_path / "code" / "cnnbook").mkdir(parents=True)
    shutil.copytree(sample_root / "FashionMNIST", tmp_path / "data" / "FashionMNIST")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.DATA_VARIABLE, str(tmp_path / "nothing-here"))
    assert data.candidate_roots() == [tmp_path / "nothing-here", tmp_path / "data"]
    assert data.resolve_data_root(download=False) == tmp_path / "data"


def test_missing_dataset_offline_gives_one_clear_error(tmp_path, monkeypatch, offline):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(data.DATA_VARIABLE, raising=False)
    with pytest.raises(data.DatasetNotFoundError) as caught:
        data.fashion_mnist("sample", root=tmp_path / "empty")
    message = str(caught.value)
    assert "Fashion-MNIST was not found" in message
    assert str(tmp_path / "empty" / "FashionMNIST" / "raw") in message
    assert "download" in message and data.DATA_VARIABLE in message
    assert caught.value.__context__ is None  # no chained traceback from inside torchvision


def test_missing_dataset_without_download_names_every_place_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.DATA_VARIABLE, str(tmp_path / "configured"))
    with pytest.raises(data.DatasetNotFoundError, match="download=False") as caught:
        data.resolve_data_root(download=False)
    assert str(tmp_path / "configured") in str(caught.value)
    assert str(tmp_path / "data") in str(caught.value)


def test_sample_split_is_training_images_0_2047_and_2048_2556(sample_root):
    split = data.fashion_mnist("sample", root=sample_root)
    assert (len(split.train), len(split.eval)) == (2048, 509)
    assert split.eval_name == "held-out"
    raw = data.fashion_mnist("sample", root=sample_root).train.dataset  # the whole training file
    image, label = split.eval[0]
    assert torch.equal(image, raw[2048][0]) and label == raw[2048][1]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32 and 0 <= image.min() <= image.max() <= 1


def test_images_are_resized(sample_root):
    split = data.fashion_mnist("sample", image_size=64, root=sample_root)
    assert split.train[0][0].shape == (1, 64, 64)


def test_official_split_refuses_the_sample(sample_root):
    with pytest.raises(ValueError, match="full Fashion-MNIST.*2,557 training"):
        data.fashion_mnist("official", root=sample_root)


def test_unknown_split(sample_root):
    with pytest.raises(ValueError, match="unknown split 'tiny'"):
        data.fashion_mnist("tiny", root=sample_root)


def test_loaders_shuffle_the_same_way_every_time(sample_root):
    split = data.fashion_mnist("sample", root=sample_root)
    first = next(iter(data.data_loaders(split, 32, seed=3)[0]))[1]
    again = next(iter(data.data_loaders(split, 32, seed=3)[0]))[1]
    other = next(iter(data.data_loaders(split, 32, seed=4)[0]))[1]
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_bad_batch_size(sample_root):
    with pytest.raises(ValueError, match="batch_size"):
        data.data_loaders(data.fashion_mnist("sample", root=sample_root), 0)


def test_nothing_is_written_into_a_folder_that_has_the_data(sample_root, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(sample_root / "FashionMNIST", copy / "FashionMNIST")
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*")}
    data.fashion_mnist("sample", root=copy)
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("*")} == before
