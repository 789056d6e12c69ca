"""Every figure a notebook draws, recorded while it runs, and compared with the stored one.

**Recording.**  ``install()`` runs inside a notebook's kernel (an IPython start-up file that the
root conftest.py and scripts/run_notebooks.py write when ``CNNBOOK_RECORD_FIGURES`` names a
folder).  It wraps IPython's ``print_figure``, through which every figure that Jupyter shows is
rendered (``plt.show()``, a figure left at the end of a cell, a live training plot updated
through a display handle, a figure inside a widget).  For each render it stores the PNG and a
structural description (``describe``): axes, titles, axis labels, tick labels, legend entries,
the number of lines, bars, points and images, their data, and any character the fonts lack
(matplotlib warns "Glyph ... missing from font(s)" and draws an empty box).  A figure drawn
several times in one cell (a live plot) counts once, as it was last drawn.

**References.**  ``make outputs`` stores each notebook's figures, described, in
``chapters/<lang>/<chapter>/.figures/<page>.json`` (the PNGs are the notebook's own outputs).

**Kinds.**  Each code cell that draws names the kind of each of its figures in its metadata,
``"figures": [...]`` (one entry per figure, in order), decided once per figure:

* ``"image"``: does not depend on training (stored results, counts, untrained models, shapes):
  compared with the stored PNG as an image (``matplotlib.testing.compare.compare_images`` at the
  tolerance ``IMAGE_TOLERANCE``) and by structure and data (``DATA_RTOL``);
* ``"numeric"``: does not depend on training, but on values computed through many floating-point
  operations (gradient norms of a deep untrained network) that another CPU rounds otherwise:
  compared by structure and by data within ``NUMERIC_RTOL``, not as an image;
* ``"trained"``: depends on a training run in the notebook: compared by structure (axes, labels,
  legend entries, the number of curves, bars, points and values; not the axes' titles, which may
  name what the trained model predicts, nor the tick labels) and by the end of each curve of
  values between 0 and 1 (accuracies) within the section's measured tolerance (its noise
  experiment, as the trained metrics).  The values along the way are not compared: another CPU
  moves them further than the final ones (measured: CONTRIBUTING.md);
* ``"widget"``: drawn inside a widget (the stored notebook keeps its text form, not the image):
  compared by structure and data (``DATA_RTOL``);
* ``"timing"``: plots times measured on this machine (they change from run to run): compared by
  structure only (texts without tick labels, the number of axes, lines, bars and points).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VARIABLE = "CNNBOOK_RECORD_FIGURES"
KINDS = ("image", "numeric", "trained", "widget", "timing")
# RMS difference (0-255 scale) allowed between the stored PNG and the re-drawn one for "image"
# figures.  Measured over all 84 of them (34 notebooks): natively 0 for every one; under the
# emulated CPU (oneDNN SSE4.1, 1 thread) 0 for 79, at most 0.0056 for the others.  One added
# letter in the x label of a 10 x 3.2 inch figure gives an RMS of 5.5, "held-out" written
# "held out" in its legend 3.8 (CONTRIBUTING.md, "Figures").
IMAGE_TOLERANCE = 0.1
# relative tolerance on the data of "image" and "widget" figures (float rounding of another CPU)
DATA_RTOL, DATA_ATOL = 1e-3, 1e-6
# "numeric" figures: values computed through many floating-point layers (gradient norms of a deep
# untrained network), which another CPU's rounding moves by a few per cent (measured: CONTRIBUTING.md)
NUMERIC_RTOL = 0.1
MAX_POINTS = 2000  # per artist; beyond that the data is summarised (count, min, max, mean)
GLYPH = re.compile(r"Glyph (\d+) .*missing from (?:current )?font")


# ---------------------------------------------------------------------------------------------
# describing a figure


def _numbers(values) -> Any:
    import numpy as np
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):  # categories on an axis (layer names): compared as text
        return [str(v) for v in np.asarray(values, dtype=object).ravel().tolist()]
    if array.size > MAX_POINTS:
        finite = array[np.isfinite(array)]
        return {"count": int(array.size), "min": float(finite.min()) if finite.size else None,
                "max": float(finite.max()) if finite.size else None,
                "mean": float(finite.mean()) if finite.size else None}
    return [float(f"{v:.6g}") if math.isfinite(v) else None for v in array.tolist()]


def _texts(items) -> list[str]:
    return [t.get_text() for t in items if t.get_text()]


def describe(figure) -> dict:
    """What a reader sees in ``figure``: its texts exactly, its artists counted, their data.
    (Call after the figure is drawn: tick labels exist only then.)"""
    from matplotlib.collections import Collection, PathCollection
    from matplotlib.image import AxesImage
    from matplotlib.patches import Rectangle

    axes = []
    for axis in figure.get_axes():
        legend = axis.get_legend()
        lines = [line for line in axis.get_lines() if line.get_visible()]
        bars = [p for p in axis.patches if isinstance(p, Rectangle) and p.get_visible()]
        points = [c for c in axis.collections if isinstance(c, PathCollection) and c.get_visible()]
        bands = [c for c in axis.collections if isinstance(c, Collection) and not isinstance(c, PathCollection)
                 and c.get_visible()]
        axes.append({
            "title": " | ".join(t for t in (axis.get_title("left"), axis.get_title(), axis.get_title("right")) if t),
            "xlabel": axis.get_xlabel(), "ylabel": axis.get_ylabel(),
            "xscale": axis.get_xscale(), "yscale": axis.get_yscale(),
            "xticklabels": _texts(axis.get_xticklabels()), "yticklabels": _texts(axis.get_yticklabels()),
            "legend": _texts(legend.get_texts()) if legend is not None else [],
            "texts": _texts(axis.texts),
            "lines": [{"x": _numbers(line.get_xdata()), "y": _numbers(line.get_ydata())} for line in lines],
            "bars": [_numbers([p.get_x(), p.get_y(), p.get_width(), p.get_height()]) for p in bars],
            "points": [_numbers(c.get_offsets()) for c in points],
            "bands": len(bands),
            "images": [_numbers(list(image.get_array().shape)) for image in axis.images
                       if isinstance(image, AxesImage)],
        })
    suptitle = figure._suptitle.get_text() if getattr(figure, "_suptitle", None) else ""
    return {"size": [round(v, 2) for v in figure.get_size_inches()], "suptitle": suptitle,
            "texts": _texts(figure.texts), "axes": axes}


# ---------------------------------------------------------------------------------------------
# recording inside the kernel


def cell_key(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def install(folder: str | os.PathLike | None = None) -> None:
    """Record every figure the kernel renders into ``folder`` (default: ``$CNNBOOK_RECORD_FIGURES``)."""
    folder = Path(folder or os.environ[VARIABLE])
    folder.mkdir(parents=True, exist_ok=True)
    from IPython import get_ipython
    from IPython.core import pylabtools

    shell = get_ipython()
    original = pylabtools.print_figure
    state = {"count": 0}

    def current_cell() -> str:
        kernel = getattr(shell, "kernel", None)
        try:
            parent = kernel.get_parent("shell") if kernel is not None else {}
        except TypeError:  # older ipykernel: get_parent() without a channel
            parent = kernel.get_parent()
        return (parent or {}).get("content", {}).get("code", "")

    def recording_print_figure(fig, fmt="png", *args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = original(fig, fmt, *args, **kwargs)
        for warning in caught:  # pass the other warnings on, as they would have been shown
            if not GLYPH.search(str(warning.message)):
                warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
        if fmt != "png" or data is None:
            return data
        try:
            source = current_cell()
            state["count"] += 1
            png = folder / f"{state['count']:05d}.png"
            raw = data if isinstance(data, bytes) else __import__("base64").b64decode(data)
            png.write_bytes(raw)
            missing = sorted({chr(int(m.group(1))) for w in caught for m in [GLYPH.search(str(w.message))] if m})
            record = {"cell": cell_key(source), "figure": f"{id(fig)}-{getattr(fig, 'number', '')}",
                      "png": png.name,
                      "structure": describe(fig), "missing_glyphs": missing}
            with open(folder / "figures.jsonl", "a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        except Exception as error:  # never break the notebook: the comparison reports the gap
            with open(folder / "errors.txt", "a", encoding="utf-8") as out:
                out.write(f"{type(error).__name__}: {error}\n")
        return data

    pylabtools.print_figure = recording_print_figure


def figures_dir(metrics_dir: Path, notebook: Path) -> Path:
    """Where the figures of ``notebook`` are recorded during a notebook run under ``metrics_dir``."""
    path = notebook.resolve()
    relative = path.relative_to(REPO) if path.is_relative_to(REPO) else Path(path.name)
    return metrics_dir / "figures" / str(relative.with_suffix("")).replace(os.sep, "__")


def prepare(metrics_dir: Path, notebook: Path) -> dict[str, str]:
    """A fresh figure folder for ``notebook`` and the environment its kernel needs to record into it."""
    import shutil
    folder = figures_dir(metrics_dir, notebook)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ipython_dir = metrics_dir / "ipython"
    startup_file(ipython_dir)
    return {VARIABLE: str(folder), "IPYTHONDIR": str(ipython_dir)}


def startup_file(ipython_dir: Path) -> Path:
    """An IPython start-up file that installs the recorder in every kernel started with
    ``IPYTHONDIR=ipython_dir`` and ``CNNBOOK_RECORD_FIGURES`` set."""
    path = ipython_dir / "profile_default" / "startup" / "00-cnnbook-record-figures.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "import os, sys\n"
        f"if os.environ.get({VARIABLE!r}):\n"
        f"    sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "    import figure_records\n"
        "    figure_records.install()\n"
        "    sys.path.pop(0)\n", encoding="utf-8")
    return path


def recorded(folder: Path, notebook: dict) -> dict[int, list[dict]]:
    """The figures recorded in ``folder``, by code-cell index of ``notebook`` (a dict), each
    figure as last drawn, in the order first drawn."""
    path = folder / "figures.jsonl"
    if not path.is_file():
        return {}
    by_cell: dict[str, dict[int, dict]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record["png"] = str(folder / record["png"])
        figures = by_cell.setdefault(record["cell"], {})
        figures[record["figure"]] = record  # a figure drawn again replaces itself, keeping its place
    out = {}
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            key = cell_key(_source(cell))
            if key in by_cell:
                out[index] = list(by_cell[key].values())
    return out


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


# ---------------------------------------------------------------------------------------------
# references and kinds


def reference_path(notebook: Path) -> Path:
    return notebook.parent / ".figures" / f"{notebook.stem}.json"


def write_reference(notebook: Path, folder: Path) -> Path:
    """Store the described figures of ``notebook`` recorded in ``folder`` (``make outputs``)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    figures = recorded(folder, nb)
    data = {"notebook": notebook.name,
            "cells": {str(index): [{"structure": r["structure"], "missing_glyphs": r["missing_glyphs"]}
                                   for r in records] for index, records in sorted(figures.items())}}
    path = reference_path(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_reference(notebook: Path) -> dict[int, list[dict]]:
    path = reference_path(notebook)
    if not path.is_file():
        return {}
    return {int(k): v for k, v in json.loads(path.read_text(encoding="utf-8"))["cells"].items()}


def kinds(cell: dict) -> list[str] | None:
    return (cell.get("metadata") or {}).get("figures")


def stored_pngs(cell: dict) -> list[str]:
    """The base64 PNGs a stored code cell shows, in order."""
    return [output["data"]["image/png"] for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})]


# ---------------------------------------------------------------------------------------------
# comparing


def _close(a, b, rtol: float, atol: float) -> bool:
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _data_problems(where: str, expected: Any, actual: Any, rtol: float, atol: float) -> list[str]:
    if isinstance(expected, dict) or isinstance(actual, dict):
        if not (isinstance(expected, dict) and isinstance(actual, dict)) or expected["count"] != actual["count"]:
            return [f"{where}: {_size(actual)} values, stored {_size(expected)}"]
        bad = [k for k in ("min", "max", "mean") if not _close(actual[k], expected[k], rtol, atol)]
        return [f"{where}: {k} {actual[k]:.4g}, stored {expected[k]:.4g}" for k in bad]
    if len(expected) != len(actual):
        return [f"{where}: {len(actual)} values, stored {len(expected)}"]
    worst = max(((abs((a or 0) - (e or 0)) if not isinstance(a, str) and not isinstance(e, str) else math.inf, i)
                 for i, (e, a) in enumerate(zip(expected, actual)) if not _close(a, e, rtol, atol)), default=None)
    if worst is None:
        return []
    i = worst[1]
    return [f"{where}: value {i} is {actual[i]}, stored {expected[i]} (allowed: {atol:g} + {rtol:g} x |stored|)"]


def _size(values) -> int:
    return values["count"] if isinstance(values, dict) else len(values)


TEXT_FIELDS = ("title", "xlabel", "ylabel", "xscale", "yscale", "xticklabels", "yticklabels", "legend", "texts")


def compare_structure(where: str, expected: dict, actual: dict, *, rtol: float = 0.0, atol: float = 0.0,
                      ticks: bool = True, data: bool = True, titles: bool = True) -> list[str]:
    """Differences between two ``describe`` results: texts and counts exactly, data within
    ``atol + rtol * |stored|``.  ``ticks=False`` leaves out the tick labels (their values follow
    the data of a trained figure); ``data=False`` compares how many values, not which."""
    problems = []
    for field in ("suptitle", "texts", "size"):
        if expected[field] != actual[field]:
            problems.append(f"{where}: {field} {actual[field]!r}, stored {expected[field]!r}")
    if len(expected["axes"]) != len(actual["axes"]):
        return problems + [f"{where}: {len(actual['axes'])} axes, stored {len(expected['axes'])}"]
    for number, (e, a) in enumerate(zip(expected["axes"], actual["axes"]), 1):
        at = f"{where}, axes {number}"
        for field in TEXT_FIELDS:
            if (field.endswith("ticklabels") and not ticks) or (field == "title" and not titles):
                continue
            if e[field] != a[field]:
                problems.append(f"{at}: {field} {a[field]!r}, stored {e[field]!r}")
        for field in ("lines", "bars", "points", "images"):
            if len(e[field]) != len(a[field]):
                problems.append(f"{at}: {len(a[field])} {field}, stored {len(e[field])}")
        if e["bands"] != a["bands"]:
            problems.append(f"{at}: {a['bands']} bands, stored {e['bands']}")
        pairs = [(f"{at}, line {i} {coordinate}", el[coordinate], al[coordinate])
                 for i, (el, al) in enumerate(zip(e["lines"], a["lines"]), 1) for coordinate in ("x", "y")]
        pairs += [(f"{at}, {field[:-1]} {i}", ev, av) for field in ("bars", "points", "images")
                  for i, (ev, av) in enumerate(zip(e[field], a[field]), 1)]
        for name, ev, av in pairs:
            if data:
                problems += _data_problems(name, ev, av, rtol, atol)
            elif _size(ev) != _size(av):
                problems.append(f"{name}: {_size(av)} values, stored {_size(ev)}")
    return problems


def _curve_ends(where: str, expected: dict, actual: dict, tolerance: float) -> list[str]:
    """The last value of each curve whose stored values lie between 0 and 1 (an accuracy at the
    end of training), within ``tolerance``."""
    problems = []
    for number, (e, a) in enumerate(zip(expected["axes"], actual["axes"]), 1):
        for i, (el, al) in enumerate(zip(e["lines"], a["lines"]), 1):
            ys, new = el["y"], al["y"]
            if isinstance(ys, dict) or isinstance(new, dict) or not ys or not new:
                continue
            if all(isinstance(v, float) and 0 <= v <= 1 for v in ys) and isinstance(new[-1], float) \
                    and abs(new[-1] - ys[-1]) > tolerance:
                problems.append(f"{where}, axes {number}, line {i}: ends at {new[-1]:.3f}, stored {ys[-1]:.3f} "
                                f"(the section's tolerance: {tolerance})")
    return problems


def compare_images(where: str, stored_png_base64: str, actual_png: Path, diff_dir: Path,
                   tolerance: float = IMAGE_TOLERANCE) -> list[str]:
    """The stored PNG against the re-drawn one, with matplotlib's comparison; on failure the
    expected, actual and difference images are kept in ``diff_dir``."""
    import base64
    import shutil
    from matplotlib.testing.compare import compare_images as mpl_compare

    diff_dir.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", where)
    expected = diff_dir / f"{name}-expected.png"
    actual = diff_dir / f"{name}.png"
    expected.write_bytes(base64.b64decode(stored_png_base64))
    shutil.copyfile(actual_png, actual)
    try:
        result = mpl_compare(str(expected), str(actual), tolerance, in_decorator=True)
    except Exception as error:  # e.g. different image sizes
        return [f"{where}: the image differs from the stored one ({error}); see {diff_dir}"]
    if result is None:
        expected.unlink()
        actual.unlink()
        return []
    return [f"{where}: the image differs from the stored one: RMS {result['rms']:.2f} > {tolerance} "
            f"(expected, actual and difference images in {diff_dir})"]


def section_tolerance(notebook: Path) -> float:
    """The largest tolerance the section's noise experiment measured (loss and accuracies), for
    the data of its trained figures."""
    from cnnbook.experiments import load_result
    return max(load_result(f"{notebook.stem}_noise")["tolerance"].values())


def check_notebook(notebook: Path, folder: Path, diff_dir: Path, *, structure_only: bool = False) -> list[str]:
    """Every figure ``notebook`` drew in this run (recorded in ``folder``) against its stored
    reference, by the kind its cell names; ``structure_only`` (a GPU run): texts and counts only."""
    shown = notebook.resolve().relative_to(REPO) if notebook.resolve().is_relative_to(REPO) else notebook.name
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    fresh, reference = recorded(folder, nb), read_reference(notebook)
    problems = []
    errors = folder / "errors.txt"
    if errors.is_file():
        problems.append(f"{shown}: recording failed: {errors.read_text(encoding='utf-8')[:500]}")
    tolerance = None
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        drawn, stored, marks = fresh.get(index, []), reference.get(index, []), kinds(cell) or []
        if not drawn and not stored:
            continue
        where = f"{shown}, cell {index}"
        if len(drawn) != len(stored):
            problems.append(f"{where}: drew {len(drawn)} figures, the stored notebook {len(stored)}")
            continue
        if len(marks) != len(drawn):
            problems.append(f"{where}: {len(drawn)} figures but metadata figures={marks} "
                            f"(name the kind of each: {', '.join(KINDS)})")
            continue
        pngs = stored_pngs(cell)
        shown_before = [sum(mark != "widget" for mark in marks[:i]) for i in range(len(marks))]
        for number, (kind, new, old) in enumerate(zip(marks, drawn, stored), 1):
            at = f"{where}, figure {number} ({kind})"
            if new["missing_glyphs"]:
                problems.append(f"{at}: characters drawn as empty boxes (no font has them): "
                                f"{''.join(new['missing_glyphs'])}")
            if structure_only or kind == "timing":
                problems += compare_structure(at, old["structure"], new["structure"], ticks=False, data=False,
                                              titles=kind != "trained")
                continue
            if kind == "trained":
                if tolerance is None:
                    tolerance = section_tolerance(notebook)
                problems += compare_structure(at, old["structure"], new["structure"], ticks=False,
                                              data=False, titles=False)
                problems += _curve_ends(at, old["structure"], new["structure"], tolerance)
            elif kind == "numeric":
                problems += compare_structure(at, old["structure"], new["structure"], rtol=NUMERIC_RTOL,
                                              atol=DATA_ATOL)
            else:
                problems += compare_structure(at, old["structure"], new["structure"], rtol=DATA_RTOL,
                                              atol=DATA_ATOL)
            if kind == "image":
                position = shown_before[number - 1]  # its place among the cell's stored images
                if position >= len(pngs):
                    problems.append(f"{at}: the stored notebook shows no image for it (mark it 'widget'?)")
                else:
                    problems += compare_images(at, pngs[position], Path(new["png"]), diff_dir)
    return problems
