"""The shared training loop, model inspection, source display and plotting."""
from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

import cnnbook
from cnnbook import models
from cnnbook.data import data_loaders, fashion_mnist
from cnnbook.profiles import run_config
from cnnbook.inspection import count_flops, count_parameters, format_layer_table, layer_table
from cnnbook.source import show_source
from cnnbook.train import History, evaluate_accuracy, train


@pytest.fixture(scope="module")
def small_loaders(sample_root):
    split = fashion_mnist("sample", image_size=64, root=sample_root)
    split = type(split)(torch.utils.data.Subset(split.train, range(256)), torch.utils.data.Subset(split.eval, range(128)),
                        split.split, split.root)
    return data_loaders(split, 64)


def test_training_learns_and_reports(small_loaders, capsys):
    train_iter, eval_iter = small_loaders
    history = train(models.alexnet_small(), train_iter, eval_iter, epochs=3, lr=0.02, momentum=0.9,
                    device="cpu", eval_name="held-out", description="profile 'test'", plot=False, progress=False)
    assert len(history.train_loss) == len(history.eval_acc) == 3
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.examples_per_sec > 0 and history.device == "cpu"
    printed = capsys.readouterr().out
    assert "loss" in printed and "held-out acc" in printed and "trained on cpu" in printed
    assert "examples/sec" not in printed and f"{history.examples_per_sec:.1f}" not in printed, "the book prints no timings"
    assert printed.strip().endswith("profile 'test'")


def test_cpu_training_is_repeatable(small_loaders):
    train_iter, eval_iter = small_loaders
    run = run_config("alexnet", "fast")  # build_model seeds the initial weights
    runs = [train(run.build_model(), train_iter, eval_iter, epochs=1, lr=0.02, momentum=0.9, device="cpu",
                  plot=False, progress=False) for _ in range(2)]
    assert runs[0].train_loss == runs[1].train_loss and runs[0].eval_acc == runs[1].eval_acc


def test_summary_in_chinese():
    history = History([0.5], [0.8], [0.75], 100.0, "cpu", "held-out")
    cnnbook.set_language("zh")
    try:
        assert history.summary().startswith("损失 0.500，训练准确率 0.800，留出集准确率 0.750")
    finally:
        cnnbook.set_language("en")
    assert history.summary().startswith("loss 0.500, train acc 0.800, held-out acc 0.750")


def test_bad_training_arguments(small_loaders):
    train_iter, eval_iter = small_loaders
    with pytest.raises(ValueError, match="epochs"):
        train(models.alexnet_small(), train_iter, eval_iter, epochs=0, lr=0.1, plot=False)
    with pytest.raises(ValueError, match="learning rate"):
        train(models.alexnet_small(), train_iter, eval_iter, epochs=1, lr=-1, plot=False)


def test_learning_rate_schedule_label_smoothing_and_parameter_groups(small_loaders):
    train_iter, eval_iter = small_loaders
    model = models.alexnet_small()
    history = train(model, train_iter, eval_iter, epochs=3, lr=0.1, device="cpu", plot=False, progress=False,
                    lr_scheduler=lambda optimizer: torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5),
                    label_smoothing=0.1)
    assert history.learning_rates == pytest.approx([0.1, 0.05, 0.025])
    # a frozen part and a group with its own learning rate: only what the optimizer gets changes
    model = models.alexnet_small()
    frozen = [p.detach().clone() for p in model.features[0].parameters()]
    last = model.classifier[-1]
    before = last.weight.detach().clone()
    train(model, train_iter, eval_iter, epochs=1, lr=0.1, device="cpu", plot=False, progress=False,
          parameters=[{"params": last.parameters(), "lr": 0.01}])
    assert all(torch.equal(a, b) for a, b in zip(frozen, model.features[0].parameters()))
    assert not torch.equal(before, last.weight)


def test_bad_schedule_and_label_smoothing(small_loaders):
    train_iter, eval_iter = small_loaders
    with pytest.raises(ValueError, match="label_smoothing"):
        train(models.alexnet_small(), train_iter, eval_iter, epochs=1, lr=0.1, plot=False, label_smoothing=1.5)
    with pytest.raises(TypeError, match="lr_scheduler must be a function"):
        train(models.alexnet_small(), train_iter, eval_iter, epochs=1, lr=0.1, plot=False, lr_scheduler="cosine")
    with pytest.raises(TypeError, match="not a scheduler of the optimizer"):
        train(models.alexnet_small(), train_iter, eval_iter, epochs=1, lr=0.1, plot=False,
              lr_scheduler=lambda optimizer: 0.1)


def test_evaluate_accuracy_counts_correct_answers():
    class Constant(nn.Module):
        def __init__(self):
            super().__init__()
            self.bias = nn.Parameter(torch.tensor([0.0, 1.0]))

        def forward(self, x):
            return self.bias.expand(len(x), 2)
    loader = [(torch.zeros(4, 1), torch.tensor([1, 1, 0, 1]))]
    assert evaluate_accuracy(Constant(), loader) == 0.75


def test_parameter_and_flop_counts_match_torchvision():
    import torchvision
    ours, reference = models.alexnet(), torchvision.models.alexnet(weights=None)
    assert count_parameters(ours) == count_parameters(reference) == 61_100_840
    assert count_flops(ours) == count_flops(reference)


def test_layer_table_shapes_at_224():
    rows = layer_table(models.alexnet_paper(num_classes=10, in_channels=1), (1, 1, 224, 224))
    shapes = {row.name: row.output_shape for row in rows}
    assert shapes["features.0"] == (1, 96, 55, 55)
    assert shapes["features.12"] == (1, 256, 6, 6)
    assert shapes["classifier.6"] == (1, 10)
    assert sum(row.parameters for row in rows) == count_parameters(models.alexnet_paper(num_classes=10, in_channels=1))
    text = str(format_layer_table(rows))
    assert "features.0" in text and "1x96x55x55" in text


def test_layer_table_aligns_chinese_headers_by_display_width():
    from wcwidth import wcswidth as display_width
    assert display_width("层abc") == 5 and display_width("参数量") == 6
    rows = layer_table(models.alexnet_small(), (1, 1, 64, 64))
    lines = str(format_layer_table(rows, headers=("层", "类型", "输出形状", "参数量"))).splitlines()
    header, rule, body = lines[0], lines[1], lines[2:]
    column_starts = [index for index in range(len(rule)) if rule[index] == "-" and (index == 0 or rule[index - 1] == " ")]
    for title in ("类型", "输出形状"):  # each header starts where its column's rule starts
        assert display_width(header[:header.index(title)]) in column_starts
    assert display_width(header) == len(rule)  # the right-aligned last header ends with the rule
    assert all(len(line) == len(rule) for line in body)


def test_show_source_is_the_real_source():
    shown = show_source(models.AlexNet)
    assert shown.data.startswith("class AlexNet(ImageClassifier):") and "self.classifier" in shown.data
    with pytest.raises(ValueError, match="cannot show the source"):
        show_source(3)


def test_chinese_labels_render_without_missing_glyphs():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cnnbook.set_language("zh")
    try:
        figure, axis = plt.subplots()
        axis.set_title("训练损失（百万）")
        axis.plot([-1, 1], label="留出集准确率")
        axis.legend()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font" would raise here
            figure.canvas.draw()
        plt.close(figure)
    finally:
        cnnbook.set_language("en")


def test_unknown_language():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        cnnbook.set_language("fr")


# ---- precise batch-norm statistics ----

def _bn_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4, 10))


def test_recomputed_statistics_are_the_batch_statistics_of_the_final_weights():
    from cnnbook.train import recompute_batch_norm_statistics
    model = _bn_model()
    torch.manual_seed(1)
    batches = [(torch.randn(8, 1, 6, 6), torch.zeros(8, dtype=torch.long)) for _ in range(3)]
    assert recompute_batch_norm_statistics(model.eval(), batches) == 3
    assert not model.training, "the mode is restored"
    with torch.no_grad():
        features = [model[0](images) for images, _ in batches]
    means = torch.stack([f.mean(dim=(0, 2, 3)) for f in features])
    variances = torch.stack([f.var(dim=(0, 2, 3), unbiased=True) for f in features])
    bn = model[1]
    assert torch.allclose(bn.running_mean, means.mean(0), atol=1e-6)
    assert torch.allclose(bn.running_var, variances.mean(0), atol=1e-6)
    assert recompute_batch_norm_statistics(nn.Linear(2, 2), batches) == 0, "no batch norm: nothing to do"


def test_train_with_precise_bn_evaluates_with_recomputed_statistics():
    from torch.utils.data import DataLoader, TensorDataset
    from cnnbook.errors import CnnbookError
    from cnnbook.train import _precise_bn_batches, recompute_batch_norm_statistics
    torch.manual_seed(2)
    dataset = TensorDataset(torch.randn(64, 1, 6, 6), torch.randint(0, 10, (64,)))
    loader = DataLoader(dataset, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    eval_loader = DataLoader(dataset, batch_size=32)
    model = _bn_model()
    train(model, loader, eval_loader, 2, 0.1, device="cpu", eval_name="held-out", plot=False, progress=False,
          precise_bn_batches=2)
    stored = model[1].running_mean.clone(), model[1].running_var.clone()
    assert recompute_batch_norm_statistics(model, _precise_bn_batches(loader, 2, 0)) == 2
    assert torch.allclose(stored[0], model[1].running_mean) and torch.allclose(stored[1], model[1].running_var)
    plain = _bn_model()
    loader.generator.manual_seed(0)
    train(plain, loader, eval_loader, 2, 0.1, device="cpu", eval_name="held-out", plot=False, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(plain.parameters(), model.parameters())), \
        "the statistics' batches and the extra evaluation leave the shuffling and random numbers alone: same weights"
    assert not torch.allclose(plain[1].running_mean, model[1].running_mean)
    loader.generator.manual_seed(0)
    history = train(_bn_model(), loader, eval_loader, 2, 0.1, device="cpu", eval_name="held-out", plot=False,
                    progress=False, precise_bn_batches=2)
    assert len(history.eval_acc_moving_averages) == len(history.eval_acc) == 2
    loader.generator.manual_seed(0)
    plain_history = train(_bn_model(), loader, eval_loader, 2, 0.1, device="cpu", eval_name="held-out", plot=False,
                          progress=False)
    assert history.eval_acc_moving_averages == plain_history.eval_acc, \
        "the moving-average accuracy is what a run without precise statistics measures"
    assert plain_history.eval_acc_moving_averages == []
    assert history.train_loss == plain_history.train_loss
    with pytest.raises(CnnbookError, match="precise_bn_batches=-1"):
        train(plain, loader, loader, 1, 0.1, device="cpu", eval_name="held-out", progress=False, precise_bn_batches=-1)
