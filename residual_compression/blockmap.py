"""Dynamic bit assignment (Toderici et al. 2016, sec. 3.7): iterations per block.

An image is cut into square blocks of ``side`` code positions; block ``b``
gets ``n_b`` iterations (1..T), the fewest that reach a target quality.
Format 2 signals the counts in the payload, before the bits, in unary: for
each block in raster order the symbols ``[n_b > 1], [n_b > 2], ...`` up to
the first 0 (none after ``T - 1``), each coded with probability 1/2; then the
bits of iteration ``t`` are coded only at positions whose block has
``n_b > t``. The decoder shows each block at its own last iteration.
"""

import numpy as np

from residual_compression import entropy
from residual_compression.errors import ResidualCompressionError
from residual_compression.patch_ssim import PATCH_SIZE
from residual_compression.patch_ssim import patch_ssim_map

__all__ = ["block_quality", "check_block", "choose_counts", "decode_map", "grid_of", "map_symbols", "mask_of", "pick_per_block"]


def grid_of(shape, side):
    """Blocks ``(rows, columns)`` covering a code of ``shape`` ``(h, w, ...)``."""
    return -(-shape[0] // side), -(-shape[1] // side)


def mask_of(counts, side, t_max, h, w):
    """Coded positions ``(T, h, w)``: where the block's count exceeds ``t``."""
    per_position = np.repeat(np.repeat(counts, side, 0), side, 1)[:h, :w]
    return per_position[None] > np.arange(t_max)[:, None, None]


def map_symbols(counts, t_max):
    """The unary symbols of the block map and their probabilities."""
    symbols = []
    for n in np.asarray(counts).reshape(-1):
        symbols += [1] * (int(n) - 1) + ([0] if n < t_max else [])
    symbols = np.asarray(symbols, np.int32)
    return symbols, np.full(symbols.size, 0.5)


def decode_map(grid, t_max):
    """A ``prologue`` for :func:`entropy.decode_symbols` that reads the map.

    Returns the prologue; after decoding, ``prologue.counts`` holds the map
    (None when the payload does not determine it).
    """

    def prologue(low, high, family):
        counts = np.ones(grid, np.int64)
        used = 0
        half = np.array([0.5])
        for b in range(counts.size):
            for _ in range(1, t_max):
                a = entropy._decode_group(low, family, half)
                c = entropy._decode_group(high, family, half)
                if a is None or c is None or a[0] != c[0]:
                    prologue.counts = None
                    return None, used
                used += 1
                if not a[0]:
                    break
                counts.flat[b] += 1
        prologue.counts = counts
        return mask_of(counts, prologue.side, t_max, *prologue.hw), used

    return prologue


def check_block(block, metric):
    """Refuses a ``block`` (pixels) that patch SSIM (``metric`` "ssim") cannot split into 8x8 patches."""
    if metric == "ssim" and block % PATCH_SIZE:
        raise ResidualCompressionError(
            f"`block` must be a multiple of {PATCH_SIZE} pixels for patch SSIM, received: {block!r}"
        )


def block_quality(images, references, block, metric="ssim"):
    """Per-block quality ``(..., rows, columns)`` of uint8 ``(..., H, W, 3)`` images.

    ``"ssim"``: the mean patch SSIM of the block (:func:`.patch_ssim_map`
    over its 8x8 patches and channels, the paper's metric of sec. 4.2, so
    that the most summed block quality is the best image score); ``block``
    must then be a multiple of 8. ``"psnr"``: PSNR in dB over the block.
    Images are edge-padded to whole blocks.
    """
    check_block(block, metric)
    x = np.asarray(images, np.float64)
    y = np.broadcast_to(np.asarray(references, np.float64), x.shape)
    height, width = x.shape[-3:-1]
    rows, cols = -(-height // block), -(-width // block)
    pad = [(0, 0)] * (x.ndim - 3) + [(0, rows * block - height), (0, cols * block - width), (0, 0)]
    x, y = np.pad(x, pad, mode="edge"), np.pad(y, pad, mode="edge")
    if metric == "psnr":
        shape = x.shape[:-3] + (rows, block, cols, block, 3)
        mse = ((x - y) ** 2).reshape(shape).mean(axis=(-4, -2, -1))
        return 10 * np.log10(255.0**2 / np.maximum(mse, 1e-10))
    k = block // PATCH_SIZE
    per_patch = patch_ssim_map(x, y)  # (..., rows k, cols k, 3)
    return per_patch.reshape(per_patch.shape[:-3] + (rows, k, cols, k, 3)).mean(axis=(-4, -2, -1))


def choose_counts(quality_per_iteration, target):
    """Fewest iterations per block whose quality reaches ``target`` (else all).

    ``quality_per_iteration``: ``(T, rows, columns)``.
    """
    reached = np.asarray(quality_per_iteration) >= target
    first = np.argmax(reached, axis=0) + 1
    return np.where(reached.any(axis=0), first, reached.shape[0]).astype(np.int64)


def pick_per_block(reconstructions, counts, pixels):
    """Each block of ``pixels`` px shown at its own count: ``(T, H, W, 3)`` -> ``(H, W, 3)``."""
    height, width = reconstructions.shape[1:3]
    index = np.repeat(np.repeat(counts - 1, pixels, 0), pixels, 1)[:height, :width]
    return np.take_along_axis(reconstructions, index[None, :, :, None], axis=0)[0]
