"""Squeeze-and-excitation ResNets (cnnbook.models.resnet_variants) and the variants the
"ResNet variants" page compares: shapes, parameter counts against torchvision (where it has the
model) or against the SE formula, the gate, and clear errors."""
from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

import cnnbook.models as models
from cnnbook.errors import CnnbookError
from cnnbook.inspection import count_flops, count_parameters
from cnnbook.models.resnet import last_residual_weight
from cnnbook.models.resnet_variants import SE_REDUCTION, SEBottleneck, se_bottleneck, se_resnet


def se_parameters(layers, expansion=4, widths=(64, 128, 256, 512), reduction=SE_REDUCTION):
    """Parameters squeeze-and-excitation adds to a bottleneck ResNet: per block on C output channels,
    C -> C/r (weights and biases) and C/r -> C (weights and biases)."""
    total = 0
    for blocks, width in zip(layers, widths):
        channels = width * expansion
        squeezed = channels // reduction
        total += blocks * (channels * squeezed + squeezed + squeezed * channels + channels)
    return total


@pytest.mark.parametrize("factory, base, layers", [
    (models.se_resnet50, torchvision.models.resnet50, (3, 4, 6, 3)),
    (models.se_resnet101, torchvision.models.resnet101, (3, 4, 23, 3)),
    (models.se_resnext50_32x4d, torchvision.models.resnext50_32x4d, (3, 4, 6, 3)),
])
def test_se_parameters_are_torchvision_base_plus_the_se_units(factory, base, layers):
    with torch.device("meta"):
        ours, reference = factory(), base(weights=None)
    assert count_parameters(ours) == count_parameters(reference) + se_parameters(layers)


def test_se_resnet50_parameter_count():
    # ResNet-50's 25,557,032 + 2,530,992 for the 16 SE units (Hu et al.: "~2.5 million additional parameters")
    with torch.device("meta"):
        assert count_parameters(models.se_resnet50()) == 28_088_024


def test_se_resnet50_has_resnet50_flops_plus_the_small_fc_layers():
    with torch.device("meta"):
        se, plain = models.se_resnet50(), torchvision.models.resnet50(weights=None)
    extra = count_flops(nn.Sequential(*list(se.children())[:-1], nn.Flatten(), se.fc), (1, 3, 224, 224)) \
        - count_flops(plain, (1, 3, 224, 224))
    # the two 1x1 layers per block on a 1x1 map: 2 FLOPs per weight
    assert extra == 2 * sum(m.weight.numel() for n, m in se.named_modules() if ".se.fc" in n)


def test_output_shape_and_the_block_layout():
    torch.manual_seed(0)
    model = models.se_resnet50(num_classes=10).eval()
    with torch.no_grad():
        assert model(torch.zeros(2, 3, 64, 64)).shape == (2, 10)
    block = model.layer3[0]
    assert isinstance(block, SEBottleneck) and block.se.fc1.out_channels == 1024 // 16
    assert block.se.fc2.out_channels == block.conv3.out_channels == 1024
    assert block.conv2.groups == 1


def test_se_resnext_groups_and_small_grayscale_network():
    with torch.device("meta"):
        model = models.se_resnext50_32x4d()
    assert model.layer1[0].conv2.groups == 32 and model.layer1[0].conv2.out_channels == 128
    torch.manual_seed(0)
    small = models.ResNet(models.SEBottleneck, (1, 1), in_channels=1, num_classes=10, stage_widths=(8, 16),
                          small_stem=True).eval()
    with torch.no_grad():
        assert small(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_the_gate_is_in_0_1_and_rescales_each_channel_of_the_branch():
    torch.manual_seed(0)
    block = SEBottleneck(64, 64).eval()
    branch = torch.randn(2, 64, 7, 7)
    se = block.se
    gate = torch.sigmoid(se.fc2(se.relu(se.fc1(se.avgpool(branch)))))
    assert gate.shape == (2, 64, 1, 1) and bool((gate > 0).all()) and bool((gate < 1).all())
    assert torch.allclose(se(branch), branch * gate)


def test_zero_init_residual_makes_the_se_block_the_identity():
    torch.manual_seed(0)
    model = models.ResNet(models.SEBottleneck, (2,), in_channels=1, num_classes=10, stage_widths=(8,),
                          small_stem=True, zero_init_residual=True).eval()
    block = model.layer1[1]
    assert not last_residual_weight(block).any()
    images = torch.randn(2, 32, 5, 5).abs()
    with torch.no_grad():
        assert torch.equal(block(images), images)


def test_reduction_ratio_changes_the_se_layers_only():
    with torch.device("meta"):
        r8, r16 = models.se_resnet50(reduction=8), models.se_resnet50()
    assert r8.layer4[0].se.fc1.out_channels == 2048 // 8
    assert count_parameters(r8) - count_parameters(r16) == se_parameters((3, 4, 6, 3), reduction=8) \
        - se_parameters((3, 4, 6, 3))
    assert se_bottleneck() is SEBottleneck and se_bottleneck(8).reduction == 8


@pytest.mark.parametrize("reduction", [0, -4, 2.5, "16", None, True])
def test_bad_reduction_is_a_clear_error(reduction):
    with pytest.raises(CnnbookError, match="reduction"):
        models.se_resnet50(reduction=reduction)


def test_bad_classes_and_groups_are_clear_errors():
    with pytest.raises(CnnbookError, match="num_classes"):
        models.se_resnet50(num_classes=0)
    with pytest.raises(CnnbookError, match="groups"):
        SEBottleneck(256, 256, bottleneck_channels=128, groups=3)
    with pytest.raises(CnnbookError, match="layers"):
        se_resnet([])


@pytest.mark.parametrize("name", ["wide_resnet50_2", "resnext50_32x4d"])
def test_the_compared_torchvision_models_match(name):
    with torch.device("meta"):
        ours, reference = models.get_model(name), torchvision.models.get_model(name, weights=None)
    assert count_parameters(ours) == count_parameters(reference)
