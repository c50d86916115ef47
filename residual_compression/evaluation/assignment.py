"""Dynamic bit assignment against uniform iterations at the same bytes (sec. 3.7).

The paper leaves "dynamic bit assignment" (section 3.7) as future work: give
each block of a large image the iterations it needs instead of the same
number everywhere. :func:`compare_assignment` compresses each image twice at
each bits-per-pixel budget, once with uniform iterations
(``compress(bpp=b)``) and once with the Lagrangian per-block choice
(``compress(bpp=b, quality="max")``, ``docs/bitstream.md``, "Block map"),
and reports the image's patch SSIM (section 4.2), the header-less bytes and
how even the quality is over the blocks (the spread: the standard deviation
of the blocks' patch SSIM, and the worst block).
"""

import dataclasses

import numpy as np

from residual_compression import validation
from residual_compression.blockmap import block_quality
from residual_compression.evaluation.metrics import patch_ssim

__all__ = ["AssignmentRow", "MODES", "compare_assignment"]

MODES = ("uniform", "dynamic")
"""``uniform``: ``compress(bpp=b)``; ``dynamic``: ``compress(bpp=b, quality="max")``."""


@dataclasses.dataclass(frozen=True)
class AssignmentRow:
    """One mode at one budget, averaged over the images.

    Attributes:
        mode: one of :data:`MODES`.
        bpp: the budget in bits per pixel.
        ssim: mean patch SSIM of the images.
        payload_bytes: mean header-less stream size.
        spread: mean over images of the standard deviation of the blocks' patch SSIM.
        worst_block: mean over images of the lowest block patch SSIM.
    """

    mode: str
    bpp: float
    ssim: float
    payload_bytes: float
    spread: float
    worst_block: float


def _compress(codec, image, mode, bpp, block):
    if mode == "uniform":
        return codec.compress(image, bpp=bpp)
    return codec.compress(image, bpp=bpp, quality="max", block=block)


def compare_assignment(codec, images, bpps, block=32):
    """``AssignmentRow`` per budget and mode (uniform first).

    ``images``: uint8 ``(H, W, 3)`` arrays (sizes may differ), each at least
    ``block`` pixels on each side; ``bpps``: positive budgets; ``block``: the
    block side in pixels (a multiple of 8 and of the model's block).
    """
    images = [np.asarray(im) for im in images]
    if not images or any(im.ndim != 3 or im.shape[-1] != 3 or im.dtype != np.uint8 for im in images):
        raise validation.InvalidValueError("`images` must be a non-empty list of uint8 (H, W, 3) arrays")
    small = [im.shape for im in images if min(im.shape[:2]) < block]
    if small:
        raise validation.InvalidValueError(f"`images` must be at least `block`={block} pixels a side, received {small[0]}")
    bpps = [validation.positive_number("bpps", b) for b in bpps]
    rows = []
    for bpp in bpps:
        for mode in MODES:
            scores, sizes, spreads, worst = [], [], [], []
            for image in images:
                stream = _compress(codec, image, mode, bpp, block)
                recon = codec.decompress(stream)
                scores.append(patch_ssim(recon, image))
                sizes.append(len(stream) - codec.stream_header_size(stream))
                blocks = block_quality(recon, image, block)
                spreads.append(float(blocks.std()))
                worst.append(float(blocks.min()))
            rows.append(AssignmentRow(mode, bpp, *(float(np.mean(v)) for v in (scores, sizes, spreads, worst))))
    return rows
