"""Every bad input gets the package's own, named error (issue 15): one test per numbered item of
the issue and one per group of causes.  The property-based sweep over the whole API is in
``test_fuzz.py``."""
from __future__ import annotations

import math
import shutil

import matplotlib
import numpy as np
import pytest
import torch
from torch import nn

from cnnbook import data, models
from cnnbook.device import choose_device, describe_device, seed_everything
from cnnbook.errors import CnnbookError, CnnbookTypeError, check_int, invalid
from cnnbook.inspection import count_flops, count_parameters, layer_table
from cnnbook.train import TrainingDivergedError, evaluate_accuracy, train

matplotlib.use("Agg")


def batches(count: int = 2, size: int = 4, image_size: int = 28, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    return [(torch.rand(size, 1, image_size, image_size, generator=generator),
             torch.randint(0, 10, (size,), generator=generator)) for _ in range(count)]


QUIET = dict(device="cpu", plot=False, progress=False)


def test_the_error_type_is_a_value_error_and_names_argument_value_and_rule():
    with pytest.raises(CnnbookError) as caught:
        check_int("num_classes", 0, minimum=1)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "num_classes=0 is not allowed: num_classes must be an integer >= 1."
    with pytest.raises(TypeError, match=r"in_channels='3'"):
        check_int("in_channels", "3", minimum=1)
    assert isinstance(invalid("x", 1, "2", type_error=True), CnnbookTypeError)
    assert issubclass(data.DatasetNotFoundError, CnnbookError) and issubclass(data.DatasetNotFoundError, FileNotFoundError)


# ---- 1. the size probe says "too small" only when size is the problem ----

class FixedHead(models.ImageClassifier):
    """A classifier whose head only fits 28x28 images (no adaptive pooling)."""

    def __init__(self):
        super().__init__()
        self.in_channels, self.num_classes = 1, 10
        self.net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Flatten(), nn.Linear(4 * 28 * 28, 10))

    def forward(self, images):
        return self.net(images)


def test_1_size_probe_runs_in_the_model_dtype_and_blames_size_only_when_size_is_wrong():
    double = models.lenet().double()
    assert double(torch.zeros(2, 1, 28, 28, dtype=torch.float64)).dtype == torch.float64
    assert models.lenet().half().min_input_size == models.lenet().min_input_size
    head = FixedHead()
    assert head(torch.zeros(2, 1, 28, 28)).shape == (2, 10)  # valid input works
    assert head.min_input_size is None  # fails at every size: not a size problem...
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):  # ...so the real error comes through
        head(torch.zeros(2, 1, 32, 32))
    with pytest.raises(CnnbookError, match="large_kernel_size=4.*odd"):
        models.GoogLeNet(large_kernel_size=4)
    with pytest.raises(CnnbookError, match="width_per_group=1.*0 channels"):
        models.ResNet(models.Bottleneck, (1, 1), width_per_group=1, stage_widths=(64, 32))
    with pytest.raises(CnnbookError, match="compression=0.01"):
        models.DenseNet(growth_rate=1, block_config=(1, 1), num_init_features=2, compression=0.01)


def test_7_the_size_check_follows_a_replaced_first_layer():
    model = models.alexnet_small()
    with pytest.raises(CnnbookError, match="at least 63x63"):
        model(torch.zeros(2, 1, 28, 28))
    model.features[0] = nn.Conv2d(1, 24, kernel_size=3, padding=1)  # no more stride 4
    assert model.min_input_size < 28
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    model.features[0] = nn.Conv2d(1, 24, kernel_size=11, stride=8)  # now it needs more
    assert model.min_input_size > 63


# ---- 2. no silent zero-sized or constant model ----

@pytest.mark.parametrize("build, argument", [
    (lambda: models.lenet(num_classes=0), "num_classes=0"), (lambda: models.resnet18(in_channels=0), "in_channels=0"),
    (lambda: models.VGG(pool_size=0), "pool_size=0"), (lambda: models.VGG(hidden_features=0), "hidden_features=0"),
    (lambda: models.regnet_small(se_ratio=-0.25), "se_ratio=-0.25"),
    (lambda: models.AnyNet([1], [64], [8], se_ratio=0.0), "se_ratio=0.0"),
])
def test_2_settings_that_would_build_an_empty_or_constant_model(build, argument):
    with pytest.raises(CnnbookError, match=argument):
        build()


def test_2_a_tiny_se_ratio_still_gets_squeeze_excitation():
    block = models.anynet_block(16, 16, 1, group_width=8, se_ratio=0.01)
    assert block.se is not None and block.se.fc1.out_channels == 1


# ---- 3. train checks everything before the first step, and stops when the loss is not finite ----

@pytest.mark.parametrize("change, argument", [
    (dict(lr=math.nan), "lr=nan"), (dict(lr=math.inf), "lr=inf"), (dict(lr=-1), "learning rate"),
    (dict(momentum=math.nan), "momentum=nan"), (dict(weight_decay=-0.1), "weight_decay=-0.1"),
    (dict(eval_name="validation"), "eval_name='validation'"), (dict(epochs=2.5), "epochs=2.5"),
    (dict(seed=-1), "seed=-1"), (dict(train_loader=[]), "train_loader is empty"),
])
def test_3_every_training_argument_is_checked_before_the_first_step(change, argument):
    model = models.lenet()
    before = [p.clone() for p in model.parameters()]
    arguments = dict(train_loader=batches(), eval_loader=batches(1), epochs=1, lr=0.1) | change
    with pytest.raises(CnnbookError, match=argument):
        train(model, **arguments, **QUIET)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))  # not one step taken


def test_3_a_diverging_run_stops_with_the_epochs_done_so_far(capsys):
    linear = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))
    with pytest.raises(TrainingDivergedError, match="stopped being finite.*Lower the learning rate") as caught:
        train(linear, batches(), batches(1), epochs=3, lr=1e37, momentum=0.9, **QUIET)
    assert len(caught.value.history.train_loss) < 3


def test_3_an_empty_evaluation_loader_is_an_error_not_zero_accuracy():
    with pytest.raises(CnnbookError, match="eval_loader is empty"):
        train(models.lenet(), batches(), [], epochs=1, lr=0.1, **QUIET)
    with pytest.raises(CnnbookError, match="loader is empty"):
        evaluate_accuracy(models.lenet(), [])
    with pytest.raises(CnnbookError, match="gave no images"):
        evaluate_accuracy(models.lenet(), iter([]))


# ---- 4. GoogLeNet with auxiliary classifiers trains in the one loop ----

def test_4_googlenet_auxiliary_outputs_are_trained_with_weight_0_3(capsys):
    model = models.googlenet_small(aux_logits=True)
    history = train(model, batches(1), batches(1), epochs=1, lr=0.05, **QUIET)
    assert math.isfinite(history.train_loss[0])
    assert all(p.grad is not None for p in model.aux1.parameters())  # the auxiliary heads were trained
    from cnnbook.train import _scores_and_loss
    logits, aux2, aux1 = torch.randn(3, 4, 10).unbind(0)
    labels = torch.tensor([0, 1, 2, 3])
    scores, loss = _scores_and_loss(models.GoogLeNetOutputs(logits, aux2, aux1), labels, nn.CrossEntropyLoss())
    ce = nn.functional.cross_entropy
    assert scores is logits
    assert torch.allclose(loss, ce(logits, labels) + 0.3 * (ce(aux2, labels) + ce(aux1, labels)))


# ---- 5. a last batch of one image ----

def test_5_training_loader_drops_an_incomplete_last_batch(sample_root):
    split = data.fashion_mnist("sample", root=sample_root)
    split = data.FashionMNISTSplit(torch.utils.data.Subset(split.train, range(65)), split.eval, split.split, split.root)
    train_loader, eval_loader = data.data_loaders(split, 64)
    assert [len(labels) for _, labels in train_loader] == [64]  # not [64, 1]
    assert sum(len(labels) for _, labels in eval_loader) == len(split.eval)  # evaluation sees every image
    with pytest.raises(CnnbookError, match="batch_size=128.*only 65"):
        data.data_loaders(split, 128)


def test_5_a_batch_of_one_reaching_batch_norm_says_what_to_do(capsys):
    loader = [(torch.rand(1, 1, 28, 28), torch.tensor([3]))]
    with pytest.raises(CnnbookError, match="batch of 1 image.*drop_last=True"):
        train(models.lenet_bn(), loader, batches(1), epochs=1, lr=0.1, **QUIET)
    with pytest.raises(CnnbookError, match="batch of at least 2"):
        train(models.lenet_bn(scratch_batch_norm=True), loader, batches(1), epochs=1, lr=0.1, **QUIET)


# ---- 6. wrong values that used to come back silently ----

def test_6_numerical_gradient_refuses_integer_arrays():
    with pytest.raises(CnnbookTypeError, match="dtype int64.*astype\\(np.float64\\)"):
        models.numerical_gradient(lambda x: float((x ** 2).sum()), np.array([1, 2]))
    gradient = models.numerical_gradient(lambda x: float((x ** 2).sum()), np.array([1.0, 2.0]))
    assert np.allclose(gradient, [2.0, 4.0])


def test_6_show_images_draws_uint8_images_on_the_0_255_scale():
    from cnnbook.plotting import show_images
    image = torch.tensor([[0, 128], [255, 64]], dtype=torch.uint8)
    figure = show_images(image[None, None], 1, 1)
    drawn = figure.axes[0].images[0].get_array()
    assert np.allclose(drawn, image.numpy() / 255)


def test_6_mps_that_is_not_there_is_refused_at_once():
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        pytest.skip("this machine has MPS")
    with pytest.raises(CnnbookError, match="preferred='mps'.*cannot use MPS here"):
        choose_device("mps")


# ---- group: types and values reach PyTorch unchecked ----

@pytest.mark.parametrize("call, argument", [
    (lambda: models.lenet(num_classes=-3), "num_classes=-3"), (lambda: models.lenet(num_classes=2.5), "num_classes=2.5"),
    (lambda: models.alexnet(num_classes="10"), "num_classes='10'"), (lambda: models.vgg11(in_channels=True), "in_channels=True"),
    (lambda: models.RegNet(depth=-1, w_0=16, w_a=8, w_m=2, group_width=8), "depth=-1"),
    (lambda: models.RegNet(depth=6, w_0=16, w_a=math.nan, w_m=2, group_width=8), "w_a=nan"),
    (lambda: models.regnet_stages(6, 16, 8.0, math.nan, 8), "w_m=nan"),
    (lambda: models.AnyNet([1], [64], [8], stem_stride=0), "stem_stride=0"),
    (lambda: models.BatchNorm(0), "num_features=0"),
    (lambda: data.image_transform(0), "image_size=0"), (lambda: data.image_transform(-1), "image_size=-1"),
    (lambda: seed_everything(-1), "seed=-1"), (lambda: seed_everything(1.5), "seed=1.5"),
    (lambda: count_flops(models.lenet(), (1, 1, 0, 28)), "input_shape=\\(1, 1, 0, 28\\)"),
    (lambda: layer_table(models.lenet(), "1x1x28x28"), "input_shape='1x1x28x28'"),
])
def test_values_are_checked_where_they_are_first_accepted(call, argument):
    with pytest.raises(CnnbookError, match=argument):
        call()


def test_data_arguments_are_checked_before_loading(sample_root):
    with pytest.raises(CnnbookError, match="image_size=0"):
        data.fashion_mnist("sample", image_size=0, root=sample_root)
    split = data.fashion_mnist("sample", root=sample_root)
    for arguments, argument in [((0,), "batch_size=0"), ((64, 1.5), "seed=1.5"), ((64, 0, -1), "num_workers=-1")]:
        with pytest.raises(CnnbookError, match=argument):
            data.data_loaders(split, *arguments)
    with pytest.raises(CnnbookError, match="in_channels=0"):
        from cnnbook.profiles import run_config
        run_config("alexnet", "fast").build_model(in_channels=0)


# ---- group: the dtype of the images ----

@pytest.mark.parametrize("dtype, fix", [
    (torch.uint8, r"ToDtype\(torch.float32, scale=True\)"), (torch.int64, r"images.float\(\)"),
    (torch.float64, r"images.to\(torch.float32\)"), (torch.bfloat16, r"images.to\(torch.float32\)"),
])
def test_image_dtype_is_named_with_its_fix(dtype, fix, capsys):
    images = torch.zeros(2, 1, 28, 28, dtype=dtype)
    with pytest.raises(CnnbookError, match=f"images are {dtype}.*{fix}"):
        models.lenet()(images)
    with pytest.raises(CnnbookError, match=f"images are {dtype}"):  # also through train
        train(models.lenet(), [(images, torch.tensor([0, 1]))], batches(1), epochs=1, lr=0.1, **QUIET)


# ---- group: channels last, and count_flops's default shape ----

def test_channels_last_images_get_the_permute_advice():
    with pytest.raises(CnnbookError, match=r"channels last.*permute\(0, 3, 1, 2\)"):
        models.lenet()(torch.zeros(2, 28, 28, 1))
    with pytest.raises(CnnbookError, match=r"permute\(0, 3, 1, 2\)"):
        models.resnet18()(torch.zeros(2, 64, 64, 3))


def test_count_flops_defaults_to_the_model_s_own_channels():
    assert count_flops(models.lenet()) == count_flops(models.lenet(), (1, 1, 224, 224)) > 0
    assert count_flops(models.alexnet()) == count_flops(models.alexnet(), (1, 3, 224, 224))


# ---- group: what train is given, device names, damaged files ----

@pytest.mark.parametrize("loader, message", [
    (torch.utils.data.TensorDataset(torch.rand(4, 1, 28, 28), torch.zeros(4, dtype=torch.long)),
     "train_loader is a dataset.*DataLoader"),
    ([(torch.rand(2, 1, 28, 28), torch.tensor([0.0, 1.0]))], "labels of type torch.float32.*long"),
    ([(torch.rand(2, 1, 28, 28), torch.tensor([3, 10]))], "labels from 3 to 10.*num_classes=10.*num_classes=11"),
])
def test_what_train_is_given(loader, message, capsys):
    with pytest.raises(CnnbookError, match=message):
        train(models.lenet(), loader, batches(1), epochs=1, lr=0.1, **QUIET)


@pytest.mark.parametrize("name, guess", [("gpu", "cuda"), ("GPU", "cuda"), ("CPU", "cpu"), ("tpu", "cpu")])
def test_device_names_get_a_suggestion(name, guess, monkeypatch):
    with pytest.raises(CnnbookError, match=f"preferred='{name}' is not a device.*Did you mean '{guess}'"):
        choose_device(name)
    monkeypatch.setenv("CNNBOOK_DEVICE", name)
    with pytest.raises(CnnbookError, match="from the environment variable CNNBOOK_DEVICE"):
        choose_device()
    with pytest.raises(CnnbookTypeError, match="preferred=7"):
        choose_device(7)


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_a_damaged_idx_file_is_named_with_the_fix(sample_root, tmp_path, damage):
    shutil.copytree(sample_root / "FashionMNIST", tmp_path / "FashionMNIST")
    victim = tmp_path / "FashionMNIST" / "raw" / "train-labels-idx1-ubyte"
    content = victim.read_bytes()
    victim.write_bytes(content[:-100] if damage == "truncate" else b"\x1f\x8b" + content[2:])
    with pytest.raises(data.CorruptDatasetError, match=f"{victim}.*damaged.*Delete it"):
        data.fashion_mnist("sample", root=tmp_path, download=False)


# ---- group: folders are created only by a download that worked ----

def test_a_failed_download_leaves_no_empty_folders(tmp_path, monkeypatch, offline):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "mistyped" / "data"
    monkeypatch.setenv(data.DATA_VARIABLE, str(target))
    with pytest.raises(data.DatasetNotFoundError):
        data.fashion_mnist("sample")
    assert not (tmp_path / "mistyped").exists()


def test_root_may_point_at_the_folder_of_idx_files(sample_root, tmp_path):
    raw = tmp_path / "copy" / "FashionMNIST" / "raw"
    shutil.copytree(sample_root / "FashionMNIST" / "raw", raw)
    before = sorted(tmp_path.rglob("*"))
    split = data.fashion_mnist("sample", root=raw, download=False)
    assert len(split.train) == 2048 and split.train[0][0].shape == (1, 28, 28)
    assert sorted(tmp_path.rglob("*")) == before  # no raw/FashionMNIST/raw created


# ---- group: the smaller ones ----

def test_smaller_entry_points():
    from cnnbook.interactive import slider_explorer
    from cnnbook.complexity import cost_row
    from cnnbook.plotting import show_images
    with pytest.raises(CnnbookError, match="name='resnet'.*resnet18"):
        cost_row("resnet")
    with pytest.raises(CnnbookError, match="no model named 'resnet' in cnnbook.models. Did you mean"):
        models.get_model("resnet")
    with pytest.raises(CnnbookTypeError, match="model='lenet'.*models.lenet\\(\\)"):
        count_parameters("lenet")
    assert describe_device("cpu").startswith("cpu (")
    with pytest.raises(CnnbookTypeError, match="sliders=list"):
        slider_explorer(lambda: None, [1, 2], "text")
    with pytest.raises(CnnbookError, match="images\\[0\\] has shape \\(2, 8, 8\\)"):
        show_images(torch.zeros(1, 2, 8, 8), 1, 1)
    assert len(show_images(torch.zeros(28, 28), 1, 1).axes[0].images) == 1  # one (28, 28) image
    with pytest.raises(CnnbookError, match="gamma has shape \\(2,\\).*\\(3,\\)"):
        models.batchnorm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3))
    with pytest.raises(CnnbookError, match="stage_widths=\\[0\\]"):
        models.AnyNet([1], [0], [8])
    with pytest.raises(CnnbookError, match="bottleneck_ratios"):
        models.AnyNet([1], [64], [8], bottleneck_ratios=[-1.0])




def test_a_slider_starts_on_its_grid():
    """A value off the grid min + k * step snaps when displayed and redraws the figure for another value."""
    import ipywidgets as widgets
    from cnnbook.interactive import slider_explorer
    with pytest.raises(CnnbookError, match=r"sliders\['crop_scale'\] starts at value=0.5.*snap to 0.48 or 0.52"):
        slider_explorer(lambda **values: None,
                        {"crop_scale": widgets.FloatSlider(value=0.5, min=0.08, max=1.0, step=0.04)}, "text")
    box = slider_explorer(lambda **values: None,
                          {"crop_scale": widgets.FloatSlider(value=0.5, min=0.1, max=1.0, step=0.05),
                           "seed": widgets.IntSlider(value=0, min=0, max=20)}, "text")
    assert box.children[0].value == 0.5


def test_a_block_class_missing_an_attribute_gets_named():
    class OnlyExpansion(nn.Module):  # a student's own block that sets expansion and nothing else
        expansion = 1

    with pytest.raises(CnnbookError, match="OnlyExpansion has no has_bottleneck, pre_activation"):
        models.ResNet(OnlyExpansion, (1, 1), stage_widths=(8, 16))
    with pytest.raises(CnnbookError, match="ResNet reads the class attributes expansion"):
        models.ResNet(nn.Conv2d, (1, 1), stage_widths=(8, 16))
