"""Pretrained ImageNet weights through torchvision's weights API, with a clear message offline.

torchvision describes every set of published weights by an enum member such as
``torchvision.models.ResNet18_Weights.IMAGENET1K_V1`` (``.DEFAULT`` is the best one): its ``url``,
its ``transforms()`` (the preprocessing the weights were trained with) and its ``meta`` (number of
parameters, multiply-adds, ImageNet accuracies, categories), all shipped with torchvision, no
download needed.  Only the weights themselves are downloaded, once, into torch's cache
(``torch.hub.get_dir()/checkpoints``; ``TORCH_HOME`` moves it)::

    from cnnbook.pretrained import pretrained_model, weights_info
    weights = weights_info("resnet18")           # offline: metadata and transforms
    model = pretrained_model("resnet18")         # downloads 45 MB once, then reads the cache

Without internet access and without the file in the cache, ``pretrained_model`` raises
``WeightsUnavailableError`` saying which file to put where, instead of a traceback from urllib.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from .errors import CnnbookError, check_choice
from .i18n import error_text


class WeightsUnavailableError(CnnbookError):
    """The pretrained weights are neither in torch's cache nor downloadable from here."""


def _weights_enum(architecture: str):
    import torchvision

    names = sorted(torchvision.models.list_models(module=torchvision.models))
    check_choice(
        "architecture",
        architecture,
        names,
        hint=error_text("classification name hint"),
    )
    return torchvision.models.get_model_weights(architecture)


def weights_info(architecture: str = "resnet18", weights: str = "DEFAULT") -> Any:
    """torchvision's weights enum member for ``architecture`` (``"DEFAULT"``: the best published
    weights; or a member's name such as ``"IMAGENET1K_V1"``).  Needs no download: use its
    ``.meta`` (``num_params``; ``_ops``, billions of multiply-adds per image, which
    torchvision calls GFLOPS; ``_metrics``) and ``.transforms()``.
    """
    enum = _weights_enum(architecture)
    members = ["DEFAULT", *enum.__members__]
    check_choice(
        "weights",
        weights,
        members,
        hint=f"The weights published for {architecture}: {', '.join(members)}.",
    )
    return enum.DEFAULT if weights == "DEFAULT" else enum[weights]


def cached_weights_file(
    architecture: str = "resnet18", weights: str = "DEFAULT"
) -> Path:
    """Where torch keeps (or would keep) the downloaded weights file."""
    member = weights_info(architecture, weights)
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(member.url).name


def pretrained_model(
    architecture: str = "resnet18", weights: str = "DEFAULT"
) -> nn.Module:
    """torchvision's ``architecture`` with its pretrained ``weights``: read from torch's cache, or
    downloaded there once.  Offline without the file: ``WeightsUnavailableError`` with the fix.
    """
    import torchvision

    member = weights_info(architecture, weights)
    target = cached_weights_file(architecture, weights)
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            torch.hub.download_url_to_file(
                member.url, str(target.with_suffix(".partial")), progress=False
            )
        except (OSError, RuntimeError) as error:  # urllib's URLError is an OSError
            target.with_suffix(".partial").unlink(missing_ok=True)
            raise WeightsUnavailableError(
                error_text(
                    "weights unavailable",
                    architecture=architecture,
                    weights=member.name,
                    target=target,
                    url=member.url,
                    error=f"{type(error).__name__}: {error}",
                )
            ) from None
        target.with_suffix(".partial").replace(target)
    model = torchvision.models.get_model(architecture, weights=None)
    model.load_state_dict(torch.load(target, map_location="cpu", weights_only=True))
    return model


__all__ = [
    "WeightsUnavailableError",
    "weights_info",
    "cached_weights_file",
    "pretrained_model",
]
