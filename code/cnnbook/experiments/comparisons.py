"""The comparisons the pages show, each trained by ``python -m cnnbook.experiments.compare
--comparison <name>`` and stored as ``results/<name>.json``.

Each entry: the ``section`` whose fast-profile settings are the baseline, the ``question`` the
page asks, at least 3 ``seeds``, and the ``variants``: a label and what it changes in the
baseline (``model``, ``model_kwargs``, ``image_size``, ``batch_size``, ``epochs``, ``lr``,
``momentum``, ``weight_decay``, ``label_smoothing``, ``init`` = he | xavier | pytorch_default,
``schedule`` = constant | cosine | step).  An empty dict is the baseline itself.

This is data, kept apart from the experiment's code: a comparison's stored result depends on its
own entry only (see ``compare.hash_material``), so adding an entry leaves the others valid.
"""

from __future__ import annotations

from typing import Any

COMPARISONS: dict[str, dict[str, Any]] = {
    "vgg_depth": {
        "section": "vgg",
        "question": "Does a deeper VGG, or batch normalization, train better in the fast profile?",
        "seeds": [0, 1, 2],
        "variants": {
            "VGG-11": {},
            "VGG-11 + batch norm": {
                "model": "vgg_small",
                "model_kwargs": {"depth": 11, "batch_norm": True},
            },
            "VGG-16": {"model": "vgg_small", "model_kwargs": {"depth": 16}},
            "VGG-16 + batch norm": {
                "model": "vgg_small",
                "model_kwargs": {"depth": 16, "batch_norm": True},
            },
        },
    },
    # The page's claim that the initialization decides whether the narrow AlexNet learns, measured:
    # Xavier (the package's, as D2L), He (the package's he_init: He-normal convolutions, N(0, 0.01)
    # linear layers, as torchvision initializes VGG) and PyTorch's default (each layer's
    # reset_parameters, non-zero biases: what torchvision's own AlexNet starts from).
    "alexnet_init": {
        "section": "alexnet",
        "question": "Does the initialization decide whether the fast AlexNet learns in 10 epochs?",
        "seeds": [0, 1, 2],
        "variants": {
            "Xavier (the package's)": {},
            "He": {"init": "he"},
            "PyTorch default": {"init": "pytorch_default"},
        },
    },
    # Why the fast VGG-16 stays at chance: with Xavier weights every ReLU layer loses part of the
    # signal, and 16 layers shrink its image-dependent part about 1,300-fold at initialization (the
    # VGG page measures it with cnnbook.initialization.signal_scales); torchvision's He init treats the
    # convolutions far better, but its N(0, 0.01) linear layers, suited to 25,088 inputs, shrink the
    # narrow classifier's (128 inputs).
    "vgg_init": {
        "section": "vgg",
        "question": "Why does the fast VGG-16 stay at chance level, and does torchvision's He "
        "initialization change it?",
        "seeds": [0, 1, 2],
        "variants": {
            "VGG-11, Xavier (the package's)": {},
            "VGG-11, He (torchvision's)": {"init": "he"},
            "VGG-16, Xavier": {"model": "vgg_small", "model_kwargs": {"depth": 16}},
            "VGG-16, He (torchvision's)": {
                "model": "vgg_small",
                "model_kwargs": {"depth": 16},
                "init": "he",
            },
        },
    },
    "nin_init": {
        "section": "nin",
        "question": "Does the initialization change how fast NiN starts to learn?",
        "seeds": [0, 1, 2],
        "variants": {
            "He (the package's)": {},
            "Xavier": {"init": "xavier"},
            "PyTorch default": {"init": "pytorch_default"},
        },
    },
    # Both networks start from Xavier initialization (as D2L's LeNet does) and train 40 epochs, 640
    # steps: the plain sigmoid LeNet sits on a plateau at chance for hundreds of steps before it
    # learns (seed 0: about 290 steps at lr 0.9, about 370 at lr 0.3; never within 640 at lr 3.0), so
    # the section's 10 epochs (160 steps) would show only that plateau at every rate.
    "bn_lenet": {
        "section": "batch_norm",
        "question": "Does batch normalization let LeNet train at higher learning rates (same init, data and steps)?",
        "seeds": [0, 1, 2],
        "variants": {
            "LeNet, lr 0.3": {
                "model": "lenet",
                "init": "xavier",
                "lr": 0.3,
                "epochs": 40,
            },
            "LeNet + BN, lr 0.3": {"init": "xavier", "lr": 0.3, "epochs": 40},
            "LeNet, lr 0.9": {
                "model": "lenet",
                "init": "xavier",
                "lr": 0.9,
                "epochs": 40,
            },
            "LeNet + BN, lr 0.9": {"init": "xavier", "lr": 0.9, "epochs": 40},
            "LeNet, lr 3.0": {
                "model": "lenet",
                "init": "xavier",
                "lr": 3.0,
                "epochs": 40,
            },
            "LeNet + BN, lr 3.0": {"init": "xavier", "lr": 3.0, "epochs": 40},
        },
    },
    "bn_batch_size": {
        "section": "batch_norm",
        "question": "How does the minibatch size change LeNet with batch norm (same learning rate and epochs)?",
        "seeds": [0, 1, 2],
        "variants": {
            "batch 2": {"batch_size": 2},
            "batch 8": {"batch_size": 8},
            "batch 32": {"batch_size": 32},
            "batch 128": {},
        },
    },
    "bn_position": {
        "section": "batch_norm",
        "question": "Batch norm before or after the activation?",
        "seeds": [0, 1, 2],
        "variants": {
            "before the activation": {},
            "after the activation": {"model_kwargs": {"batch_norm_position": "after"}},
        },
    },
    "resnet_schedule": {
        "section": "resnet",
        "question": "Does cosine decay of the learning rate help the small ResNet-18 in 3 epochs?",
        "seeds": [0, 1, 2],
        "variants": {
            "constant": {},
            "cosine": {"schedule": "cosine"},
        },
    },
    "resnet_training": {
        "section": "resnet",
        "question": "Do label smoothing, PyTorch's default initialization or SGD without momentum move the small "
        "ResNet-18 in 3 epochs? (The baseline and cosine decay are resnet_schedule's runs.)",
        "seeds": [0, 1, 2],
        "variants": {
            "label smoothing 0.1": {"label_smoothing": 0.1},
            "PyTorch default init": {"init": "pytorch_default"},
            "no momentum": {"momentum": 0.0},
        },
    },
}
