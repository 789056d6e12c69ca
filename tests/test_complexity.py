"""cnnbook.complexity: parameters, FLOPs, saved activations and latency, and torchvision's metadata."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from cnnbook import complexity, models
from cnnbook.errors import CnnbookError, CnnbookTypeError
from cnnbook.inspection import count_flops
from cnnbook.memory import saved_activation_bytes


def small_network() -> nn.Module:
    """Convolution, batch norm, ReLU, pooling, dropout and a linear layer: every kind of saved tensor."""
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Dropout(0.5), nn.Linear(16, 10))


def test_forward_costs_agree_with_count_flops_and_saved_activation_bytes():
    torch.manual_seed(0)
    network = small_network()
    shape = (2, 3, 32, 32)
    flops, saved = complexity.forward_costs(network, shape)
    assert flops == count_flops(network, shape)
    assert saved == saved_activation_bytes(network, shape)
    with torch.device("meta"):
        on_meta = small_network()
    assert complexity.forward_costs(on_meta, shape) == (flops, saved), "the meta device counts the same"


def test_forward_costs_restore_the_model():
    torch.manual_seed(0)
    network = small_network().eval()
    before = {name: tensor.clone() for name, tensor in network.state_dict().items()}
    complexity.forward_costs(network, (2, 3, 16, 16))
    assert not network.training
    assert all(torch.equal(before[name], tensor) for name, tensor in network.state_dict().items())


def test_one_image_is_half_of_two_up_to_batch_statistics():
    with torch.device("meta"):
        network = small_network()
    one = complexity.forward_costs(network, (1, 3, 32, 32))
    two = complexity.forward_costs(network, (2, 3, 32, 32))
    assert two[0] == 2 * one[0]
    assert abs(two[1] - 2 * one[1]) <= 2 * 8 * 4 * 4, "only batch norm's per-channel values do not double"


def test_cost_row_agrees_with_torchvision_metadata():
    row = complexity.cost_row("resnet18")
    assert row.parameters == 11_689_512 == row.published.num_params
    assert row.same_parameters and row.same_ops
    assert round(row.gflops, 2) == 3.63
    assert row.saved_bytes > 0 and row.saved_bytes % 4 == 0


def test_googlenet_is_built_without_auxiliary_classifiers():
    row = complexity.cost_row("googlenet")
    assert row.same_parameters and row.same_ops


def test_published_reads_the_metadata_offline():
    first = complexity.published("resnet50")
    assert first.weights == "IMAGENET1K_V1" and 70 < first.top1 < first.top5 < 100
    assert complexity.published("resnet50", "IMAGENET1K_V2").top1 > first.top1
    assert complexity.weights_names("vgg16") == ("IMAGENET1K_V1",), "feature-only weights have no accuracy"


def test_inference_latency_is_a_positive_time_and_restores_the_mode():
    network = small_network().train()
    seconds = complexity.inference_latency(network, (2, 3, 32, 32), repeats=2)
    assert seconds > 0 and math.isfinite(seconds)
    assert network.training


def test_inference_latency_of_a_book_model_skips_the_probe():
    network = models.resnet18(num_classes=10)
    assert complexity.inference_latency(network, (1, 3, 64, 64), repeats=1) > 0


def test_pareto_front():
    costs = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 2.5}
    accuracies = {"a": 60.0, "b": 70.0, "c": 75.0, "d": 65.0}
    assert complexity.pareto_front(costs, accuracies) == ["a", "b", "c"]
    assert complexity.pareto_front({"x": 1, "y": 1}, {"x": 50, "y": 50}) == ["x", "y"], "ties beat no one"


@pytest.mark.parametrize("call", [
    lambda: complexity.check_model_name("resnet19"),
    lambda: complexity.build("resnet19"),
    lambda: complexity.build("resnet18", device="nowhere"),
    lambda: complexity.cost_row("resnet18", image_size=8),
    lambda: complexity.cost_row("resnet18", image_size=224.0),
    lambda: complexity.published("resnet18", "IMAGENET1K_V9"),
    lambda: complexity.weights_names(["resnet18"]),
    lambda: complexity.forward_costs(small_network(), (2, 3, 0, 32)),
    lambda: complexity.forward_costs(small_network(), (1, 3, 1, 1)),
    lambda: complexity.inference_latency(small_network(), repeats=0),
    lambda: complexity.pareto_front({"a": 1.0}, {"b": 1.0}),
    lambda: complexity.pareto_front({}, {}),
    lambda: complexity.pareto_front({"a": float("nan")}, {"a": 1.0}),
    lambda: complexity.pareto_front({"a": 1.0}, {"a": "high"}),
])
def test_bad_input_gives_a_clear_error(call):
    with pytest.raises(CnnbookError):
        call()


def test_model_must_be_a_module_and_real_for_timing():
    with pytest.raises(CnnbookTypeError):
        complexity.forward_costs("resnet18")
    with pytest.raises(CnnbookTypeError):
        complexity.pareto_front([1.0], [2.0])
    with torch.device("meta"):
        network = small_network()
    with pytest.raises(CnnbookError, match="meta device"):
        complexity.inference_latency(network)
