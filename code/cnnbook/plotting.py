"""Figures for the book: fonts that draw Chinese, image grids, live training curves, stored
comparisons over seeds (``plot_seed_bands``).

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: Chinese labels come out as empty
boxes with a "Glyph ... missing from font" warning.  ``use_book_fonts`` keeps DejaVu Sans for
Latin text and adds a CJK font as a per-glyph fallback (matplotlib >= 3.6 falls back glyph by
glyph), so English and Chinese labels both render.  It looks for Noto Sans CJK (Debian/Ubuntu:
``apt-get install fonts-noto-cjk``; the book's Colab set-up cell installs it) and a few other
common CJK fonts.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import font_manager

from .errors import CnnbookError, CnnbookTypeError, check_float, check_int
from .i18n import tr, value_name

CJK_FONT_CANDIDATES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)


def find_cjk_font() -> str | None:
    """The family name of an installed font that draws Simplified Chinese, or ``None``."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in CJK_FONT_CANDIDATES:
        if family in installed:
            return family
    return None


def use_book_fonts() -> str | None:
    """Set matplotlib's fonts so Latin and Chinese text both render; return the CJK family used.

    When no CJK font is installed, Chinese labels cannot render: this raises a clear error only
    when the book's language is Chinese (``cnnbook.set_language("zh")``) and otherwise leaves
    matplotlib's defaults alone.
    """
    from .i18n import current_language

    family = find_cjk_font()
    if family is None:
        font_manager.fontManager.__init__()  # a font installed after start-up (Colab) is found now
        family = find_cjk_font()
    if family is None:
        if current_language() == "zh":
            raise RuntimeError(
                "No Chinese font found for matplotlib, so Chinese plot labels would be empty boxes. "
                "Install one (Debian/Ubuntu/Colab: apt-get install fonts-noto-cjk) and restart the kernel."
            )
        return None
    # Explicit family names: matplotlib falls back glyph by glyph along this list (a generic
    # "sans-serif" family would resolve to one font only).
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]
    return family


def show_images(
    images: torch.Tensor | Sequence[torch.Tensor],
    rows: int,
    columns: int,
    titles: Sequence[str] | None = None,
    scale: float = 1.5,
    suptitle: str | None = None,
) -> plt.Figure:
    """Draw a grid of grayscale or RGB images (tensors shaped (C, H, W) or (H, W)); return the figure.

    ``images`` is a batch (a tensor shaped (N, C, H, W) or (N, H, W)), a list of images, or one
    (H, W) image.  Float images are drawn from 0 (black) to 1 (white); integer ones (uint8) from 0 to 255.
    """
    rows, columns = check_int("rows", rows, minimum=1), check_int(
        "columns", columns, minimum=1
    )
    scale = check_float("scale", scale, minimum=0.0, include_minimum=False)
    if isinstance(images, (torch.Tensor, np.ndarray)) and images.ndim == 2:
        images = [images]  # one (H, W) image
    if isinstance(images, (str, bytes)) or not hasattr(images, "__len__"):
        raise CnnbookTypeError(
            f"images={type(images).__name__} is not allowed: images must be a batch of images "
            "(a tensor shaped (N, C, H, W) or (N, H, W)) or a list of (C, H, W) / (H, W) images"
        )
    if titles is not None and (
        isinstance(titles, str) or not hasattr(titles, "__len__")
    ):
        raise CnnbookTypeError(
            f"titles={titles!r} is not allowed: titles must be a list of strings, one per image"
        )
    prepared = [
        _displayable(images[index], index)
        for index in range(min(len(images), rows * columns))
    ]
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(columns * scale, rows * scale + (0.4 if suptitle else 0)),
        squeeze=False,
    )
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= len(images):
            continue
        image = prepared[index]
        axis.imshow(
            image.numpy(), cmap="gray" if image.dim() == 2 else None, vmin=0, vmax=1
        )
        if titles is not None and index < len(titles):
            axis.set_title(titles[index], fontsize=9)
    if suptitle:
        figure.suptitle(suptitle)
    figure.tight_layout()
    return figure


def _displayable(image, index: int) -> torch.Tensor:
    """One image as an (H, W) or (H, W, 3) float tensor in [0, 1] for ``imshow``."""
    image = (
        image.detach().cpu()
        if isinstance(image, torch.Tensor)
        else torch.as_tensor(np.asarray(image))
    )
    if image.dim() == 3 and image.shape[0] in (1, 3):
        image = image.permute(1, 2, 0)
    image = image.squeeze(-1) if image.dim() == 3 and image.shape[-1] == 1 else image
    if not (image.dim() == 2 or (image.dim() == 3 and image.shape[-1] == 3)):
        raise CnnbookError(
            f"images[{index}] has shape {tuple(image.shape)}: each image must be grayscale (H, W) or "
            "(1, H, W), or RGB (3, H, W) or (H, W, 3); an image with 2 or 4 channels cannot be drawn"
        )
    if image.dtype == torch.bool:
        image = image.float()
    elif not image.is_floating_point():
        image = image.float() / 255  # 0-255 integers, as images are stored
    return image.float()


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (where figures can be shown and updated)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


class LivePlot:
    """Training curves that redraw in place in Jupyter while a model trains.

    The figure is shown once and then updated through a display handle, so a notebook keeps one
    figure (the final one) instead of one per epoch.  Outside Jupyter nothing is shown.
    """

    def __init__(
        self,
        epochs: int,
        curves: Sequence[str],
        xlabel: str,
        title: str = "",
        figsize: tuple[float, float] = (5.5, 3.5),
    ) -> None:
        self.curves = list(curves)
        self.values: dict[str, list[float]] = {name: [] for name in self.curves}
        self.x: list[float] = []
        self.figure, self.axis = plt.subplots(figsize=figsize)
        self.axis.set_xlim(0.5, epochs + 0.5)
        self.axis.set_ylim(0, 1)
        self.axis.set_xlabel(xlabel)
        self.axis.grid(True, alpha=0.3)
        if title:
            self.axis.set_title(title, fontsize=9)
        self.lines = {
            name: self.axis.plot([], [], marker="o", markersize=3, label=name)[0]
            for name in self.curves
        }
        self.axis.legend(loc="best", fontsize=8)
        self.figure.tight_layout()
        self.handle = None
        if in_notebook():
            from IPython.display import display

            self.handle = display(self.figure, display_id=True)

    def add(self, x: float, values: dict[str, float]) -> None:
        """Append one point to each named curve and redraw."""
        self.x.append(x)
        top = 1.0
        for name in self.curves:
            self.values[name].append(values[name])
            self.lines[name].set_data(self.x, self.values[name])
            top = max(top, *self.values[name])
        self.axis.set_ylim(0, top * 1.05)
        if self.handle is not None:
            self.handle.update(self.figure)

    def close(self) -> plt.Figure:
        """Stop updating; the last drawing stays in the notebook.  Returns the figure."""
        plt.close(self.figure)
        return self.figure


def label_points(
    axis: plt.Axes,
    xs: Sequence[float],
    ys: Sequence[float],
    labels: Sequence[str],
    fontsize: float = 7,
    **text_options,
) -> list:
    """Write ``labels[i]`` next to the point ``(xs[i], ys[i])`` of ``axis`` so that no two labels
    overlap each other or cover a point: adjustText moves them apart (a thin line joins a label
    moved far from its point).  Call it after the axis limits and scales are set.

    Returns the text artists.  Works on linear and logarithmic axes.
    """
    from adjustText import adjust_text

    if not (len(xs) == len(ys) == len(labels)):
        raise CnnbookError(
            f"label_points got {len(xs)} x values, {len(ys)} y values and {len(labels)} labels: "
            "give one label per point"
        )
    texts = [
        axis.text(x, y, label, fontsize=fontsize, **text_options)
        for x, y, label in zip(xs, ys, labels)
    ]
    adjust_text(
        texts,
        x=list(xs),
        y=list(ys),
        ax=axis,
        expand=(1.15, 1.4),
        arrowprops=dict(arrowstyle="-", color="0.5", linewidth=0.5),
    )
    return texts


def plot_seed_bands(
    axis: plt.Axes,
    result: Mapping[str, Any],
    metric: str = "eval_acc",
    variants: Sequence[str] | None = None,
) -> None:
    """Draw a stored comparison (``cnnbook.experiments.load_result``) on ``axis``: per variant, the
    mean over its seeds of ``metric`` after every epoch (a line) and the range from the lowest to
    the highest seed (a band), labelled in the page's language with the number of seeds.

    ``metric`` is a per-epoch curve of the stored runs (``"eval_acc"``, ``"train_acc"``,
    ``"loss"``); ``variants`` picks and orders the variants (all of them by default).  Variants may
    have trained for different numbers of epochs.
    """
    runs = result.get("runs") if isinstance(result, Mapping) else None
    if not runs or "curves" not in runs[0]:
        raise CnnbookError(
            "result is not a stored comparison with per-epoch curves: load one with "
            "cnnbook.experiments.load_result(<comparison>), e.g. load_result('vgg_depth')"
        )
    known = list(dict.fromkeys(r["variant"] for r in runs))
    chosen = known if variants is None else list(variants)
    for variant in chosen:
        curves = [r["curves"] for r in runs if r["variant"] == variant]
        if not curves:
            raise CnnbookError(
                f"variant {variant!r} is not in this comparison: choose from {known}"
            )
        if metric not in curves[0]:
            raise CnnbookError(
                f"metric={metric!r} is not a stored curve: choose from {sorted(curves[0])}"
            )
        values = torch.tensor([c[metric] for c in curves], dtype=torch.float64)
        epochs = range(1, values.shape[1] + 1)
        (line,) = axis.plot(
            epochs,
            values.mean(dim=0),
            marker=".",
            label=tr(
                "variant over seeds",
                variant=value_name("variant", variant),
                count=len(curves),
            ),
        )
        axis.fill_between(
            epochs,
            values.amin(dim=0),
            values.amax(dim=0),
            color=line.get_color(),
            alpha=0.2,
        )
