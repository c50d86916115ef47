"""Stride-aware convolutional LSTM of Toderici et al. (2016), eq. (13)."""

import keras

from residual_compression.layers._conv_lstm_base import ConvLSTMBase
from residual_compression.layers._input_ops import strided_conv
from residual_compression.layers._input_ops import strided_spatial

__all__ = ["ConvLSTM2D"]


@keras.saving.register_keras_serializable(package="residual_compression")
class ConvLSTM2D(ConvLSTMBase):
    """Convolutional LSTM step with the stride on the input convolution only.

    Eq. (13): ``T_4n(h^{l-1}_t, h^l_{t-1}) = W1 (*)_k h^{l-1}_t + W2 (*)_1 h^l_{t-1} + b``.
    The input convolution has stride ``k`` (``strides``), the hidden-to-hidden
    convolution stride 1, so the state has the input's size divided by ``k``
    (``same`` padding: ``ceil(H / k) x ceil(W / k)``). Gates follow eq. (8)-(10).

    ``call(inputs, [h, c]) -> (h_t, [h_t, c_t])``; ``get_initial_state(inputs)``
    gives zero states.

    Args:
        filters: state depth ``n`` (the convolutions output ``4 n`` maps).
        kernel_size: input convolution kernel.
        strides: input convolution stride ``k``.
        hidden_kernel_size: hidden convolution kernel (default: ``kernel_size``).
        unit_forget_bias: initialise the forget-gate bias to 1.
    """

    def _make_input_op(self):
        return strided_conv(4 * self.filters, self.kernel_size, self.strides)

    def _state_spatial(self, height, width):
        return strided_spatial(height, width, self.strides)
