"""The weight initialization the book's CNNs share (He et al. 2015, "Delving Deep into Rectifiers").

Convolutions get He-normal weights scaled by their fan-out (the variance that keeps ReLU
activations from shrinking or exploding with depth), batch-norm layers start as the identity
(scale 1, shift 0), and fully connected layers start small (normal, standard deviation 0.01)
with zero biases.  This is what torchvision does for VGG and RegNet, and close to what it does
for ResNet, DenseNet and GoogLeNet; initialization changes neither parameter counts nor FLOPs.
"""
from __future__ import annotations

from torch import nn


def he_init(model: nn.Module, linear_std: float = 0.01) -> None:
    """Initialize every convolution, batch norm and linear layer of ``model`` in place."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)) and module.affine:
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=linear_std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
