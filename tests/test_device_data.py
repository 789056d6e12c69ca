"""The device data path (cnnbook.device_data) gives the CPU path's images and batches, on the CPU."""
from __future__ import annotations

import pytest
import torch
from torch.utils.data import Subset
from torchvision.transforms import v2

from cnnbook import data
from cnnbook.device_data import DeviceImages, DeviceLoader, augment_batch

# The CPU path resizes uint8 images with torchvision's integer kernel, the device path in float
# and rounds: measured, they differ by at most one gray level (1/255) in about 10% of the pixels
# at 64x64 and 224x224, and not at all at 28x28.  The tolerances below are those measurements.
ONE_GRAY_LEVEL = 1 / 255 + 1e-6


@pytest.fixture(scope="module")
def both_paths(sample_root):
    def make(image_size):
        return (data.fashion_mnist("sample", image_size, root=sample_root, on_device=False),
                data.fashion_mnist("sample", image_size, root=sample_root, on_device="cpu"))
    return make


@pytest.mark.parametrize("image_size", [28, 64, 224])
def test_device_path_gives_the_cpu_paths_images(both_paths, image_size):
    cpu, device = both_paths(image_size)
    assert isinstance(device.train, DeviceImages) and (len(device.train), len(device.eval)) == (2048, 509)
    for cpu_set, device_set in ((cpu.train, device.train), (cpu.eval, device.eval)):
        indices = torch.arange(0, len(cpu_set), 53)
        expected = torch.stack([cpu_set[int(i)][0] for i in indices])
        expected_labels = torch.tensor([cpu_set[int(i)][1] for i in indices])
        images, labels = device_set.prepare(indices)
        assert images.shape == expected.shape == (len(indices), 1, image_size, image_size)
        assert images.dtype == torch.float32
        assert torch.equal(labels, expected_labels)
        difference = (images - expected).abs()
        assert difference.max() <= ONE_GRAY_LEVEL
        assert difference.mean() <= 0.25 / 255  # measured: about 0.1 / 255 (10% of pixels off by one)
        if image_size == 28:
            assert difference.max() < 1e-6  # no resizing: the same values
    image, label = device.eval[5]
    assert torch.allclose(image, cpu.eval[5][0], atol=ONE_GRAY_LEVEL) and label == cpu.eval[5][1]


def test_same_seed_same_batches_on_both_paths(both_paths):
    cpu, device = both_paths(32)
    cpu_loaders, device_loaders = data.data_loaders(cpu, 100, seed=3), data.data_loaders(device, 100, seed=3)
    assert isinstance(device_loaders[0], DeviceLoader)
    for cpu_loader, device_loader, epochs in zip(cpu_loaders, device_loaders, (2, 1)):
        assert len(cpu_loader) == len(device_loader)
        for epoch in range(epochs):  # the generator advances alike from epoch to epoch
            batches = 0
            for (cpu_images, cpu_labels), (images, labels) in zip(cpu_loader, device_loader):
                assert torch.equal(cpu_labels, labels)
                assert (cpu_images - images).abs().max() <= ONE_GRAY_LEVEL
                batches += 1
            assert batches == len(cpu_loader)


def test_device_loader_order_is_dataloaders_order_and_repeats_when_reseeded(sample_root):
    split = data.fashion_mnist("sample", 28, root=sample_root, on_device="cpu")
    train_loader, _ = data.data_loaders(split, 512, seed=7)
    reference = torch.utils.data.DataLoader(range(2048), batch_size=512, shuffle=True,
                                            generator=torch.Generator().manual_seed(7))
    first = [labels for _, labels in train_loader]
    expected = [split.train.labels[indices] for indices in reference]
    assert all(torch.equal(a, b) for a, b in zip(first, expected))
    second = [labels for _, labels in train_loader]
    assert not all(torch.equal(a, b) for a, b in zip(first, second))  # a new shuffle each epoch
    train_loader.generator.manual_seed(7)  # what train(seed=7) does: the same shuffles again
    assert all(torch.equal(a, b) for a, b in zip(first, (labels for _, labels in train_loader)))


def test_default_path_is_unchanged_on_a_cpu_machine(sample_root, monkeypatch):
    split = data.fashion_mnist("sample", 64, root=sample_root)  # what the fast-profile page calls
    assert isinstance(split.train, Subset)
    assert isinstance(data.data_loaders(split, 64)[0], torch.utils.data.DataLoader)
    assert data._data_device("official", None) is None or torch.cuda.is_available()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert data._data_device("official", None) == torch.device("cuda")
    assert data._data_device("sample", None) is None  # the fast profile keeps the CPU path
    assert data._data_device("official", False) is None


def test_last_partial_batch_and_drop_last():
    images = torch.arange(10, dtype=torch.uint8).view(10, 1, 1, 1).expand(10, 1, 28, 28).contiguous()
    dataset = DeviceImages(images, torch.arange(10))
    assert [len(labels) for _, labels in DeviceLoader(dataset, 4)] == [4, 4, 2]
    assert [len(labels) for _, labels in DeviceLoader(dataset, 4, drop_last=True)] == [4, 4]
    assert len(DeviceLoader(dataset, 4)) == 3 and len(DeviceLoader(dataset, 4, drop_last=True)) == 2
    ordered = torch.cat([labels for _, labels in DeviceLoader(dataset, 3)])
    assert torch.equal(ordered, torch.arange(10))


def test_bad_input_gets_a_clear_error():
    with pytest.raises(TypeError, match="uint8"):
        DeviceImages(torch.zeros(2, 28, 28), torch.zeros(2))
    with pytest.raises(ValueError, match="labels"):
        DeviceImages(torch.zeros(2, 28, 28, dtype=torch.uint8), torch.zeros(3))
    with pytest.raises(ValueError, match="batch_size"):
        DeviceLoader(DeviceImages(torch.zeros(2, 28, 28, dtype=torch.uint8), torch.zeros(2)), 0)


def _ramps(count: int = 64, size: int = 16) -> torch.Tensor:
    """Images whose pixel values grow from left to right: a flip or a crop is visible."""
    row = torch.linspace(0.1, 0.9, size)
    return row.expand(count, 1, size, size).clone()


def test_augmentation_draws_per_image():
    torch.manual_seed(0)
    images = _ramps()
    flipped = augment_batch(images, [v2.RandomHorizontalFlip(p=0.5)])
    is_flipped = (flipped == images.flip(-1)).flatten(1).all(1)
    is_kept = (flipped == images).flatten(1).all(1)
    assert torch.all(is_flipped | is_kept) and 10 < is_flipped.sum() < 54  # each image its own coin
    cropped = augment_batch(images, [v2.RandomResizedCrop(16, scale=(0.2, 0.5), antialias=True)])
    assert cropped.shape == images.shape
    left_edges = cropped[:, 0, 8, 0]
    assert left_edges.unique().numel() > 10  # crops at different places
    whole = augment_batch(images, [v2.RandomResizedCrop(16, scale=(1.0, 1.0), ratio=(1.0, 1.0))])
    assert torch.allclose(whole, images, atol=1e-6)  # the whole image, resized to its own size
    darker = augment_batch(images, [v2.ColorJitter(brightness=(0.5, 0.5))])
    assert torch.allclose(darker, images * 0.5)
    jittered = augment_batch(images, [v2.ColorJitter(brightness=0.5, contrast=0.5)])
    assert jittered.min() >= 0 and jittered.max() <= 1
    assert jittered.flatten(1).mean(1).unique().numel() > 10  # a factor per image
    rotated = augment_batch(images[:4], [v2.RandomRotation(10)])  # no batched version: image by image
    assert rotated.shape == (4, 1, 16, 16)


def test_augmented_device_split(sample_root):
    steps = [v2.RandomResizedCrop(32, scale=(0.5, 1.0), antialias=True), v2.RandomHorizontalFlip()]
    split = data.fashion_mnist("sample", 32, steps, root=sample_root, on_device="cpu")
    images, labels = split.train.prepare(torch.arange(8))
    assert images.shape == (8, 1, 32, 32) and 0 <= images.min() and images.max() <= 1
    assert split.eval.augmentation == []  # evaluation images are never augmented
