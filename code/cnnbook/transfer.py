"""Transfer learning with the book's networks: split the classes into a source and a target task,
draw a few labeled images per class, and freeze a backbone for a linear probe.

``cnnbook.experiments.transfer`` uses these to pretrain a small ResNet on five Fashion-MNIST classes
and adapt it to the other five (chapter 2, "Transfer learning").
"""

from __future__ import annotations

from typing import Sequence

from torch import nn

NUM_CLASSES = 10


def split_classes(
    source_classes: Sequence[int], num_classes: int = NUM_CLASSES
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The source classes (sorted) and the target classes (every other class), disjoint; both non-empty."""
    from .errors import check_int, check_int_sequence, invalid

    num_classes = check_int("num_classes", num_classes, minimum=2)
    source = check_int_sequence("source_classes", source_classes, minimum=0)
    if any(c >= num_classes for c in source):
        raise invalid(
            "source_classes", list(source), f"class indices from 0 to {num_classes - 1}"
        )
    if len(set(source)) != len(source):
        raise invalid(
            "source_classes",
            list(source),
            "distinct class indices",
            "Name each class once.",
        )
    if not 1 <= len(source) < num_classes:
        raise invalid(
            "source_classes",
            list(source),
            f"between 1 and {num_classes - 1} classes",
            "Leave at least one class for the target task.",
        )
    source = tuple(sorted(source))
    return source, tuple(c for c in range(num_classes) if c not in source)


def labeled_indices(
    labels, classes: Sequence[int], per_class: int, seed: int
) -> list[int]:
    """``per_class`` indices of each class of ``classes`` in ``labels`` (a 1-D tensor), drawn with
    ``seed``: the first ``per_class`` of one seeded permutation, so a smaller budget's images are
    part of a larger one's."""
    import torch
    from .errors import check_int, check_seed, invalid

    per_class = check_int("per_class", per_class, minimum=1)
    seed = check_seed("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(labels), generator=generator)
    chosen: list[int] = []
    for c in classes:
        of_class = order[labels[order] == c]
        if len(of_class) < per_class:
            raise invalid(
                "per_class",
                per_class,
                f"at most {len(of_class)} (the images of class {c} available)",
            )
        chosen += of_class[:per_class].tolist()
    return sorted(chosen)


def freeze_backbone(network: nn.Module) -> nn.Module:
    """The network with every parameter but the head's frozen, and its backbone kept in
    evaluation mode (batch norm uses the source statistics, as when the features were
    learned)."""

    class LinearProbe(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network, self.num_classes = network, network.num_classes
            for name, parameter in network.named_parameters():
                parameter.requires_grad_(name.startswith("fc."))

        def train(self, mode: bool = True):
            super().train(mode)
            self.network.eval()
            return self

        def forward(self, images):
            return self.network(images)

    return LinearProbe()


__all__ = ["freeze_backbone", "labeled_indices", "split_classes"]
