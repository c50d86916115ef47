"""Pixel arrays: conversion to the codecs' input form, checks, and test images.

All images reach the codecs as C-contiguous ``uint8`` arrays of shape
``(H, W, 3)`` (RGB). :func:`to_rgb_uint8` turns a Pillow image or a numpy array
into that form, :func:`as_image_list` is the one check of an ``images``
argument (one image or a batch) shared by the codec and the evaluation,
:func:`resize_to` makes the small thumbnails the paper evaluates on, and
:func:`synthetic_images` makes deterministic photo-like test images.
Files are read and written by :mod:`residual_compression.images`, which
re-exports these names.

Conversion rules (the same for arrays, Pillow images and files):

* Alpha is discarded, not composited: an RGBA pixel ``(r, g, b, a)`` becomes
  ``(r, g, b)`` whatever ``a`` is, and a transparent palette entry keeps its
  palette colour.
* Greyscale (and 1-bit) images are replicated to three channels; 1-bit and
  bool pixels become 0 or 255.
* 16-bit data (``uint16`` arrays, Pillow modes ``I;16*`` and ``I``) is scaled
  to 8 bits by ``round(v / 257)``, which maps 0 to 0 and 65535 to 255. Mode
  ``I`` images must hold values in 0..65535 (as 16-bit PNGs do).
* Float images (Pillow mode ``F``) are taken on the 0..255 scale, rounded
  and clipped, as Pillow itself does for ``F`` to ``L``. Float *arrays* are
  rejected: their scale (0..1 or 0..255) is ambiguous.
* Palette, CMYK, YCbCr, LAB, HSV and other modes are converted by Pillow.

Only numpy and Pillow are used here.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from PIL import Image

from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError

__all__ = [
    "MAX_RESIZE_DIMENSION",
    "as_image_list",
    "resize_to",
    "synthetic_images",
    "to_rgb_uint8",
]

MAX_RESIZE_DIMENSION = 65535
"""Largest height or width :func:`resize_to` produces."""

_SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N")
_ALPHA_PALETTE_MODES = ("P", "PA")


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _describe_array(array: np.ndarray) -> str:
    return f"shape {array.shape}, dtype {array.dtype}"


def _grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(grey[:, :, np.newaxis], 3, axis=2))


def _scale_uint16(values: np.ndarray) -> np.ndarray:
    """``round(v / 257)`` for ``uint16`` values, exactly, as ``uint8``."""
    # floor((v + 128) / 257) == round(v / 257); there are no ties for integers.
    return ((values.astype(np.uint32) + 128) // 257).astype(np.uint8)


def _array_to_rgb(array: np.ndarray, name: str) -> np.ndarray:
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise ImageInputError(
            f"{name} must have shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), "
            f"got {_describe_array(array)}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ImageInputError(f"{name} is empty: {_describe_array(array)}")
    dtype = array.dtype
    if dtype == np.bool_:
        values = array.astype(np.uint8) * np.uint8(255)
    elif dtype.kind == "u" and dtype.itemsize == 1:
        values = array
    elif dtype.kind == "u" and dtype.itemsize == 2:
        values = _scale_uint16(array)
    elif dtype.kind == "f":
        raise ImageInputError(
            f"{name} has float dtype {dtype} ({_describe_array(array)}); pass uint8 "
            f"(0..255), uint16 or bool. For floats in [0, 1] use "
            f"(np.clip(a, 0, 1) * 255).round().astype(np.uint8)"
        )
    else:
        raise ImageInputError(
            f"{name} has unsupported dtype {dtype} ({_describe_array(array)}); "
            f"pass uint8 (0..255), uint16 (0..65535) or bool"
        )
    if values.ndim == 2:
        return _grey_to_rgb(values)
    channels = values.shape[2]
    if channels == 1:
        return _grey_to_rgb(values[:, :, 0])
    # Three channels, or four with the alpha channel discarded. Always a copy.
    return np.array(values[:, :, :3], dtype=np.uint8, order="C", copy=True)


def _pil_to_rgb(image: Image.Image, name: str) -> np.ndarray:
    width, height = image.size
    if width == 0 or height == 0:
        raise ImageInputError(
            f"{name} is empty: Pillow image of size {width}x{height}, mode {image.mode}"
        )
    mode = image.mode
    try:
        if mode == "RGB":
            return np.array(image, dtype=np.uint8, order="C")
        if mode in _SIXTEEN_BIT_MODES:
            return _grey_to_rgb(_scale_uint16(np.asarray(image)))
        if mode == "I":
            values = np.asarray(image)
            low, high = int(values.min()), int(values.max())
            if low < 0 or high > 65535:
                raise ImageInputError(
                    f"{name} is a mode I (32-bit integer) image with values in "
                    f"{low}..{high}; only 0..65535 (16-bit) is supported"
                )
            return _grey_to_rgb(_scale_uint16(values.astype(np.uint16)))
        if mode == "F":
            values = np.asarray(image)
            if not np.isfinite(values).all():
                raise ImageInputError(
                    f"{name} is a mode F (float) image holding NaN or infinite values"
                )
            return _grey_to_rgb(np.clip(np.rint(values), 0, 255).astype(np.uint8))
        if mode in _ALPHA_PALETTE_MODES:
            # Through RGBA so palette transparency (bytes or index) is handled
            # without Pillow's warning; the alpha is then dropped.
            rgba = np.asarray(image.convert("RGBA"))
            return np.array(rgba[:, :, :3], dtype=np.uint8, order="C")
        if mode == "La":
            image = image.convert("LA")
        converted = image.convert("RGB")
    except ImageInputError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types
        raise ImageInputError(
            f"{name}: cannot convert a Pillow image of mode {mode} to RGB: {_one_line(exc)}"
        ) from exc
    return np.array(converted, dtype=np.uint8, order="C")


def to_rgb_uint8(image: Any, *, name: str = "image") -> np.ndarray:
    """Return ``image`` as a new C-contiguous ``uint8`` array of shape ``(H, W, 3)``.

    Args:
        image: a ``PIL.Image.Image`` of any mode Pillow can convert to RGB, or
            a numpy array of shape ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or
            ``(H, W, 4)`` with dtype ``uint8``, ``uint16`` (scaled by
            ``round(v / 257)``) or ``bool`` (True is 255). A fourth channel is
            alpha and is discarded (not composited).
        name: what to call the image in error messages.

    Returns:
        An RGB ``uint8`` array that never shares memory with ``image``.

    Raises:
        ImageInputError: ``image`` is another type, has an unsupported shape,
            dtype or mode, is empty (zero height or width), or cannot be
            converted. Float arrays are rejected (convert them to ``uint8``).
    """
    if not isinstance(name, str):
        raise ResidualCompressionError(f"name must be a str, got {type(name).__name__}")
    if isinstance(image, Image.Image):
        return _pil_to_rgb(image, name)
    if isinstance(image, np.ndarray):
        return _array_to_rgb(image, name)
    raise ImageInputError(
        f"{name} must be a PIL.Image.Image or a numpy array, got {type(image).__name__}"
        + ("; convert it with np.asarray first" if hasattr(image, "__array__") else "")
    )


def _rgb(image: Any, name: str) -> np.ndarray:
    """``image`` itself when it already is a non-empty uint8 ``(H, W, 3)``
    array (read-only use: no copy of a large photo), else ``to_rgb_uint8``."""
    if isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3:
        if image.shape[0] and image.shape[1]:
            return image
    return to_rgb_uint8(image, name=name)


def as_image_list(images: Any, *, name: str = "images", min_size: int = 1) -> tuple[list[np.ndarray], bool]:
    """The one check of an ``images`` argument: one image or a batch.

    Args:
        images: one image (anything :func:`to_rgb_uint8` accepts), or a batch:
            an array ``(N, H, W, C)`` or a list or tuple of images (sizes may
            differ).
        name: what to call the argument in error messages.
        min_size: the smallest height and width accepted.

    Returns:
        ``(items, single)``: a list of ``uint8`` ``(H, W, 3)`` arrays (views
        of ``images`` where it already is uint8 RGB, never written to), and
        whether ``images`` was one image.

    Raises:
        ImageInputError: an empty batch, an image that cannot be converted,
            or one smaller than ``min_size`` (the message names its index).
    """
    if isinstance(images, np.ndarray) and images.ndim == 4:
        items, single = [_rgb(im, f"{name}[{i}]") for i, im in enumerate(images)], False
        if not items:
            raise ImageInputError(f"{name} is empty: {_describe_array(images)}")
    elif isinstance(images, (list, tuple)):
        if not images:
            raise ImageInputError(f"{name} is empty: need at least one image")
        items, single = [_rgb(im, f"{name}[{i}]") for i, im in enumerate(images)], False
    else:
        items, single = [_rgb(images, name)], True
    for i, item in enumerate(items):
        if min(item.shape[:2]) < min_size:
            label = name if single else f"{name}[{i}]"
            raise ImageInputError(
                f"{label} is {item.shape[1]}x{item.shape[0]} pixels; at least "
                f"{min_size}x{min_size} are needed"
            )
    return items, single


def _check_size(size: Any) -> tuple[int, int]:
    if isinstance(size, (str, bytes)) or not hasattr(size, "__len__") or len(size) != 2:
        raise ResidualCompressionError(f"size must be a (height, width) pair, got {size!r}")
    result = []
    for label, value in zip(("height", "width"), size):
        if isinstance(value, (bool, np.bool_)):
            raise ResidualCompressionError(f"size {label} must be an integer, got {value!r}")
        try:
            number = operator.index(value)
        except TypeError:
            raise ResidualCompressionError(
                f"size {label} must be an integer, got {type(value).__name__} {value!r}"
            ) from None
        if not 1 <= number <= MAX_RESIZE_DIMENSION:
            raise ResidualCompressionError(
                f"size {label} must be in 1..{MAX_RESIZE_DIMENSION}, got {number}"
            )
        result.append(number)
    return result[0], result[1]


def resize_to(array: Any, size: tuple[int, int]) -> np.ndarray:
    """Resample an image to exactly ``size = (height, width)``.

    The aspect ratio is not kept (as for the paper's 32x32 thumbnails). The
    filter is Lanczos, which Pillow widens when shrinking, so downsampling is
    antialiased. ``array`` may be anything :func:`to_rgb_uint8` accepts.

    Returns:
        A new ``uint8`` array of shape ``(height, width, 3)``.

    Raises:
        ImageInputError: ``array`` is not a usable image.
        ResidualCompressionError: ``size`` is not two ints in 1..65535.
    """
    height, width = _check_size(size)
    rgb = to_rgb_uint8(array, name="array")
    if rgb.shape[:2] == (height, width):
        return rgb
    resized = Image.fromarray(rgb).resize((width, height), Image.Resampling.LANCZOS)
    return np.array(resized, dtype=np.uint8, order="C")


def synthetic_images(count: int, height: int = 32, width: int = 32, seed: int = 0) -> np.ndarray:
    """Deterministic photo-like test images: smooth colour waves plus noise.

    Returns a ``uint8`` array ``(count, height, width, 3)``; the same for the
    same arguments on every machine. Large images are made a band of rows at
    a time, so memory stays near the output's own size.
    """
    rng = np.random.default_rng(seed)
    out = np.empty((count, height, width, 3), np.uint8)
    x = np.arange(width, dtype=np.float32)[np.newaxis, :]
    band = max(1, (1 << 18) // max(1, width))
    for i in range(count):
        fx, fy, phase = rng.uniform(0.05, 0.4, 2).tolist() + [rng.uniform(0, 6.3)]
        for top in range(0, height, band):
            y = np.arange(top, min(height, top + band), dtype=np.float32)[:, np.newaxis]
            waves = np.broadcast_arrays(np.sin(fx * x + phase), np.cos(fy * y - phase), np.sin(fx * x + fy * y))
            base = np.stack(waves, -1)
            image = 127.5 + 90 * base + rng.normal(0, 12, base.shape)
            out[i, top : top + len(y)] = np.clip(np.rint(image), 0, 255)
    return out
