"""Small interactive widgets that also read well on a static page (HTML without a kernel, PDF).

A widget is displayed with a text form that tells a reader of the static page what it does and
where to run it; the figure it controls is drawn only when a slider moves, so executing the
notebook stores no half-drawn interactive state.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from .errors import CnnbookError, CnnbookTypeError


class _Explorer(widgets.VBox):
    """A VBox whose text form explains itself instead of listing its children."""

    static_text = ""

    def __repr__(self) -> str:
        return self.static_text

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's text form
        printer.text(self.static_text)


def _check_on_grid(name: str, slider: widgets.Widget) -> None:
    """A slider whose value is not ``min + k * step`` snaps to the grid when it is displayed, and that
    change redraws the figure for a value the page did not choose: refuse it, naming the values that fit.
    """
    step, low, value = (
        getattr(slider, "step", None),
        getattr(slider, "min", None),
        getattr(slider, "value", None),
    )
    if not all(isinstance(x, (int, float)) for x in (step, low, value)) or step <= 0:
        return
    steps = (value - low) / step
    if abs(steps - round(steps)) > 1e-6:
        below, above = low + int(steps) * step, low + (int(steps) + 1) * step
        raise CnnbookError(
            f"sliders[{name!r}] starts at value={value:g}, which is not on its grid min + k * step "
            f"= {low:g} + k * {step:g} (it would snap to {below:g} or {above:g} when displayed): "
            "choose min and step so that the value is one of the grid's points"
        )


def slider_explorer(
    draw: Callable[..., plt.Figure],
    sliders: dict[str, widgets.Widget],
    static_text: str,
) -> widgets.VBox:
    """Sliders above an output area; moving one calls ``draw(**values)`` and shows its figure.

    ``static_text`` is what a page without a running kernel shows in place of the widget.
    """
    if not callable(draw):
        raise CnnbookTypeError(
            f"draw={draw!r} is not allowed: draw must be a function that returns a figure"
        )
    if not isinstance(sliders, dict) or not all(
        isinstance(name, str) and isinstance(slider, widgets.Widget)
        for name, slider in sliders.items()
    ):
        raise CnnbookTypeError(
            f"sliders={type(sliders).__name__} is not allowed: sliders must be a dict from draw's "
            "argument names to widgets, e.g. {'lr': widgets.FloatSlider(...)}"
        )
    if not isinstance(static_text, str):
        raise CnnbookTypeError(
            f"static_text={static_text!r} is not allowed: static_text must be a str"
        )
    for name, slider in sliders.items():
        _check_on_grid(name, slider)
    output = widgets.Output()

    def redraw(_change: object = None) -> None:
        with output:
            output.clear_output(wait=True)
            figure = draw(**{name: slider.value for name, slider in sliders.items()})
            display(figure)
            plt.close(figure)

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    box = _Explorer([*sliders.values(), output])
    box.static_text = static_text
    return box
