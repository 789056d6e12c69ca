"""cnnbook.debugging: the tools of chapter 2's debugging page."""
from __future__ import annotations

import pytest
import torch

from cnnbook import models
from cnnbook.debugging import activation_statistics, check_block_shapes
from cnnbook.errors import CnnbookError


class ForgotProjection(models.BasicBlock):
    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__(in_channels, out_channels, stride)
        self.downsample = None


def test_activation_statistics_match_the_outputs():
    torch.manual_seed(0)
    network = models.cifar_resnet(8).eval()
    images = torch.randn(4, 1, 28, 28)
    statistics = activation_statistics(network, images)
    assert list(statistics) == ["layer1.0", "layer2.0", "layer3.0"]
    with torch.no_grad():
        expected = network.layer1(network.relu(network.bn1(network.conv1(images))))
    mean, std = statistics["layer1.0"]
    assert mean == pytest.approx(expected.mean().item(), rel=1e-5)
    assert std == pytest.approx(expected.std().item(), rel=1e-5)
    # the hooks are gone afterwards
    assert all(not module._forward_hooks for module in network.modules())


def test_activation_statistics_of_named_modules_and_bad_input():
    network = models.cifar_resnet(8)
    assert list(activation_statistics(network, torch.randn(2, 1, 28, 28), {"stem": network.relu})) == ["stem"]
    with pytest.raises(CnnbookError, match="at least one"):
        activation_statistics(network, torch.randn(2, 1, 28, 28), {})
    with pytest.raises(CnnbookError, match="images"):
        activation_statistics(network, torch.randn(1, 28, 28))
    with pytest.raises(CnnbookError, match="name the modules"):
        activation_statistics(models.lenet(), torch.randn(2, 1, 28, 28))  # no blocks to watch by default


def test_check_block_shapes_good_and_bad():
    assert check_block_shapes(models.BasicBlock(16, 32, stride=2), (1, 16, 28, 28)) == (1, 32, 14, 14)
    assert check_block_shapes(models.Bottleneck(64, 256, stride=2), (1, 64, 56, 56)) == (1, 256, 28, 28)
    with pytest.raises(CnnbookError) as caught:
        check_block_shapes(ForgotProjection(16, 32, stride=2), (1, 16, 28, 28))
    message = str(caught.value)
    assert "(1, 32, 14, 14)" in message and "(1, 16, 28, 28)" in message and "projection_shortcut" in message
    with pytest.raises(CnnbookError, match="input_shape"):
        check_block_shapes(models.BasicBlock(16, 16), (16, 28, 28))
