"""Tiles: how the codec covers images larger than it processes at once.

Memory grows with the area the model sees in one call (about 4 KB per pixel
for the conv LSTM on CPU), so :class:`~residual_compression.codec.ProgressiveCodec`
processes large images in tiles. Along each dimension a tile has a *core*
(the part whose result is kept) and an *extent*: the core widened by some
context on both sides and clipped to the image. Outside the image the pixels
are the edge-padded ones the whole-image computation would see.
"""

from typing import NamedTuple

import numpy as np

__all__ = ["Span", "crop_clamped", "spans"]


class Span(NamedTuple):
    """One tile along one dimension: ``[start, stop)`` kept, ``[lo, hi)`` computed."""

    start: int
    stop: int
    lo: int
    hi: int


def spans(length, core, context):
    """Tiles covering ``[0, length)`` with cores of ``core`` and ``context`` on each side.

    ``length``, ``core`` and ``context`` are in the same unit (pixels or code
    positions); ``core >= 1``, ``context >= 0``. The extents are clipped to
    ``[0, length)``, so a dimension no longer than ``core`` is one tile with
    no context.
    """
    if core < 1 or context < 0 or length < 1:
        raise ValueError(f"need length, core >= 1 and context >= 0, received {length}, {core}, {context}")
    return [
        Span(start, min(start + core, length), max(0, start - context), min(length, start + core + context))
        for start in range(0, length, core)
    ]


def crop_clamped(image, rows, cols):
    """``image[rows.lo:rows.hi, cols.lo:cols.hi]``, edge-padded where it leaves the image.

    ``image`` is ``(H, W, C)``; the extent may reach past ``H`` or ``W`` (into
    the block padding), where the last row or column is repeated, as
    ``np.pad(mode="edge")`` of the whole image would give. The copy is the
    tile's size, whatever the image's.
    """
    height, width = image.shape[:2]
    r = np.clip(np.arange(rows.lo, rows.hi), 0, height - 1)
    c = np.clip(np.arange(cols.lo, cols.hi), 0, width - 1)
    return image[r[:, None], c[None, :]]
