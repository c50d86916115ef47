"""The input operations of the convolutional recurrent cells (private).

Eq. (13) of Toderici et al. (2016): a convolution with stride ``k`` on the
input (the state keeps the downsampled size); eq. (14): a transposed
convolution with stride ``k`` (the state is ``k`` times the input's size).
Both have no bias: the cell adds its own.
"""

import keras

__all__ = []


def strided_conv(channels, kernel_size, strides):
    """The strided input convolution of eq. (13), ``channels`` outputs."""
    return keras.layers.Conv2D(channels, kernel_size, strides=strides, padding="same", use_bias=False, name="input_conv")


def strided_spatial(height, width, strides):
    """State size after the strided convolution (``same`` padding rounds up)."""
    return (-(-height // strides[0]), -(-width // strides[1]))


def transposed_conv(channels, kernel_size, strides):
    """The transposed input convolution of eq. (14), ``channels`` outputs."""
    return keras.layers.Conv2DTranspose(
        channels, kernel_size, strides=strides, padding="same", use_bias=False, name="input_deconv"
    )


def transposed_spatial(height, width, strides):
    """State size after the transposed convolution."""
    return (height * strides[0], width * strides[1])
