"""The weight initializations of the book's CNNs; every model applies its own in its constructor.

``he_init`` (He et al. 2015, "Delving Deep into Rectifiers"), for the networks with batch norm
or of VGG's depth: convolutions get He-normal weights scaled by their fan-out (the variance that
keeps the gradients of a ReLU network from shrinking or exploding with depth in the backward pass;
scaled by the fan-in it would do the same for the forward signal), batch-norm layers start as the identity
(scale 1, shift 0), and fully connected layers start small (normal, standard deviation 0.01)
with zero biases.  This is what torchvision does for VGG and RegNet, and close to what it does
for ResNet, DenseNet and GoogLeNet; initialization changes neither parameter counts nor FLOPs.
"""

from __future__ import annotations

from torch import nn

INITS = ("he", "xavier", "pytorch_default")


def he_init(model: nn.Module, linear_std: float = 0.01) -> None:
    """Initialize every convolution, batch norm and linear layer of ``model`` in
    place."""
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


def xavier_init(model: nn.Module) -> None:
    """Xavier-uniform weights (Glorot and Bengio, 2010) and zero biases for every
    convolution and linear layer: the initialization D2L trains AlexNet with.  Derived
    for activations symmetric around zero, it loses part of the signal at every ReLU
    layer: harmless over AlexNet's 8 layers, fatal over the fast VGG-16's 16 (the stored
    comparisons ``alexnet_init`` and ``vgg_init``; ``cnnbook.initialization`` measures
    the signal).
    """
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


def apply_init(model: nn.Module, init: str) -> nn.Module:
    """Re-initialize ``model`` in place and return it: ``"he"`` (``he_init``),
    ``"xavier"`` (``xavier_init``) or ``"pytorch_default"`` (each layer's own
    ``reset_parameters()``: PyTorch's default, which also draws non-zero biases)."""
    from ..errors import check_choice

    init = check_choice("init", init, INITS)
    if init == "he":
        he_init(model)
    elif init == "xavier":
        xavier_init(model)
    else:
        for module in model.modules():
            if isinstance(
                module, (nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.BatchNorm1d)
            ):
                module.reset_parameters()
    return model
