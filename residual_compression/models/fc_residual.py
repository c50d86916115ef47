"""Feed-forward fully-connected residual encoders, section 3.3 (Figure 1).

Each stage works on flattened 8x8x3 patches::

    encoder: Dense(512w, tanh) -> Dense(512w, tanh) -> B (dense, `bits`, eq. 6)
    decoder: Dense(512w, tanh) -> Dense(512w, tanh) -> Dense(192, tanh)

512-unit tanh layers as in the paper (``w`` is the width multiplier). Eq. (2):
each stage predicts the previous residual, the image is the sum. With
``bits=8`` per patch per iteration (section 4.1), a 32x32 image costs 16 bytes
per iteration: 64 B = 4 iterations, 128 B = 8.

Sizes at ``width=1``: about 0.73 M parameters and 0.73 M MACs per patch per
stage (11.7 M MACs per 32x32 per iteration).
"""

import keras

from residual_compression.layers import StochasticBinarizer
from residual_compression.models._patches import PATCH
from residual_compression.models._patches import PatchTiling
from residual_compression.models.base import ProgressiveAutoencoder
from residual_compression.models.base import scaled_width

__all__ = ["FCResidualDistinct", "FCResidualShared"]

UNITS = 512
PATCH_VALUES = PATCH * PATCH * 3


def fc_encoder_stage(units, bits, seed, name):
    x = inputs = keras.Input((PATCH_VALUES,), name="residual")
    for i in range(2):
        x = keras.layers.Dense(units, activation="tanh", name=f"fc{i + 1}")(x)
    out = StochasticBinarizer(bits, projection="dense", seed=seed, name="binarizer")(x)
    return keras.Model([inputs], [out], name=name)


def fc_decoder_stage(units, bits, name):
    x = inputs = keras.Input((bits,), name="bits")
    for i in range(2):
        x = keras.layers.Dense(units, activation="tanh", name=f"fc{i + 1}")(x)
    out = keras.layers.Dense(PATCH_VALUES, activation="tanh", name="rgb")(x)
    return keras.Model([inputs], [out], name=name)


@keras.saving.register_keras_serializable(package="residual_compression")
class FCResidualShared(PatchTiling, ProgressiveAutoencoder):
    """Fully-connected residual encoder, one set of weights for all stages.

    Args:
        bits: bits per 8x8 patch per iteration (8 in section 4.1).
        iterations, width, seed: see ``ProgressiveAutoencoder``.
    """

    architecture = "fc_residual_shared"
    recurrent = False
    shared = True

    def __init__(self, bits=8, iterations=16, width=1.0, seed=None, **kwargs):
        super().__init__(bits=bits, iterations=iterations, width=width, seed=seed, **kwargs)

    def _build_steps(self):
        units = scaled_width(UNITS, self.width)
        stages = 1 if self.shared else self.iterations
        encoders = [fc_encoder_stage(units, self.bits, self.seed, f"encoder_step_{t}") for t in range(stages)]
        decoders = [fc_decoder_stage(units, self.bits, f"decoder_step_{t}") for t in range(stages)]
        return encoders, decoders

    def macs_split(self, height, width):
        """(encoder, decoder) multiply-accumulates of one encoder + decoder stage over all patches."""
        u, b = scaled_width(UNITS, self.width), self.bits
        patches = (height // PATCH) * (width // PATCH)
        encoder = (PATCH_VALUES * u + u * u + u * b) * patches
        decoder = (b * u + u * u + u * PATCH_VALUES) * patches
        return encoder, decoder


@keras.saving.register_keras_serializable(package="residual_compression")
class FCResidualDistinct(FCResidualShared):
    """Fully-connected residual encoder with distinct weights per stage.

    ``iterations`` stages are built (default 8: 128 B for a 32x32 image).
    """

    architecture = "fc_residual_distinct"
    shared = False

    def __init__(self, bits=8, iterations=8, width=1.0, seed=None, **kwargs):
        super().__init__(bits=bits, iterations=iterations, width=width, seed=seed, **kwargs)
