"""The model registry (cnnbook.models.register_model / get_model / list_models), as torchvision's and timm's."""
from __future__ import annotations

import inspect

import pytest
import torchvision
from torch import nn

from cnnbook import models
from cnnbook.errors import CnnbookError
from cnnbook.models import _registry


def _factories() -> dict[str, object]:
    """Every public lower-case function of cnnbook.models that returns a model (by its annotation)."""
    found = {}
    for name, value in vars(models).items():
        if name.startswith("_") or not inspect.isfunction(value) or not name.islower():
            continue
        returned = inspect.signature(value).return_annotation
        returned = getattr(value.__globals__.get(returned, None), "__mro__", ()) if isinstance(returned, str) else ()
        if nn.Module in returned and not value.__name__.endswith("_block"):
            found[name] = value
    return found


def test_every_model_factory_is_registered_under_its_name():
    factories = _factories()
    assert len(factories) > 50
    unregistered = [name for name in factories if name not in models.list_models()]
    assert not unregistered, f"add @register_model() to {unregistered}"
    for name, factory in factories.items():
        if name in models.list_models():
            assert models.model_entry(name).factory is factory


def test_the_torchvision_names_are_torchvision_models():
    ours = models.list_models("torchvision")
    assert len(ours) == 31
    assert set(ours) <= set(torchvision.models.list_models())
    assert set(ours) == {name for name in models.list_models() if name in torchvision.models.list_models()}, \
        "a factory with torchvision's name builds torchvision's architecture: mark it torchvision=True"


def test_small_models_name_their_image_size():
    small = models.list_models("small")
    assert {"alexnet_small", "vgg11_small", "googlenet_small", "resnet18_small", "lenet"} <= set(small)
    assert models.small_image_size("alexnet_small") == 64 and models.small_image_size("lenet") == 28
    with pytest.raises(CnnbookError, match="'resnet18' is not one of the fast profile's small models"):
        models.small_image_size("resnet18")


def test_get_model_builds_with_options_and_names_close_matches():
    model = models.get_model("resnet18_small", num_classes=7)
    assert isinstance(model, models.ResNet) and model.num_classes == 7
    assert models.list_models(include="resnet1*") == ["resnet101", "resnet152", "resnet18", "resnet18_small"]
    with pytest.raises(CnnbookError, match="no model named 'resnet19' in cnnbook.models. Did you mean 'resnet18'"):
        models.get_model("resnet19")
    with pytest.raises(CnnbookError, match="kind='big' is not allowed"):
        models.list_models("big")


def test_a_name_is_registered_once():
    with pytest.raises(CnnbookError, match="a model named 'lenet' is already registered"):
        _registry.register_model("lenet")(lambda: nn.Identity())


SHOWN_ON_PAGES = ("AlexNet", "VGG", "NiN", "GoogLeNet", "Inception", "LeNet", "BatchNorm", "ResNet", "BasicBlock",
                  "Bottleneck", "PreActBasicBlock", "PreActBottleneck", "DenseNet", "DenseBlock", "DenseLayer",
                  "AnyNet", "SEBottleneck")


@pytest.mark.parametrize("name", SHOWN_ON_PAGES)
def test_a_model_class_reads_like_its_figure(name):
    """The source a page prints: the constructor calls its argument check in one statement and raises nothing."""
    source = inspect.getsource(getattr(models, name).__init__)
    statements = [line.strip() for line in source.splitlines()]
    assert not any(line.startswith("raise ") for line in statements), f"{name}.__init__ raises: move it to its check"
    checks = [line for line in statements if line.startswith("check_")]
    assert len(checks) <= 1 and not any("check_int(" in line or "invalid(" in line for line in statements), \
        f"{name}.__init__ validates in its body: call one check_<name>_arguments(...) instead"


def test_misuse_gets_a_clear_error():
    with pytest.raises(CnnbookError, match="missing a required argument: 'depth'"):
        models.get_model("vgg")
    assert models.get_model("vgg", depth=11, num_classes=3).num_classes == 3
    with pytest.raises(CnnbookError, match="unexpected keyword argument 'classes'"):
        models.get_model("lenet", classes=3)
    with pytest.raises(CnnbookError, match="write @register_model\\(\\) above my_net"):
        @_registry.register_model
        def my_net() -> nn.Module:
            return nn.Identity()
