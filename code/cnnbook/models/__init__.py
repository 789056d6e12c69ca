"""Every architecture of the book, one module per family.

Each model takes ``in_channels`` and ``num_classes``; factories with torchvision's names build
torchvision's exact architecture (the tests compare parameter counts and FLOPs with it).
"""
from ._base import ImageClassifier
from .alexnet import AlexNet, alexnet, alexnet_paper, alexnet_small

__all__ = ["ImageClassifier", "AlexNet", "alexnet", "alexnet_paper", "alexnet_small"]
