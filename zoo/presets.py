"""The one registry table of pretrained presets.

Each record: name, a stable numeric id written into every stream's header
(assigned by hand, never derived from order: never reuse or renumber one),
the architecture and its config, the default byte budget per 32x32 image, the
weights file (inside this package) and its sha256. ``weights=None`` marks a
preset whose weights have not been trained yet: loading it gives a model with
deterministic untrained weights, flagged ``trained=False``.

Progressive presets of one architecture share one network (``family``) and
one weights file across their budgets; a stream made by either decodes with
either.
"""

import dataclasses

__all__ = ["PRESETS", "Preset"]


@dataclasses.dataclass(frozen=True)
class Preset:
    name: str
    id: int
    architecture: str
    config: dict
    num_bytes: int
    family: str
    weights: str | None = None
    sha256: str | None = None
    training: str = "not trained yet"
    results: dict = dataclasses.field(default_factory=dict)


# Trained networks shipped with the package, by family: the config they were trained with, the
# weights file (written by `residual-compression zoo-entry RUN_DIR FAMILY`), its sha256 and how it
# was trained. Families not listed here have no trained weights yet.
TRAINED = {
    "fc_residual_shared": {
        "config": {"bits": 8, "iterations": 8, "width": 1.0, "seed": 0},
        "weights": "fc_residual_shared/fc_residual_shared.weights.h5",
        "sha256": "e1ad806f06c18a93562e578a1d88c94afda0006573ace1b9f155b5991ad8282b",
        "training": "1500 steps x batch 32 (48,000 images seen) on CIFAR-10 train, TensorFlow CPU, 571 s",
    },
    "fc_residual_distinct": {
        "config": {"bits": 8, "iterations": 8, "width": 1.0, "seed": 0},
        "weights": "fc_residual_distinct/fc_residual_distinct.weights.h5",
        "sha256": "aeaf401bb67fe722737ac56251b222f7612402b4c7700742c3bd1058a66dea3a",
        "training": "1500 steps x batch 32 (48,000 images seen) on CIFAR-10 train, TensorFlow CPU, 453 s; weights stored as float16",
    },
    "conv_autoencoder_64B": {
        "config": {"bits": 8, "width": 1.0, "seed": 0},
        "weights": "conv_autoencoder_64B/conv_autoencoder_64B.weights.h5",
        "sha256": "2c5fab065263832e92f5821c4ac2237c6fd0f0a9804874e6fb8509b12d023962",
        "training": "1500 steps x batch 32 (48,000 images seen) on CIFAR-10 train, TensorFlow CPU, 150 s",
    },
    "conv_autoencoder_128B": {
        "config": {"bits": 16, "width": 1.0, "seed": 0},
        "weights": "conv_autoencoder_128B/conv_autoencoder_128B.weights.h5",
        "sha256": "3239a9f60e77b2a9654d31b96c5e68dc007e5a71704050d61b0d805a203e4379",
        "training": "1500 steps x batch 32 (48,000 images seen) on CIFAR-10 train, TensorFlow CPU, 97 s",
    },
    "fc_lstm": {
        "config": {"bits": 8, "iterations": 8, "width": 0.5, "seed": 0},
        "weights": "fc_lstm/fc_lstm.weights.h5",
        "sha256": "1c4c0cab7d7340db2f23f9beff246e8b4130052b0730df21a726c252495adf85",
        "training": "800 steps x batch 32 (25,600 images seen) on CIFAR-10 train, TensorFlow CPU, 509 s",
    },
    "conv_residual_shared": {
        "config": {"bits": 2, "iterations": 8, "width": 1.0, "seed": 0},
        "weights": "conv_residual_shared/conv_residual_shared.weights.h5",
        "sha256": "056ddf18c27b696055d38e4c4fc3665a49d398e06661b073a29ba7fba37d1b15",
        "training": "1000 steps x batch 32 (32,000 images seen) on CIFAR-10 train, TensorFlow CPU, 708 s",
    },
    "conv_residual_distinct": {
        "config": {"bits": 2, "iterations": 8, "width": 1.0, "seed": 0},
        "weights": "conv_residual_distinct/conv_residual_distinct.weights.h5",
        "sha256": "36cfbfa56287edbbc77f617a92daa8be3a3ed3a26ea7b46c750de12959ce9b82",
        "training": "800 steps x batch 32 (25,600 images seen) on CIFAR-10 train, TensorFlow CPU, 395 s",
    },
    "conv_lstm": {
        "config": {"bits": 2, "iterations": 8, "width": 0.5, "seed": 0, "hidden_kernel_size": 1},
        "weights": "conv_lstm/conv_lstm.weights.h5",
        "sha256": "71395d1eb8658198efb8532cdd8f54029316c7e445795bf5a310a2b5b0fe1373",
        "training": "2400 steps x batch 32 (76,800 images seen, 1.5 epochs) on CIFAR-10 train, TensorFlow CPU, 625 s for steps 0-400 then 2,523 s for steps 400-2400 after a resume (52 min)",
    },
}


def _preset(name, preset_id, architecture, config, num_bytes, family):
    trained = TRAINED.get(family)
    if trained is None:
        return Preset(name, preset_id, architecture, dict(config), num_bytes, family)
    return Preset(
        name,
        preset_id,
        architecture,
        dict(trained["config"]),
        num_bytes,
        family,
        weights=trained["weights"],
        sha256=trained["sha256"],
        training=trained["training"],
    )


def _progressive(base_id, architecture, **config):
    return [
        _preset(f"{architecture}_{n}B", base_id + i, architecture, config, n, architecture)
        for i, n in enumerate((64, 128))
    ]


PRESETS = (
    *_progressive(1, "fc_residual_shared", bits=8, iterations=16),
    *_progressive(3, "fc_residual_distinct", bits=8, iterations=8),
    *_progressive(5, "fc_lstm", bits=8, iterations=16, width=0.5),
    *_progressive(7, "conv_residual_shared", bits=2, iterations=16),
    *_progressive(9, "conv_residual_distinct", bits=2, iterations=8),
    # The one-shot autoencoder spends its whole budget in one bottleneck:
    # 8 bits per 8x8 position is 64 B per 32x32, 16 bits is 128 B.
    _preset("conv_autoencoder_64B", 11, "conv_autoencoder", {"bits": 8}, 64, "conv_autoencoder_64B"),
    _preset("conv_autoencoder_128B", 12, "conv_autoencoder", {"bits": 16}, 128, "conv_autoencoder_128B"),
    *_progressive(13, "conv_lstm", bits=2, iterations=16),
)
