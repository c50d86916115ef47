"""Quality of every prefix of a stream: does each extra byte help?

A progressive stream is downloaded byte by byte; the promise of stream
format 2 (``docs/bitstream.md``) is that any prefix decodes and that the
picture never gets worse as bytes arrive. :func:`prefix_quality` measures
the patch SSIM (section 4.2) of each image at each prefix of one stream
encoded at the largest budget, and :func:`quality_drops` counts where the
promise is broken, per image and for the mean.
"""

import dataclasses

import numpy as np

from residual_compression import validation
from residual_compression.evaluation.metrics import patch_ssim

__all__ = ["PrefixDrops", "prefix_quality", "quality_drops"]


def prefix_quality(codec, images, max_payload, step=1, monotone=False):
    """Patch SSIM of every image at payload prefixes ``step, 2 step, ...``.

    ``images`` is a uint8 ``(N, H, W, 3)`` batch; each is compressed once
    with ``num_bytes=max_payload`` and its stream cut after the header plus
    each prefix length, as a partial download would be. Returns ``(counts,
    ssim)``: the prefix lengths ``(K,)`` and the ``(N, K)`` patch SSIM.
    A stream shorter than a prefix decodes whole at that prefix.

    With ``monotone=True`` each image is instead compressed at every budget
    with ``compress(num_bytes=count, monotone=True)`` (one stream per budget,
    not cuts of one; about one image decode per byte of each budget).
    """
    max_payload = validation.positive_int("max_payload", max_payload)
    step = validation.int_in_range("step", step, 1, max_payload)
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        raise validation.InvalidValueError(
            f"`images` must be a uint8 (N, H, W, 3) batch, received {images.dtype} {images.shape}"
        )
    counts = np.arange(step, max_payload + 1, step)
    ssim = np.empty((len(images), len(counts)))
    if monotone:
        for k, count in enumerate(counts):
            streams = codec.compress(images, num_bytes=int(count), monotone=True)
            ssim[:, k] = patch_ssim(images, codec.decompress(streams))
        return counts, ssim
    streams = codec.compress(images, num_bytes=max_payload)
    heads = [codec.stream_header_size(s) for s in streams]
    for k, count in enumerate(counts):
        decoded = codec.decompress([s[: h + int(count)] for s, h in zip(streams, heads)])
        ssim[:, k] = patch_ssim(images, np.asarray(decoded))
    return counts, ssim


@dataclasses.dataclass(frozen=True)
class PrefixDrops:
    """Where quality fell as bytes were added (a drop: a prefix scoring lower
    than the one before it by more than ``tolerance``).

    Attributes:
        images_with_drops: images with at least one drop.
        drops: (image, prefix) pairs that are drops.
        steps: all (image, prefix) pairs compared.
        worst: the largest single drop (0.0 when none).
        mean_drops: prefixes at which the mean over images drops.
    """

    images_with_drops: int
    drops: int
    steps: int
    worst: float
    mean_drops: int


def quality_drops(ssim, tolerance=0.0):
    """Counts the drops of an ``(N, K)`` :func:`prefix_quality` result."""
    ssim = np.asarray(ssim, np.float64)
    tolerance = float(validation.non_negative_number("tolerance", tolerance))
    if ssim.ndim != 2:
        raise validation.InvalidValueError(f"`ssim` must be (images, prefixes), received shape {ssim.shape}")
    fall = ssim[:, :-1] - ssim[:, 1:]
    mean = ssim.mean(axis=0)
    is_drop = fall > tolerance
    return PrefixDrops(
        images_with_drops=int(is_drop.any(axis=1).sum()),
        drops=int(is_drop.sum()),
        steps=int(fall.size),
        worst=float(max(fall.max(initial=0.0), 0.0)),
        mean_drops=int(((mean[:-1] - mean[1:]) > tolerance).sum()),
    )
