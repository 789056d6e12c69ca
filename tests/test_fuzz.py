"""Property-based test of the public API: every call works, or raises the package's own error.

Hypothesis draws arguments (good ones, and zero, negative, fractional, NaN, infinite, string,
``None`` and list values) for every model factory and model class, and for the data, training
and inspection entry points.  Each call must either work (a model with no zero-sized layer, a
finite result) or raise ``cnnbook.errors.CnnbookError`` whose message names one of the arguments
drawn: never a bare PyTorch or NumPy error.  Models are built on PyTorch's "meta" device (shapes
only), so even ResNet-152 costs no memory.  About 400 examples in all, well under a minute on
2 CPU cores.
"""
from __future__ import annotations

import functools
import inspect
import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from cnnbook import models
from cnnbook.data import data_loaders, fashion_mnist
from cnnbook.device import choose_device
from cnnbook.errors import CnnbookError
from cnnbook.inspection import count_flops, count_parameters, layer_table
from cnnbook.train import evaluate_accuracy, train

pytestmark = pytest.mark.slow  # hundreds of drawn calls, about a minute

FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

# Odd values of every kind, and plausible ones, so that both branches (works / clear error) run.
ODD = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 2.0, -1.0, math.nan, math.inf, "4", None, True, [2]]))
COUNT = st.one_of(st.integers(1, 12), ODD)                      # channels, classes, widths...
RATIO = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.99, 1.0, 1.5, -0.25]), ODD)
INT_LIST = st.one_of(st.lists(st.integers(-1, 6), min_size=0, max_size=5), ODD)

FACTORIES = [name for name in models.list_models() if name != "vgg"]  # vgg(depth): drawn through models.VGG
# Extra arguments of some factories and of the model classes, with what to draw for each.
EXTRA = {
    "aux_logits": st.one_of(st.booleans(), ODD), "scratch_batch_norm": st.one_of(st.booleans(), ODD),
    "se_ratio": st.one_of(st.none(), RATIO), "batch_norm": st.one_of(st.booleans(), ODD),
    "depth": st.one_of(st.sampled_from([11, 13, 16, 19, 6]), ODD), "name": st.sampled_from(["regnet_x_400mf", "x", 3]),
    "layers": INT_LIST, "reduction": COUNT, "groups": COUNT, "width_per_group": COUNT, "conv_groups": COUNT,
    "width": COUNT, "residual": st.one_of(st.booleans(), ODD), "shortcut": st.sampled_from(["A", "B", "C", 1]),
    "memory_efficient": st.one_of(st.booleans(), ODD), "batch_norm_position": st.sampled_from(["before", "after", "x"]),
}
CLASSES = {
    models.LeNet: dict(batch_norm=EXTRA["batch_norm"]),
    models.AlexNet: dict(channels=INT_LIST, hidden_features=COUNT, dropout=RATIO),
    models.VGG: dict(architecture=st.one_of(st.just(((1, 8), (1, 16))), st.lists(st.tuples(COUNT, COUNT), max_size=3)),
                     hidden_features=COUNT, pool_size=COUNT, dropout=RATIO, batch_norm=EXTRA["batch_norm"]),
    models.NiN: dict(stages=st.one_of(st.just(((8, 3, 1, 1),)), st.lists(st.tuples(COUNT, COUNT, COUNT, COUNT), max_size=2)),
                     dropout=RATIO),
    models.GoogLeNet: dict(aux_logits=EXTRA["aux_logits"], dropout=RATIO, dropout_aux=RATIO,
                           width_divisor=st.one_of(st.sampled_from([1, 2, 8]), ODD),
                           large_kernel_size=st.one_of(st.sampled_from([3, 5, 4]), ODD),
                           small_stem=st.one_of(st.booleans(), ODD)),
    models.ResNet: dict(block=st.sampled_from([models.BasicBlock, models.Bottleneck, models.PreActBottleneck]),
                        layers=INT_LIST, groups=COUNT, width_per_group=COUNT,
                        stage_widths=st.one_of(st.just((8, 16, 32, 64)), INT_LIST), small_stem=st.booleans()),
    models.ResNeXt: dict(layers=INT_LIST, cardinality=COUNT, width_per_group=COUNT,
                         stage_widths=st.one_of(st.just((8, 16, 32, 64)), INT_LIST)),
    models.DenseNet: dict(growth_rate=COUNT, block_config=INT_LIST, num_init_features=COUNT, bn_size=COUNT,
                          compression=RATIO, dropout=RATIO, small_stem=st.booleans()),
    models.AnyNet: dict(stage_depths=INT_LIST, stage_widths=INT_LIST, group_widths=INT_LIST,
                        bottleneck_ratios=st.one_of(st.none(), st.lists(RATIO, max_size=4)), se_ratio=EXTRA["se_ratio"],
                        stem_width=COUNT, stem_stride=COUNT),
    models.RegNet: dict(depth=COUNT, w_0=st.one_of(st.sampled_from([8, 16, 12]), ODD),
                        w_a=st.one_of(st.sampled_from([0.0, 8.0, -1.0]), ODD),
                        w_m=st.one_of(st.sampled_from([2.0, 1.0, 2.5]), ODD), group_width=COUNT,
                        bottleneck_ratio=RATIO, se_ratio=EXTRA["se_ratio"], stem_width=COUNT, stem_stride=COUNT),
    models.BatchNorm: dict(num_features=COUNT, eps=RATIO, momentum=RATIO),
}


def assert_named_error(error: BaseException, arguments: dict) -> None:
    """The error is the package's own, and its message names one of the arguments drawn."""
    assert isinstance(error, CnnbookError), f"{type(error).__name__}: {error} (arguments {arguments})"
    message = str(error)
    assert any(name in message for name in arguments), f"{message!r} names none of {sorted(arguments)}"


def assert_sound_model(model: nn.Module) -> None:
    """No zero-sized layer (a silent 0-class or constant model) and the sizes it says it has."""
    for name, parameter in model.named_parameters():
        assert parameter.numel() > 0, f"zero-sized parameter {name} {tuple(parameter.shape)}"
    if isinstance(model, models.ImageClassifier):
        assert model.in_channels >= 1 and model.num_classes >= 1


def draw_arguments(data, function, extra: dict) -> dict:
    """Draw a value for each argument ``function`` takes (left out, sometimes, to use its default)."""
    parameters = inspect.signature(function).parameters
    strategies = {"num_classes": COUNT, "in_channels": COUNT, **{k: v for k, v in EXTRA.items()}, **extra}
    arguments = {}
    for name, parameter in parameters.items():
        required = parameter.default is inspect.Parameter.empty
        assert name in strategies or not required, f"{function.__name__}: add a strategy for its argument {name!r}"
        if name in strategies and (required or data.draw(st.booleans(), label=f"pass {name}")):
            arguments[name] = data.draw(strategies[name], label=name)
    return arguments


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_every_model_factory_and_class(data):
    target = data.draw(st.sampled_from(FACTORIES + list(CLASSES)), label="target")
    function = models.model_entry(target).factory if isinstance(target, str) else target
    arguments = draw_arguments(data, function, CLASSES.get(target, {}))
    try:
        with torch.device("meta"):
            model = function(**arguments)
    except Exception as error:  # noqa: BLE001 - the property: which errors are allowed
        assert_named_error(error, arguments)
        return
    assert_sound_model(model)


SMALL = {name: models.small_image_size(name) for name in models.list_models("small")}


@functools.lru_cache(maxsize=None)
def small_model(name: str) -> nn.Module:
    """One model per name for the whole test (the calls below do not change it)."""
    return models.get_model(name)


@settings(FUZZ, max_examples=40)
@given(name=st.sampled_from(sorted(SMALL)),
       shape=st.one_of(st.tuples(st.integers(0, 3), st.integers(0, 4), st.integers(-1, 40), st.integers(-1, 40)),
                       st.lists(st.integers(-1, 40), max_size=5), ODD),
       dtype=st.sampled_from([torch.float32, torch.float64, torch.uint8, torch.int64, torch.bfloat16]))
def test_small_models_on_any_input(name, shape, dtype):
    model = small_model(name)
    arguments = {"input_shape": shape, "images": shape, "dtype": dtype, "channels": shape, "pixels": shape}
    for call in (lambda: count_flops(model, shape), lambda: layer_table(model, shape)):
        try:
            call()
        except Exception as error:  # noqa: BLE001
            assert_named_error(error, arguments)
    if isinstance(shape, tuple) and all(n > 0 for n in shape):
        try:
            with torch.no_grad():
                model.eval()(torch.zeros(shape, dtype=dtype))
        except Exception as error:  # noqa: BLE001
            assert_named_error(error, arguments)


@pytest.fixture(scope="module")
def tiny_batches():
    torch.manual_seed(0)
    return [(torch.rand(4, 1, 28, 28), torch.randint(0, 10, (4,))) for _ in range(2)]


BAD_LOADERS = ["good", "empty", "dataset", "float labels", "labels 10", "uint8 images", "channels last", "one image"]


def make_loader(kind: str, batches):
    images, labels = batches[0]
    return {
        "good": batches, "empty": [],
        "dataset": torch.utils.data.TensorDataset(images, labels),
        "float labels": [(images, labels.float())], "labels 10": [(images, labels + 10)],
        "uint8 images": [((images * 255).to(torch.uint8), labels)],
        "channels last": [(images.permute(0, 2, 3, 1), labels)],
        "one image": [(images[:1], labels[:1])],
    }[kind]


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_training_and_evaluation(data, tiny_batches, capsys):
    arguments = {
        "train_loader": data.draw(st.sampled_from(BAD_LOADERS), label="train_loader"),
        "eval_loader": data.draw(st.sampled_from(BAD_LOADERS), label="eval_loader"),
        "epochs": data.draw(st.one_of(st.integers(1, 2), ODD), label="epochs"),
        "lr": data.draw(st.one_of(st.sampled_from([0.1, 1e-3, 1e9]), ODD), label="lr"),
        "momentum": data.draw(st.one_of(st.sampled_from([0.0, 0.9]), ODD), label="momentum"),
        "weight_decay": data.draw(st.one_of(st.just(0.0), ODD), label="weight_decay"),
        "eval_name": data.draw(st.sampled_from(["test", "held-out", "validation", 3]), label="eval_name"),
        "seed": data.draw(st.one_of(st.just(0), st.none(), ODD, st.just(2 ** 40)), label="seed"),
        "device": data.draw(st.sampled_from(["cpu", None, "gpu", "CPU", 7]), label="device"),
    }
    model = models.get_model(data.draw(st.sampled_from(["lenet", "lenet_bn"]), label="model"))
    call = dict(arguments, train_loader=make_loader(arguments["train_loader"], tiny_batches),
                eval_loader=make_loader(arguments["eval_loader"], tiny_batches))
    try:
        history = train(model, **call, plot=False, progress=False)
    except Exception as error:  # noqa: BLE001
        assert_named_error(error, {"images": 0, "labels": 0, **arguments})
    else:
        assert all(math.isfinite(loss) for loss in history.train_loss)
        assert all(0.0 <= accuracy <= 1.0 for accuracy in history.eval_acc)
    try:
        accuracy = evaluate_accuracy(model, call["eval_loader"])
    except Exception as error:  # noqa: BLE001
        assert_named_error(error, {"loader": 0, "images": 0, **arguments})
    else:
        assert 0.0 <= accuracy <= 1.0
    capsys.readouterr()


@settings(FUZZ, max_examples=60)
@given(split=st.sampled_from(["sample", "official", "tiny", None]),
       image_size=st.one_of(st.sampled_from([28, 32, 7]), ODD),
       batch_size=st.one_of(st.sampled_from([64, 1, 5000]), ODD),
       seed=st.one_of(st.just(0), ODD, st.just(-5)),
       num_workers=st.one_of(st.just(None), st.just(0), ODD))
def test_data_entry_points(sample_root, split, image_size, batch_size, seed, num_workers):
    arguments = {"split": split, "image_size": image_size}
    try:
        data = fashion_mnist(split, image_size=image_size, root=sample_root, download=False)
    except Exception as error:  # noqa: BLE001
        assert_named_error(error, arguments)
        return
    assert data.train[0][0].shape == (1, image_size, image_size)
    arguments = {"batch_size": batch_size, "seed": seed, "num_workers": num_workers}
    try:
        train_loader, _ = data_loaders(data, batch_size, seed, num_workers)
    except Exception as error:  # noqa: BLE001
        assert_named_error(error, arguments)
        return
    assert len(train_loader) >= 1


@settings(FUZZ, max_examples=50)
@given(model=st.sampled_from(["lenet", "string", None, 3]), trainable_only=st.one_of(st.booleans(), ODD),
       device=st.one_of(st.sampled_from(["cpu", "cuda", "gpu", "GPU", "mps", "tpu", "cuda:9", "meta"]), ODD))
def test_inspection_and_device_entry_points(model, trainable_only, device):
    built = models.lenet() if model == "lenet" else model
    try:
        assert count_parameters(built, trainable_only) > 0
    except Exception as error:  # noqa: BLE001
        assert_named_error(error, {"model": model, "trainable_only": trainable_only})
    try:
        assert isinstance(choose_device(device), torch.device)
    except Exception as error:  # noqa: BLE001
        assert_named_error(error, {"device": device, "preferred": device})


@pytest.mark.parametrize("name", FACTORIES)
def test_every_factory_argument_is_drawn(name):
    """A factory argument the fuzz test has no strategy for would never be tried (or, if required,
    would fail the test with a TypeError that says nothing): every argument has one."""
    parameters = inspect.signature(models.model_entry(name).factory).parameters
    missing = set(parameters) - {"num_classes", "in_channels", *EXTRA}
    assert not missing, f"{name}: add a strategy to EXTRA for {sorted(missing)}"
