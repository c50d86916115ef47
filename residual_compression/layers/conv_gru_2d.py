"""Stride-aware convolutional GRU: Toderici et al. (2017)'s GRU with eq. (13)'s input."""

import keras

from residual_compression.layers._conv_gru_base import ConvGRUBase
from residual_compression.layers._input_ops import strided_conv
from residual_compression.layers._input_ops import strided_spatial

__all__ = ["ConvGRU2D"]


@keras.saving.register_keras_serializable(package="residual_compression")
class ConvGRU2D(ConvGRUBase):
    """Convolutional GRU step with the stride on the input convolution only.

    ``z, r = sigmoid(W (*)_k x + U (*)_1 h + b)``, ``h_t = (1 - z) h + z
    tanh(W (*)_k x + U (*)_1 (r h) + b)`` (Toderici et al. 2017, the matrix
    products made convolutions): the input convolution has stride ``k``
    (``strides``) as in eq. (13) of the 2016 paper, the state convolutions
    stride 1, so the state has the input's size divided by ``k`` (``same``
    padding: ``ceil(H / k) x ceil(W / k)``).

    ``call(inputs, [h]) -> (h_t, [h_t])``; ``get_initial_state(inputs)`` gives
    the zero state.

    Args:
        filters: state depth ``n`` (the input convolution outputs ``3 n`` maps).
        kernel_size: input convolution kernel.
        strides: input convolution stride ``k``.
        hidden_kernel_size: state convolution kernel (default: ``kernel_size``).
    """

    def _make_input_op(self):
        return strided_conv(3 * self.filters, self.kernel_size, self.strides)

    def _state_spatial(self, height, width):
        return strided_spatial(height, width, self.strides)
