"""Load evaluation images from a folder, one image file or an ``.npz`` (sec. 4.3).

The paper's benchmark images were "downsampled to 32x32, losing their
original aspect ratios" (Toderici et al. 2016, sec. 4.3). Files are read
with :func:`residual_compression.images.load_image` (the same conversion rules
as the codec: alpha dropped, greyscale replicated, 16-bit scaled). With
``size="thumb"`` (the default) every image is resized to
32x32 the same way: aspect ratio not kept, Pillow's antialiased LANCZOS
filter (Pillow widens the filter support when downsampling, so it low-pass
filters). ``size="full"`` keeps every image as it is.

Sources:

* a folder: every regular, non-hidden file in it (not recursive), in sorted
  file-name order. A file Pillow cannot read (or, with ``size="full"``, an
  image smaller than 8x8) is reported through ``on_skip`` (file name and
  reason) and skipped; the rest carry on.
* one image file.
* an ``.npz`` holding a uint8 array ``images`` of shape (N, H, W, 3).

``limit`` keeps the first ``limit`` usable images. Problems with the source
itself (missing path, empty folder, npz without ``images``, wrong dtype or
shape, nothing readable) raise ``residual_compression.errors.ImageInputError``.
"""

from __future__ import annotations

import dataclasses
import numbers
import os
import zipfile

import numpy as np

from residual_compression.errors import ImageInputError

__all__ = ["THUMB_SIZE", "SIZES", "LoadedImages", "load_images", "to_thumbnail"]

THUMB_SIZE = 32
SIZES = ("thumb", "full")


@dataclasses.dataclass(frozen=True, eq=False)
class LoadedImages:
    """Images (a uint8 (N,H,W,3) array, or a list when sizes differ) and names."""

    images: object
    names: tuple
    skipped: tuple  # (name, reason) pairs

    def __len__(self):
        return len(self.names)


def to_thumbnail(image):
    """Resize a uint8 (H, W, 3) array to 32x32 (aspect ratio not kept, LANCZOS)."""
    from residual_compression.images import resize_to

    if image.shape[:2] == (THUMB_SIZE, THUMB_SIZE):
        return image
    return resize_to(image, (THUMB_SIZE, THUMB_SIZE))


def _check_options(size, limit):
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, got {limit!r}")


def _load_npz(path, limit):
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "images" not in archive.files:
                raise ImageInputError(
                    f"{path}: npz has no 'images' array (arrays: {', '.join(archive.files) or 'none'})"
                )
            images = archive["images"]
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ImageInputError):
            raise
        raise ImageInputError(f"{path}: cannot read npz: {exc}") from exc
    if images.dtype != np.uint8:
        raise ImageInputError(f"{path}: 'images' must have dtype uint8, got dtype {images.dtype}")
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ImageInputError(f"{path}: 'images' must have shape (N, H, W, 3), got shape {images.shape}")
    if images.shape[0] == 0:
        raise ImageInputError(f"{path}: 'images' holds no images")
    if limit is not None:
        images = images[:limit]
    names = tuple(f"{os.path.basename(path)}[{i}]" for i in range(images.shape[0]))
    return list(images), names, ()


def _check_evaluable(name, image, size):
    """Patch SSIM needs 8x8: full-size images smaller than that are refused."""
    if size == "full" and min(image.shape[:2]) < 8:
        raise ImageInputError(
            f"{name} is {image.shape[1]}x{image.shape[0]}: images smaller than 8x8 cannot be "
            "evaluated (patch SSIM works on 8x8 patches)"
        )
    return image


def _load_folder(path, limit, on_skip, size):
    entries = sorted(e for e in os.listdir(path) if not e.startswith("."))
    files = [e for e in entries if os.path.isfile(os.path.join(path, e))]
    if not files:
        raise ImageInputError(f"{path}: folder has no image files")
    from residual_compression.images import load_image

    images, names, skipped = [], [], []
    for entry in files:
        if limit is not None and len(images) >= limit:
            break
        try:
            images.append(_check_evaluable(entry, load_image(os.path.join(path, entry)), size))
        except ImageInputError as exc:
            reason = str(exc)
            skipped.append((entry, reason))
            if on_skip is not None:
                on_skip(entry, reason)
            continue
        names.append(entry)
    if not images:
        raise ImageInputError(f"{path}: none of the {len(files)} files could be read as an image")
    return images, tuple(names), tuple(skipped)


def load_images(path, *, size="thumb", limit=None, on_skip=None):
    """Load images for ``evaluate`` (see module docstring).

    Args:
      path: folder, image file or ``.npz``.
      size: "thumb" (32x32, paper sec. 4.3) or "full" (unchanged).
      limit: keep only the first ``limit`` usable images.
      on_skip: called as ``on_skip(file_name, reason)`` for each unreadable file.

    Returns:
      ``LoadedImages``; ``images`` is a uint8 (N, H, W, 3) array when all
      images have the same size, otherwise a list of (H, W, 3) arrays.
    """
    _check_options(size, limit)
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ImageInputError(f"{path}: no such file or folder")
    if os.path.isdir(path):
        images, names, skipped = _load_folder(path, limit, on_skip, size)
    elif path.lower().endswith(".npz"):
        images, names, skipped = _load_npz(path, limit)
        # One size for the whole array: too small fails the source, not one file.
        if size == "full" and min(images[0].shape[:2]) < 8:
            small = ", ".join(names[:5])
            raise ImageInputError(f"{path}: images smaller than 8x8 cannot be evaluated: {small}")
    else:
        from residual_compression.images import load_image

        name = os.path.basename(path)
        images, names, skipped = [_check_evaluable(name, load_image(path), size)], (name,), ()
    if size == "thumb":
        images = [to_thumbnail(im) for im in images]
    if len({im.shape for im in images}) == 1:
        images = np.stack(images)
    return LoadedImages(images=images, names=names, skipped=skipped)
