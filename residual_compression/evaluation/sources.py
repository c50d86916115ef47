"""Evaluation images from a folder, one image file or an ``.npz`` (sec. 4.3).

The paper's benchmark images were "downsampled to 32x32, losing their
original aspect ratios" (Toderici et al. 2016, sec. 4.3). Images are loaded
by :func:`residual_compression.images.load_images`, the loader training uses
too (same files chosen from a folder, same conversion rules as the codec:
alpha dropped, greyscale replicated, 16-bit scaled, size limits checked from
the file header). With ``size="thumb"`` (the default) every image is resized
to 32x32: aspect ratio not kept, Pillow's antialiased LANCZOS filter.
``size="full"`` keeps every image as it is, and needs at least 8x8 (patch
SSIM works on 8x8 patches).

Sources:

* a folder: its image files (:func:`residual_compression.images.list_image_files`:
  known extensions, not hidden, not recursive), in sorted file-name order. A
  file that cannot be used (unreadable or, with ``size="full"``, smaller than
  8x8) is reported through ``on_skip`` (file name and reason) and skipped;
  the rest carry on.
* one image file.
* an ``.npz`` holding a uint8 array ``images`` of shape (N, H, W, 3).

``limit`` keeps the first ``limit`` usable images. Problems with the source
itself raise ``residual_compression.errors.ImageInputError``.
"""

from __future__ import annotations

from residual_compression import validation
from residual_compression.evaluation.metrics import PATCH_SIZE

__all__ = ["THUMB_SIZE", "SIZES", "LoadedImages", "load_images", "to_thumbnail"]

THUMB_SIZE = 32
SIZES = ("thumb", "full")


def to_thumbnail(image):
    """Resize a uint8 (H, W, 3) array to 32x32 (aspect ratio not kept, LANCZOS)."""
    from residual_compression.images import resize_to  # Pillow on first use

    return resize_to(image, (THUMB_SIZE, THUMB_SIZE))


def load_images(path, *, size="thumb", limit=None, on_skip=None):
    """Load images for ``evaluate`` (see module docstring).

    Args:
      path: folder, image file or ``.npz``.
      size: "thumb" (32x32, paper sec. 4.3) or "full" (unchanged).
      limit: keep only the first ``limit`` usable images.
      on_skip: called as ``on_skip(file_name, reason)`` for each unusable file.

    Returns:
      ``LoadedImages``; ``images`` is a uint8 (N, H, W, 3) array when all
      images have the same size, otherwise a list of (H, W, 3) arrays.
    """
    from residual_compression.images import load_images as _load  # Pillow on first use

    validation.one_of("size", size, SIZES)
    if size == "thumb":
        return _load(path, size=THUMB_SIZE, limit=limit, on_skip=on_skip)
    return _load(path, limit=limit, min_size=PATCH_SIZE, on_skip=on_skip)


def __getattr__(name):
    if name == "LoadedImages":  # images.LoadedImages, without importing Pillow up front
        from residual_compression.images import LoadedImages

        return LoadedImages
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
