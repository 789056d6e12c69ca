"""cnnbook.pretrained: torchvision's weights API offline (metadata) and the weights file (cache or a clear error)."""
from __future__ import annotations

import pytest
import torch
import torchvision

from cnnbook.errors import CnnbookError
from cnnbook.pretrained import WeightsUnavailableError, cached_weights_file, pretrained_model, weights_info


@pytest.fixture
def empty_cache_offline(tmp_path, monkeypatch):
    """An empty torch cache, and every download sent to a closed local port: the network unreachable."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    for variable in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    return tmp_path / "torch"


def test_metadata_needs_no_download():
    weights = weights_info("resnet18")
    assert weights is torchvision.models.ResNet18_Weights.DEFAULT
    assert weights.meta["num_params"] == sum(p.numel() for p in torchvision.models.resnet18().parameters())
    assert weights.meta["_metrics"]["ImageNet-1K"]["acc@1"] > 60
    assert weights_info("resnet50", "IMAGENET1K_V1") is torchvision.models.ResNet50_Weights.IMAGENET1K_V1


def test_offline_without_cache_gives_the_fix(empty_cache_offline):
    with pytest.raises(WeightsUnavailableError) as caught:
        pretrained_model("resnet18")
    message = str(caught.value)
    target = cached_weights_file("resnet18")
    assert str(target) in message and "resnet18-f37072fd.pth" in message and "TORCH_HOME" in message
    assert str(target).startswith(str(empty_cache_offline))
    assert not list(target.parent.iterdir()), "a failed download leaves nothing behind"
    assert isinstance(caught.value, CnnbookError)


def test_cached_file_is_loaded_without_network(empty_cache_offline):
    reference = torchvision.models.resnet18(weights=None)
    target = cached_weights_file("resnet18")
    target.parent.mkdir(parents=True)
    torch.save(reference.state_dict(), target)
    model = pretrained_model("resnet18")
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), reference.state_dict().values()))


@pytest.mark.parametrize("arguments, named", [
    (("resnet_18",), "architecture"), (("resnet18", "IMAGENET2K_V9"), "weights"), ((18,), "architecture"),
])
def test_bad_names_are_clear_errors(arguments, named):
    with pytest.raises(CnnbookError, match=named):
        weights_info(*arguments)


def test_offline_message_is_one_clear_error_without_a_chained_traceback(empty_cache_offline):
    """What the transfer-learning page prints offline: the URL, the file's place and the fix, no urllib chain."""
    weights = weights_info("resnet18")
    with pytest.raises(WeightsUnavailableError) as caught:
        pretrained_model("resnet18")
    error = caught.value
    assert error.__cause__ is None and error.__suppress_context__, "raised `from None`: no urllib traceback"
    message = str(error)
    assert weights.url in message and "Without internet access" in message
    assert message.count(str(cached_weights_file("resnet18"))) == 2  # where it looked, and where to put it


def test_the_torch_home_fix_names_the_folder_torch_reads(empty_cache_offline):
    """TORCH_HOME=<folder> makes torch read <folder>/hub/checkpoints: the message must say so."""
    with pytest.raises(WeightsUnavailableError, match="hub/checkpoints/"):
        pretrained_model("resnet18")
    assert cached_weights_file("resnet18").parent == empty_cache_offline / "hub" / "checkpoints"
