"""Image files and image sets for every entry point of the package.

:func:`load_image` reads one file, :func:`save_image` writes one,
:func:`list_image_files` lists the images of a folder and :func:`load_images`
loads a whole source (a folder, one image file or an ``.npz``) for the
evaluation and for training. Size limits are checked from the file header,
before any pixel is decoded.

The pixel conversion (:func:`to_rgb_uint8`), the check of an ``images``
argument (:func:`as_image_list`), :func:`resize_to` and the test images of
:func:`synthetic_images` live in :mod:`residual_compression.pixels` and are
re-exported here, so this module is the one place to import images from.
Only numpy and Pillow are used.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import stat
import warnings
import zipfile
from typing import Any
from typing import Callable

import numpy as np
from PIL import Image
from PIL import ImageOps

from residual_compression import validation
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError
from residual_compression.pixels import MAX_RESIZE_DIMENSION
from residual_compression.pixels import _describe_array
from residual_compression.pixels import _one_line
from residual_compression.pixels import as_image_list
from residual_compression.pixels import resize_to
from residual_compression.pixels import synthetic_images
from residual_compression.pixels import to_rgb_uint8

__all__ = [
    "IMAGE_EXTENSIONS",
    "MAX_PIXELS",
    "MAX_RESIZE_DIMENSION",
    "MAX_SIDE",
    "LoadedImages",
    "as_image_list",
    "list_image_files",
    "load_image",
    "load_images",
    "resize_to",
    "save_image",
    "synthetic_images",
    "to_rgb_uint8",
]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".ppm", ".pgm", ".j2k", ".jp2")
"""File name endings :func:`list_image_files` picks up (compared case-insensitively)."""

# The Pillow formats load_image reads, detected from the file's content (never
# its name). They are the formats of IMAGE_EXTENSIONS. (Pillow's JPEG reader
# also opens camera MPO files, as their first picture.)
_READ_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF", "PPM", "JPEG2000")

MAX_PIXELS = 8192 * 8192
"""Default largest image :func:`load_image` decodes, in pixels: the codec's
own limit (``ProgressiveCodec(max_pixels=...)``), 192 MiB as uint8 RGB."""

MAX_SIDE = 65535
"""Largest width or height :func:`load_image` accepts: the most a stream
header can record."""


def _check_limits(label: str, width: int, height: int, max_pixels: int | None) -> None:
    if max(width, height) > MAX_SIDE:
        raise ImageInputError(
            f"{label} is too large: {width}x{height} pixels, and a stream records "
            f"a width or height of at most {MAX_SIDE}"
        )
    if max_pixels is not None and width * height > max_pixels:
        raise ImageInputError(
            f"{label} is too large: {width}x{height} = {width * height} pixels, over "
            f"the limit of {max_pixels} (max_pixels)"
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


def load_image(path: str | os.PathLike, *, max_pixels: int | None = MAX_PIXELS) -> np.ndarray:
    """Read an image file as a ``uint8`` RGB array of shape ``(H, W, 3)``.

    The format is detected from the content, never the file name; PNG (also
    16-bit), JPEG (also CMYK), WebP, BMP, GIF (first frame), TIFF,
    PPM/PGM and JPEG 2000 are read. The EXIF orientation is applied, so the
    array is upright as a viewer shows it. Pixels are converted as in
    :func:`to_rgb_uint8` (alpha discarded, greyscale replicated, 16 bits
    scaled by ``round(v / 257)``).

    The size is checked from the file header before any pixel is decoded:
    images with more than ``max_pixels`` pixels (None: no limit but Pillow's)
    or a side over :data:`MAX_SIDE` are refused.

    Raises:
        ImageInputError: the file is missing, a directory, empty, not an image
            of a supported format, corrupt or truncated, over ``max_pixels``
            or :data:`MAX_SIDE`, or larger than Pillow's decompression-bomb
            limit (``PIL.Image.MAX_IMAGE_PIXELS``). The one-line message
            names the file.
    """
    file = _as_path(path, "path")
    if max_pixels is not None:
        max_pixels = validation.positive_int("max_pixels", max_pixels)
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
                _check_limits(label, opened.width, opened.height, max_pixels)
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
    except ImageInputError:
        raise
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


@dataclasses.dataclass(frozen=True, eq=False)
class LoadedImages:
    """What :func:`load_images` found.

    Attributes:
        images: a uint8 ``(N, H, W, 3)`` array when all images have one size,
            else a list of ``(H, W, 3)`` arrays.
        names: one per image: the file name, or ``"file.npz[i]"``.
        skipped: ``(file name, reason)`` of each folder file not loaded.
    """

    images: Any
    names: tuple
    skipped: tuple

    def __len__(self) -> int:
        return len(self.names)


def _resized(image: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    return image if size is None else resize_to(image, size)


def _too_small(label: str, image: np.ndarray, min_size: int) -> None:
    if min(image.shape[:2]) < min_size:
        raise ImageInputError(
            f"{label} is {image.shape[1]}x{image.shape[0]} pixels; at least "
            f"{min_size}x{min_size} are needed"
        )


def _load_npz(file: pathlib.Path, limit: int | None) -> tuple[np.ndarray, tuple]:
    label = f"image archive {str(file)!r}"
    try:
        with np.load(file, allow_pickle=False) as archive:
            if "images" not in archive.files:
                arrays = ", ".join(archive.files) or "none"
                raise ImageInputError(f"{label} has no 'images' array (arrays: {arrays})")
            images = archive["images"]
    except ImageInputError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ImageInputError(f"{label}: cannot read npz: {_one_line(exc)}") from None
    if images.dtype != np.uint8:
        raise ImageInputError(f"{label}: 'images' must have dtype uint8, got dtype {images.dtype}")
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ImageInputError(f"{label}: 'images' must have shape (N, H, W, 3), got shape {images.shape}")
    if images.shape[0] == 0:
        raise ImageInputError(f"{label}: 'images' holds no images")
    images = images[:limit]
    return images, tuple(f"{file.name}[{i}]" for i in range(len(images)))


def _load_folder(folder, size, limit, min_size, on_skip, max_pixels):
    files = list_image_files(folder)
    images, names, skipped = [], [], []
    for file in files:
        if limit is not None and len(images) >= limit:
            break
        try:
            image = load_image(file, max_pixels=max_pixels)
            _too_small(f"image file {str(file)!r}", image, min_size)
        except ImageInputError as exc:
            skipped.append((file.name, str(exc)))
            if on_skip is not None:
                on_skip(file.name, str(exc))
            continue
        images.append(_resized(image, size))
        names.append(file.name)
    if not images:
        raise ImageInputError(
            f"image folder {str(folder)!r}: none of its {len(files)} image files could be read"
        )
    return images, tuple(names), tuple(skipped)


def load_images(
    source: str | os.PathLike,
    *,
    size: int | tuple[int, int] | None = None,
    limit: int | None = None,
    min_size: int = 1,
    on_skip: Callable[[str, str], Any] | None = None,
    max_pixels: int | None = MAX_PIXELS,
) -> LoadedImages:
    """Load a set of images: the one loader of the evaluation and of training.

    Args:
        source: a folder (its :func:`list_image_files`, in name order), one
            image file, or an ``.npz`` holding a uint8 array ``images`` of
            shape ``(N, H, W, 3)``.
        size: resize every image to this ``(height, width)`` (an int: square)
            with :func:`resize_to`, aspect ratio not kept (paper sec. 4.3);
            None keeps every image as it is.
        limit: keep only the first ``limit`` usable images.
        min_size: the smallest height and width accepted (before resizing).
        on_skip: called as ``on_skip(file_name, reason)`` for each folder file
            that cannot be used (unreadable, too large, too small); it is
            skipped and the rest carry on.
        max_pixels: passed to :func:`load_image`.

    Returns:
        :class:`LoadedImages`.

    Raises:
        ImageInputError: the source is missing, a folder without usable
            images, an unusable file, or an npz without a uint8 ``images``
            array of shape ``(N, H, W, 3)`` (or with images under ``min_size``).
    """
    if size is not None:
        size = (size, size) if isinstance(size, int) and not isinstance(size, bool) else size
        size = validation.positive_int_pair("size", size)
    if limit is not None:
        limit = validation.positive_int("limit", limit)
    min_size = validation.positive_int("min_size", min_size)
    file = _as_path(source, "source")
    if not file.exists():
        raise ImageInputError(f"{str(file)!r}: no such file or folder")
    skipped = ()
    if file.is_dir():
        images, names, skipped = _load_folder(file, size, limit, min_size, on_skip, max_pixels)
    elif file.suffix.lower() == ".npz":
        array, names = _load_npz(file, limit)
        _too_small(f"the images of {str(file)!r}", array[0], min_size)
        if size is None or array.shape[1:3] == size:
            return LoadedImages(array, names, ())
        images = [resize_to(image, size) for image in array]
    else:
        image = load_image(file, max_pixels=max_pixels)
        _too_small(f"image file {str(file)!r}", image, min_size)
        images, names = [_resized(image, size)], (file.name,)
    if len({image.shape for image in images}) == 1:
        images = np.stack(images)
    return LoadedImages(images, names, skipped)
