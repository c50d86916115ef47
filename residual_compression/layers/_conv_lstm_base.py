"""Common machinery of the convolutional LSTM cells (private)."""

from residual_compression.layers._conv_cell_base import ConvCellBase
from residual_compression.layers._gates import gate_bias_initializer
from residual_compression.layers._gates import lstm_gates

__all__ = []


class ConvLSTMBase(ConvCellBase):
    """A convolutional LSTM step: ``T_4n = input_op(x) + W_h (*)_1 h + b``.

    Subclasses supply ``_make_input_op`` (a strided convolution or a transposed
    convolution, without bias) and ``_state_spatial``. The hidden-to-hidden
    convolution always has stride 1, so the state keeps its size.
    """

    num_states = 2  # [h, c]

    def __init__(
        self,
        filters,
        kernel_size=3,
        strides=1,
        hidden_kernel_size=None,
        unit_forget_bias=True,
        **kwargs,
    ):
        super().__init__(filters, kernel_size, strides, hidden_kernel_size, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.hidden_conv = self._state_conv(4 * self.filters, "hidden_conv")

    def _build_cell(self, state_shape):
        self.hidden_conv.build(state_shape)
        self.bias = self.add_weight(
            name="bias",
            shape=(4 * self.filters,),
            initializer=gate_bias_initializer(self.filters, self.unit_forget_bias),
        )

    def call(self, inputs, states):
        h_prev, c_prev = states
        z = self.input_conv(inputs) + self.hidden_conv(h_prev) + self.bias
        h, c = lstm_gates(z, c_prev)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(unit_forget_bias=self.unit_forget_bias)
        return config
