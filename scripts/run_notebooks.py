"""Execute the book's notebooks.

    python scripts/run_notebooks.py --store NOTEBOOK...   # re-execute and save the outputs (make outputs)
    python scripts/run_notebooks.py --gpu NOTEBOOK...     # re-execute on a GPU, errors fail (make test-gpu)

``--store`` is how the committed outputs are made: the fast profile on the CPU (``make outputs``
sets CNNBOOK_PROFILE=fast), the same thing the notebook tests reproduce.  Each notebook runs in
its own folder, as in JupyterLab.  The time per notebook is printed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import figure_records  # noqa: E402  (tests/figure_records.py: the figures a notebook draws)


def execute(path: Path, store: bool, figures: Path | None = None, references: bool = True) -> float:
    """Run one notebook (``store``: save its outputs).  With ``figures`` (a folder), record the
    figures it draws there and, with ``references``, describe them in its .figures/ reference."""
    if figures is not None:
        os.environ.update(figure_records.prepare(figures, path))
    notebook = nbformat.read(path, as_version=4)
    # record_timing=False: no execution timestamps in the cells' metadata, so that storing a notebook again
    # changes only what its cells print, and opening it in JupyterLab has nothing to normalise.
    client = NotebookClient(notebook, timeout=1200, kernel_name="python3", store_widget_state=store,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if store:
        notebook.metadata["kernelspec"] = kernelspec()
        nbformat.write(notebook, path)
    if figures is not None and references:
        figure_records.write_reference(path, figure_records.figures_dir(figures, path))
    return seconds


def kernelspec() -> dict:
    """The notebook metadata of the installed Python kernel.  JupyterLab rewrites a notebook's
    kernelspec to this when it opens it (and marks the notebook modified if it differed)."""
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--store", action="store_true", help="save the new outputs into the notebooks")
    mode.add_argument("--gpu", action="store_true", help="run on a GPU; fail on any error or any figure whose "
                      "structure (axes, labels, legends, number of curves) differs from the stored one; save nothing")
    mode.add_argument("--figures", action="store_true", help="re-describe the figures only: run the notebooks and "
                      "write chapters/<lang>/<chapter>/.figures/<page>.json, leaving the notebooks as they are")
    parser.add_argument("notebooks", nargs="+", type=Path)
    arguments = parser.parse_args()
    if arguments.gpu:
        import torch
        if not torch.cuda.is_available():
            print("make test-gpu needs a CUDA GPU, and PyTorch sees none on this machine.", file=sys.stderr)
            return 2
        data = os.environ.get("CNNBOOK_DATA", "")
        if not os.environ.get("CNNBOOK_PROFILE"):
            from cnnbook.data import OFFICIAL_SIZES, has_fashion_mnist, candidate_roots
            import torchvision
            roots = [root for root in candidate_roots() if has_fashion_mnist(root)]
            full = bool(roots) and len(torchvision.datasets.FashionMNIST(str(roots[0]), train=True)) == OFFICIAL_SIZES[0]
            os.environ["CNNBOOK_PROFILE"] = "full" if full else "fast"
            print(f"profile: {os.environ['CNNBOOK_PROFILE']} "
                  f"({'full dataset found' if full else 'only the sample is here' + (' (' + data + ')' if data else '')})")
    failures = 0
    records = Path(tempfile.mkdtemp(prefix="cnnbook-figures-"))
    for path in arguments.notebooks:
        try:
            seconds = execute(path, store=arguments.store, figures=records, references=not arguments.gpu)
            print(f"{seconds:7.1f} s  {path}")
        except Exception as error:  # report every notebook, then fail
            failures += 1
            print(f"FAILED   {path}: {type(error).__name__}: {str(error)[-2000:]}", file=sys.stderr)
            continue
        if arguments.gpu:  # the figures' structure (their data is another run's)
            problems = figure_records.check_notebook(path, figure_records.figures_dir(records, path),
                                                     Path("artifacts/figure-diffs/gpu"), structure_only=True)
            for problem in problems:
                print(f"FIGURE   {problem}", file=sys.stderr)
            failures += bool(problems)
    shutil.rmtree(records, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
