"""Fully-connected LSTM compressor, section 3.4 (Figure 2).

On flattened 8x8x3 patches, stepped once per iteration::

    encoder: Dense(512w, tanh) -> LSTMCell(512w) -> LSTMCell(512w) -> B (dense, `bits`)
    decoder: LSTMCell(512w) -> LSTMCell(512w) -> Dense(192, tanh)   (predicts RGB)

Eq. (3): every step predicts the whole patch. 8 bits per patch per iteration:
16 bytes per 32x32 per iteration.

Sizes at ``width=1``: about 7.57 M parameters and 7.56 M MACs per patch per
iteration (121 M MACs per 32x32 per iteration).
"""

import keras

from residual_compression.layers import LSTMCell
from residual_compression.layers import StochasticBinarizer
from residual_compression.models._patches import PatchTiling
from residual_compression.models.base import ProgressiveAutoencoder
from residual_compression.models.base import scaled_width
from residual_compression.models.fc_residual import PATCH_VALUES
from residual_compression.models.fc_residual import UNITS

__all__ = ["FCLSTMCompressor"]


@keras.saving.register_keras_serializable(package="residual_compression")
class FCLSTMCompressor(PatchTiling, ProgressiveAutoencoder):
    """Fully-connected LSTM compressor.

    Args:
        bits: bits per 8x8 patch per iteration (8 in section 4.1).
        iterations, width, seed: see ``ProgressiveAutoencoder``.
    """

    architecture = "fc_lstm"
    recurrent = True
    shared = True

    def __init__(self, bits=8, iterations=16, width=1.0, seed=None, **kwargs):
        super().__init__(bits=bits, iterations=iterations, width=width, seed=seed, **kwargs)

    def _build_steps(self):
        n = scaled_width(UNITS, self.width)
        residual = keras.Input((PATCH_VALUES,), name="residual")
        e_states = [keras.Input((n,), name=f"enc{i}_{s}") for i in (1, 2) for s in "hc"]
        x = keras.layers.Dense(n, activation="tanh", name="fc")(residual)
        x, (h1, c1) = LSTMCell(n, name="lstm1")(x, e_states[0:2])
        x, (h2, c2) = LSTMCell(n, name="lstm2")(x, e_states[2:4])
        bits = StochasticBinarizer(self.bits, projection="dense", seed=self.seed, name="binarizer")(x)
        encoder = keras.Model([residual, *e_states], [bits, h1, c1, h2, c2], name="encoder_step")

        code = keras.Input((self.bits,), name="bits")
        d_states = [keras.Input((n,), name=f"dec{i}_{s}") for i in (1, 2) for s in "hc"]
        y, (g1, k1) = LSTMCell(n, name="lstm1")(code, d_states[0:2])
        y, (g2, k2) = LSTMCell(n, name="lstm2")(y, d_states[2:4])
        rgb = keras.layers.Dense(PATCH_VALUES, activation="tanh", name="rgb")(y)
        decoder = keras.Model([code, *d_states], [rgb, g1, k1, g2, k2], name="decoder_step")
        return [encoder], [decoder]

    def state_shapes(self, height, width):
        n = scaled_width(UNITS, self.width)
        return [(n,)] * 4, [(n,)] * 4

    def macs_split(self, height, width):
        """(encoder, decoder) multiply-accumulates of one encoder + decoder step over all patches."""
        u, b = scaled_width(UNITS, self.width), self.bits
        encoder = PATCH_VALUES * u + 2 * (2 * u * 4 * u) + u * b
        decoder = (b + u) * 4 * u + 2 * u * 4 * u + u * PATCH_VALUES
        patches = (height // 8) * (width // 8)
        return encoder * patches, decoder * patches
