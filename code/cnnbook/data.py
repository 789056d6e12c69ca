"""Fashion-MNIST for every section: where it lives, how it is split, how it is loaded.

Where the data lives is decided here and nowhere else, in this order:

1. the ``root`` argument, if you pass one;
2. the folder named by the environment variable ``CNNBOOK_DATA``;
3. the book's ``data/`` folder (found by walking up from the working directory to the folder
   that holds ``_config.yml``; ``./data`` when there is none, as in Colab);
4. a download into the first of these (needs internet access).

Two splits, matching the two run profiles (``cnnbook.profiles``):

* ``"sample"``: train on training-set images 0-2047, evaluate on training-set images 2048-2556.
  These are exactly the images of the 2,557-image sample the book's tests use, so a run gives the
  same result on the sample and on the full download.  The evaluation images are held out from
  training, but they are not the official test set: results are labelled "held-out accuracy".
* ``"official"``: the official 60,000 training and 10,000 test images (needs the full download).

Two data paths: the CPU path (torchvision datasets and a ``DataLoader``: images prepared one by
one on the CPU), and the device path (``cnnbook.device_data``: the whole split on the GPU as
uint8, resized and batched there).  ``fashion_mnist(..., on_device=...)`` chooses; by default the
official split goes on a CUDA GPU when there is one, and everything else takes the CPU path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import torch
import torchvision
from torch.utils.data import DataLoader, Dataset, Subset
from torchvision.transforms import v2

from .errors import CnnbookError, CnnbookTypeError, check_choice, check_int, check_seed

DATA_VARIABLE = "CNNBOOK_DATA"
RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
SPLITS = ("sample", "official")
SAMPLE_TRAIN = range(0, 2048)
SAMPLE_EVAL = range(2048, 2557)
OFFICIAL_SIZES = (60_000, 10_000)
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
CLASS_NAMES_ZH = (
    "T恤",
    "裤子",
    "套衫",
    "连衣裙",
    "外套",
    "凉鞋",
    "衬衫",
    "运动鞋",
    "包",
    "短靴",
)


class DatasetNotFoundError(CnnbookError, FileNotFoundError):
    """Fashion-MNIST is not on disk and could not be downloaded."""


class CorruptDatasetError(CnnbookError):
    """A Fashion-MNIST file is there but truncated or not an IDX file."""


IDX_MAGIC = {"images": 0x0803, "labels": 0x0801}  # unsigned bytes, 3 or 1 dimensions


def check_idx_file(path: Path) -> None:
    """Check that ``path`` is a whole IDX file: its header, and a size that matches the header."""
    kind = "images" if "images" in path.name else "labels"
    size = path.stat().st_size
    with open(path, "rb") as file:
        header = file.read(4)
        problem = None
        if len(header) < 4 or int.from_bytes(header, "big") != IDX_MAGIC[kind]:
            problem = "it does not start like an uncompressed IDX file (still gzipped, or not Fashion-MNIST?)"
        else:
            dimensions = header[3]
            shape = [int.from_bytes(file.read(4), "big") for _ in range(dimensions)]
            expected = (
                4 + 4 * dimensions + int(torch.tensor(shape).prod()) if shape else 0
            )
            if size != expected:
                problem = f"it holds {size:,} bytes but its header promises {expected:,} (a truncated download?)"
    if problem:
        raise CorruptDatasetError(
            f"The Fashion-MNIST file {path} is damaged: {problem}. Delete it (or its "
            "whole FashionMNIST folder) and run again to download it afresh, or copy a good "
            "copy in its place."
        )


def raw_folder(root: Path) -> Path | None:
    """Where the four IDX files are: ``root/FashionMNIST/raw``, or ``root`` itself; else ``None``."""
    for folder in (Path(root) / "FashionMNIST" / "raw", Path(root)):
        if all((folder / name).is_file() for name in RAW_FILES):
            return folder
    return None


class _FashionMNIST(torchvision.datasets.FashionMNIST):
    """torchvision's Fashion-MNIST reading the IDX files from a given folder."""

    def __init__(self, files: Path, **kwargs) -> None:
        self._files = Path(files)
        super().__init__(str(self._files), **kwargs)

    @property
    def raw_folder(self) -> str:
        return str(self._files)


def _load(
    root: Path, train: bool, transform: Callable
) -> torchvision.datasets.FashionMNIST:
    files = raw_folder(root)
    for name in RAW_FILES[:2] if train else RAW_FILES[2:]:
        check_idx_file(files / name)
    return _FashionMNIST(files, train=train, transform=transform)


def project_data_dir(start: Path | None = None) -> Path:
    """The book's ``data/`` folder: beside the nearest ``_config.yml`` above ``start`` (default:
    the working directory), else ``./data``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (
            folder / "code" / "cnnbook"
        ).is_dir():
            return folder / "data"
    return here / "data"


def has_fashion_mnist(root: Path) -> bool:
    """Whether ``root/FashionMNIST/raw`` (or ``root`` itself) holds the four uncompressed IDX files."""
    return raw_folder(root) is not None


def candidate_roots(root: str | os.PathLike | None = None) -> list[Path]:
    """The folders searched for Fashion-MNIST, in order (see the module docstring)."""
    if root is not None:
        if not isinstance(root, (str, os.PathLike)):
            raise CnnbookTypeError(
                f"root={root!r} is not allowed: root must be a folder (a str or Path), or None "
                f"to use {DATA_VARIABLE} or the book's data/ folder"
            )
        return [Path(root).expanduser()]
    candidates = []
    if os.environ.get(DATA_VARIABLE):
        candidates.append(Path(os.environ[DATA_VARIABLE]).expanduser())
    candidates.append(project_data_dir())
    return candidates


def resolve_data_root(
    root: str | os.PathLike | None = None, download: bool = True
) -> Path:
    """The folder that holds (or now holds, after a download) Fashion-MNIST.

    Raises ``DatasetNotFoundError`` with the places looked in and how to get the data, when it is
    nowhere on disk and downloading is off or fails (for example without internet access).
    """
    candidates = candidate_roots(root)
    if not isinstance(download, bool):
        raise CnnbookTypeError(
            f"download={download!r} is not allowed: download must be True or False"
        )
    for folder in candidates:
        if has_fashion_mnist(folder):
            return folder
    target = candidates[0]
    reason = "downloading is switched off (download=False)"
    if download:
        existing = next(
            (folder for folder in (target, *target.parents) if folder.exists()), None
        )
        if existing is not None and not os.access(existing, os.W_OK):
            reason = f"the folder {existing} is read-only, so nothing can be downloaded into {target}"
        else:
            try:  # into a temporary folder first: a failed download leaves no empty folders behind
                with tempfile.TemporaryDirectory(prefix="cnnbook-download-") as scratch:
                    torchvision.datasets.FashionMNIST(
                        scratch, train=True, download=True
                    )
                    torchvision.datasets.FashionMNIST(
                        scratch, train=False, download=True
                    )
                    raw = target / "FashionMNIST" / "raw"
                    raw.mkdir(parents=True, exist_ok=True)
                    for name in RAW_FILES:
                        shutil.copyfile(
                            Path(scratch) / "FashionMNIST" / "raw" / name, raw / name
                        )
                if has_fashion_mnist(target):
                    return target
                reason = "the download finished but the files are not there"
            except (
                Exception
            ) as error:  # no network, a proxy, a full disk...: all say the same
                reason = f"the download into {target} failed ({type(error).__name__}: {str(error)[:160]})"
    looked = ", ".join(str(folder / "FashionMNIST" / "raw") for folder in candidates)
    raise DatasetNotFoundError(
        f"Fashion-MNIST was not found (looked in: {looked}) and {reason}.\n"
        "To fix it, do one of:\n"
        "  * run again on a machine with internet access: it is downloaded into "
        f"{target} (about 30 MB);\n"
        "  * copy the four files train-images-idx3-ubyte, train-labels-idx1-ubyte, "
        "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (from "
        "https://github.com/zalandoresearch/fashion-mnist, gunzipped) into "
        f"{target / 'FashionMNIST' / 'raw'};\n"
        f"  * or set the environment variable {DATA_VARIABLE} to a folder whose "
        "FashionMNIST/raw/ holds them."
    )


def image_transform(
    image_size: int = 28, augmentation: Sequence[Callable] = ()
) -> v2.Compose:
    """PIL image -> float tensor in [0, 1] of shape (1, image_size, image_size), with optional
    augmentation steps (torchvision v2 transforms) applied to the resized image."""
    image_size = check_int("image_size", image_size, minimum=1)
    if isinstance(augmentation, (str, bytes)) or not all(
        callable(step) for step in augmentation
    ):
        raise CnnbookTypeError(
            f"augmentation={augmentation!r} is not allowed: augmentation must be a list of "
            "transforms, e.g. [v2.RandomHorizontalFlip()]"
        )
    steps: list[Callable] = [v2.PILToTensor()]
    if image_size != 28:
        steps.append(v2.Resize(image_size, antialias=True))
    steps += list(augmentation)
    steps.append(v2.ToDtype(torch.float32, scale=True))
    return v2.Compose(steps)


@dataclass(frozen=True)
class FashionMNISTSplit:
    """The two datasets of a run and what they are, for the labels of every result."""

    train: Dataset
    eval: Dataset
    split: str
    root: Path

    @property
    def eval_name(self) -> str:
        return "test" if self.split == "official" else "held-out"


def fashion_mnist(
    split: str = "sample",
    image_size: int = 28,
    augmentation: Sequence[Callable] = (),
    root: str | os.PathLike | None = None,
    download: bool = True,
    on_device: bool | str | torch.device | None = None,
) -> FashionMNISTSplit:
    """The training and evaluation datasets of ``split`` (``"sample"`` or ``"official"``).

    Augmentation is applied to the training images only.  ``on_device`` picks the data path:
    ``None`` (default) the device path on the GPU for the official split when CUDA is available,
    else the CPU path; ``False`` the CPU path; ``True`` the device path on ``choose_device()``;
    a device (``"cuda"``, ``"cpu"``, ...) the device path there (see ``cnnbook.device_data``).
    """
    if not isinstance(split, str) or split not in SPLITS:
        raise CnnbookError(
            f"unknown split {split!r}: choose one of {', '.join(SPLITS)} (split=...)"
        )
    device = _data_device(split, on_device)
    if device is not None:
        from .device_data import DeviceImages

        cpu = fashion_mnist(split, 28, (), root, download, on_device=False)
        return FashionMNISTSplit(
            DeviceImages.from_dataset(cpu.train, image_size, augmentation, device),
            DeviceImages.from_dataset(cpu.eval, image_size, (), device),
            split,
            cpu.root,
        )
    augmented, plain = image_transform(image_size, augmentation), image_transform(
        image_size
    )
    folder = resolve_data_root(root, download)
    train_all = _load(folder, True, augmented)
    if split == "official":
        test = _load(folder, False, plain)
        if (len(train_all), len(test)) != OFFICIAL_SIZES:
            raise CnnbookError(
                f"the official split (split='official') needs the full Fashion-MNIST (60,000 training and 10,000 test "
                f"images), but {folder} holds {len(train_all):,} training and {len(test):,} test images "
                "(the book's small sample). Download the full set (delete nothing: point root= or "
                f"{DATA_VARIABLE} at an empty folder on a machine with internet access), or use the "
                "fast profile (CNNBOOK_PROFILE=fast), which trains on the sample."
            )
        return FashionMNISTSplit(train_all, test, split, folder)
    if len(train_all) < SAMPLE_EVAL.stop:
        raise CnnbookError(
            f"{folder} holds only {len(train_all):,} Fashion-MNIST training images; "
            f"the sample split needs the first {SAMPLE_EVAL.stop:,}."
        )
    eval_all = _load(folder, True, plain)
    return FashionMNISTSplit(
        Subset(train_all, SAMPLE_TRAIN), Subset(eval_all, SAMPLE_EVAL), split, folder
    )


def _data_device(
    split: str, on_device: bool | str | torch.device | None
) -> torch.device | None:
    """The device of the device path, or ``None`` for the CPU path (see ``fashion_mnist``)."""
    if on_device is None:
        return (
            torch.device("cuda")
            if split == "official" and torch.cuda.is_available()
            else None
        )
    if on_device is False:
        return None
    from .device import choose_device

    return choose_device() if on_device is True else choose_device(str(on_device))


def data_loaders(
    data: FashionMNISTSplit,
    batch_size: int,
    seed: int = 0,
    num_workers: int | None = None,
) -> tuple[DataLoader, DataLoader]:
    """Shuffled training loader and ordered evaluation loader.

    The shuffling is seeded by ``seed``, so the batches are the same on every run.  The training
    loader drops the last batch when it would be incomplete (``drop_last=True``): an epoch then
    sees every full batch, and batch norm never meets a batch of one image (which it cannot
    normalize).  The sample split's 2,048 training images fill batches of 64 or 128 exactly;
    the official 60,000 lose the last 96 of each epoch's shuffle at batch size 128.  By default
    the images are prepared in the main process on a CPU-only machine (repeatable, and fastest
    for the small fast-profile images) and by 4 worker processes when a GPU is waiting for them.
    On the device path (``fashion_mnist(..., on_device=...)``) the loaders batch on the device,
    in the same order for the same seed, and ``num_workers`` is not used.
    """
    if not isinstance(data, FashionMNISTSplit):
        raise CnnbookTypeError(
            f"data={data!r} is not allowed: data must be what fashion_mnist() returns"
        )
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if batch_size > len(data.train):
        raise CnnbookError(
            f"batch_size={batch_size} is not allowed: there are only {len(data.train):,} training "
            "images, so not one full batch; batch_size must be at most that"
        )
    seed = check_seed("seed", seed)
    if num_workers is not None:
        num_workers = check_int("num_workers", num_workers, minimum=0)
    from .device_data import DeviceImages, DeviceLoader

    if isinstance(data.train, DeviceImages):
        generator = torch.Generator()
        generator.manual_seed(seed)
        return (
            DeviceLoader(
                data.train,
                batch_size,
                shuffle=True,
                generator=generator,
                drop_last=True,
            ),
            DeviceLoader(data.eval, batch_size, shuffle=False),
        )
    pin = torch.cuda.is_available()
    if num_workers is None:
        num_workers = min(4, os.cpu_count() or 1) if pin else 0
    generator = torch.Generator()
    generator.manual_seed(seed)
    train = DataLoader(
        data.train,
        batch_size,
        shuffle=True,
        generator=generator,
        drop_last=True,
        num_workers=num_workers,
        pin_memory=pin,
        persistent_workers=num_workers > 0,
    )
    evaluation = DataLoader(
        data.eval,
        batch_size,
        shuffle=False,
        num_workers=num_workers,
        pin_memory=pin,
        persistent_workers=num_workers > 0,
    )
    return train, evaluation


def class_names(language: str | None = None) -> tuple[str, ...]:
    """The ten class names, in the book's current language (see ``cnnbook.i18n``)."""
    from .i18n import current_language

    return CLASS_NAMES_ZH if (language or current_language()) == "zh" else CLASS_NAMES
