"""Which code decides an experiment's results, and a hash of it that changes only when that code does.

A stored result must go stale when the code that made it changes, and only then.  So the hash
covers:

* **the modules the experiment really imports**, found by reading its import statements (at the
  top and inside functions) and following them through the package, plus what its optional
  ``extra_dependencies(settings)`` adds: the modules that a name chosen at run time resolves to
  (``models.get_model("alexnet_small")`` is built in ``cnnbook.models.alexnet``);
* **each module's code, not its text**: the syntax tree without docstrings (``ast``), so a comment,
  a docstring or a re-wrapped line leaves every result fresh, while any change to what runs makes
  it stale;
* **the data it depends on** that lives outside its modules: what its ``hash_material(settings)``
  returns (one section's run settings, one comparison's definition).

Three kinds of module are not followed, each for a reason that ``EXCLUDED`` states: the machinery
that runs and stores experiments (it decides where a job runs, not what it computes), pure data
modules (an experiment hashes its own entry through ``hash_material``, so adding a section leaves
the other results valid) and modules that draw or translate but never change a number.  The test
``tests/test_experiments.py::test_the_hash_covers_every_module_an_experiment_runs`` runs every
experiment's smoke jobs under a tracer and fails if code of any other package module ran.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

PACKAGE = "cnnbook"
HASH_SCHEME = "ast-imports-v2"  # stored in each result's provenance: how its code_hash was computed

# Package modules an experiment may import that never decide a number of its results.
EXCLUDED: dict[str, str] = {
    "cnnbook": "the package's front door: the version and the language setting",
    "cnnbook.models": "re-exports the model classes; the module a model name resolves to is hashed "
    "(extra_dependencies), so re-pointing a name changes the hash",
    "cnnbook.experiments": "loads and stores results, provenance and the command line",
    "cnnbook.experiments.hashing": "this hash",
    "cnnbook.experiments.runner": "where and how jobs run (inline, local processes, Dask), not what they compute",
    "cnnbook.experiments.registry": "the list of experiments and the commands that make their results",
    "cnnbook.section_settings": "data: each experiment hashes its own section's entry (hash_material)",
    "cnnbook.experiments.comparisons": "data: each comparison hashes its own entry (hash_material)",
    "cnnbook.plotting": "draws figures; an experiment trains with plot=False",
    "cnnbook.i18n": "the text of messages and labels in English or Chinese",
}


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _module_file(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ImportError(f"no source file for the module {name}")
    return Path(spec.origin)


@lru_cache(maxsize=None)
def _tree(
    path: Path, stamp: float
) -> ast.Module:  # ``stamp``: a changed file is read again
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _parse(name: str) -> ast.Module:
    path = _module_file(name)
    return _tree(path, path.stat().st_mtime)


def imported_modules(name: str) -> set[str]:
    """The package modules that module ``name`` imports anywhere in its code (sorted out of
    ``import a.b``, ``from .x import y`` and ``from .. import x``, where ``x`` may be a module).
    """
    is_package = _module_file(name).name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(_parse(name)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = name.split(".") if is_package else name.split(".")[:-1]
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                found.add(candidate if _is_module(candidate) else source)
    return {
        module
        for module in found
        if module == PACKAGE or module.startswith(PACKAGE + ".")
    }


def module_closure(roots: Iterable[str]) -> list[str]:
    """``roots`` and every package module they import, directly or through each other, except the
    modules of ``EXCLUDED`` (neither hashed nor followed)."""
    seen: set[str] = set()
    todo = [root for root in roots if root not in EXCLUDED]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [
            module
            for module in imported_modules(name)
            if module not in EXCLUDED and module not in seen
        ]
    return sorted(seen)


def normalized_code(name: str) -> str:
    """Module ``name``'s syntax tree without docstrings and error messages, as text: what runs, not
    how it is written or what it says when it stops.

    ``raise CnnbookError(<message>)`` keeps the raise and the exception's type, not its arguments:
    a run that raises stores no result, so rewording (or translating) a message cannot change one.
    """
    tree = _parse(name)
    tree = ast.parse(ast.unparse(tree))  # a copy to edit
    for node in ast.walk(tree):
        if isinstance(
            node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            node.exc.args, node.exc.keywords = [], []
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def experiment_module(experiment: str | ModuleType) -> ModuleType:
    if isinstance(experiment, ModuleType):
        return experiment
    name = experiment if "." in experiment else f"{PACKAGE}.experiments.{experiment}"
    return importlib.import_module(name)


def dependencies(
    experiment: str | ModuleType, settings: dict[str, Any] | None = None
) -> list[str]:
    """The modules whose code decides ``experiment``'s results for ``settings``: the experiment's
    module, what its ``extra_dependencies(settings)`` names, and every package module they import.
    """
    module = experiment_module(experiment)
    name = module.__name__ if module.__name__ != "__main__" else module.__spec__.name
    extra = getattr(module, "extra_dependencies", None)
    roots = [name, *(extra(settings or {}) if extra is not None else ())]
    return module_closure(roots)


def code_hash(
    experiment: str | ModuleType, settings: dict[str, Any] | None = None
) -> str:
    """A short SHA-256 of the code of ``dependencies(experiment, settings)`` (docstrings and comments
    left out) and of what the experiment's ``hash_material(settings)`` returns, if it has one.
    """
    module = experiment_module(experiment)
    digest = hashlib.sha256(HASH_SCHEME.encode() + b"\0")
    for name in dependencies(module, settings):
        digest.update(
            name.encode() + b"\0" + normalized_code(name).encode("utf-8") + b"\0"
        )
    material = getattr(module, "hash_material", None)
    if (
        material is not None
    ):  # data the results depend on that lives outside its modules
        digest.update(b"material\0" + material(settings or {}).encode("utf-8"))
    return digest.hexdigest()[:16]


__all__ = [
    "EXCLUDED",
    "HASH_SCHEME",
    "code_hash",
    "dependencies",
    "imported_modules",
    "module_closure",
    "normalized_code",
]
