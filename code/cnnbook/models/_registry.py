"""The book's model registry, in the style of torchvision's ``get_model`` and timm's ``register_model``.

Every factory function of ``cnnbook.models`` registers itself where it is defined::

    @register_model(torchvision=True)                  # builds torchvision's architecture under its name
    def resnet18(num_classes: int = 1000, in_channels: int = 3) -> ResNet: ...

    @register_model(small_image_size=28)               # a narrow model of the fast CPU profile
    def resnet18_small(num_classes: int = 10, in_channels: int = 1) -> ResNet: ...

and a page, a test or an experiment builds a model by its name::

    models.get_model("resnet18", num_classes=10)
    models.list_models("torchvision")                  # the names torchvision also has
    models.list_models("small")                        # the fast profile's models
    models.small_image_size("resnet18_small")          # 28: the image size it is built and tested for

A lookup of a name that is not registered fails with an error that names the closest names.
"""

from __future__ import annotations

import difflib
import fnmatch
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Literal, TypeVar

from torch import nn

from ..errors import CnnbookError, CnnbookTypeError, check_choice

Factory = TypeVar("Factory", bound=Callable[..., nn.Module])
Kind = Literal["all", "torchvision", "small"]


@dataclass(frozen=True)
class ModelEntry:
    """One registered factory: its name, the function, and what kind of model it builds."""

    name: str
    factory: Callable[..., nn.Module]
    torchvision: bool = False
    small_image_size: int | None = None


_REGISTRY: dict[str, ModelEntry] = {}


def register_model(
    name: str | None = None,
    *,
    torchvision: bool = False,
    small_image_size: int | None = None,
) -> Callable[[Factory], Factory]:
    """Decorator: register a factory under ``name`` (default: the function's name).

    ``torchvision=True`` says that it builds torchvision's architecture under torchvision's name
    (the tests compare the two); ``small_image_size`` marks a narrow model of the fast CPU profile
    and gives the height and width it is built and tested for.  What a page trains it on is the
    section's setting, ``run_config(section).image_size``, which may differ (DenseNet's page trains
    ``densenet_small`` on 14x14 images to fit its time budget).
    """
    if callable(name):
        raise CnnbookTypeError(
            f"register_model is a decorator with arguments: write @register_model() above "
            f"{getattr(name, '__name__', 'the factory')}, not @register_model"
        )

    def register(factory: Factory) -> Factory:
        key = name or factory.__name__
        if key in _REGISTRY:
            raise CnnbookError(
                f"a model named {key!r} is already registered (by "
                f"{_REGISTRY[key].factory.__module__}): choose another name"
            )
        _REGISTRY[key] = ModelEntry(key, factory, torchvision, small_image_size)
        return factory

    return register


def list_models(kind: Kind = "all", include: str | None = None) -> list[str]:
    """The registered names, sorted: all of them, those torchvision also has (``"torchvision"``) or
    the fast profile's narrow models (``"small"``); ``include`` filters by a pattern such as
    ``"resnet*"``."""
    kind = check_choice("kind", kind, ("all", "torchvision", "small"))
    names = [
        entry.name
        for entry in _REGISTRY.values()
        if kind == "all"
        or (kind == "torchvision" and entry.torchvision)
        or (kind == "small" and entry.small_image_size is not None)
    ]
    if include is not None:
        names = fnmatch.filter(names, include)
    return sorted(names)


def model_entry(name: str) -> ModelEntry:
    """The registry's entry for ``name``; a clear error, with the closest names, if there is none."""
    if not isinstance(name, str) or name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=3)
        hint = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise CnnbookError(
            f"no model named {name!r} in cnnbook.models. {hint}"
            "cnnbook.models.list_models() lists every name."
        )
    return _REGISTRY[name]


def get_model(name: str, **options: Any) -> nn.Module:
    """Build the model registered as ``name`` with the factory's keyword ``options``
    (e.g. ``num_classes=10, in_channels=1``; a builder such as ``vgg`` needs its own, ``depth=16``).
    """
    factory = model_entry(name).factory
    signature = inspect.signature(factory)
    try:
        signature.bind(**options)
    except TypeError as error:
        arguments = ", ".join(
            parameter.name + ("" if parameter.default is parameter.empty else "=...")
            for parameter in signature.parameters.values()
        )
        raise CnnbookTypeError(
            f"get_model({name!r}, ...) cannot call {name}({arguments}): {error}"
        ) from None
    return factory(**options)


def small_image_size(name: str) -> int:
    """Height and width that the fast profile's model ``name`` is built and tested for (a section may
    train it at another size: ``run_config(section).image_size`` decides)."""
    size = model_entry(name).small_image_size
    if size is None:
        raise CnnbookError(
            f"{name!r} is not one of the fast profile's small models: choose one of "
            f"{', '.join(list_models('small'))}"
        )
    return size
