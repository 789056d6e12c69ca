"""Batch normalization from scratch: against PyTorch's layers, and a numerical gradient check."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import cnnbook.models as models
from cnnbook.models import BatchNorm, batchnorm_backward, batchnorm_forward, numerical_gradient


@pytest.mark.parametrize("shape, reference", [((8, 5), nn.BatchNorm1d), ((4, 3, 6, 6), nn.BatchNorm2d)])
def test_matches_pytorch_in_train_and_eval_mode(shape, reference):
    torch.manual_seed(0)
    ours, theirs = BatchNorm(shape[1], momentum=0.2), reference(shape[1], momentum=0.2)
    with torch.no_grad():
        for layer in (ours, theirs):
            layer.weight.copy_(torch.linspace(0.5, 2.0, shape[1]))
            layer.bias.copy_(torch.linspace(-1.0, 1.0, shape[1]))
    for _ in range(3):
        x = torch.randn(*shape) * 3 + 2
        torch.testing.assert_close(ours(x), theirs(x))
    torch.testing.assert_close(ours.running_mean, theirs.running_mean)
    torch.testing.assert_close(ours.running_var, theirs.running_var)
    assert not torch.allclose(ours.running_mean, torch.zeros(shape[1]))
    ours.eval(), theirs.eval()
    x = torch.randn(*shape)
    torch.testing.assert_close(ours(x), theirs(x))
    # eval mode uses the running statistics: one image gives the same answer alone or in a batch
    torch.testing.assert_close(ours(x[:1]), ours(x)[:1])


def test_train_mode_standardizes_each_channel():
    x = torch.randn(16, 3, 4, 4) * 5 + 7
    y = BatchNorm(3)(x)
    torch.testing.assert_close(y.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(y.var(dim=(0, 2, 3), unbiased=False), torch.ones(3), atol=1e-3, rtol=0)


def test_autograd_gradients_match_pytorch():
    torch.manual_seed(1)
    x1 = torch.randn(4, 3, 5, 5, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_()
    ours, theirs = BatchNorm(3), nn.BatchNorm2d(3)
    weights = torch.randn(4, 3, 5, 5)
    (ours(x1) * weights).sum().backward()
    (theirs(x2) * weights).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad)
    torch.testing.assert_close(ours.weight.grad, theirs.weight.grad)


def test_bad_input():
    with pytest.raises(ValueError, match="num_features=3"):
        BatchNorm(3)(torch.randn(4, 5))
    with pytest.raises(ValueError, match="shaped"):
        BatchNorm(3)(torch.randn(4, 3, 5))
    with pytest.raises(ValueError, match="batch of at least 2"):
        BatchNorm(3)(torch.randn(1, 3))


@pytest.mark.parametrize("shape", [(6, 4), (3, 2, 3, 3)])
def test_numpy_forward_matches_pytorch(shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    gamma, beta = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    out, _ = batchnorm_forward(x, gamma, beta)
    layer = BatchNorm(shape[1]).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma)), layer.bias.copy_(torch.from_numpy(beta))
        expected = layer(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("shape", [(6, 4), (3, 2, 3, 3)])
def test_numpy_backward_passes_numerical_gradient_check(shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape) * 2 + 1
    gamma, beta = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    upstream = rng.normal(size=shape)  # the loss is sum(upstream * out): dloss/dout = upstream

    def loss(x_: np.ndarray, gamma_: np.ndarray = gamma, beta_: np.ndarray = beta) -> float:
        return float((batchnorm_forward(x_, gamma_, beta_)[0] * upstream).sum())

    _, cache = batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = batchnorm_backward(upstream, cache)

    def relative_error(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))

    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-6
    assert relative_error(dgamma, numerical_gradient(lambda g: loss(x, g), gamma.copy())) < 1e-6
    assert relative_error(dbeta, numerical_gradient(lambda b: loss(x, gamma, b), beta.copy())) < 1e-6
    # and a wrong gradient would fail the check: drop the term through the batch variance
    wrong = cache.inv_std * (upstream * gamma.reshape((1, -1) + (1,) * (len(shape) - 2)))
    assert relative_error(wrong, numerical_gradient(loss, x)) > 1e-2


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: float((v ** 3).sum()), x), 3 * x ** 2, rtol=1e-8)


def test_lenets_differ_only_in_batch_norm():
    plain, normalized = models.lenet(), models.lenet_bn()
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, BatchNorm)
    kinds = lambda model: [type(m) for m in model.net if not isinstance(m, norms)]
    assert kinds(plain) == kinds(normalized)
    assert sum(isinstance(m, norms) for m in normalized.net) == 4
    assert not any(isinstance(m, nn.MaxPool2d) for m in plain.modules())
    assert sum(isinstance(m, nn.AvgPool2d) for m in plain.modules()) == 2
    assert [m.padding for m in plain.net if isinstance(m, nn.Conv2d)] == \
        [m.padding for m in normalized.net if isinstance(m, nn.Conv2d)]


def test_lenet_with_scratch_batch_norm_computes_what_pytorch_batch_norm_does():
    torch.manual_seed(0)
    ours, theirs = models.lenet_bn(scratch_batch_norm=True), models.lenet_bn()
    ours.load_state_dict({k: v for k, v in theirs.state_dict().items() if "num_batches_tracked" not in k})
    x = torch.randn(8, 1, 28, 28)
    torch.testing.assert_close(ours(x), theirs(x))  # train mode: batch statistics
    ours.eval(), theirs.eval()
    torch.testing.assert_close(ours(x), theirs(x))  # eval mode: the running statistics just updated


def test_lenet_bn_after_puts_batch_norm_after_each_activation():
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, BatchNorm)
    for scratch in (False, True):
        before = list(models.lenet_bn(scratch_batch_norm=scratch).net)
        after = list(models.lenet_bn(scratch_batch_norm=scratch, batch_norm_position="after").net)
        assert [type(m) for m in before if not isinstance(m, norms)] == [type(m) for m in after if not isinstance(m, norms)]
        for layers, offset in ((before, 1), (after, -1)):  # the activation follows / precedes each norm
            positions = [i for i, m in enumerate(layers) if isinstance(m, norms)]
            assert len(positions) == 4
            assert all(isinstance(layers[i + offset], nn.Sigmoid) for i in positions)
        # and each norm still has the width of the layer before the activation
        widths = [m.num_features for m in after if isinstance(m, norms)]
        assert widths == [6, 16, 120, 84]
    assert models.lenet_bn(batch_norm_position="after")(torch.randn(4, 1, 28, 28)).shape == (4, 10)


@pytest.mark.parametrize("position", ["between", "Before", None, 1])
def test_lenet_bn_rejects_an_unknown_position_clearly(position):
    with pytest.raises(ValueError, match=r"batch_norm_position=.* must be one of 'before', 'after'"):
        models.lenet_bn(batch_norm_position=position)


def test_a_batch_of_one_in_training_mode_gets_the_books_message():
    one = torch.randn(1, 1, 28, 28)
    with pytest.raises(ValueError, match="batch of at least 2"):
        models.lenet_bn(scratch_batch_norm=True)(one)
    model = models.lenet_bn().eval()  # evaluation mode: the moving averages, one image is fine
    assert model(one).shape == (1, 10)


@pytest.mark.parametrize("dtype", [np.int64, np.float16])
def test_numerical_gradient_refuses_arrays_that_cannot_hold_the_step_with_the_fix(dtype):
    with pytest.raises(TypeError, match=r"astype\(np.float64\)"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(3, dtype=dtype))
