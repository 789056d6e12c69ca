"""cnnbook.plotting.label_points: labels of crowded points that do not overlap."""
from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from cnnbook.errors import CnnbookError  # noqa: E402
from cnnbook.plotting import label_points  # noqa: E402

# the crowded corner of the complexity page's latency figure (GFLOPs, milliseconds)
POINTS = {"AlexNet": (1.4, 36), "VGG-16": (31, 508), "GoogLeNet": (3.0, 94), "ResNet-18": (3.6, 78),
          "ResNet-34": (7.3, 112), "ResNet-50": (8.2, 126), "ResNeXt-50 32x4d": (8.5, 197),
          "DenseNet-121": (5.7, 115), "RegNetY-1.6GF": (3.2, 68)}


@pytest.mark.parametrize("scale", ["linear", "log"])
def test_labels_of_crowded_points_do_not_overlap(scale):
    figure, axis = plt.subplots(figsize=(6, 4))
    xs, ys = zip(*POINTS.values())
    axis.scatter(xs, ys)
    axis.set_xscale(scale)
    texts = label_points(axis, xs, ys, list(POINTS))
    renderer = figure.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in texts]
    overlapping = [(a.get_text(), b.get_text()) for (a, box_a), (b, box_b) in
                   itertools.combinations(zip(texts, boxes), 2) if box_a.overlaps(box_b)]
    assert [t.get_text() for t in texts] == list(POINTS)
    assert not overlapping
    # unlabelled: plain annotations at the points overlap in this corner (the check above can fail)
    plain = [axis.text(x, y, label, fontsize=7) for label, (x, y) in POINTS.items()]
    plain_boxes = [t.get_window_extent(renderer) for t in plain]
    assert any(a.overlaps(b) for a, b in itertools.combinations(plain_boxes, 2))
    plt.close(figure)


def test_one_label_per_point():
    figure, axis = plt.subplots()
    with pytest.raises(CnnbookError, match="one label per point"):
        label_points(axis, [1, 2], [1, 2], ["a"])
    plt.close(figure)
