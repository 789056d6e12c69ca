"""Our factories with torchvision's names build torchvision's architectures.

Parameter counts and output shapes are compared on the "meta" device (shapes only, no memory,
no arithmetic), FLOPs with ``cnnbook.inspection.count_flops`` on meta tensors too (PyTorch's
FLOP counter works from shapes).  A few models are also run for real with torchvision's
(random) weights copied in: the outputs must be the same numbers.
"""
from __future__ import annotations

import pytest
import torch
import torchvision

import cnnbook.models as models
from cnnbook.inspection import count_flops, count_parameters

pytestmark = pytest.mark.slow  # every architecture against torchvision at 224x224: minutes

# (our factory, its keyword arguments, torchvision's keyword arguments); all use weights=None
CASES = [(name, {}, {}) for name in models.list_models("torchvision") if name != "googlenet"] + [
    ("googlenet", {"aux_logits": True}, {"aux_logits": True, "init_weights": False}),
    ("googlenet", {"aux_logits": False}, {"aux_logits": False, "init_weights": False}),
]
IDS = [name + "".join(f"-{k}={v}" for k, v in ours.items()) for name, ours, _ in CASES]


def build_pair(name: str, ours: dict, theirs: dict, num_classes: int = 1000, device: str = "meta"):
    with torch.device(device):
        mine = models.get_model(name, num_classes=num_classes, **ours)
    # torchvision's RegNet computes its widths with tensors, which have no values on "meta"
    with torch.device("cpu" if name.startswith("regnet") else device):
        reference = torchvision.models.get_model(name, weights=None, num_classes=num_classes, **theirs)
    return mine, reference.to(device)


def test_every_torchvision_name_is_a_torchvision_model():
    available = set(torchvision.models.list_models(module=torchvision.models))
    assert set(models.list_models("torchvision")) <= available


@pytest.mark.parametrize("num_classes", [1000, 10])
@pytest.mark.parametrize("name, ours, theirs", CASES, ids=IDS)
def test_parameter_count_matches_torchvision(name, ours, theirs, num_classes):
    mine, reference = build_pair(name, ours, theirs, num_classes)
    assert count_parameters(mine) == count_parameters(reference)
    buffers = lambda m: sum(b.numel() for b in m.buffers())  # batch-norm running statistics
    assert buffers(mine) == buffers(reference)


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=IDS)
def test_flops_and_output_shape_match_torchvision_at_224(name, ours, theirs):
    mine, reference = build_pair(name, ours, theirs)
    assert count_flops(mine) == count_flops(reference) > 0
    mine.eval(), reference.eval()
    with torch.no_grad():
        shapes = [model(torch.zeros(2, 3, 224, 224, device=next(model.parameters()).device)).shape
                  for model in (mine, reference)]
    assert shapes[0] == shapes[1] == (2, 1000)


def copy_weights_in_order(source: torch.nn.Module, target: torch.nn.Module, key=None) -> None:
    """Copy ``source``'s state into ``target`` tensor by tensor, in registration order (optionally
    re-sorted by ``key``), checking every pair has the same shape: the two modules must have the
    same layers in the same order even where their names differ."""
    items = list(source.state_dict().items())
    if key is not None:
        items.sort(key=key)
    target_state = target.state_dict()
    assert len(items) == len(target_state)
    for (source_name, tensor), (target_name, slot) in zip(items, target_state.items()):
        assert tensor.shape == slot.shape, (source_name, target_name)
    target.load_state_dict({name: tensor for name, (_, tensor) in zip(target_state, items)})


def regnet_order():
    """A sort key: torchvision's RegNet blocks register the shortcut ("proj") first, ours last."""
    rank: dict[str, int] = {}

    def key(key_and_tensor: tuple[str, torch.Tensor]) -> tuple[int, int]:
        name = key_and_tensor[0]
        prefix = name.split(".proj.")[0].split(".f.")[0]
        return rank.setdefault(prefix, len(rank)), int(".proj." in name)
    return key


SAME_FUNCTION = [  # (name, image size, how torchvision's weights are copied)
    ("alexnet", 64, "order"), ("vgg11_bn", 32, "order"), ("googlenet", 64, "names"),
    ("resnet18", 64, "names"), ("resnet50", 64, "names"), ("resnext50_32x4d", 64, "names"),
    ("wide_resnet50_2", 64, "names"), ("densenet121", 64, "names"),
    ("regnet_x_400mf", 64, "regnet"), ("regnet_y_400mf", 64, "regnet"),
]


@pytest.mark.parametrize("name, size, how", SAME_FUNCTION, ids=[c[0] for c in SAME_FUNCTION])
def test_same_outputs_as_torchvision_with_its_weights(name, size, how):
    torch.manual_seed(0)
    theirs = {"init_weights": False} if name == "googlenet" else {}
    mine, reference = build_pair(name, {}, theirs, num_classes=10, device="cpu")
    for module in reference.modules():  # non-trivial batch-norm statistics, so they matter
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1), module.running_var.uniform_(0.5, 1.5)
    if how == "names":  # same module names: torchvision's state dict loads as it is (strict)
        mine.load_state_dict(reference.state_dict())
    else:
        copy_weights_in_order(reference, mine, key=regnet_order() if how == "regnet" else None)
    mine.eval(), reference.eval()
    images = torch.randn(2, 3, size, size)
    with torch.no_grad():
        expected, actual = reference(images), mine(images)
    assert expected.abs().max() > 0
    torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-6)
