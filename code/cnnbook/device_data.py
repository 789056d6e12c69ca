"""The device data path: a whole Fashion-MNIST split kept on the GPU (or any device) as uint8.

The CPU path (``cnnbook.data``) prepares images one at a time: PIL image, resize, augment, float
tensor, then a ``DataLoader`` collates them into batches and the training loop copies each batch
to the GPU.  At 224x224 that costs about half a millisecond of CPU time per image, so a few
loader workers cannot keep a modern GPU busy.  Here the 60,000 x 28 x 28 training images
(47 MB as uint8) are copied to the device once, and every batch is gathered, resized and
augmented there with batched tensor operations:

* ``DeviceImages`` is the dataset: uint8 images and labels on a device, the image size, and the
  augmentation steps.  ``prepare(indices)`` returns one ready batch.
* ``DeviceLoader`` plays ``DataLoader``'s part: it draws the same shuffled order from the same
  seeded generator (by asking a ``DataLoader`` over the indices for it), so the two paths give
  the same batches, image for image.

Resizing is bilinear with antialiasing on float values, rounded back to the 256 gray levels as
the CPU path's uint8 resize does; the two differ by at most one gray level (1/255) in a pixel
(``tests/test_device_data.py`` measures it).  Augmentation draws its own random numbers per image
on the device, so augmented images follow the same distributions as on the CPU path but are not
the same draws.  ``cnnbook.data.fashion_mnist(..., on_device=...)`` chooses the path.
"""

from __future__ import annotations

import math
from typing import Callable, Iterator, Sequence

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, Subset
from torchvision.ops import roi_align
from torchvision.transforms import v2


class DeviceImages(Dataset):
    """Grayscale images (uint8, ``(N, 1, 28, 28)``) and their labels, held on ``device``; batches
    come out as float images in [0, 1] of shape ``(B, 1, image_size, image_size)``."""

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        image_size: int = 28,
        augmentation: Sequence[Callable] = (),
        device: torch.device | str = "cpu",
    ):
        if images.dtype != torch.uint8:
            raise TypeError(
                f"DeviceImages keeps uint8 images (0-255), got {images.dtype}"
            )
        if images.dim() == 3:
            images = images.unsqueeze(1)
        if images.dim() != 4 or len(images) != len(labels):
            raise ValueError(
                f"expected N images (N, 28, 28) or (N, 1, 28, 28) and N labels, got images "
                f"{tuple(images.shape)} and labels {tuple(labels.shape)}"
            )
        if image_size < 1:
            raise ValueError(f"image_size must be a positive integer, got {image_size}")
        self.device = torch.device(device)
        self.images = images.to(self.device)
        self.labels = labels.to(self.device, torch.long)
        self.image_size = image_size
        self.augmentation = list(augmentation)

    @classmethod
    def from_dataset(
        cls,
        dataset: Dataset,
        image_size: int = 28,
        augmentation: Sequence[Callable] = (),
        device: torch.device | str = "cpu",
    ) -> "DeviceImages":
        """The images of a torchvision ``FashionMNIST`` dataset (or a ``Subset`` of one) on ``device``."""
        indices = None
        if isinstance(dataset, Subset):
            indices = torch.as_tensor(list(dataset.indices), dtype=torch.long)
            dataset = dataset.dataset
        images, labels = dataset.data, torch.as_tensor(dataset.targets)
        if indices is not None:
            images, labels = images[indices], labels[indices]
        return cls(images, labels, image_size, augmentation, device)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        images, labels = self.prepare(torch.tensor([index], device=self.device))
        return images[0], int(labels[0])

    def prepare(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch of images at ``indices``: gathered, resized, augmented, as floats in [0, 1]."""
        indices = indices.to(self.device)
        images = resize_batch(self.images[indices], self.image_size)
        if self.augmentation:
            images = augment_batch(images, self.augmentation)
        return images, self.labels[indices]


def resize_batch(images: torch.Tensor, image_size: int) -> torch.Tensor:
    """uint8 images ``(B, C, H, W)`` -> float images in [0, 1] of size ``image_size`` (bilinear,
    antialiased, rounded to the 256 gray levels like torchvision's uint8 resize)."""
    floats = images.float()
    if floats.shape[-1] != image_size or floats.shape[-2] != image_size:
        floats = (
            F.interpolate(
                floats,
                size=(image_size, image_size),
                mode="bilinear",
                antialias=True,
                align_corners=False,
            )
            .round_()
            .clamp_(0, 255)
        )
    return floats.div_(255)


# Augmentation with independent random draws per image, as the CPU path makes them image by image.
# (A torchvision v2 transform applied to a whole batch would draw once and crop every image alike.)


def _random_horizontal_flip(
    images: torch.Tensor, step: v2.RandomHorizontalFlip
) -> torch.Tensor:
    flip = torch.rand(len(images), device=images.device) < step.p
    return torch.where(flip[:, None, None, None], images.flip(-1), images)


def _random_resized_crop(
    images: torch.Tensor, step: v2.RandomResizedCrop
) -> torch.Tensor:
    """torchvision's RandomResizedCrop parameters (10 tries, then the central crop), drawn per
    image and vectorized; each box is cut out and resized by ``roi_align`` (bilinear).
    """
    count, _, height, width = images.shape
    device = images.device
    tries = 10
    area = height * width
    target_area = area * torch.empty(count, tries, device=device).uniform_(*step.scale)
    log_ratio = torch.log(torch.tensor(step.ratio, device=device))
    aspect = torch.exp(
        torch.empty(count, tries, device=device).uniform_(
            float(log_ratio[0]), float(log_ratio[1])
        )
    )
    w = torch.sqrt(target_area * aspect).round()
    h = torch.sqrt(target_area / aspect).round()
    valid = (w > 0) & (w <= width) & (h > 0) & (h <= height)
    first = valid.int().argmax(dim=1, keepdim=True)
    w, h = w.gather(1, first).squeeze(1), h.gather(1, first).squeeze(1)
    found = valid.any(dim=1)
    # the fallback of torchvision: the whole image, cut to the nearest allowed aspect ratio
    in_ratio = width / height
    if in_ratio < min(step.ratio):
        fallback_w, fallback_h = width, round(width / min(step.ratio))
    elif in_ratio > max(step.ratio):
        fallback_w, fallback_h = round(height * max(step.ratio)), height
    else:
        fallback_w, fallback_h = width, height
    w = torch.where(found, w, torch.full_like(w, fallback_w))
    h = torch.where(found, h, torch.full_like(h, fallback_h))
    top = torch.floor(torch.rand(count, device=device) * (height - h + 1))
    left = torch.floor(torch.rand(count, device=device) * (width - w + 1))
    top = torch.where(found, top, (height - h) // 2)
    left = torch.where(found, left, (width - w) // 2)
    boxes = torch.stack(
        [
            torch.arange(count, device=device, dtype=images.dtype),
            left.to(images.dtype),
            top.to(images.dtype),
            (left + w).to(images.dtype),
            (top + h).to(images.dtype),
        ],
        dim=1,
    )
    return roi_align(
        images,
        boxes,
        output_size=tuple(step.size),
        spatial_scale=1.0,
        sampling_ratio=-1,
        aligned=True,
    )


def _color_jitter(images: torch.Tensor, step: v2.ColorJitter) -> torch.Tensor:
    """Brightness and contrast with a factor per image, in a random order per image (as
    torchvision draws it); saturation and hue leave grayscale images unchanged."""
    if images.shape[1] != 1 and (step.saturation is not None or step.hue is not None):
        raise NotImplementedError(
            "the device path jitters saturation and hue of grayscale images only "
            "(where they change nothing); use the CPU path (on_device=False) for colour images"
        )
    count, device = len(images), images.device

    def factors(bounds):
        return torch.empty(count, 1, 1, 1, device=device).uniform_(*bounds)

    def brightness(x):
        return x if step.brightness is None else (x * brightness_factor).clamp(0, 1)

    def contrast(x):
        if step.contrast is None:
            return x
        mean = x.mean(dim=(-3, -2, -1), keepdim=True)
        return (contrast_factor * x + (1 - contrast_factor) * mean).clamp(0, 1)

    brightness_factor = (
        factors(step.brightness) if step.brightness is not None else None
    )
    contrast_factor = factors(step.contrast) if step.contrast is not None else None
    brightness_first = torch.rand(count, 1, 1, 1, device=device) < 0.5
    return torch.where(
        brightness_first, contrast(brightness(images)), brightness(contrast(images))
    )


BATCHED_STEPS: dict[type, Callable] = {
    v2.RandomHorizontalFlip: _random_horizontal_flip,
    v2.RandomResizedCrop: _random_resized_crop,
    v2.ColorJitter: _color_jitter,
}


def augment_batch(
    images: torch.Tensor, augmentation: Sequence[Callable]
) -> torch.Tensor:
    """Apply each augmentation step to every image of the batch with its own random draws.

    ``RandomHorizontalFlip``, ``RandomResizedCrop`` and ``ColorJitter`` run as batched tensor
    operations; any other step is applied image by image (still on the device, but slower).
    """
    for step in augmentation:
        batched = BATCHED_STEPS.get(type(step))
        if batched is not None:
            images = batched(images, step)
        else:
            images = torch.stack([step(image) for image in images])
    return images


class DeviceLoader:
    """Batches of a ``DeviceImages`` dataset, in ``DataLoader``'s order: shuffled by
    ``generator`` (a CPU ``torch.Generator``) when ``shuffle`` is on, in order otherwise.
    """

    def __init__(
        self,
        dataset: DeviceImages,
        batch_size: int,
        shuffle: bool = False,
        generator: torch.Generator | None = None,
        drop_last: bool = False,
    ):
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.drop_last = drop_last

    def __len__(self) -> int:
        count = len(self.dataset)
        return (
            count // self.batch_size
            if self.drop_last
            else math.ceil(count / self.batch_size)
        )

    def order(self) -> torch.Tensor:
        """This epoch's order of the images.  When shuffling it comes from a ``DataLoader`` over
        the indices with the same generator, so it is exactly the CPU path's order (the generator
        advances the same way, epoch after epoch)."""
        count = len(self.dataset)
        if not self.shuffle:
            return torch.arange(count)
        indices = DataLoader(
            range(count), batch_size=count, shuffle=True, generator=self.generator
        )
        # run to the end: the sampler draws once more when exhausted
        return torch.cat(list(indices))

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = self.order().to(self.dataset.device, non_blocking=True)
        stop = len(self) * self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield self.dataset.prepare(order[start : start + self.batch_size])
