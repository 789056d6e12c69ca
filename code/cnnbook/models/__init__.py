"""Every architecture of the book, one module per family.

Each model takes ``in_channels`` and ``num_classes``; factories with torchvision's names build
torchvision's exact architecture (the tests compare parameter counts, FLOPs and, with
torchvision's weights copied in, outputs).  ``*_small`` factories are the narrow versions the
fast CPU profile trains on Fashion-MNIST.

Every factory registers itself (``_registry.register_model``): build a model by its name with
``get_model("resnet18", num_classes=10)``, list them with ``list_models()``,
``list_models("torchvision")`` or ``list_models("small")``.
"""

from ._base import ImageClassifier
from ._registry import (
    ModelEntry,
    get_model,
    list_models,
    model_entry,
    register_model,
    small_image_size,
)
from ._init import INITS, apply_init, he_init, xavier_init
from .alexnet import AlexNet, alexnet, alexnet_paper, alexnet_small
from .anynet import AnyNet, anynet_block
from .cifar_resnet import (
    CifarResNet,
    PlainBlock,
    ZeroPadBasicBlock,
    ZeroPadShortcut,
    cifar_resnet,
    plain20,
    plain56,
    resnet20,
    resnet56,
)
from .batchnorm import (
    BatchNorm,
    batchnorm_backward,
    batchnorm_forward,
    numerical_gradient,
)
from .densenet import (
    DenseBlock,
    DenseLayer,
    DenseNet,
    Transition,
    densenet121,
    densenet169,
    densenet201,
    densenet264,
    densenet_small,
)
from .googlenet import (
    GoogLeNet,
    GoogLeNetOutputs,
    Inception,
    InceptionAux,
    googlenet,
    googlenet_small,
)
from .lenet import LeNet, lenet, lenet_bn
from .nin import NiN, NiNBlock, NiNStage, nin, nin_small
from .regnet import (
    REGNET_PARAMETERS,
    RegNet,
    RegNetStages,
    adjust_widths_to_groups,
    quantized_linear_widths,
    regnet,
    regnet_small,
    regnet_stages,
    regnet_x_1_6gf,
    regnet_x_3_2gf,
    regnet_x_400mf,
    regnet_x_800mf,
    regnet_y_1_6gf,
    regnet_y_3_2gf,
    regnet_y_400mf,
    regnet_y_800mf,
)
from .resnet import (
    BasicBlock,
    Bottleneck,
    PreActBasicBlock,
    PreActBottleneck,
    PreActivationBlock,
    ResNet,
    SqueezeExcitation,
    preact_resnet18,
    preact_resnet50,
    resnet18,
    resnet18_small,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
    wide_resnet50_2,
    wide_resnet101_2,
)
from .resnext import (
    ResNeXt,
    resnext50_32x4d,
    resnext101_32x8d,
    resnext101_64x4d,
    resnext_small,
)
from .vgg import (
    VGG,
    VGG_CONFIGS,
    VGGBlock,
    vgg,
    vgg11,
    vgg11_bn,
    vgg11_d2l,
    vgg11_small,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
    vgg_small,
)

# Squeeze-and-excitation ResNets (chapter 2, "ResNet variants"), built from resnet.py's blocks; the general
# builders (se_resnet, se_bottleneck) stay in cnnbook.models.resnet_variants.
from .resnet_variants import SEBottleneck, se_resnet50, se_resnet101, se_resnext50_32x4d
