"""cnnbook.stages: block-level tables and CPU time per image."""
from __future__ import annotations

import pytest
import torch
from torch import nn

import cnnbook.models as models
from cnnbook.errors import CnnbookError
from cnnbook.stages import module_table, print_module_table, time_per_image


def test_module_table_lists_whole_inception_blocks():
    model = models.googlenet_small(aux_logits=True)
    rows = module_table(model, (1, 1, 28, 28))
    names = [row.name for row in rows]
    assert names[:3] == ["conv1", "maxpool1", "conv2"] and names[-1] == "fc"
    assert "aux1" not in names  # eval mode: the auxiliary classifiers do not run
    block = rows[names.index("inception3a")]
    assert block.output_shape == (1, 256 // 8, 14, 14)  # the concatenation of the four branches
    assert block.parameters == sum(p.numel() for p in model.inception3a.parameters())
    assert model.training  # the mode is restored


def test_module_table_depth_two_and_leaves_above_it():
    model = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), nn.Flatten())
    rows = module_table(model, (1, 1, 5, 5), depth=2)
    assert [(r.name, r.output_shape) for r in rows] == [("0.0", (1, 2, 3, 3)), ("0.1", (1, 2, 3, 3)), ("1", (1, 18))]


def test_print_module_table(capsys):
    print_module_table(models.googlenet_small(), (1, 1, 28, 28))
    assert "inception5b" in capsys.readouterr().out


@pytest.mark.parametrize("call, message", [
    (lambda: module_table(models.googlenet_small(), (1, 1, 28, 28), depth=0), "depth=0"),
    (lambda: module_table("googlenet", (1, 1, 28, 28)), "model="),
    (lambda: time_per_image(models.lenet(), (1, 1, 28, 28), min_run_time=0), "min_run_time=0"),
    (lambda: time_per_image(models.lenet(), (0, 1, 28, 28)), "input_shape="),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(CnnbookError, match=message):
        call()


def test_time_per_image_is_positive_and_restores_the_mode():
    model = models.lenet().train()
    seconds = time_per_image(model, (2, 1, 28, 28), min_run_time=0.05)
    assert 0 < seconds < 1 and model.training


def test_the_one_timer_times_a_call_and_checks_its_arguments():
    from cnnbook.errors import CnnbookError
    from cnnbook.timing import seconds_per_call
    calls = []
    assert seconds_per_call(lambda: calls.append(1), repeats=3) >= 0
    assert len(calls) >= 4  # the timer's warm-up, then three timed calls
    assert seconds_per_call(lambda: None, min_run_time=0.01) >= 0
    for bad, name in (({"repeats": 0}, "repeats=0"), ({"min_run_time": 0}, "min_run_time=0")):
        with pytest.raises(CnnbookError, match=name):
            seconds_per_call(lambda: None, **bad)
