"""Pixel scaling of section 3: 8-bit RGB <-> [-0.9, 0.9]."""

import numpy as np

from residual_compression.errors import ImageInputError

__all__ = ["SCALE", "from_model_space", "to_model_space"]

SCALE = 0.9


def to_model_space(images):
    """uint8 images -> float32 in [-0.9, 0.9] (an offset and a scale, sec. 3)."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ImageInputError(f"`images` must be uint8, received dtype {images.dtype}")
    return images.astype(np.float32) * np.float32(2 * SCALE / 255.0) - np.float32(SCALE)


def from_model_space(values):
    """Model outputs -> uint8, rounding to the nearest level and clipping."""
    values = np.asarray(values, dtype=np.float32)
    levels = (values + np.float32(SCALE)) * np.float32(255.0 / (2 * SCALE))
    return np.clip(np.rint(levels), 0, 255).astype(np.uint8)
