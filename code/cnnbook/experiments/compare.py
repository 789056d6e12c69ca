"""Compare trained configurations over several seeds: one stored result per comparison.

A page that claims "B trains better than A" needs the spread over seeds, and training every
variant several times does not fit in a notebook's minute.  This experiment trains each variant of
a comparison (``cnnbook.experiments.comparisons.COMPARISONS``) under each seed, on the CPU, with
the section's fast-profile settings changed only where the variant says so, and stores every
run's per-epoch curves and the summary of the final metrics per variant::

    python -m cnnbook.experiments.compare --comparison vgg_depth           # writes vgg_depth.json
    python -m cnnbook.experiments.compare --comparison vgg_depth --smoke   # 1 epoch, 1 seed, 2 variants

A page loads the result with ``load_result("vgg_depth")`` and plots it.  Each comparison's code
hash covers its own definition and the modules of the models it trains, so adding a comparison
leaves the other stored results valid.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

from . import command_line
from ..spread import summarize
from ..errors import CnnbookError
from ..models import INITS
from ..schedules import SCHEDULES
from .runner import Job

METRICS = ("loss", "train_acc", "eval_acc")
RUN_FIELDS = (
    "model",
    "image_size",
    "batch_size",
    "epochs",
    "lr",
    "momentum",
    "model_kwargs",
)
TRAIN_FIELDS = ("weight_decay", "label_smoothing")
VARIANT_FIELDS = (*RUN_FIELDS, *TRAIN_FIELDS, "init", "schedule")
OPTIONS = (
    {
        "flags": ("--comparison",),
        "kwargs": {"required": True, "help": "the comparison to run (see COMPARISONS)"},
    },
)


def _definition(name: str) -> dict[str, Any]:
    from .comparisons import COMPARISONS

    if name not in COMPARISONS:
        raise CnnbookError(
            f"no comparison named {name!r}; known comparisons: {', '.join(sorted(COMPARISONS))} "
            "(defined in cnnbook/experiments/comparisons.py)"
        )
    return check_definition(name, COMPARISONS[name])


def check_definition(name: str, definition: dict[str, Any]) -> dict[str, Any]:
    """A comparison's definition, checked: a section, seeds, and named variants of known fields."""
    from ..profiles import SECTION_SETTINGS

    if definition.get("section") not in SECTION_SETTINGS:
        raise CnnbookError(
            f"comparison {name!r}: section={definition.get('section')!r} has no run settings; "
            f"known sections: {', '.join(SECTION_SETTINGS)}"
        )
    seeds = definition.get("seeds", ())
    if len(seeds) < 3 or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise CnnbookError(
            f"comparison {name!r}: seeds={seeds!r}: a comparison needs at least 3 seeds "
            "(non-negative integers) to show a spread"
        )
    variants = definition.get("variants", {})
    if len(variants) < 2:
        raise CnnbookError(
            f"comparison {name!r} has {len(variants)} variant(s): it needs at least 2"
        )
    for label, variant in variants.items():
        unknown = set(variant) - set(VARIANT_FIELDS)
        if unknown:
            raise CnnbookError(
                f"comparison {name!r}, variant {label!r}: unknown field(s) {sorted(unknown)}; "
                f"allowed: {', '.join(VARIANT_FIELDS)}"
            )
        if variant.get("init", "model") not in (*INITS, "model"):
            raise CnnbookError(
                f"comparison {name!r}, variant {label!r}: init={variant['init']!r}; choose one of "
                f"{', '.join(INITS)} (or leave it out: the model's own initialization)"
            )
        if variant.get("schedule", "constant") not in SCHEDULES:
            raise CnnbookError(
                f"comparison {name!r}, variant {label!r}: schedule={variant['schedule']!r}; "
                f"choose one of {', '.join(SCHEDULES)}"
            )
    return definition


def hash_material(settings: dict[str, Any]) -> str:
    """The comparison's definition and its section's fast settings (what its results depend on)."""
    from ..section_settings import SECTION_SETTINGS
    from .comparisons import COMPARISONS

    name = settings.get("comparison")
    definition = COMPARISONS.get(name, {})
    return json.dumps(
        {
            "comparison": definition,
            "fast": SECTION_SETTINGS.get(definition.get("section"), {}).get("fast"),
        },
        sort_keys=True,
        default=str,
    )


def extra_dependencies(settings: dict[str, Any]) -> list[str]:
    """The modules of the models the comparison trains."""
    from .. import models
    from ..profiles import run_config

    name = settings.get("comparison")
    from .comparisons import COMPARISONS

    if name not in COMPARISONS:
        return []
    definition = COMPARISONS[name]
    base = run_config(definition["section"], "fast")
    return sorted(
        {
            models.model_entry(variant.get("model", base.model)).factory.__module__
            for variant in definition["variants"].values()
        }
    )


def train_variant(
    section: str, variant: dict[str, Any], seed: int, epochs: int | None = None
) -> dict[str, Any]:
    """One run: the section's fast settings changed by ``variant``, seeded with ``seed``, on the CPU."""
    from ..inspection import count_parameters
    from ..profiles import run_config
    from ..train import run_section

    run = replace(
        run_config(section, "fast"),
        **{k: variant[k] for k in (*RUN_FIELDS, "schedule") if k in variant},
    )
    model, history = run_section(
        run,
        seed,
        epochs=epochs,
        init=variant.get("init"),
        weight_decay=variant.get("weight_decay", 0.0),
        label_smoothing=variant.get("label_smoothing", 0.0),
    )
    return {
        "seed": seed,
        "parameters": count_parameters(model),
        "loss": history.train_loss[-1],
        "train_acc": history.train_acc[-1],
        "eval_acc": history.eval_acc[-1],
        "curves": {
            "loss": history.train_loss,
            "train_acc": history.train_acc,
            "eval_acc": history.eval_acc,
            "lr": history.learning_rates,
        },
    }


def check(smoke: bool = False, comparison: str = "", **_: Any) -> None:
    """Reject an unknown or ill-formed comparison before any job starts."""
    _definition(comparison)


def _plan(
    smoke: bool, comparison: str
) -> tuple[dict[str, Any], tuple[int, ...], dict[str, Any], int | None]:
    definition = _definition(comparison)
    seeds = tuple(definition["seeds"])[:1] if smoke else tuple(definition["seeds"])
    variants = (
        dict(list(definition["variants"].items())[:2])
        if smoke
        else definition["variants"]
    )
    return definition, seeds, variants, (1 if smoke else None)


def jobs(smoke: bool = False, comparison: str = "", **_: Any) -> list[Job]:
    """One job per variant and seed (in this order)."""
    definition, seeds, variants, epochs = _plan(smoke, comparison)
    return [
        Job(
            "cnnbook.experiments.compare:train_variant",
            {
                "section": definition["section"],
                "variant": variant,
                "seed": seed,
                "epochs": epochs,
            },
            label=f"{comparison}: {label!r}, seed {seed}",
        )
        for label, variant in variants.items()
        for seed in seeds
    ]


def report(result: dict[str, Any]) -> None:
    print(
        f"seed {result['seed']}: " + ", ".join(f"{m} {result[m]:.4f}" for m in METRICS),
        flush=True,
    )


def collect(
    results: list[dict[str, Any]], smoke: bool = False, comparison: str = "", **_: Any
) -> dict[str, Any]:
    """Every run with its curves, and per variant the summary of the final metrics."""
    from ..profiles import run_config

    definition, seeds, variants, epochs = _plan(smoke, comparison)
    labels = [label for label in variants for _ in seeds]
    runs = [{"variant": label, **result} for label, result in zip(labels, results)]
    summary = {
        label: {
            metric: summarize(r[metric] for r in runs if r["variant"] == label)
            for metric in METRICS
        }
        for label in variants
    }
    base = run_config(definition["section"], "fast")
    return {
        "name": comparison,
        "settings": {
            "comparison": comparison,
            "section": definition["section"],
            "profile": "fast",
            "base_run": base.describe(),
            "question": definition.get("question", ""),
            "variants": variants,
            "seeds": list(seeds),
            "epochs_override": epochs,
        },
        "runs": runs,
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> int:
    import importlib

    return command_line(
        importlib.import_module("cnnbook.experiments.compare"),
        list(sys.argv[1:] if argv is None else argv),
    )


if __name__ == "__main__":
    sys.exit(main())
