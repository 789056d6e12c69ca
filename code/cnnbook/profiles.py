"""Run profiles: the same notebook trains quickly on a laptop or in full on a GPU.

* ``fast`` (the default without a GPU; what CI runs and what the stored pages show): a small
  variant of the section's model, on Fashion-MNIST training-set images 0-2047, evaluated on
  training-set images 2048-2556, at small image sizes and for a few epochs.  A notebook runs in
  well under a minute on 2 CPU cores.
* ``full`` (the default with a GPU): D2L's settings, the paper-sized model on the official
  60,000 / 10,000 split (for AlexNet: 224x224 images, lr 0.01, batch 128, 10 epochs).

The environment variable ``CNNBOOK_PROFILE`` (``fast`` or ``full``) overrides the default.
Every ``RunConfig`` describes itself, and the training loop prints that description with its
results, so a page never passes a CPU sample run off as the full experiment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from .errors import CnnbookError, check_int, check_seed
from .i18n import tr

PROFILE_VARIABLE = "CNNBOOK_PROFILE"
PROFILES = ("fast", "full")


def active_profile(name: str | None = None) -> str:
    """``name`` if given, else ``$CNNBOOK_PROFILE``, else ``full`` with a CUDA GPU and ``fast`` without."""
    chosen = (
        name
        or os.environ.get(PROFILE_VARIABLE)
        or ("full" if torch.cuda.is_available() else "fast")
    )
    if chosen not in PROFILES:
        source = "profile" if name else PROFILE_VARIABLE
        raise CnnbookError(
            f"unknown run profile {chosen!r} (from {source}): choose 'fast' (small model, "
            "2,048 sample images, CPU-friendly) or 'full' (D2L's settings, full dataset, GPU)."
        )
    return chosen


@dataclass(frozen=True)
class RunConfig:
    """Everything a section's training run depends on."""

    section: str
    profile: str
    model: str
    image_size: int
    batch_size: int
    epochs: int
    lr: float
    momentum: float = 0.0
    model_kwargs: dict[str, Any] = field(default_factory=dict)
    schedule: str | dict[str, Any] | None = (
        None  # see cnnbook.schedules.scheduler_for; None: a constant rate
    )
    precise_bn_batches: int = (
        0  # train(precise_bn_batches=...): 0 evaluates with the moving averages
    )

    @property
    def split(self) -> str:
        """Which data split the run uses (see ``cnnbook.data``)."""
        return "official" if self.profile == "full" else "sample"

    def build_model(
        self, in_channels: int = 1, num_classes: int = 10, seed: int | None = 0
    ) -> nn.Module:
        """The section's model for this profile, from ``cnnbook.models``, its initial weights
        drawn after seeding PyTorch with ``seed`` (``None``: not seeded), so a run repeats.
        """
        from . import models

        check_int("in_channels", in_channels, minimum=1)
        check_int("num_classes", num_classes, minimum=1)
        check_seed("seed", seed, allow_none=True)
        if seed is not None:
            torch.manual_seed(seed)
        return models.get_model(
            self.model,
            num_classes=num_classes,
            in_channels=in_channels,
            **self.model_kwargs,
        )

    def describe(self) -> str:
        """One line saying what this run trains on what (in the book's language)."""
        from .data import OFFICIAL_SIZES, SAMPLE_EVAL, SAMPLE_TRAIN

        sample = self.split == "sample"
        train_size, eval_size = (
            (len(SAMPLE_TRAIN), len(SAMPLE_EVAL)) if sample else OFFICIAL_SIZES
        )
        return tr(
            "run",
            profile=self.profile,
            model=self.model,
            train_size=train_size,
            train_what=tr("sample train" if sample else "official train"),
            eval_size=eval_size,
            eval_what=tr("sample eval" if sample else "official eval"),
            image_size=self.image_size,
            batch_size=self.batch_size,
            epochs=self.epochs,
            lr=self.lr,
            momentum=self.momentum,
        ) + (
            tr(
                "run precise bn",
                batches=self.precise_bn_batches,
                images=self.precise_bn_batches * self.batch_size,
            )
            if self.precise_bn_batches
            else ""
        )

    def __str__(self) -> str:
        return self.describe()


# Per section: the full profile follows D2L; the fast profile trains a thin variant on the sample.
# The settings live in their own module, so that adding a section does not change this module's
# code (and with it the code hash of every stored experiment result).
from .section_settings import (
    SECTION_SCHEDULES,
    SECTION_SETTINGS,
)  # noqa: E402  (re-exported)


def run_config(section: str, profile: str | None = None) -> RunConfig:
    """The settings of ``section``'s training run under the active (or given) profile."""
    if not isinstance(section, str) or section not in SECTION_SETTINGS:
        raise CnnbookError(
            f"no run settings for section {section!r}; known sections: {', '.join(sorted(SECTION_SETTINGS))}"
        )
    chosen = active_profile(profile)
    return RunConfig(
        section=section,
        profile=chosen,
        **SECTION_SETTINGS[section][chosen],
        schedule=SECTION_SCHEDULES.get(section),
    )
