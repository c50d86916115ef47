"""Shared by test_images.py and test_image_files.py: a test picture and the checks every
RGB result of residual_compression.images must pass."""

import numpy as np
from PIL import Image

from residual_compression.images import synthetic_images

__all__ = ["check_rgb", "palette_image", "rgb_pattern"]


def rgb_pattern(height, width, seed=0):
    return synthetic_images(1, height, width, seed)[0]


def check_rgb(result, height, width):
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.uint8
    assert result.shape == (height, width, 3)
    assert result.flags["C_CONTIGUOUS"]


def palette_image():
    """A 3x2 palette image and the RGB pixels it stands for."""
    image = Image.new("P", (3, 2), 0)
    image.putpalette([10, 20, 30, 200, 100, 50, 0, 255, 0])
    image.putpixel((1, 0), 1)
    image.putpixel((2, 1), 2)
    expected = np.tile(np.array([10, 20, 30], np.uint8), (2, 3, 1))
    expected[0, 1] = [200, 100, 50]
    expected[1, 2] = [0, 255, 0]
    return image, expected
