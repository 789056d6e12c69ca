"""Building blocks: shapes, the RegNet width rule, GoogLeNet's auxiliary outputs, the small
variants, and clear errors for bad settings and bad input."""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision.models.regnet import BlockParams

import cnnbook.models as models
from cnnbook.models.regnet import REGNET_PARAMETERS, round_to_multiple


def test_vgg_block_halves_the_resolution():
    block = models.VGGBlock(3, 16, num_convs=2, batch_norm=True)
    assert block(torch.zeros(2, 3, 10, 12)).shape == (2, 16, 5, 6)
    assert sum(isinstance(m, nn.Conv2d) for m in block) == 2
    assert sum(isinstance(m, nn.BatchNorm2d) for m in block) == 2


def test_vgg_configs_have_the_named_depth():
    for depth, config in models.VGG_CONFIGS.items():
        assert sum(num_convs for num_convs, _ in config) + 3 == depth  # + 3 fully connected layers


def test_nin_block_shape():
    block = models.NiNBlock(1, 8, kernel_size=5, stride=1, padding=2)
    assert block(torch.zeros(2, 1, 28, 28)).shape == (2, 8, 28, 28)
    assert [m.kernel_size for m in block if isinstance(m, nn.Conv2d)] == [(5, 5), (1, 1), (1, 1)]


def test_inception_concatenates_its_four_branches():
    block = models.Inception(192, 64, 96, 128, 16, 32, 32)
    assert block(torch.zeros(2, 192, 28, 28)).shape == (2, 64 + 128 + 32 + 32, 28, 28)
    paper = models.Inception(192, 64, 96, 128, 16, 32, 32, large_kernel_size=5)
    assert paper.branch3[1].conv.kernel_size == (5, 5)


@pytest.mark.parametrize("block, expansion", [(models.BasicBlock, 1), (models.Bottleneck, 4),
                                              (models.PreActBasicBlock, 1), (models.PreActBottleneck, 4)])
def test_residual_blocks_shapes_and_shortcuts(block, expansion):
    assert block.expansion == expansion
    keep = block(64, 64)
    assert keep.downsample is None
    assert keep(torch.randn(2, 64, 8, 8)).shape == (2, 64, 8, 8)
    down = block(64, 128, stride=2)
    assert down.downsample is not None
    assert down(torch.randn(2, 64, 8, 8)).shape == (2, 128, 4, 4)


def test_residual_block_adds_its_input():
    block = models.BasicBlock(8, 8).eval()
    nn.init.zeros_(block.bn2.weight)  # F(x) = 0: the block is relu(x)
    x = torch.randn(2, 8, 5, 5)
    torch.testing.assert_close(block(x), torch.relu(x))


def test_bottleneck_groups_and_width():
    block = models.Bottleneck(256, 256, bottleneck_channels=128, groups=32)
    assert block.conv2.groups == 32 and block.conv2.in_channels == 128
    assert block.conv2.weight.shape == (128, 4, 3, 3)  # each group sees 128 / 32 = 4 channels


def test_resnext_names_cardinality_and_width_per_group():
    model = models.resnext50_32x4d()
    first, last = model.layer1[0].conv2, model.layer4[0].conv2
    assert (first.groups, first.in_channels) == (32, 32 * 4)
    assert (last.groups, last.in_channels) == (32, 32 * 4 * 8)  # width per group doubles per stage
    assert (model.cardinality, model.width_per_group) == (32, 4)


def test_wide_resnet_widens_only_the_bottleneck():
    wide, plain = models.wide_resnet50_2(), models.resnet50()
    assert wide.layer1[0].conv2.in_channels == 2 * plain.layer1[0].conv2.in_channels
    assert wide.layer1[0].conv3.out_channels == plain.layer1[0].conv3.out_channels == 256


def test_squeeze_excitation_rescales_channels():
    se = models.SqueezeExcitation(8, 2)
    x = torch.rand(2, 8, 4, 4) + 0.1
    ratio = se(x) / x
    assert ratio.shape == x.shape and 0 < ratio.min() and ratio.max() < 1
    assert torch.allclose(ratio, ratio[:, :, :1, :1].expand_as(ratio))  # one gate per channel


def test_preactivation_resnet_normalizes_before_pooling():
    model = models.preact_resnet18(num_classes=10)
    assert isinstance(model.final_norm[0], nn.BatchNorm2d)
    assert model(torch.randn(2, 3, 64, 64)).shape == (2, 10)


def test_dense_block_and_transition_shapes():
    block = models.DenseBlock(num_layers=4, in_channels=16, growth_rate=12)
    assert block.out_channels == 16 + 4 * 12
    y = block(torch.randn(2, 16, 8, 8))
    assert y.shape == (2, 64, 8, 8)
    x = torch.randn(2, 16, 8, 8)
    assert torch.equal(block(x)[:, :16], x)  # the block input is passed through unchanged
    assert models.Transition(64, 32)(y).shape == (2, 32, 4, 4)


# ---- RegNet's quantized linear rule ----

def test_width_rule_hand_worked_example():
    # u_j = 16 + 8 j = 16, 24, 32, 40, 48, 56; s_j = round(log2(u_j / 16)) = 0, 1, 1, 1, 2, 2
    assert models.quantized_linear_widths(6, 16, 8, 2) == [16, 32, 32, 32, 64, 64]
    stages = models.regnet_stages(6, 16, 8, 2, group_width=8)
    assert (stages.depths, stages.widths, stages.group_widths) == ([1, 3, 2], [16, 32, 64], [8, 8, 8])


def test_width_rule_regnet_x_400mf_by_hand():
    # widths 24, 64, 152, 392 (multiples of 8), then rounded to multiples of the group width 16
    widths = models.quantized_linear_widths(22, 24, 24.48, 2.54)
    assert sorted(set(widths)) == [24, 64, 152, 392]
    stages = models.regnet_stages(**REGNET_PARAMETERS["regnet_x_400mf"])
    assert stages.depths == [1, 2, 7, 12] and stages.widths == [32, 64, 160, 400]


def test_width_rule_with_zero_slope_is_one_stage():
    assert models.regnet_stages(4, 32, 0, 2.5, group_width=8).depths == [4]


def test_group_width_is_capped_at_the_bottleneck_width():
    widths, group_widths = models.adjust_widths_to_groups([80, 240], 1.0, 120)
    assert group_widths == [80, 120] and widths == [80, 240]
    assert round_to_multiple(100, 16) == 96 and round_to_multiple(24, 16) == 32 and round_to_multiple(5, 8) == 8


@pytest.mark.parametrize("name", sorted(REGNET_PARAMETERS))
def test_width_rule_matches_torchvision_block_params(name):
    theirs = BlockParams.from_init_params(**REGNET_PARAMETERS[name])
    ours = models.regnet_stages(**REGNET_PARAMETERS[name])
    assert ours.depths == theirs.depths
    assert ours.widths == theirs.widths
    assert ours.group_widths == theirs.group_widths


def test_regnet_factories_use_the_rule():
    model = models.regnet_y_400mf()
    assert model.design == models.regnet_stages(**REGNET_PARAMETERS["regnet_y_400mf"])
    assert [len(stage) for stage in model.stages] == model.design.depths
    assert [stage[0].conv3.out_channels for stage in model.stages] == model.design.widths
    block = model.stages[0][0]
    assert block.se is not None and block.se.fc1.out_channels == round(0.25 * 32)  # SE from the block input
    assert models.regnet_x_400mf().stages[0][0].se is None


@pytest.mark.parametrize("settings, argument", [
    (dict(w_a=-1.0), "w_a"), (dict(w_0=0), "w_0"), (dict(w_0=20), "w_0"), (dict(w_m=1.0), "w_m"),
    (dict(depth=0), "depth"), (dict(group_width=0), "group_width"),
])
def test_invalid_regnet_settings(settings, argument):
    parameters = dict(depth=6, w_0=16, w_a=8.0, w_m=2.0, group_width=8) | settings
    with pytest.raises(ValueError, match=argument):
        models.regnet_stages(**parameters)
    with pytest.raises(ValueError, match=argument):
        models.RegNet(**parameters)


# ---- GoogLeNet's auxiliary classifiers ----

def test_googlenet_aux_outputs_in_train_mode_only():
    model = models.googlenet(num_classes=7).train()
    outputs = model(torch.randn(2, 3, 96, 96))
    assert isinstance(outputs, models.GoogLeNetOutputs)
    assert [t.shape for t in outputs] == [(2, 7)] * 3
    assert outputs.logits is outputs[0] and outputs.aux_logits1 is outputs[2]
    logits = model.eval()(torch.randn(2, 3, 96, 96))
    assert isinstance(logits, torch.Tensor) and logits.shape == (2, 7)


def test_googlenet_without_aux_returns_logits_in_train_mode():
    model = models.googlenet(num_classes=7, aux_logits=False).train()
    assert model.aux1 is None and model.aux2 is None
    out = model(torch.randn(2, 3, 96, 96))
    assert isinstance(out, torch.Tensor) and out.shape == (2, 7)


# ---- small variants ----

@pytest.mark.parametrize("name, size", [(name, models.small_image_size(name)) for name in models.list_models("small")])
def test_small_variants_train_on_fashion_mnist_sized_batches(name, size):
    model = models.get_model(name)
    assert (model.in_channels, model.num_classes) == (1, 10)
    assert model.min_input_size <= size
    assert sum(p.numel() for p in model.parameters()) < 2_000_000
    logits = model(torch.randn(2, 1, size, size))
    assert logits.shape == (2, 10)
    nn.functional.cross_entropy(logits, torch.tensor([0, 1])).backward()
    assert all(p.grad is not None for p in model.parameters())


def test_regnet_small_y_has_squeeze_excitation():
    assert models.regnet_small(se_ratio=0.25).stages[0][0].se is not None


# ---- bad settings and bad input ----

@pytest.mark.parametrize("entry", [(2, "wide"), 64, (0, 64), (2, 64, 3), "M"])
def test_unknown_vgg_config_entry(entry):
    with pytest.raises(ValueError, match=r"architecture\[1\]"):
        models.VGG([(1, 64), entry])


def test_unknown_vgg_depth():
    with pytest.raises(ValueError, match="depth"):
        models.vgg(12)


def test_group_count_that_does_not_divide_the_channels():
    with pytest.raises(ValueError, match="groups=3"):
        models.Bottleneck(64, 256, bottleneck_channels=64, groups=3)
    with pytest.raises(ValueError, match="groups=0"):
        models.PreActBottleneck(64, 256, groups=0)
    with pytest.raises(ValueError, match="must be positive"):
        models.ResNeXt((1, 1, 1, 1), cardinality=0, width_per_group=4)


def test_group_width_that_does_not_divide_the_channels():
    with pytest.raises(ValueError, match="group_width=12"):
        models.AnyNet([1], [64], [12])


def test_basic_block_rejects_groups():
    with pytest.raises(ValueError, match="groups"):
        models.ResNet(models.BasicBlock, (2, 2, 2, 2), groups=2)


@pytest.mark.parametrize("factory, size, smallest", [
    (models.vgg11, 16, 32), (models.vgg11_small, 28, 32), (models.nin, 28, 67), (models.alexnet, 32, 63),
])
def test_image_too_small(factory, size, smallest):
    model = factory()
    assert model.min_input_size == smallest
    with pytest.raises(ValueError, match=f"at least {smallest}x{smallest}"):
        model(torch.zeros(1, model.in_channels, size, size))


@pytest.mark.parametrize("factory", [models.resnet18_small, models.densenet_small, models.regnet_small,
                                     models.googlenet_small])
def test_wrong_channel_count(factory):
    with pytest.raises(ValueError, match="in_channels=1"):
        factory()(torch.zeros(2, 3, 28, 28))


INCEPTION_3A = dict(in_channels=192, ch1x1=64, ch3x3_reduce=96, ch3x3=128, ch_large_reduce=16, ch_large=32, pool_proj=32)


@pytest.mark.parametrize("change, message", [
    (dict(ch1x1=0), r"ch1x1=0 is not allowed: ch1x1 must be an integer >= 1\."),
    (dict(pool_proj=-4), r"pool_proj=-4 is not allowed: pool_proj must be an integer >= 1\."),
    (dict(out_channels=200), r"out_channels=200 is not allowed: .*ch1x1 \+ ch3x3 \+ ch_large \+ pool_proj "
                             r"= 64 \+ 128 \+ 32 \+ 32 = 256\. Change a branch width or out_channels"),
    (dict(large_kernel_size=4), r"large_kernel_size=4 is not allowed: large_kernel_size must be an odd integer"),
])
def test_inception_rejects_bad_widths_with_a_clear_message(change, message):
    from cnnbook.errors import CnnbookError
    with pytest.raises(CnnbookError, match=message):
        models.Inception(**{**INCEPTION_3A, **change})


def test_inception_accepts_matching_out_channels():
    assert models.Inception(**INCEPTION_3A, out_channels=256).out_channels == 256
