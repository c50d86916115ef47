"""Image-quality and rate metrics of the evaluation protocol (paper sec. 4.2).

``patch_ssim`` is the paper's metric: "we do not smooth the images [...] we
split the images into 8x8 patches and compute the SSIM on each patch and on
each color channel independently. The final score is the average SSIM over all
patches and channels" (Toderici et al. 2016, sec. 4.2).

Choices this module makes where the paper is silent:

* **Variance estimator.** The per-patch variances and the covariance are the
  *unbiased* sample estimates (divide by 64 - 1 = 63), as in Wang et al. (2004),
  eqs. (14)-(16), the definition the paper cites; it is also the default of
  ``skimage.metrics.structural_similarity`` (``use_sample_covariance=True``).
  With a biased estimate (divide by 64) only the relative weight of the
  constant C2 changes (C2 acts as 64/63 * C2), so scores differ in the third
  decimal at most on typical data; the unbiased choice keeps the metric
  comparable with other unsmoothed-SSIM implementations.
* **Sizes that are not multiples of 8.** The image is cropped to the largest
  multiple of 8 in each direction, keeping the top-left corner (the right-most
  columns and bottom-most rows, fewer than 8 of each, are ignored), so that
  every patch holds exactly 64 pixels. Images smaller than 8x8 are rejected.
* **Dynamic range.** Inputs are uint8, so L = 255, K1 = 0.01, K2 = 0.03
  (C1 = (K1 L)^2, C2 = (K2 L)^2), computed in float64.

Identical inputs score exactly 1.0 (numerator and denominator are then equal
in floating point), including constant patches where both variances are 0.

``ms_ssim`` is the standard multi-scale SSIM of Wang, Simoncelli & Bovik (2003)
for large images (the paper does not use it; it is offered for full-size
evaluation). ``psnr`` and ``bits_per_pixel`` are the usual definitions.
"""

from __future__ import annotations

import numbers

import numpy as np

from residual_compression import validation
from residual_compression.patch_ssim import C1 as _C1
from residual_compression.patch_ssim import C2 as _C2
from residual_compression.patch_ssim import PATCH_SIZE
from residual_compression.patch_ssim import patch_ssim_map
from residual_compression.errors import ImageInputError
from residual_compression.errors import InvalidTypeError
from residual_compression.errors import InvalidValueError

__all__ = [
    "K1",
    "K2",
    "DYNAMIC_RANGE",
    "PATCH_SIZE",
    "MS_SSIM_WEIGHTS",
    "patch_ssim",
    "psnr",
    "bits_per_pixel",
    "ms_ssim",
]

K1 = 0.01
K2 = 0.03
DYNAMIC_RANGE = 255.0
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)

_GAUSS_SIZE = 11
_GAUSS_SIGMA = 1.5


def _as_image_batch(value, name):
    """Return ``(batch, was_single)`` for a uint8 (H,W,3) or (N,H,W,3) array."""
    if not isinstance(value, np.ndarray):
        raise InvalidTypeError(
            f"{name} must be a numpy uint8 array of shape (H, W, 3) or "
            f"(N, H, W, 3), got {type(value).__name__}"
        )
    if value.dtype != np.uint8:
        raise ImageInputError(f"{name} must have dtype uint8, got dtype {value.dtype}")
    if value.ndim == 3:
        batch, single = value[np.newaxis], True
    elif value.ndim == 4:
        batch, single = value, False
    else:
        raise ImageInputError(
            f"{name} must have shape (H, W, 3) or (N, H, W, 3), got shape {value.shape}"
        )
    if batch.shape[-1] != 3:
        raise ImageInputError(
            f"{name} must have 3 colour channels in the last axis, got shape {value.shape}"
        )
    return batch, single


def _pair(a, b):
    batch_a, single_a = _as_image_batch(a, "a")
    batch_b, single_b = _as_image_batch(b, "b")
    if batch_a.shape != batch_b.shape:
        raise ImageInputError(
            f"a and b must have the same shape, got a.shape={a.shape} and b.shape={b.shape}"
        )
    return batch_a, batch_b, single_a and single_b


def _finish(scores, single):
    return float(scores[0]) if single else scores


def patch_ssim(a, b):
    """Patch SSIM of paper sec. 4.2: mean SSIM over 8x8 patches and channels.

    Args:
      a, b: uint8 arrays of equal shape, one image (H, W, 3) or a batch
        (N, H, W, 3). H and W must be at least 8; sizes that are not multiples
        of 8 are cropped to the top-left multiple of 8 (see module docstring).

    Returns:
      For a batch, a float64 array of shape (N,) with one score per image; for
      a single image, a Python float. Identical images give exactly 1.0.

    Each non-overlapping 8x8 patch and each colour channel gets
    SSIM = (2 mu_a mu_b + C1)(2 cov + C2) / ((mu_a^2 + mu_b^2 + C1)(var_a + var_b + C2))
    from statistics over its 64 pixels (no Gaussian window, unbiased variance),
    with C1 = (0.01 * 255)^2 and C2 = (0.03 * 255)^2.
    """
    batch_a, batch_b, single = _pair(a, b)
    n, h, w, c = batch_a.shape
    if h < PATCH_SIZE or w < PATCH_SIZE:
        raise ImageInputError(
            f"images must be at least {PATCH_SIZE}x{PATCH_SIZE} for patch SSIM, "
            f"got height={h}, width={w}"
        )
    ssim = patch_ssim_map(batch_a, batch_b)
    scores = ssim.reshape(n, -1).mean(axis=1)
    return _finish(scores, single)


def psnr(a, b, *, cap=None):
    """Peak signal-to-noise ratio in dB over all pixels and RGB channels.

    PSNR = 10 log10(255^2 / MSE), MSE averaged over the H*W*3 values of each
    image. Identical images (MSE = 0) give ``inf``, or ``cap`` when a cap is
    given (every score is then clipped to at most ``cap`` dB).

    Args:
      a, b: uint8 arrays of equal shape, (H, W, 3) or (N, H, W, 3).
      cap: optional positive finite float, the largest value returned.

    Returns:
      float64 array (N,) for a batch, a Python float for a single image.
    """
    if cap is not None:
        cap = validation.positive_number("cap", cap)
    batch_a, batch_b, single = _pair(a, b)
    diff = batch_a.astype(np.float64) - batch_b.astype(np.float64)
    mse = np.mean(diff * diff, axis=(1, 2, 3))
    with np.errstate(divide="ignore"):
        scores = 10.0 * np.log10(DYNAMIC_RANGE**2 / mse)
    if cap is not None:
        scores = np.minimum(scores, float(cap))
    return _finish(scores, single)


def bits_per_pixel(num_bytes, h, w):
    """Bits per pixel of ``num_bytes`` bytes spent on an image of h x w pixels.

    ``num_bytes`` may be a non-negative number or an array of them (e.g. one
    size per image); returns 8 * num_bytes / (h * w) as a float or float64
    array.
    """
    h = validation.positive_int("h", h)
    w = validation.positive_int("w", w)
    if isinstance(num_bytes, (bool, np.bool_, numbers.Real)):
        return 8.0 * validation.non_negative_number("num_bytes", num_bytes) / (h * w)
    values = np.asarray(num_bytes)
    if values.dtype.kind not in "iuf":
        raise InvalidTypeError(
            f"`num_bytes` must be a non-negative number or an array of them, got dtype {values.dtype}"
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InvalidValueError(
            f"`num_bytes` must hold non-negative finite numbers, received: {num_bytes!r}"
        )
    return 8.0 * values.astype(np.float64) / (h * w)


def _gaussian_kernel():
    coords = np.arange(_GAUSS_SIZE, dtype=np.float64) - (_GAUSS_SIZE - 1) / 2.0
    g = np.exp(-(coords**2) / (2.0 * _GAUSS_SIGMA**2))
    return g / g.sum()


def _filter_valid(x, kernel):
    """Separable 'valid' filtering over axes 1 and 2 of (N, H, W, C) float64."""
    k = kernel.size
    h, w = x.shape[1], x.shape[2]
    rows = sum(kernel[i] * x[:, i : h - k + 1 + i] for i in range(k))
    return sum(kernel[i] * rows[:, :, i : w - k + 1 + i] for i in range(k))


def _ssim_and_cs(x, y, kernel):
    """Mean SSIM and mean contrast-structure term per (image, channel)."""
    mu_x = _filter_valid(x, kernel)
    mu_y = _filter_valid(y, kernel)
    sxx = _filter_valid(x * x, kernel) - mu_x * mu_x
    syy = _filter_valid(y * y, kernel) - mu_y * mu_y
    sxy = _filter_valid(x * y, kernel) - mu_x * mu_y
    cs_map = (2.0 * sxy + _C2) / (sxx + syy + _C2)
    lum_map = (2.0 * mu_x * mu_y + _C1) / (mu_x * mu_x + mu_y * mu_y + _C1)
    return (lum_map * cs_map).mean(axis=(1, 2)), cs_map.mean(axis=(1, 2))


def _downsample(x):
    """2x2 average pooling; odd sizes are first padded by symmetric reflection."""
    h, w = x.shape[1], x.shape[2]
    if h % 2 or w % 2:
        x = np.pad(x, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), mode="symmetric")
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def ms_ssim(a, b):
    """Multi-scale SSIM (Wang, Simoncelli & Bovik 2003), 5 scales, RGB mean.

    Standard formulation: at each of 5 scales the SSIM statistics use an 11x11
    Gaussian window (sigma 1.5, 'valid' positions only, Gaussian-weighted i.e.
    biased moments), K1 = 0.01, K2 = 0.03, L = 255; between scales the images
    are 2x2 average-pooled (odd sizes padded by symmetric reflection). The
    score is prod_{j<5} cs_j^w_j * ssim_5^w_5 with weights
    (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), computed per colour channel
    (negative terms clipped to 0 before exponentiation) and averaged over the
    3 channels. This follows ``tf.image.ssim_multiscale``.

    Args:
      a, b: uint8 arrays of equal shape (H, W, 3) or (N, H, W, 3), full-size
        images with min(H, W) > 160 (so that the coarsest scale still fits
        the 11x11 window).

    Returns:
      float64 array (N,) for a batch, a Python float for a single image.
    """
    batch_a, batch_b, single = _pair(a, b)
    h, w = batch_a.shape[1], batch_a.shape[2]
    min_side = (_GAUSS_SIZE - 1) * 2 ** (len(MS_SSIM_WEIGHTS) - 1) + 1
    if min(h, w) < min_side:
        raise ImageInputError(
            f"ms_ssim needs images with both sides > {min_side - 1} pixels for "
            f"{len(MS_SSIM_WEIGHTS)} scales with an {_GAUSS_SIZE}x{_GAUSS_SIZE} window, "
            f"got height={h}, width={w}; use patch_ssim for small images"
        )
    kernel = _gaussian_kernel()
    x = batch_a.astype(np.float64)
    y = batch_b.astype(np.float64)
    weights = np.asarray(MS_SSIM_WEIGHTS)
    terms = []
    for scale in range(len(weights)):
        if scale > 0:
            x, y = _downsample(x), _downsample(y)
        ssim, cs = _ssim_and_cs(x, y, kernel)
        terms.append(ssim if scale == len(weights) - 1 else cs)
    stacked = np.maximum(np.stack(terms, axis=0), 0.0)  # (scales, N, C)
    per_channel = np.prod(stacked ** weights[:, None, None], axis=0)
    scores = per_channel.mean(axis=1)
    return _finish(scores, single)
