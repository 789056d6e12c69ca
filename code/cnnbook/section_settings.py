"""The run settings of every section, for the two profiles (see ``cnnbook.profiles``).

``full``: D2L's settings for that section (paper-sized model, official split, GPU).
``fast``: a small variant of the section's model that learns on the 2,048-image sample within
the 60-second budget of a notebook on 2 CPU cores; each entry says what was tuned.

The noise experiment (``cnnbook.experiments.noise``) hashes only its own section's fast
settings, so adding or changing another section leaves its stored results valid.
"""

from __future__ import annotations

from typing import Any

SECTION_SETTINGS: dict[str, dict[str, dict[str, Any]]] = {
    "alexnet": {
        "full": dict(
            model="alexnet_paper", image_size=224, batch_size=128, epochs=10, lr=0.01
        ),
        "fast": dict(
            model="alexnet_small",
            image_size=64,
            batch_size=64,
            epochs=10,
            lr=0.02,
            momentum=0.9,
        ),
    },
    # D2L trains VGG-11 with a quarter of the channels at 224x224, lr 0.01.  Fast: the same quarter
    # widths at 32x32 with 512-unit hidden layers; it stays at chance with torchvision's He init,
    # and leaves it within 10 epochs with Xavier init, lr 0.02 and momentum 0.9.
    "vgg": {
        "full": dict(
            model="vgg11_d2l", image_size=224, batch_size=128, epochs=10, lr=0.01
        ),
        "fast": dict(
            model="vgg11_small",
            image_size=32,
            batch_size=64,
            epochs=10,
            lr=0.02,
            momentum=0.9,
        ),
    },
    # D2L: NiN at 224x224, lr 0.05.  Fast: the small NiN on 28x28 images; plain SGD at lr 0.1 needs
    # more than 8 epochs to leave chance level, lr 0.02 with momentum 0.9 does not.
    "nin": {
        "full": dict(model="nin", image_size=224, batch_size=128, epochs=10, lr=0.05),
        "fast": dict(
            model="nin_small",
            image_size=28,
            batch_size=64,
            epochs=8,
            lr=0.02,
            momentum=0.9,
        ),
    },
    # D2L: GoogLeNet at 96x96, lr 0.01, no auxiliary classifiers.  Fast: an eighth of the widths on
    # 28x28 images; the slowest of the three per epoch, so 4 epochs (with momentum, it learns in them).
    "googlenet": {
        "full": dict(
            model="googlenet",
            image_size=96,
            batch_size=128,
            epochs=10,
            lr=0.01,
            model_kwargs={"aux_logits": False},
        ),
        "fast": dict(
            model="googlenet_small",
            image_size=28,
            batch_size=64,
            epochs=4,
            lr=0.05,
            momentum=0.9,
        ),
    },
    # D2L trains LeNet with batch norm at lr 0.1, batch 128, 10 epochs; LeNet is small enough for
    # the fast profile to keep these settings on the sample.
    "batch_norm": {
        "full": dict(
            model="lenet_bn", image_size=28, batch_size=128, epochs=10, lr=0.1
        ),
        "fast": dict(
            model="lenet_bn", image_size=28, batch_size=128, epochs=10, lr=0.1
        ),
    },
    # D2L trains its ResNet-18 at 96x96, lr 0.05, batch 256, 10 epochs.  Fast: resnet18_small (quarter
    # widths, 3x3 stem without pooling) on 28x28 images; with momentum 0.9 it learns in 3 epochs
    # (held-out 0.78-0.79 for seeds 0-2, 22-26 s of training on 2 cores; 5 epochs took the page over
    # its 60-second budget).
    "resnet": {
        "full": dict(
            model="resnet18", image_size=96, batch_size=256, epochs=10, lr=0.05
        ),
        "fast": dict(
            model="resnet18_small",
            image_size=28,
            batch_size=64,
            epochs=3,
            lr=0.05,
            momentum=0.9,
        ),
    },
    # D2L (2023) trains its own small DenseNet (4 dense blocks of 4 layers, growth rate 32) at 96x96,
    # lr 0.01, batch 128, 10 epochs; full: DenseNet-121 at 96x96, 10 epochs, with the lr 0.1 and batch
    # 256 of D2L's earlier editions.  Fast: densenet_small (3 blocks
    # of 4 layers, growth rate 12), the slowest per epoch of the small models, so 3 epochs.  At batch
    # 64 and lr 0.1 (momentum 0.9) on 28x28 images the held-out accuracy after 3 epochs ranged from
    # 0.29 to 0.75 over 12 runs (the batch-norm moving averages lag the fast-changing weights); batch
    # 32 and lr 0.05 were steadier (0.50-0.76) but took 56 s of training, the page over its budget.
    # On the images downsampled to 14x14 (a quarter of the arithmetic) the same settings gave
    # 0.745-0.749 for seeds 0-2, about 27 s each on one loaded core.  Since then the page evaluates with
    # precise batch-norm statistics (``precise_bn_batches``: recomputed over 16 batches, 512 images,
    # before each evaluation), which removes that lag without changing a weight.
    "densenet": {
        "full": dict(
            model="densenet121", image_size=96, batch_size=256, epochs=10, lr=0.1
        ),
        "fast": dict(
            model="densenet_small",
            image_size=14,
            batch_size=32,
            epochs=3,
            lr=0.05,
            momentum=0.9,
            precise_bn_batches=16,
        ),
    },
    # D2L trains its RegNetX-32 at 96x96, lr 0.05, batch 128, 10 epochs; the package builds the
    # published RegNetX configurations from the paper's rule, and the full profile trains the
    # smallest, RegNetX-400MF, at D2L's settings.  Fast: regnet_small (d=6, w_0=16, w_a=8, w_m=2,
    # g=8: stages of 1, 3 and 2 blocks, stride-1 stem, 43k parameters) on 28x28 images, with the
    # warm-up + cosine schedule of SECTION_SCHEDULES below.  Tuned: lr 0.1 with momentum 0.9 and 6
    # epochs; with a 1-epoch warm-up the held-out accuracy sat at 0.20 after epoch 2 (batch-norm
    # averages lagging), a 2-epoch warm-up from 0.1 x lr climbs steadily (0.82 after 6 epochs,
    # seed 0).  Grouped convolutions are slow on a CPU: about 1 minute of training on 2 loaded cores.
    # Evaluated with precise batch-norm statistics (8 batches, 512 images), as pycls evaluates RegNets.
    "design_spaces": {
        "full": dict(
            model="regnet_x_400mf", image_size=96, batch_size=128, epochs=10, lr=0.05
        ),
        "fast": dict(
            model="regnet_small",
            image_size=28,
            batch_size=64,
            epochs=6,
            lr=0.1,
            momentum=0.9,
            precise_bn_batches=8,
        ),
    },
    # Chapter 2's debugging page needs a trained residual network to spoil: He et al.'s CIFAR ResNet
    # (``cifar_resnet``, section 4.2 of the paper).  Full: ResNet-20 at their lr 0.1, batch 128.  Fast:
    # ResNet-8 (75k parameters) with the warm-up + cosine schedule of SECTION_SCHEDULES below.  Tuned:
    # at a constant lr 0.05, batch 64, the held-out accuracy after 2 epochs ranged from 0.23 to 0.66 over
    # 12 runs (evaluation-mode accuracy lagging the batch statistics while the weights move fast);
    # batch 32 over 4 epochs ending at a quarter of the rate gave 0.73-0.78 for seeds 0-3 (14 s each).
    "debugging": {
        "full": dict(
            model="cifar_resnet",
            image_size=28,
            batch_size=128,
            epochs=10,
            lr=0.1,
            momentum=0.9,
            model_kwargs={"depth": 20},
        ),
        "fast": dict(
            model="cifar_resnet",
            image_size=28,
            batch_size=32,
            epochs=4,
            lr=0.05,
            momentum=0.9,
            model_kwargs={"depth": 8},
        ),
    },
}

# Sections whose page trains with a learning-rate schedule: the arguments of
# ``cnnbook.schedules.warmup_cosine(epochs, **SECTION_SCHEDULES[section])`` (``epochs`` is the run's).
# Their spread is measured by ``cnnbook.experiments.noise`` with the schedule on, which hashes only its own
# section's entry here and in SECTION_SETTINGS.
SECTION_SCHEDULES: dict[str, dict[str, Any]] = {
    # RegNet's recipe: linear warm-up, then cosine decay (Radosavovic et al. 2020).  2 of 6 epochs
    # of warm-up, from 0.1 x lr.
    "design_spaces": dict(warmup_epochs=2, start_factor=0.1),
    # The debugging page's ResNet-8: 1 of 4 epochs of warm-up from 0.2 x lr, then the rates 1, 0.75 and
    # 0.25 x lr (the cosine, stepped per epoch), so the last epoch's small steps let the batch-norm
    # moving averages catch up with the weights.
    "debugging": dict(warmup_epochs=1, start_factor=0.2),
}
