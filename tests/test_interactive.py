"""The slider widget: draws on change only, and reads as text on a static page."""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cnnbook.interactive import slider_explorer  # noqa: E402


def test_slider_explorer_redraws_with_the_slider_values_and_has_a_static_text():
    calls = []

    def draw(scale, seed):
        calls.append((scale, seed))
        figure, _ = plt.subplots()
        return figure

    scale = widgets.FloatSlider(value=0.5, min=0.0, max=1.0)
    seed = widgets.IntSlider(value=0, min=0, max=5)
    box = slider_explorer(draw, {"scale": scale, "seed": seed}, static_text="[sliders: run the notebook]")
    assert calls == []  # nothing is drawn while the notebook is executed
    assert repr(box) == "[sliders: run the notebook]"
    scale.value = 0.75
    seed.value = 3
    assert calls == [(0.75, 0), (0.75, 3)]
    assert list(box.children[:2]) == [scale, seed] and isinstance(box.children[2], widgets.Output)
