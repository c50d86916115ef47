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

from residual_compression import validation

__all__ = ["Span", "crop_clamped", "decode_tiled", "encode_tiled", "signs", "spans", "to_numpy"]


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
    validation.positive_int("length", length)
    validation.positive_int("core", core)
    validation.non_negative_int("context", context)
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


def encode_tiled(codec, image, iterations, out):
    """Encodes one large image tile by tile into ``out`` ``(T, h, w, c)``.

    Each tile runs the closed loop on its core plus ``codec.encoder_halo``
    pixels of context; only the core's codes are kept.
    """
    from residual_compression.scaling import to_model_space

    block = codec.model.block_size
    halo = codec.encoder_halo(iterations)
    core = (codec.tile_size - 2 * halo) // block * block
    ph, pw = codec.padded_size(*image.shape[:2])
    for rows in spans(ph, core, halo):
        for cols in spans(pw, core, halo):
            x = to_model_space(crop_clamped(image, rows, cols)[None])
            codes, _ = codec.model.encode(x, iterations, images=False)
            # In code positions: where the core lies in the tile and in the image.
            top, left = (rows.start - rows.lo) // block, (cols.start - cols.lo) // block
            h, w = (rows.stop - rows.start) // block, (cols.stop - cols.start) // block
            y0, x0 = rows.start // block, cols.start // block
            for t, code in enumerate(codes):
                out[t, y0 : y0 + h, x0 : x0 + w] = signs(code)[0, top : top + h, left : left + w]


def decode_tiled(codec, bits, out, return_all):
    """Decodes one large image's bits ``(T, h, w, c)`` tile by tile into ``out``.

    Tiles overlap by the decoder's exact context, so the result is the
    whole-image decode.
    """
    from residual_compression.scaling import from_model_space

    block = codec.model.block_size
    iterations = bits.shape[0]
    context = codec.model.decoder_context(iterations)
    core = codec.tile_size // block - 2 * context
    height, width = out.shape[-3:-1]
    for rows in spans(bits.shape[1], core, context):
        for cols in spans(bits.shape[2], core, context):
            chunk = np.asarray(bits[None, :, rows.lo : rows.hi, cols.lo : cols.hi], np.float32)
            recons = codec.model.decode([chunk[:, t] for t in range(iterations)])
            top, left = (rows.start - rows.lo) * block, (cols.start - cols.lo) * block
            y0, y1 = rows.start * block, min(rows.stop * block, height)
            x0, x1 = cols.start * block, min(cols.stop * block, width)
            keep = (slice(top, top + y1 - y0), slice(left, left + x1 - x0))
            if return_all:
                for t, recon in enumerate(recons):
                    out[t, y0:y1, x0:x1] = from_model_space(to_numpy(recon)[0][keep])
            else:
                out[y0:y1, x0:x1] = from_model_space(to_numpy(recons[-1])[0][keep])


def to_numpy(tensor):
    """A backend tensor as a numpy array."""
    from keras import ops

    return np.asarray(ops.convert_to_numpy(tensor))


def signs(code):
    """A code tensor of +-1 (floats) as int8, with 0 read as +1 (sec. 3.1)."""
    return np.where(to_numpy(code) < 0, -1, 1).astype(np.int8)
