"""Common machinery of the convolutional LSTM cells (private)."""

import keras
from keras import ops

from residual_compression.errors import InvalidValueError
from residual_compression.layers._gates import gate_bias_initializer
from residual_compression.layers._gates import lstm_gates
from residual_compression.layers._validation import positive_int_pair
from residual_compression.layers._validation import positive_int

__all__ = []


class ConvLSTMBase(keras.layers.Layer):
    """A convolutional LSTM step: ``T_4n = input_op(x) + W_h (*)_1 h + b``.

    Subclasses supply ``_make_input_op`` (a strided convolution or a transposed
    convolution, without bias) and ``_state_spatial``. The hidden-to-hidden
    convolution always has stride 1, so the state keeps its size.
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        strides=1,
        hidden_kernel_size=None,
        unit_forget_bias=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = positive_int("filters", filters)
        self.kernel_size = positive_int_pair("kernel_size", kernel_size)
        self.strides = positive_int_pair("strides", strides)
        self.hidden_kernel_size = positive_int_pair(
            "hidden_kernel_size",
            self.kernel_size if hidden_kernel_size is None else hidden_kernel_size,
        )
        self.unit_forget_bias = bool(unit_forget_bias)
        self.input_conv = self._make_input_op()
        self.hidden_conv = keras.layers.Conv2D(
            4 * self.filters,
            self.hidden_kernel_size,
            strides=1,
            padding="same",
            use_bias=False,
            name="hidden_conv",
        )

    def build(self, inputs_shape, states_shape=None):
        input_shape = inputs_shape
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise InvalidValueError(
                "`inputs` must be a 4-D (batch, height, width, channels) tensor with "
                f"known channels, received shape {input_shape}"
            )
        self.input_conv.build(input_shape)
        state = (input_shape[0], None, None, self.filters)
        self.hidden_conv.build(state)
        self.bias = self.add_weight(
            name="bias",
            shape=(4 * self.filters,),
            initializer=gate_bias_initializer(self.filters, self.unit_forget_bias),
        )

    def state_shape(self, height, width):
        """Per-example shape of each state for an input of ``height x width``."""
        return self._state_spatial(height, width) + (self.filters,)

    def get_initial_state(self, inputs):
        """Zero ``[h, c]`` states matching a batch of ``inputs``."""
        shape = ops.shape(inputs)
        full = (shape[0],) + self.state_shape(shape[1], shape[2])
        return [ops.zeros(full, self.compute_dtype), ops.zeros(full, self.compute_dtype)]

    def call(self, inputs, states):
        h_prev, c_prev = states
        z = self.input_conv(inputs) + self.hidden_conv(h_prev) + self.bias
        h, c = lstm_gates(z, c_prev)
        return h, [h, c]

    def compute_output_spec(self, inputs, states):
        batch, height, width = tuple(inputs.shape)[:3]
        out_h = None if height is None else self._state_spatial(height, 1)[0]
        out_w = None if width is None else self._state_spatial(1, width)[1]
        shape = (batch, out_h, out_w, self.filters)

        def spec():
            return keras.KerasTensor(shape, dtype=self.compute_dtype)

        return spec(), [spec(), spec()]

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            strides=self.strides,
            hidden_kernel_size=self.hidden_kernel_size,
            unit_forget_bias=self.unit_forget_bias,
        )
        return config
