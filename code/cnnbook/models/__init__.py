"""Every architecture of the book, one module per family.

Each model takes ``in_channels`` and ``num_classes``; factories with torchvision's names build
torchvision's exact architecture (the tests compare parameter counts, FLOPs and, with
torchvision's weights copied in, outputs).  ``*_small`` factories are the narrow versions the
fast CPU profile trains on Fashion-MNIST.
"""
from ._base import ImageClassifier
from ._init import INITS, apply_init, he_init, xavier_init
from .alexnet import AlexNet, alexnet, alexnet_paper, alexnet_small
from .anynet import AnyNet, anynet_block
from .cifar_resnet import (CifarResNet, PlainBlock, ZeroPadBasicBlock, ZeroPadShortcut, cifar_resnet, plain20,
                           plain56, resnet20, resnet56)
from .batchnorm import BatchNorm, batchnorm_backward, batchnorm_forward, numerical_gradient
from .densenet import (DenseBlock, DenseLayer, DenseNet, Transition, densenet121, densenet169, densenet201,
                       densenet264, densenet_small)
from .googlenet import (GoogLeNet, GoogLeNetOutputs, Inception, InceptionAux, googlenet, googlenet_small)
from .lenet import LeNet, lenet, lenet_bn
from .nin import NiN, NiNBlock, NiNStage, nin, nin_small
from .regnet import (REGNET_PARAMETERS, RegNet, RegNetStages, adjust_widths_to_groups, quantized_linear_widths,
                     regnet, regnet_small, regnet_stages, regnet_x_1_6gf, regnet_x_3_2gf, regnet_x_400mf,
                     regnet_x_800mf, regnet_y_1_6gf, regnet_y_3_2gf, regnet_y_400mf, regnet_y_800mf)
from .resnet import (BasicBlock, Bottleneck, PreActBasicBlock, PreActBottleneck, ResNet, SqueezeExcitation,
                     preact_resnet18, preact_resnet50, resnet18, resnet18_small, resnet34, resnet50, resnet101,
                     resnet152, wide_resnet50_2, wide_resnet101_2)
from .resnext import ResNeXt, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, resnext_small
from .vgg import (VGG, VGG_CONFIGS, VGGBlock, vgg, vgg11, vgg11_bn, vgg11_small, vgg_small, vgg11_d2l, vgg13, vgg13_bn, vgg16,
                  vgg16_bn, vgg19, vgg19_bn)

# Factories that build torchvision's architecture under torchvision's name.
TORCHVISION_NAMES = (
    "alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "googlenet", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
    "densenet121", "densenet169", "densenet201",
    "regnet_x_400mf", "regnet_y_400mf", "regnet_x_800mf", "regnet_y_800mf",
    "regnet_x_1_6gf", "regnet_y_1_6gf", "regnet_x_3_2gf", "regnet_y_3_2gf",
)

# The narrow versions for the fast CPU profile, with the image size each expects.
SMALL_MODELS = {
    "alexnet_small": 64, "vgg11_small": 32, "vgg_small": 32, "nin_small": 28, "googlenet_small": 28,
    "resnet18_small": 28, "resnext_small": 28, "densenet_small": 28, "regnet_small": 28,
    "lenet": 28, "lenet_bn": 28,
}

__all__ = [
    "ImageClassifier", "TORCHVISION_NAMES", "SMALL_MODELS", "INITS", "apply_init", "he_init", "xavier_init",
    "AlexNet", "alexnet", "alexnet_paper", "alexnet_small",
    "VGG", "VGGBlock", "VGG_CONFIGS", "vgg", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
    "vgg19", "vgg19_bn", "vgg11_small", "vgg_small", "vgg11_d2l",
    "NiN", "NiNBlock", "NiNStage", "nin", "nin_small",
    "GoogLeNet", "GoogLeNetOutputs", "Inception", "InceptionAux", "googlenet", "googlenet_small",
    "BatchNorm", "batchnorm_forward", "batchnorm_backward", "numerical_gradient", "LeNet", "lenet", "lenet_bn",
    "BasicBlock", "Bottleneck", "PreActBasicBlock", "PreActBottleneck", "SqueezeExcitation", "ResNet",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2", "wide_resnet101_2",
    "preact_resnet18", "preact_resnet50", "resnet18_small",
    "CifarResNet", "PlainBlock", "ZeroPadBasicBlock", "ZeroPadShortcut", "cifar_resnet", "resnet20", "plain20",
    "resnet56", "plain56",
    "ResNeXt", "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "resnext_small",
    "DenseLayer", "DenseBlock", "Transition", "DenseNet", "densenet121", "densenet169", "densenet201",
    "densenet264", "densenet_small",
    "AnyNet", "anynet_block", "RegNet", "RegNetStages", "REGNET_PARAMETERS", "quantized_linear_widths",
    "adjust_widths_to_groups", "regnet_stages", "regnet", "regnet_small",
    "regnet_x_400mf", "regnet_y_400mf", "regnet_x_800mf", "regnet_y_800mf",
    "regnet_x_1_6gf", "regnet_y_1_6gf", "regnet_x_3_2gf", "regnet_y_3_2gf",
]

# Squeeze-and-excitation ResNets (chapter 2, "ResNet variants"), built from resnet.py's blocks; the general
# builders (se_resnet, se_bottleneck) stay in cnnbook.models.resnet_variants.
from .resnet_variants import SEBottleneck, se_resnet50, se_resnet101, se_resnext50_32x4d

__all__ += ["SEBottleneck", "se_resnet50", "se_resnet101", "se_resnext50_32x4d"]
