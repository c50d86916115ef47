"""Binarization layer of Toderici et al. (2016), section 3.2, eq. (4)-(7)."""

import keras
from keras import ops

from residual_compression.errors import InvalidValueError
from residual_compression.layers._validation import int_in_range
from residual_compression.layers._validation import one_of

__all__ = ["StochasticBinarizer"]

_PROJECTIONS = (None, "dense", "conv")


@keras.saving.register_keras_serializable(package="residual_compression")
class StochasticBinarizer(keras.layers.Layer):
    """Maps activations in [-1, 1] to bits in {-1, +1}.

    With ``projection`` set, the layer is the paper's full binary encoder
    ``B(x) = b(tanh(W_bin x + b_bin))`` (eq. 6), where ``W_bin`` is a dense
    layer (``"dense"``) or a 1x1 convolution (``"conv"``) with ``bits`` outputs.
    Without a projection the input is used as the activation directly and must
    already lie in [-1, 1].

    Training (eq. 4-5): ``b(x) = x + eps`` with ``eps = 1 - x`` with
    probability ``(1 + x) / 2`` and ``-x - 1`` otherwise, i.e. ``P(+1) =
    (1 + x) / 2`` so ``E[b(x)] = x``. The backward pass uses the derivative of
    the expectation, which is the identity (straight-through).

    Inference (eq. 7): ``b_inf(x) = -1 if x < 0 else +1``: deterministic.

    Args:
        bits: number of output bits per position; required with a projection.
        projection: ``None``, ``"dense"`` or ``"conv"``.
        seed: seed of the quantization noise (training mode only).
    """

    def __init__(self, bits=None, projection=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        one_of("projection", projection, _PROJECTIONS)
        if projection is not None:
            bits = int_in_range("bits", bits, 1, what="a positive integer when `projection` is set")
        elif bits is not None:
            raise InvalidValueError(
                "`bits` is only used with a projection; received "
                f"bits={bits!r} with projection=None"
            )
        self.bits = bits
        self.projection = projection
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        if projection == "dense":
            self.proj = keras.layers.Dense(bits, name="proj")
        elif projection == "conv":
            self.proj = keras.layers.Conv2D(bits, 1, name="proj")
        else:
            self.proj = None

    def build(self, input_shape):
        if self.proj is not None:
            self.proj.build(input_shape)

    def activations(self, inputs):
        """The continuous values in [-1, 1] that are binarized (tanh(W x + b))."""
        if self.proj is None:
            return ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        return ops.tanh(self.proj(inputs))

    def call(self, inputs, training=False):
        x = self.activations(inputs)
        if training:
            u = keras.random.uniform(
                ops.shape(x), dtype=x.dtype, seed=self.seed_generator
            )
            noisy = ops.where(u < (1.0 + x) / 2.0, 1.0, -1.0)
            return ops.cast(noisy, x.dtype) + (x - ops.stop_gradient(x))
        return ops.cast(ops.where(x < 0, -1.0, 1.0), x.dtype)

    def compute_output_shape(self, input_shape):
        if self.bits is None:
            return tuple(input_shape)
        return tuple(input_shape[:-1]) + (self.bits,)

    def get_config(self):
        config = super().get_config()
        config.update(bits=self.bits, projection=self.projection, seed=self.seed)
        return config
