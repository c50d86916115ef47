"""Convolutional / deconvolutional residual encoders, section 3.5 (Figure 3).

Encoder (32x32 -> 8x8, total stride 4), per stage::

    Conv2D(64w, 3x3, stride 2, tanh)    32x32 -> 16x16
    Conv2D(128w, 3x3, stride 2, tanh)   16x16 -> 8x8
    Conv2D(128w, 3x3, stride 1, tanh)   8x8
    B: 1x1 conv to `bits` channels, tanh, binarize (eq. 6)   -> 8x8 x bits

Decoder::

    Conv2D(128w, 3x3, stride 1, tanh)            8x8 (a stride-1 deconvolution)
    Conv2DTranspose(128w, 3x3, stride 2, tanh)   8x8 -> 16x16  (eq. 12)
    Conv2DTranspose(64w, 3x3, stride 2, tanh)    16x16 -> 32x32
    Conv2D(3, 1x1)                               RGB, linear (predicts a residual)

The paper gives no conv widths; these are our choice (``w`` is the width
multiplier). With ``bits=2`` one iteration costs 2 bits per 4x4 block: 128 bits
(16 bytes) per 32x32, so 64 B = 4 iterations and 128 B = 8 (section 4.1).
The models are fully convolutional: any height and width that is a multiple
of 4 works.

Sizes at ``width=1`` for a 32x32 input (``count_params()``, ``macs_per_iteration(32, 32)``):
about 0.45 M parameters per stage and 43 M MACs per iteration.
"""

import keras

from residual_compression.errors import InvalidValueError
from residual_compression.layers import StochasticBinarizer
from residual_compression.models.base import ProgressiveAutoencoder
from residual_compression.models.base import scaled_width

__all__ = ["ConvAutoencoder", "ConvResidualDistinct", "ConvResidualShared"]

ENCODER_WIDTHS = (64, 128, 128)
DECODER_WIDTHS = (128, 128, 64)
# Code positions of context of one decoder / encoder step: see
# ConvResidualShared.decoder_context and encoder_context.
DECODER_CONTEXT = 3
ENCODER_CONTEXT = 2


def conv_encoder_stage(widths, bits, seed, name):
    """One stateless conv encoder stage: residual -> bits."""
    x = inputs = keras.Input((None, None, 3), name="residual")
    for i, (filters, stride) in enumerate(zip(widths, (2, 2, 1))):
        x = keras.layers.Conv2D(
            filters, 3, strides=stride, padding="same", activation="tanh", name=f"conv{i + 1}"
        )(x)
    bits_out = StochasticBinarizer(bits, projection="conv", seed=seed, name="binarizer")(x)
    return keras.Model([inputs], [bits_out], name=name)


def conv_decoder_stage(widths, bits, name, output_activation=None):
    """One stateless deconv decoder stage: bits -> RGB prediction."""
    x = inputs = keras.Input((None, None, bits), name="bits")
    x = keras.layers.Conv2D(widths[0], 3, padding="same", activation="tanh", name="deconv1")(x)
    for i, filters in enumerate(widths[1:]):
        x = keras.layers.Conv2DTranspose(
            filters, 3, strides=2, padding="same", activation="tanh", name=f"deconv{i + 2}"
        )(x)
    out = keras.layers.Conv2D(3, 1, activation=output_activation, name="rgb")(x)
    return keras.Model([inputs], [out], name=name)


@keras.saving.register_keras_serializable(package="residual_compression")
class ConvResidualShared(ProgressiveAutoencoder):
    """Conv/deconv residual encoder with one set of weights for every stage.

    Eq. (2): each stage predicts the previous residual; the image is the sum.

    Args:
        bits: bits per 8x8 code position per iteration (2 in the paper).
        iterations, width, seed: see ``ProgressiveAutoencoder``.
    """

    architecture = "conv_residual_shared"
    recurrent = False
    shared = True
    block_size = 4

    def _build_steps(self):
        enc_w = [scaled_width(b, self.width) for b in ENCODER_WIDTHS]
        dec_w = [scaled_width(b, self.width) for b in DECODER_WIDTHS]
        stages = 1 if self.shared else self.iterations
        encoders = [
            conv_encoder_stage(enc_w, self.bits, self.seed, f"encoder_step_{t}")
            for t in range(stages)
        ]
        decoders = [conv_decoder_stage(dec_w, self.bits, f"decoder_step_{t}") for t in range(stages)]
        return encoders, decoders

    def code_shape(self, height, width):
        return (height // 4, width // 4, self.bits)

    def decoder_context(self, iterations):
        """3 code positions: deconv1 (3x3 at the code grid) reaches 1, each
        stride-2 3x3 transposed convolution at most 1 more (eq. 12); the
        stages are stateless, so the context does not grow with iterations."""
        self._iterations_arg(iterations)
        return DECODER_CONTEXT

    def encoder_context(self, iterations):
        """One encoder step reaches 7 pixels (3x3 convolutions at strides 1,
        2, 4: 1 + 2 + 4), 2 code positions; every further iteration adds a
        decoder step and an encoder step: ``2 + (iterations - 1) * 5``."""
        iterations = self._iterations_arg(iterations)
        return ENCODER_CONTEXT + (iterations - 1) * (ENCODER_CONTEXT + DECODER_CONTEXT)

    def macs_split(self, height, width):
        """(encoder, decoder) multiply-accumulates of one encoder + decoder stage (3x3 kernels)."""
        e1, e2, e3 = (scaled_width(b, self.width) for b in ENCODER_WIDTHS)
        d1, d2, d3 = (scaled_width(b, self.width) for b in DECODER_WIDTHS)
        p = (height // 4) * (width // 4)  # code positions (8x8 for 32x32)
        encoder = 4 * p * 9 * 3 * e1 + p * 9 * e1 * e2 + p * 9 * e2 * e3 + p * e3 * self.bits
        decoder = p * 9 * self.bits * d1 + p * 9 * d1 * d2 + 4 * p * 9 * d2 * d3 + 16 * p * d3 * 3
        return encoder, decoder


@keras.saving.register_keras_serializable(package="residual_compression")
class ConvResidualDistinct(ConvResidualShared):
    """Conv/deconv residual encoder with distinct weights in every stage.

    ``iterations`` stages are built (default 8: 128 B for a 32x32 image).
    """

    architecture = "conv_residual_distinct"
    shared = False

    def __init__(self, bits=2, iterations=8, width=1.0, seed=None, **kwargs):
        super().__init__(bits=bits, iterations=iterations, width=width, seed=seed, **kwargs)


@keras.saving.register_keras_serializable(package="residual_compression")
class ConvAutoencoder(ConvResidualShared):
    """One-shot conv/deconv autoencoder: one stage with the whole budget (sec. 4.4).

    ``bits`` per 8x8 position: 8 for 64 B per 32x32 image, 16 for 128 B.
    Always a single iteration, so it is not progressive.
    """

    architecture = "conv_autoencoder"

    def __init__(self, bits=8, iterations=1, width=1.0, seed=None, **kwargs):
        if iterations != 1:
            raise InvalidValueError(
                f"`iterations` must be 1 for the one-shot autoencoder, received: {iterations!r}"
            )
        super().__init__(bits=bits, iterations=1, width=width, seed=seed, **kwargs)
