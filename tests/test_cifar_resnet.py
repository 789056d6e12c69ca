"""The CIFAR-style ResNets and plain networks (He et al. 2016, section 4.2) and the degradation experiment."""
from __future__ import annotations

import pytest
import torch

from cnnbook import models
from cnnbook.errors import CnnbookError
from cnnbook.experiments import EXPERIMENTS
from cnnbook.inspection import count_parameters
from cnnbook.models.cifar_resnet import CIFAR_DEPTHS, PlainBlock, ZeroPadShortcut, blocks_for_depth, cifar_resnet


def weighted_layers(model: torch.nn.Module) -> int:
    """Convolutions and linear layers outside the shortcuts: the depth the paper counts."""
    return sum(isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) and "downsample" not in name
               for name, m in model.named_modules())


@pytest.mark.parametrize("depth", CIFAR_DEPTHS)
@pytest.mark.parametrize("residual", [True, False])
def test_depth_is_6n_plus_2_weighted_layers(depth, residual):
    with torch.device("meta"):
        model = cifar_resnet(depth, residual)
    assert weighted_layers(model) == depth == model.depth
    assert [len(getattr(model, name)) for name in model.stage_names] == [blocks_for_depth(depth)] * 3


# He et al. (2016), Table 6: ResNet-20 has 0.27M parameters, ResNet-56 0.85M, ResNet-110 1.7M (CIFAR-10)
@pytest.mark.parametrize("depth, paper_millions", [(20, 0.27), (32, 0.46), (44, 0.66), (56, 0.85), (110, 1.7)])
def test_parameter_counts_match_the_paper(depth, paper_millions):
    option_a = count_parameters(cifar_resnet(depth, in_channels=3, shortcut="A"))
    option_b = count_parameters(cifar_resnet(depth, in_channels=3, shortcut="B"))
    assert abs(option_a / 1e6 - paper_millions) < 0.006 * depth / 20  # the paper rounds to 2 digits
    # option B's two projections (1x1 conv + BN, 16->32 and 32->64) add 512+64 + 2048+128 parameters
    assert option_b - option_a == 16 * 32 + 2 * 32 + 32 * 64 + 2 * 64


def test_resnet20_and_resnet56_exact_counts():
    assert count_parameters(models.resnet20(in_channels=3)) == 269_722  # option A (0.27M); option B: 272,474
    assert count_parameters(models.resnet56(in_channels=3)) == 853_018  # option A (0.85M); option B: 855,770


@pytest.mark.parametrize("depth", [8, 20, 56])
def test_plain_and_residual_have_the_same_layers_and_initial_weights(depth):
    torch.manual_seed(3)
    plain = cifar_resnet(depth, residual=False)
    torch.manual_seed(3)
    residual = cifar_resnet(depth, residual=True)
    plain_state, residual_state = plain.state_dict(), residual.state_dict()
    assert count_parameters(plain) == count_parameters(residual)
    assert list(plain_state) == list(residual_state)
    assert all(torch.equal(plain_state[key], residual_state[key]) for key in plain_state)
    assert all(isinstance(block, PlainBlock) and block.downsample is None
               for name in plain.stage_names for block in getattr(plain, name))
    shortcuts = [m for m in residual.modules() if isinstance(m, ZeroPadShortcut)]
    assert len(shortcuts) == 2 and not any(True for s in shortcuts for _ in s.parameters())


def test_plain_and_residual_compute_different_functions():
    torch.manual_seed(0)
    plain = cifar_resnet(8, residual=False).eval()
    torch.manual_seed(0)
    residual = cifar_resnet(8, residual=True).eval()
    images = torch.randn(2, 1, 28, 28)
    assert not torch.allclose(plain(images), residual(images))


@pytest.mark.parametrize("size, shapes", [(28, [(16, 28), (32, 14), (64, 7)]), (32, [(16, 32), (32, 16), (64, 8)])])
@pytest.mark.parametrize("shortcut", ["A", "B"])
def test_output_and_stage_shapes(size, shapes, shortcut):
    model = cifar_resnet(20, shortcut=shortcut, num_classes=7, in_channels=3).eval()
    assert model.min_input_size == 1  # found by shape-only runs: done now, before the hooks below
    seen = []
    for name in model.stage_names:
        getattr(model, name).register_forward_hook(lambda module, inputs, output: seen.append(tuple(output.shape)))
    with torch.no_grad():
        out = model(torch.randn(2, 3, size, size))
    assert out.shape == (2, 7)
    assert seen == [(2, channels, side, side) for channels, side in shapes]


def test_zero_pad_shortcut_keeps_the_input_and_pads_zeros():
    x = torch.randn(2, 4, 7, 7)
    y = ZeroPadShortcut(4, 8, 2)(x)
    assert y.shape == (2, 8, 4, 4)
    assert torch.equal(y[:, :4], x[:, :, ::2, ::2]) and not y[:, 4:].any()


def test_named_factories():
    for name, depth, residual in [("resnet20", 20, True), ("plain20", 20, False), ("resnet56", 56, True),
                                  ("plain56", 56, False)]:
        with torch.device("meta"):
            model = models.get_model(name)
        assert (model.depth, model.residual, model.in_channels, model.num_classes) == (depth, residual, 1, 10)


@pytest.mark.parametrize("depth", [21, 2, 0, -4, 7, 8.0, "20", None, True])
def test_depth_that_is_not_6n_plus_2_is_a_clear_error(depth):
    with pytest.raises(CnnbookError, match=r"depth=.* is not 6n\+2.*8, 14, 20, 26, 32, 38, 44, 50, 56"):
        cifar_resnet(depth)


@pytest.mark.parametrize("arguments, name", [({"residual": "yes"}, "residual"), ({"shortcut": "C"}, "shortcut"),
                                             ({"width": 0}, "width"), ({"num_classes": 0}, "num_classes"),
                                             ({"in_channels": 2.5}, "in_channels")])
def test_bad_arguments_name_the_argument(arguments, name):
    with pytest.raises(CnnbookError, match=name):
        cifar_resnet(20, **arguments)


@pytest.mark.slow
def test_degradation_experiment_is_registered_and_its_smoke_run_has_the_stored_structure(smoke_run):
    from cnnbook.experiments import degradation, dependencies
    assert "degradation" in EXPERIMENTS
    assert "cnnbook.models.cifar_resnet" in dependencies(degradation)
    result = smoke_run("degradation")
    assert result["settings"]["depths"] == [8] and result["settings"]["epochs"] == 1
    assert [(r["kind"], r["depth"], r["seed"]) for r in result["runs"]] == [("plain", 8, 0), ("residual", 8, 0)]
    for run in result["runs"]:
        assert set(run["curves"]) == {"train_loss", "train_error", "eval_error", "lr"}
        assert all(len(curve) == 1 for curve in run["curves"].values())
        assert 0.0 <= run["train_error"] <= 1.0 and 0.0 <= run["eval_error"] <= 1.0
    assert set(result["summary"]) == {"plain", "residual"}
    assert set(result["summary"]["plain"]["8"]["eval_error"]) == {"mean", "std", "min", "max", "n"}
