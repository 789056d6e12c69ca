"""ResNet's zero-initialized residual branches, DenseNet's memory-efficient dense layers, and the
measurement of saved activations (cnnbook.memory) they are shown with."""
from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

import cnnbook.models as models
from cnnbook.errors import CnnbookError
from cnnbook.memory import saved_activation_bytes, training_step_time


@pytest.mark.parametrize("block", [models.BasicBlock, models.Bottleneck, models.PreActBasicBlock,
                                   models.PreActBottleneck])
def test_zero_init_residual_makes_every_block_the_identity_of_its_shortcut(block):
    torch.manual_seed(0)
    model = models.ResNet(block, (2, 1), in_channels=1, num_classes=10, stage_widths=(8, 16),
                          small_stem=True, zero_init_residual=True).eval()
    first_block = model.layer1[1]  # same shape in and out: identity shortcut
    in_channels = 8 * block.expansion
    images = torch.randn(2, in_channels, 6, 6).abs()  # non-negative: a ReLU after the addition keeps it
    with torch.no_grad():
        assert torch.allclose(first_block(images), images)


def test_zero_init_residual_zeroes_the_same_weights_as_torchvision():
    ours = models.ResNet(models.Bottleneck, (3, 4, 6, 3), zero_init_residual=True)
    reference = torchvision.models.resnet50(weights=None, zero_init_residual=True)
    def zero_scales(model):  # batch-norm gammas at 0 (the fc bias starts at 0 in ours, not in torchvision)
        return {name for name, p in model.named_parameters() if name.endswith("weight") and p.dim() == 1 and not p.any()}
    assert zero_scales(ours) == zero_scales(reference) and len(zero_scales(ours)) == 16


def test_zero_init_residual_must_be_a_bool():
    with pytest.raises(CnnbookError, match="zero_init_residual"):
        models.ResNet(models.BasicBlock, (1, 1, 1, 1), zero_init_residual="yes")


def test_memory_efficient_densenet_has_the_same_outputs_and_gradients():
    torch.manual_seed(0)
    normal = models.densenet_small()
    efficient = models.densenet_small(memory_efficient=True)
    efficient.load_state_dict(normal.state_dict())
    images = torch.randn(4, 1, 28, 28)
    outputs = [model(images) for model in (normal, efficient)]
    assert torch.allclose(outputs[0], outputs[1], atol=1e-6)
    for output in outputs:
        output.square().sum().backward()
    for (name, a), (_, b) in zip(normal.named_parameters(), efficient.named_parameters()):
        assert torch.allclose(a.grad, b.grad, rtol=1e-4, atol=1e-6), name


def test_memory_efficient_densenet_saves_less_for_the_backward_pass():
    normal = saved_activation_bytes(models.densenet_small(), (8, 1, 28, 28))
    efficient = saved_activation_bytes(models.densenet_small(memory_efficient=True), (8, 1, 28, 28))
    assert 0 < efficient < normal


def test_saved_activation_bytes_counts_what_a_layer_saves():
    # a convolution saves its input; a ReLU its output; the parameters are not counted
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.ReLU())
    assert saved_activation_bytes(model, (2, 1, 5, 5)) == 4 * (2 * 1 * 5 * 5 + 2 * 4 * 5 * 5)


def test_saved_activation_bytes_grows_with_the_batch_and_leaves_the_model_unchanged():
    model = models.resnet18_small().eval()
    before = {name: t.clone() for name, t in model.state_dict().items()}
    small, large = (saved_activation_bytes(model, (batch, 1, 28, 28)) for batch in (2, 4))
    assert small < large <= 2 * small  # per-image activations double; per-channel batch statistics do not
    assert not model.training
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, before[name]), name


def test_memory_measurements_need_a_batch_of_two():
    with pytest.raises(CnnbookError, match="batch of 1"):
        saved_activation_bytes(models.resnet18_small(), (1, 1, 28, 28))


def test_training_step_time_is_positive_and_restores_the_gradients():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.LazyLinear(3))
    model(torch.zeros(2, 1, 6, 6))
    assert training_step_time(model, (2, 1, 6, 6), min_run_time=0.01) > 0
    assert all(p.grad is None for p in model.parameters())


def test_dense_block_growth_rate_zero_is_a_clear_error():
    with pytest.raises(CnnbookError, match="growth_rate=0"):
        models.DenseBlock(num_layers=4, in_channels=16, growth_rate=0)
    with pytest.raises(CnnbookError, match="num_layers"):
        models.DenseBlock(num_layers=0, in_channels=16, growth_rate=12)


def test_resnext_groups_that_do_not_divide_the_width_are_a_clear_error():
    with pytest.raises(CnnbookError, match="positive divisor"):
        models.Bottleneck(256, 256, bottleneck_channels=100, groups=32)
