"""Shared by test_bitstream.py and test_bitstream_errors.py: a conv model's code shape,
random codes and a format-1 decode with the usual arguments."""

import numpy as np

from residual_compression.bitstream import decode_stream

__all__ = ["conv_shape", "decode", "fixed_shape", "random_bits"]


def conv_shape(height, width):
    """Code shape of a 32x32-style conv model: /4 spatially, 2 channels."""
    if height % 4 or width % 4:
        raise ValueError(f"size must be a multiple of 4, got {height}x{width}")
    return height // 4, width // 4, 2


def fixed_shape(shape):
    return lambda height, width: shape


def random_bits(rng, shape, dtype=np.float32):
    return np.where(rng.random(shape) < 0.5, -1, 1).astype(dtype)


def decode(data, **kwargs):
    kwargs.setdefault("code_shape_fn", conv_shape)
    kwargs.setdefault("max_iterations", 16)
    return decode_stream(data, **kwargs)
