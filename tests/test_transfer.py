"""The transfer-learning experiment: class split, few-label draws, the linear probe, its smoke run's schema."""
from __future__ import annotations

import pytest
import torch

from cnnbook.errors import CnnbookError
from cnnbook.experiments import EXPERIMENTS, dependencies, load_result, run_experiment, stored_results
from cnnbook.experiments import transfer
from cnnbook.transfer import freeze_backbone


def test_registered_and_depends_on_the_model():
    assert "transfer" in EXPERIMENTS
    assert "cnnbook.models.cifar_resnet" in dependencies(transfer)


def test_the_class_split_is_disjoint_and_complete():
    source, target = transfer.split_classes(transfer.SOURCE_CLASSES)
    assert source == transfer.SOURCE_CLASSES and len(target) == 5
    assert not set(source) & set(target)
    assert set(source) | set(target) == set(range(10))
    assert transfer.split_classes((7, 2)) == ((2, 7), (0, 1, 3, 4, 5, 6, 8, 9))


@pytest.mark.parametrize("classes, named", [
    ((), "source_classes"), ((0, 0, 1), "source_classes"), ((0, 10), "source_classes"), ((-1,), "source_classes"),
    (tuple(range(10)), "source_classes"), ("01234", "source_classes"), ((0.5,), "source_classes"),
])
def test_bad_class_splits_are_clear_errors(classes, named):
    with pytest.raises(CnnbookError, match=named):
        transfer.split_classes(classes)


def test_labeled_draws_are_per_class_nested_and_seeded():
    labels = torch.arange(10).repeat(30)  # 30 images of each class
    target = (5, 6, 7, 8, 9)
    ten = transfer.labeled_indices(labels, target, 10, seed=0)
    fifty = transfer.labeled_indices(labels, target, 25, seed=0)
    assert len(ten) == 50 and len(set(ten)) == 50
    assert all((labels[ten] == c).sum() == 10 for c in target)
    assert set(labels[ten].tolist()) == set(target)
    assert set(ten) <= set(fifty), "a smaller budget's images are part of a larger one's"
    assert ten == transfer.labeled_indices(labels, target, 10, seed=0)
    assert ten != transfer.labeled_indices(labels, target, 10, seed=1)
    for bad, named in ((31, "per_class"), (0, "per_class"), (2.5, "per_class")):
        with pytest.raises(CnnbookError, match=named):
            transfer.labeled_indices(labels, target, bad, seed=0)
    with pytest.raises(CnnbookError, match="seed"):
        transfer.labeled_indices(labels, target, 5, seed=-1)


def test_task_datasets_relabel_and_repeat():
    images, labels = torch.zeros(40, 1, 28, 28), torch.arange(10).repeat(4)
    task = transfer._task(images, labels, (5, 6, 7, 8, 9))
    assert len(task) == 20 and set(task.tensors[1].tolist()) == {0, 1, 2, 3, 4}
    repeated = transfer._task(images, labels, (5, 6, 7, 8, 9), indices=[5, 16], repeat_to=5)
    assert repeated.tensors[1].tolist() == [0, 1, 0, 1, 0]


def test_the_linear_probe_trains_only_the_head_and_keeps_batch_norm_statistics():
    from cnnbook.models import cifar_resnet
    torch.manual_seed(0)
    probe = freeze_backbone(cifar_resnet(8, num_classes=5))
    trained = [name for name, p in probe.named_parameters() if p.requires_grad]
    assert trained == ["network.fc.weight", "network.fc.bias"]
    before = probe.network.bn1.running_mean.clone()
    probe.train()
    assert not probe.network.training and not probe.network.bn1.training
    probe(torch.randn(4, 1, 28, 28) + 3)
    assert torch.equal(before, probe.network.bn1.running_mean)


def test_bad_workers_is_a_clear_error():
    with pytest.raises(CnnbookError, match="workers"):
        run_experiment(transfer, smoke=True, workers=0)


@pytest.mark.slow
def test_smoke_run_has_the_stored_schema(smoke_run):
    result = smoke_run("transfer")
    methods, budgets = transfer.METHODS, transfer.LABELS_PER_CLASS
    assert [(r["method"], r["labels_per_class"]) for r in result["runs"]] == (
        [("pretrain", None)] + [(m, k) for k in budgets for m in methods])
    assert set(result["summary"]) == {"pretrain", *map(str, budgets)}
    for k in budgets:
        assert set(result["summary"][str(k)]) == set(methods)
        for method in methods:
            assert result["summary"][str(k)][method]["eval_acc"]["n"] == 1
    for run in result["runs"]:
        assert 0 <= run["eval_acc"] <= 1 and len(run["curves"]["eval_acc"]) >= 1
    probe, fine = (next(r for r in result["runs"] if r["method"] == m) for m in ("linear_probe", "fine_tune"))
    assert probe["trained_parameters"] == 64 * 5 + 5 < fine["trained_parameters"]
    if "transfer" in stored_results():
        stored = load_result("transfer")
        assert set(stored["summary"]) == set(result["summary"])
        assert set(stored["runs"][0]) == set(result["runs"][0])
        assert len(stored["settings"]["seeds"]) >= 3
