"""Deconvolutional GRU: Toderici et al. (2017)'s GRU with eq. (14)'s input."""

import keras

from residual_compression.layers._conv_gru_base import ConvGRUBase
from residual_compression.layers._input_ops import transposed_conv
from residual_compression.layers._input_ops import transposed_spatial

__all__ = ["DeconvGRU2D"]


@keras.saving.register_keras_serializable(package="residual_compression")
class DeconvGRU2D(ConvGRUBase):
    """GRU step with a transposed convolution on the input.

    The gates of :class:`ConvGRU2D`, with the input convolution replaced by
    the deconvolution of eq. (11)-(12) of the 2016 paper (a transposed
    convolution with stride ``k``, as in eq. 14); the state convolutions have
    stride 1 and the state is ``k`` times the input's size.

    ``call(inputs, [h]) -> (h_t, [h_t])``; ``get_initial_state(inputs)`` gives
    the zero state.

    Args:
        filters: state depth ``n``.
        kernel_size: transposed convolution kernel.
        strides: upsampling factor ``k``.
        hidden_kernel_size: state convolution kernel (default: ``kernel_size``).
    """

    def _make_input_op(self):
        return transposed_conv(3 * self.filters, self.kernel_size, self.strides)

    def _state_spatial(self, height, width):
        return transposed_spatial(height, width, self.strides)
