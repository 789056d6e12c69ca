"""The gradient-flow tools (cnnbook.gradients) and their experiment (cnnbook.experiments.gradient_flow)."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from cnnbook.errors import CnnbookError, CnnbookTypeError
from cnnbook.debugging import activation_statistics
from cnnbook.gradients import (fixed_batches, stem_and_blocks, gradient_norms, residual_blocks, weighted_layers,
                                   zero_init_last_bn)
from cnnbook.models.cifar_resnet import cifar_resnet
from cnnbook.experiments.registry import EXPERIMENTS


def _batch(n=4, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 1, 28, 28, generator=generator), torch.randint(0, 10, (n,), generator=generator)


@pytest.mark.parametrize("residual", [False, True])
def test_gradient_norms_per_layer_and_block_leave_the_model_unchanged(residual):
    torch.manual_seed(0)
    model = cifar_resnet(8, residual=residual)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = gradient_norms(model, [_batch(), _batch(seed=1)])
    assert len(result["layers"]) == len(result["weight_grad"]) == 8  # depth 6n + 2 weighted layers
    assert result["blocks"] == ["layer1.0", "layer2.0", "layer3.0"] and len(result["output_grad"]) == 3
    assert all(v > 0 and torch.isfinite(torch.tensor(v)) for v in result["weight_grad"] + result["output_grad"])
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_gradient_norms_match_a_hand_computed_backward_pass():
    torch.manual_seed(0)
    model = cifar_resnet(8)
    images, labels = _batch()
    result = gradient_norms(model, (images, labels))
    nn.functional.cross_entropy(model.train()(images), labels).backward()
    assert result["weight_grad"][0] == pytest.approx(model.conv1.weight.grad.norm().item(), rel=1e-5)
    assert result["weight_grad"][-1] == pytest.approx(model.fc.weight.grad.norm().item(), rel=1e-5)


def test_zero_init_makes_every_block_an_identity_path():
    torch.manual_seed(0)
    model = zero_init_last_bn(cifar_resnet(8)).eval()
    images, _ = _batch()
    with torch.no_grad():
        x = model.relu(model.bn1(model.conv1(images)))
        for _, block in residual_blocks(model):
            x = x if block.downsample is None else block.downsample(x)
        direct = model.fc(torch.flatten(model.avgpool(x), 1))
        assert torch.equal(model(images), direct)
    stds = activation_statistics(model, images, stem_and_blocks(model))
    assert list(stds) == ["stem", "layer1.0", "layer2.0", "layer3.0"]
    assert stds["stem"][1] == pytest.approx(model.relu(model.bn1(model.conv1(images))).std().item())
    # with a zero last scale the block's convolutions get no gradient at all
    norms = gradient_norms(model, [_batch()])
    assert norms["weight_grad"][1] == 0.0 and norms["weight_grad"][0] > 0


def test_weighted_layers_leave_out_projection_shortcuts():
    assert len(weighted_layers(cifar_resnet(20, shortcut="B"))) == 20


def test_fixed_batches_are_the_first_images_in_order():
    dataset = [(torch.full((1, 2, 2), float(i)), i % 10) for i in range(10)]
    batches = fixed_batches(dataset, 4, 2)
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(CnnbookError, match="count"):
        fixed_batches(dataset, 4, 3)
    with pytest.raises(CnnbookError, match="batch_size"):
        fixed_batches(dataset, 1, 1)


@pytest.mark.parametrize("call, match", [
    (lambda: gradient_norms("resnet", [_batch()]), "model"),
    (lambda: gradient_norms(nn.Linear(2, 2), [_batch()]), "model"),
    (lambda: gradient_norms(cifar_resnet(8), []), "batches"),
    (lambda: gradient_norms(cifar_resnet(8), 3), "batches"),
    (lambda: gradient_norms(cifar_resnet(8), [(torch.zeros(1, 28, 28), torch.zeros(1, dtype=torch.long))]), "images"),
    (lambda: gradient_norms(cifar_resnet(8), [(torch.zeros(2, 1, 28, 28), torch.zeros(2))]), "labels"),
    (lambda: gradient_norms(cifar_resnet(8), [_batch()], train_mode="yes"), "train_mode"),
    (lambda: stem_and_blocks(nn.Linear(2, 2)), "model"),
    (lambda: zero_init_last_bn(cifar_resnet(8, residual=False)), "plain"),
])
def test_bad_input_gets_a_clear_error(call, match):
    with pytest.raises(CnnbookError, match=match):
        call()


def test_bad_model_type_is_a_type_error():
    with pytest.raises(CnnbookTypeError):
        residual_blocks(42)


@pytest.mark.parametrize("options, match", [({"workers": 0}, "workers"), ({"depth": 9}, "depth"),
                                            ({"epochs": 0}, "epochs")])
def test_experiment_checks_its_options_before_training(options, match):
    from cnnbook.experiments import gradient_flow, run_experiment
    with pytest.raises(CnnbookError, match=match):
        run_experiment(gradient_flow, smoke=True, **options)


@pytest.mark.slow
def test_smoke_result_has_the_schema_the_page_reads(smoke_run):
    result = smoke_run("gradient_flow")
    assert result["name"] == "gradient_flow"
    settings = result["settings"]
    assert settings["variants"] == ["plain", "residual", "residual_zero_init"] and settings["epochs"] == 1
    assert len(result["runs"]) == 3 and set(result["summary"]) == set(settings["variants"])
    for run in result["runs"]:
        layers, blocks = len(run["layers"]), len(run["blocks"])
        assert layers == settings["depth"] and blocks == (settings["depth"] - 2) // 2
        assert len(run["weight_grad"]) == len(run["output_grad"]) == len(run["activation_std"]) == run["epochs"] + 1
        assert all(len(epoch) == layers for epoch in run["weight_grad"])
        assert all(len(epoch) == blocks for epoch in run["output_grad"])
        assert set(run["curves"]) == {"train_loss", "train_error", "eval_error", "lr"}
    for variant, summary in result["summary"].items():
        assert len(summary["final_weight_grad"]) == settings["depth"]
        assert {"mean", "std", "min", "max", "n"} <= set(summary["eval_error"])


def test_measuring_leaves_the_input_size_check_on():
    """The hooks of the measurements must not see the input check's shape-only probe (which would fail
    under them and switch the check off)."""
    torch.manual_seed(0)
    model = cifar_resnet(8)
    images, _ = _batch()
    activation_statistics(model, images, stem_and_blocks(model))
    gradient_norms(model, [_batch()])
    assert model._min_input_size_key is not None, "the probe ran"
    assert model._min_input_size == cifar_resnet(8).min_input_size is not None


@pytest.mark.slow
def test_zero_init_smoke_result_has_the_schema_the_page_reads(smoke_run):
    from cnnbook.experiments import dependencies, zero_init
    assert "zero_init" in EXPERIMENTS
    assert "cnnbook.gradients" in dependencies(zero_init)
    result = smoke_run("zero_init")
    settings = result["settings"]
    assert result["name"] == "zero_init" and settings["inits"] == ["default", "zero_init"]
    assert list(settings["recipes"]) == list(zero_init.RECIPES)
    assert len(result["runs"]) == 2 * len(zero_init.RECIPES)
    for run in result["runs"]:
        assert set(run["curves"]) == {"train_loss", "train_error", "eval_error", "lr", "last_scale"}
        # the scales before training and after each epoch
        assert len(run["curves"]["last_scale"]) == run["epochs"] + 1
        start = run["curves"]["last_scale"][0]
        assert start == (0.0 if run["init"] == "zero_init" else 1.0)
        assert 0.0 <= run["train_error"] <= 1.0
    for recipe in zero_init.RECIPES:
        assert set(result["summary"][recipe]) == {"default", "zero_init"}
        assert {"mean", "std", "min", "max", "n"} <= set(result["summary"][recipe]["zero_init"]["last_scale"])


def test_zero_init_scales_grow_only_through_their_own_gradient():
    """With every last scale at 0, one SGD step moves the scales but not the branch's last convolution: the
    gradient reaching it is multiplied by the scale (the mechanism the residual-learning page measures)."""
    from cnnbook.experiments.zero_init import last_scales
    torch.manual_seed(0)
    model = zero_init_last_bn(cifar_resnet(8))
    assert last_scales(model) == 0.0
    images, labels = _batch()
    torch.nn.functional.cross_entropy(model(images), labels).backward()
    assert model.layer1[0].conv2.weight.grad.abs().max() == 0
    assert model.layer1[0].bn2.weight.grad.abs().max() > 0
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    assert last_scales(model) > 0.0
