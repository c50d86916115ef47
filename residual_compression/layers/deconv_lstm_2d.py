"""Deconvolutional LSTM of Toderici et al. (2016), eq. (14)."""

import keras

from residual_compression.layers._conv_lstm_base import ConvLSTMBase
from residual_compression.layers._input_ops import transposed_conv
from residual_compression.layers._input_ops import transposed_spatial

__all__ = ["DeconvLSTM2D"]


@keras.saving.register_keras_serializable(package="residual_compression")
class DeconvLSTM2D(ConvLSTMBase):
    """LSTM step with a transposed convolution on the input.

    Eq. (14): ``T_4n(h^{l-1}_t, h^l_{t-1}) = Wd (/)_k h^{l-1}_t + Wc (*)_1 h^l_{t-1} + b``,
    where ``(/)_k`` is the deconvolution of eq. (11)-(12) (a transposed
    convolution with stride ``k``) and the state convolution has stride 1. The
    state is ``k`` times the input's size. Gates follow eq. (8)-(10).

    ``call(inputs, [h, c]) -> (h_t, [h_t, c_t])``; ``get_initial_state(inputs)``
    gives zero states.

    Args:
        filters: state depth ``n``.
        kernel_size: transposed convolution kernel.
        strides: upsampling factor ``k``.
        hidden_kernel_size: state convolution kernel (default: ``kernel_size``).
        unit_forget_bias: initialise the forget-gate bias to 1.
    """

    def _make_input_op(self):
        return transposed_conv(4 * self.filters, self.kernel_size, self.strides)

    def _state_spatial(self, height, width):
        return transposed_spatial(height, width, self.strides)
