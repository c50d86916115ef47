"""Fully-connected LSTM cell of Toderici et al. (2016), section 3.4, eq. (8)-(10)."""

import keras
from keras import ops

from residual_compression.errors import InvalidValueError
from residual_compression.layers._gates import gate_bias_initializer
from residual_compression.layers._gates import lstm_gates
from residual_compression.layers._validation import positive_int

__all__ = ["LSTMCell"]


@keras.saving.register_keras_serializable(package="residual_compression")
class LSTMCell(keras.layers.Layer):
    """One step of the LSTM in the formulation of Graves (2013).

    A single affine map ``T_4n`` on the concatenation ``[h^{l-1}_t, h^l_{t-1}]``
    gives the gates (eq. 8)::

        (i, f, o, g) = (sigm, sigm, sigm, tanh)(T_4n([x_t, h_{t-1}]))
        c_t = f * c_{t-1} + i * g                                 (eq. 9)
        h_t = o * tanh(c_t)                                       (eq. 10)

    The cell is stepped explicitly: ``call(inputs, states)`` returns
    ``(h_t, [h_t, c_t])``, because in a progressive codec each step's input
    depends on the previous step's output.

    Args:
        units: size ``n`` of the hidden and cell state.
        unit_forget_bias: initialise the forget-gate bias to 1.
    """

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.units = positive_int("units", units)
        self.unit_forget_bias = bool(unit_forget_bias)

    def build(self, inputs_shape, states_shape=None):
        input_shape = inputs_shape
        in_dim = input_shape[-1]
        if in_dim is None:
            raise InvalidValueError(
                f"`inputs` must have a known last dimension, received shape {input_shape}"
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(in_dim + self.units, 4 * self.units),
            initializer="glorot_uniform",
        )
        n = self.units

        self.bias = self.add_weight(
            name="bias", shape=(4 * n,), initializer=gate_bias_initializer(n, self.unit_forget_bias)
        )

    def get_initial_state(self, batch_size):
        """Zero ``[h, c]`` states for a batch of ``batch_size``."""
        shape = (batch_size, self.units)
        return [ops.zeros(shape, self.compute_dtype), ops.zeros(shape, self.compute_dtype)]

    def state_shape(self):
        """Per-example shape of each of the two states."""
        return (self.units,)

    def call(self, inputs, states):
        h_prev, c_prev = states
        z = ops.matmul(ops.concatenate([inputs, h_prev], axis=-1), self.kernel) + self.bias
        h, c = lstm_gates(z, c_prev)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, unit_forget_bias=self.unit_forget_bias)
        return config
