"""The catalog table: live counts next to torchvision's, and torchvision's published accuracy."""
import pytest

from cnnbook.models.catalog import catalog_rows, format_catalog, published_top1


@pytest.mark.slow
def test_catalog_rows_agree_with_torchvision_and_cite_the_source():
    rows = catalog_rows(["resnet18", "googlenet", "regnet_x_400mf"])
    for row in rows:
        assert row.parameters == row.torchvision_parameters > 0
        assert row.flops == row.torchvision_flops > 0
        assert row.top1 is not None and 50 < row.top1 < 100
    assert rows[1].parameters == 6_624_904  # torchvision's GoogLeNet without auxiliary classifiers
    table = format_catalog(rows)
    assert table.count("\n| ") == 3 and "| resnet18 | 11.69 | 11.69 |" in table
    assert "published by torchvision for its IMAGENET1K_V1 weights" in table


def test_published_top1_is_read_from_torchvision_metadata():
    assert published_top1("resnet50") == 76.13
