"""Image input and output for every entry point of the package.

All images reach the codecs as C-contiguous ``uint8`` arrays of shape
``(H, W, 3)`` (RGB). :func:`to_rgb_uint8` turns a Pillow image or a numpy array
into that form, :func:`load_image` reads a file, :func:`save_image` writes one,
:func:`resize_to` makes the small thumbnails the paper evaluates on and
:func:`list_image_files` lists the images of a folder.

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
import os
import pathlib
import stat
import warnings
from typing import Any

import numpy as np
from PIL import Image
from PIL import ImageOps

from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError

__all__ = [
    "IMAGE_EXTENSIONS",
    "MAX_RESIZE_DIMENSION",
    "list_image_files",
    "load_image",
    "resize_to",
    "save_image",
    "to_rgb_uint8",
]

IMAGE_EXTENSIONS = (
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".bmp",
    ".gif",
    ".tif",
    ".tiff",
    ".ppm",
    ".pgm",
    ".j2k",
    ".jp2",
)
"""File name endings :func:`list_image_files` picks up (compared case-insensitively)."""

# The Pillow formats load_image reads, detected from the file's content (never
# its name). They are the formats of IMAGE_EXTENSIONS. (Pillow's JPEG reader
# also opens camera MPO files, as their first picture.)
_READ_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF", "PPM", "JPEG2000")

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


def _as_path(path: Any, what: str) -> pathlib.Path:
    if isinstance(path, (str, os.PathLike)):
        try:
            result = pathlib.Path(path)
        except TypeError:  # a PathLike returning bytes
            result = None
        if result is not None:
            return result
    raise ImageInputError(
        f"{what} must be a str or os.PathLike path, got {type(path).__name__} {path!r}"
    )


def _stat(path: pathlib.Path, label: str) -> os.stat_result:
    """``os.stat`` of ``path`` (following links), errors as ImageInputError."""
    try:
        return path.stat()
    except FileNotFoundError:
        raise ImageInputError(f"{label} not found") from None
    except (OSError, ValueError) as exc:  # permissions, loops, NUL in the name
        raise ImageInputError(f"{label} cannot be accessed: {_one_line(exc)}") from None


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as a ``uint8`` RGB array of shape ``(H, W, 3)``.

    The format is detected from the content, never the file name; PNG (also
    16-bit), JPEG (also CMYK), WebP, BMP, GIF (first frame), TIFF,
    PPM/PGM and JPEG 2000 are read. The EXIF orientation is applied, so the
    array is upright as a viewer shows it. Pixels are converted as in
    :func:`to_rgb_uint8` (alpha discarded, greyscale replicated, 16 bits
    scaled by ``round(v / 257)``).

    Raises:
        ImageInputError: the file is missing, a directory, empty, not an image
            of a supported format, corrupt or truncated, or larger than
            Pillow's decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``).
            The one-line message names the file.
    """
    file = _as_path(path, "path")
    label = f"image file {str(file)!r}"
    info = _stat(file, label)
    if stat.S_ISDIR(info.st_mode):
        raise ImageInputError(f"{label} is a directory, not an image file")
    if info.st_size == 0:
        raise ImageInputError(f"{label} is empty (0 bytes)")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=_READ_FORMATS) as opened:
                limit = Image.MAX_IMAGE_PIXELS
                if limit is not None and opened.width * opened.height > limit:
                    raise Image.DecompressionBombError(
                        f"{opened.width}x{opened.height} pixels"
                    )
                opened.load()
                upright = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageInputError(
            f"{label} is too large to open safely (Pillow's decompression-bomb limit "
            f"is {Image.MAX_IMAGE_PIXELS} pixels): {_one_line(exc)}"
        ) from None
    except Image.UnidentifiedImageError:
        raise ImageInputError(
            f"{label} is not an image in a supported format "
            f"({', '.join(_READ_FORMATS)})"
        ) from None
    except MemoryError:
        raise
    except OSError as exc:
        if exc.errno is not None:  # the file system, not the content (permissions, ...)
            raise ImageInputError(f"{label} cannot be read: {_one_line(exc)}") from exc
        raise ImageInputError(f"{label} is corrupt or truncated: {_one_line(exc)}") from exc
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for bad data
        raise ImageInputError(
            f"{label} is corrupt or truncated: {_one_line(exc) or type(exc).__name__}"
        ) from exc
    return to_rgb_uint8(upright, name=label)


def save_image(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write a ``uint8`` RGB array of shape ``(H, W, 3)`` to an image file.

    The format follows the file extension (Pillow's table); a path without an
    extension is written as PNG. PNG is lossless and is what round trips
    exactly; JPEG is written at quality 95 and is lossy.

    Raises:
        ImageInputError: ``array`` is not a ``uint8`` array of shape
            ``(H, W, 3)`` with ``H, W >= 1``.
        ResidualCompressionError: the extension is not an image format Pillow
            can write.
        OSError: the file cannot be written (missing folder, permissions).
    """
    file = _as_path(path, "path")
    if not isinstance(array, np.ndarray):
        raise ImageInputError(
            f"array must be a numpy uint8 array of shape (H, W, 3), got {type(array).__name__}"
        )
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise ImageInputError(
            f"array must be uint8 with shape (H, W, 3), got {_describe_array(array)}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ImageInputError(f"array is empty: {_describe_array(array)}")
    suffix = file.suffix.lower()
    if suffix:
        image_format = Image.registered_extensions().get(suffix)
        if image_format is None or image_format not in Image.SAVE:
            raise ResidualCompressionError(
                f"cannot save {str(file)!r}: {suffix!r} is not an image format Pillow "
                f"can write (use .png for lossless output)"
            )
    else:
        image_format = "PNG"
    options = {"quality": 95} if image_format in ("JPEG", "MPO") else {}
    Image.fromarray(np.ascontiguousarray(array)).save(
        file, format=image_format, **options
    )


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


def list_image_files(folder: str | os.PathLike) -> list[pathlib.Path]:
    """The image files directly inside ``folder``, sorted by name.

    A file counts when its extension is in :data:`IMAGE_EXTENSIONS`
    (case-insensitively). Subfolders are not searched, and hidden files (names
    starting with ".", such as macOS "._" files) are skipped.

    Raises:
        ImageInputError: ``folder`` is missing, not a directory, or holds no
            image files. The message names the folder.
    """
    directory = _as_path(folder, "folder")
    label = f"image folder {str(directory)!r}"
    if not stat.S_ISDIR(_stat(directory, label).st_mode):
        raise ImageInputError(f"{label} is not a directory")
    try:
        entries = list(directory.iterdir())
    except OSError as exc:
        raise ImageInputError(f"{label} cannot be listed: {_one_line(exc)}") from exc
    files = [
        entry
        for entry in entries
        if not entry.name.startswith(".")
        and entry.suffix.lower() in IMAGE_EXTENSIONS
        and entry.is_file()
    ]
    if not files:
        raise ImageInputError(
            f"{label} holds no image files (looked for {', '.join(IMAGE_EXTENSIONS)})"
        )
    return sorted(files, key=lambda entry: entry.name)
