"""Convolutional / deconvolutional LSTM compressor, section 3.6.

Figure 3's network with the second and third encoder convolutions replaced by
stride-aware ``ConvLSTM2D`` (eq. 13) and the second and third decoder
deconvolutions by ``DeconvLSTM2D`` (eq. 14)::

    encoder: Conv2D(64w, 3x3, s2, tanh) -> ConvLSTM2D(128w, 3x3, s2)
             -> ConvLSTM2D(128w, 3x3, s1) -> B (1x1 conv, `bits`)      32x32 -> 8x8
    decoder: Conv2D(128w, 3x3, tanh) -> DeconvLSTM2D(128w, 3x3, s2)
             -> DeconvLSTM2D(64w, 3x3, s2) -> Conv2D(3, 1x1, tanh)      8x8 -> 32x32

Hidden-to-hidden convolutions are ``hidden_kernel_size`` (default 1x1, our
choice to keep the 16x16 and 32x32 states cheap). ``priming=k`` is the
hidden-state priming of Johnston et al. (2018, sec. 3.2): the first
iteration runs its encoder step and its decoder step ``1 + k`` times on the
same input, so that the states are populated before the first bits and the
first image are taken (later iterations run once; ``k = 0`` is the paper).
``residual_scaling=True`` adds the gain network of Toderici et al. (2017), see
:mod:`.residual_scaling`, and ``cell="gru"`` puts that paper's convolutional GRU
(``ConvGRU2D``, ``DeconvGRU2D``) in the LSTMs' places. Eq. (3): every step predicts the whole image, so the
output has a tanh. 2 bits per position: 16 bytes per 32x32 per iteration.

Sizes at ``width=1`` for a 32x32 input (``count_params()``, ``macs_per_iteration(32, 32)``): about 1.99 M
parameters and 213 M MACs per iteration.
"""

import keras
from keras import ops

from residual_compression import validation
from residual_compression.errors import InvalidValueError
from residual_compression.layers import ConvGRU2D
from residual_compression.layers import ConvLSTM2D
from residual_compression.layers import DeconvGRU2D
from residual_compression.layers import DeconvLSTM2D
from residual_compression.layers import StochasticBinarizer
from residual_compression.models.base import ProgressiveAutoencoder
from residual_compression.models.base import scaled_width
from residual_compression.models.conv_residual import DECODER_CONTEXT
from residual_compression.models.conv_residual import DECODER_WIDTHS
from residual_compression.models.conv_residual import ENCODER_CONTEXT
from residual_compression.models.conv_residual import ENCODER_WIDTHS
from residual_compression.models.residual_scaling import build_gain_step

GAIN_FILTERS = 32  # features of the gain network at width 1 (one 4x4 block each)
STATE_NAMES = {"lstm": "hc", "gru": "h"}  # the states of a recurrent layer, per cell
GATES = {"lstm": 4, "gru": 3}  # gate maps per unit

__all__ = ["ConvLSTMCompressor"]


@keras.saving.register_keras_serializable(package="residual_compression")
class ConvLSTMCompressor(ProgressiveAutoencoder):
    """Conv/deconv LSTM compressor (the paper's best model).

    Args:
        bits: bits per 8x8 code position per iteration (2 in the paper).
        hidden_kernel_size: kernel of the state convolutions.
        priming: extra runs of the first iteration's steps (0: none, the paper).
        residual_scaling: scale each residual by a gain predicted from the
            reconstruction so far (Toderici et al. 2017; False: the paper).
        cell: ``"lstm"`` (the paper) or ``"gru"``, the convolutional GRU of
            Toderici et al. (2017) in the same places (``ConvGRU2D``,
            ``DeconvGRU2D``): one state per layer and three gate maps per unit.
        iterations, width, seed: see ``ProgressiveAutoencoder``.
    """

    architecture = "conv_lstm"
    recurrent = True
    shared = True
    block_size = 4

    def __init__(
        self,
        bits=2,
        hidden_kernel_size=1,
        iterations=16,
        width=1.0,
        seed=None,
        priming=0,
        residual_scaling=False,
        cell="lstm",
        **kwargs,
    ):
        self.hidden_kernel_size = hidden_kernel_size
        self.cell = validation.one_of("cell", cell, STATE_NAMES)
        self.priming = validation.non_negative_int("priming", priming)
        if not isinstance(residual_scaling, bool):
            raise InvalidValueError(f"`residual_scaling` must be True or False, received {residual_scaling!r}")
        super().__init__(bits=bits, iterations=iterations, width=width, seed=seed, **kwargs)
        self._gain = build_gain_step(self.block_size, scaled_width(GAIN_FILTERS, self.width)) if residual_scaling else None

    @property
    def residual_scaling(self):
        """Whether residuals are scaled by a predicted gain (:mod:`.residual_scaling`)."""
        return self._gain is not None

    def _residual(self, x, recon):
        if self._gain is None:
            return super()._residual(x, recon)
        before = ops.zeros_like(x) if recon is None else recon
        return (x - before) * self._gain(before)

    def _reconstruction(self, out, recon):
        if self._gain is None:
            return super()._reconstruction(out, recon)
        before = ops.zeros_like(out) if recon is None else recon
        return before + (out - before) / self._gain(before)

    def _widths(self):
        enc = [scaled_width(b, self.width) for b in ENCODER_WIDTHS]
        dec = [scaled_width(b, self.width) for b in DECODER_WIDTHS]
        return enc, dec

    def _build_steps(self):
        (e1, e2, e3), (d1, d2, d3) = self._widths()
        hk = self.hidden_kernel_size
        names = STATE_NAMES[self.cell]
        k = len(names)
        down, up = (ConvLSTM2D, DeconvLSTM2D) if self.cell == "lstm" else (ConvGRU2D, DeconvGRU2D)

        residual = keras.Input((None, None, 3), name="residual")
        e_states = [keras.Input((None, None, n), name=f"enc{i}_{s}") for i, n in ((2, e2), (3, e3)) for s in names]
        x = keras.layers.Conv2D(e1, 3, strides=2, padding="same", activation="tanh", name="conv1")(residual)
        x, s2 = down(e2, 3, strides=2, hidden_kernel_size=hk, name=f"conv_{self.cell}2")(x, e_states[:k])
        x, s3 = down(e3, 3, strides=1, hidden_kernel_size=hk, name=f"conv_{self.cell}3")(x, e_states[k:])
        bits = StochasticBinarizer(self.bits, projection="conv", seed=self.seed, name="binarizer")(x)
        encoder = keras.Model([residual, *e_states], [bits, *s2, *s3], name="encoder_step")

        code = keras.Input((None, None, self.bits), name="bits")
        d_states = [keras.Input((None, None, n), name=f"dec{i}_{s}") for i, n in ((2, d2), (3, d3)) for s in names]
        y = keras.layers.Conv2D(d1, 3, padding="same", activation="tanh", name="deconv1")(code)
        y, t2 = up(d2, 3, strides=2, hidden_kernel_size=hk, name=f"deconv_{self.cell}2")(y, d_states[:k])
        y, t3 = up(d3, 3, strides=2, hidden_kernel_size=hk, name=f"deconv_{self.cell}3")(y, d_states[k:])
        rgb = keras.layers.Conv2D(3, 1, activation="tanh", name="rgb")(y)
        decoder = keras.Model([code, *d_states], [rgb, *t2, *t3], name="decoder_step")
        return [encoder], [decoder]

    def code_shape(self, height, width):
        return (height // 4, width // 4, self.bits)

    def decoder_context(self, iterations):
        """The conv decoder's reach within one step, 2.5 code positions
        (deconv1 reaches 1; the stride-2 3x3 transposed convolutions of eq.
        14 reach 1 on the 8x8 grid and 1 pixel of the 16x16 grid, half a
        position), plus the state convolutions' reach: ``r = k // 2`` pixels
        of the 16x16 grid (``r / 2`` code positions) or of the 32x32 grid
        (``r / 4``) for each of the ``iterations - 1`` steps a dependency
        crosses, priming runs included: ``ceil(2.5 + (iterations - 1 +
        priming) * r / 2)``; 3 for the default 1x1 state kernels."""
        iterations = self._iterations_arg(iterations)
        crossings = iterations - 1 + self.priming
        return max(DECODER_CONTEXT, -(-(5 + crossings * self._state_reach()) // 2))

    def encoder_context(self, iterations):
        """The conv encoder's reach within one step, 2 code positions (see
        ``ConvResidualShared``), plus what each of the ``iterations - 1``
        step boundaries a dependency crosses adds: a residual round trip
        (decoder step then encoder step, 3 + 2), an encoder state convolution
        (``r = k // 2`` on the 8x8 grid, eq. 13) or a decoder one (at most
        ``r / 2``): ``2 + (iterations - 1) * max(5, r)``, plus, for each
        priming run, ``r`` (encoder state) and ``ceil(r / 2)`` (decoder
        state, through the first residual)."""
        iterations = self._iterations_arg(iterations)
        r = self._state_reach()
        step = max(ENCODER_CONTEXT + DECODER_CONTEXT, r)
        return ENCODER_CONTEXT + (iterations - 1) * step + self.priming * (r + -(-r // 2))

    def _state_kernel(self):
        """The state convolutions' kernel (height, width), as the layers resolved it."""
        return tuple(self._encoders[0].get_layer(f"conv_{self.cell}2").hidden_kernel_size)

    def _state_reach(self):
        """Pixels of its own grid a state reaches in one step: ``k // 2`` per state
        convolution, of which a GRU chains two (the candidate's reads ``r_t``)."""
        return max(self._state_kernel()) // 2 * (2 if self.cell == "gru" else 1)

    def macs_split(self, height, width):
        """(encoder, decoder) multiply-accumulates of one encoder + decoder step (3x3 input kernels)."""
        (e1, e2, e3), (d1, d2, d3) = self._widths()
        kh, kw = self._state_kernel()
        hk = kh * kw
        g = GATES[self.cell]  # gate maps per unit, of the input and of the state convolutions
        p = (height // 4) * (width // 4)
        encoder = (
            4 * p * 9 * 3 * e1
            + p * g * e2 * (9 * e1 + hk * e2)
            + p * g * e3 * (9 * e2 + hk * e3)
            + p * e3 * self.bits
        )
        decoder = (
            p * 9 * self.bits * d1
            + g * d2 * (p * 9 * d1 + 4 * p * hk * d2)
            + g * d3 * (4 * p * 9 * d2 + 16 * p * hk * d3)
            + 16 * p * d3 * 3
        )
        if self.residual_scaling:  # G runs on each side: a 4x4x3 convolution and a 1x1 one per position
            g = scaled_width(GAIN_FILTERS, self.width)
            encoder, decoder = encoder + p * 49 * g, decoder + p * 49 * g
        return encoder, decoder

    def state_shapes(self, height, width):
        (_, e2, e3), (_, d2, d3) = self._widths()
        h4, w4 = height // 4, width // 4
        k = len(STATE_NAMES[self.cell])
        enc = [(h4, w4, e2)] * k + [(h4, w4, e3)] * k
        dec = [(2 * h4, 2 * w4, d2)] * k + [(4 * h4, 4 * w4, d3)] * k
        return enc, dec

    def get_config(self):
        config = super().get_config()
        config["hidden_kernel_size"] = self.hidden_kernel_size
        if self.priming:  # absent from older configs, which mean 0
            config["priming"] = self.priming
        if self.residual_scaling:  # absent from older configs, which mean False
            config["residual_scaling"] = True
        if self.cell != "lstm":  # absent from older configs, which mean "lstm"
            config["cell"] = self.cell
        return config
