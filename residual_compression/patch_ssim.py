"""The SSIM of every 8x8 patch and channel (Toderici et al. 2016, sec. 4.2), in numpy.

"We split the images into 8x8 patches and compute the SSIM on each patch and
on each color channel independently" (sec. 4.2). :func:`patch_ssim_map`
returns those per-patch scores; the evaluation's
:func:`~residual_compression.evaluation.metrics.patch_ssim` is their mean,
and dynamic bit assignment (:mod:`residual_compression.blockmap`) averages
them per block, so the encoder spends bits on the metric it is judged by.

Per patch and channel, from its 64 pixels (no window, unbiased variances,
Wang et al. 2004, eqs. 14-16):
``SSIM = (2 mu_a mu_b + C1)(2 cov + C2) / ((mu_a^2 + mu_b^2 + C1)(var_a + var_b + C2))``
with ``C1 = (0.01 * 255)^2`` and ``C2 = (0.03 * 255)^2``. Only numpy is used.
"""

import numpy as np

__all__ = ["C1", "C2", "PATCH_SIZE", "patch_ssim_map"]

PATCH_SIZE = 8
C1 = (0.01 * 255.0) ** 2
C2 = (0.03 * 255.0) ** 2


def patch_ssim_map(a, b):
    """SSIM of each 8x8 patch and channel of two image arrays.

    Args:
        a, b: arrays of equal shape ``(..., H, W, C)`` on the 0..255 scale
            (any real dtype); ``H`` and ``W`` are cropped to the top-left
            multiple of 8.

    Returns:
        float64 ``(..., H // 8, W // 8, C)``. Identical patches give exactly 1.
    """
    x, y = np.asarray(a, np.float64), np.asarray(b, np.float64)
    *lead, h, w, c = x.shape
    ph, pw = h // PATCH_SIZE, w // PATCH_SIZE

    def patches(v):
        v = v[..., : ph * PATCH_SIZE, : pw * PATCH_SIZE, :]
        v = v.reshape(*lead, ph, PATCH_SIZE, pw, PATCH_SIZE, c)
        v = np.moveaxis(v, (-4, -2), (-2, -1))  # (..., ph, pw, c, 8, 8)
        return v.reshape(*lead, ph, pw, c, PATCH_SIZE * PATCH_SIZE)

    x, y = patches(x), patches(y)
    count = PATCH_SIZE * PATCH_SIZE
    mu_x, mu_y = x.mean(axis=-1), y.mean(axis=-1)
    dx, dy = x - mu_x[..., None], y - mu_y[..., None]
    var_x = np.einsum("...i,...i->...", dx, dx) / (count - 1)
    var_y = np.einsum("...i,...i->...", dy, dy) / (count - 1)
    cov = np.einsum("...i,...i->...", dx, dy) / (count - 1)
    numerator = (2.0 * mu_x * mu_y + C1) * (2.0 * cov + C2)
    denominator = (mu_x * mu_x + mu_y * mu_y + C1) * (var_x + var_y + C2)
    return numerator / denominator
