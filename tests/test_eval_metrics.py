"""Tests of residual_compression.evaluation.metrics (paper sec. 4.2)."""

import math

import numpy as np
import pytest

from conftest import synthetic_images
from residual_compression.errors import ResidualCompressionError
from residual_compression.evaluation.metrics import bits_per_pixel, ms_ssim, patch_ssim, psnr

C1 = (0.01 * 255) ** 2
C2 = (0.03 * 255) ** 2


def _reference_patch_ssim(a, b):
    """Loop-based reference: per 8x8 patch and channel, unbiased statistics."""
    h, w = a.shape[0] // 8 * 8, a.shape[1] // 8 * 8
    scores = []
    for y in range(0, h, 8):
        for x in range(0, w, 8):
            for c in range(3):
                p = a[y : y + 8, x : x + 8, c].astype(np.float64).ravel()
                q = b[y : y + 8, x : x + 8, c].astype(np.float64).ravel()
                mp, mq = p.mean(), q.mean()
                vp = ((p - mp) ** 2).sum() / 63
                vq = ((q - mq) ** 2).sum() / 63
                cov = ((p - mp) * (q - mq)).sum() / 63
                scores.append((2 * mp * mq + C1) * (2 * cov + C2) / ((mp**2 + mq**2 + C1) * (vp + vq + C2)))
    return float(np.mean(scores))


def test_identical_images_score_exactly_one():
    images = synthetic_images(3)
    scores = patch_ssim(images, images.copy())
    assert scores.shape == (3,)
    assert np.all(scores == 1.0)
    assert patch_ssim(images[0], images[0]) == 1.0


def test_hand_computed_8x8_example():
    checker = (np.indices((8, 8)).sum(axis=0) % 2).astype(np.float64)
    x = 100 + 40 * checker  # 32 pixels of 100, 32 of 140: mean 120, deviations +-20
    a = np.stack([x, x, x], axis=-1).astype(np.uint8)
    b = np.stack([x + 10, np.full((8, 8), 120.0), x], axis=-1).astype(np.uint8)
    # channel 0: shifted copy, structure term 1, luminance (2*120*130+C1)/(120^2+130^2+C1)
    s0 = (2 * 120 * 130 + C1) / (120**2 + 130**2 + C1)
    # channel 1: constant 120 against variance 64*400/63 (unbiased), same mean
    s1 = C2 / (64 * 400 / 63 + C2)
    # channel 2: identical
    expected = (s0 + s1 + 1.0) / 3
    assert patch_ssim(a, b) == pytest.approx(expected, rel=1e-12)
    assert patch_ssim(a, b) == pytest.approx(_reference_patch_ssim(a, b), rel=1e-12)


def test_matches_loop_reference_on_noisy_images():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (2, 16, 24, 3), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-30, 31, a.shape), 0, 255).astype(np.uint8)
    scores = patch_ssim(a, b)
    for i in range(2):
        assert scores[i] == pytest.approx(_reference_patch_ssim(a[i], b[i]), rel=1e-12)


def test_symmetry():
    a = synthetic_images(2, seed=3)
    b = synthetic_images(2, seed=4)
    np.testing.assert_allclose(patch_ssim(a, b), patch_ssim(b, a), rtol=0, atol=1e-15)


def test_constant_images():
    grey = np.full((16, 16, 3), 77, np.uint8)
    assert patch_ssim(grey, grey.copy()) == 1.0
    black, white = np.zeros((8, 8, 3), np.uint8), np.full((8, 8, 3), 255, np.uint8)
    assert patch_ssim(black, white) == pytest.approx(C1 / (255**2 + C1))


def test_sizes_not_multiple_of_eight_are_cropped_top_left():
    rng = np.random.default_rng(2)
    a = rng.integers(0, 256, (17, 21, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (17, 21, 3), dtype=np.uint8)
    assert patch_ssim(a, b) == patch_ssim(a[:16, :16], b[:16, :16])


@pytest.mark.parametrize(
    "a, b, match",
    [
        (np.zeros((8, 8, 3), np.uint8), np.zeros((16, 8, 3), np.uint8), "same shape"),
        (np.zeros((8, 8, 3), np.float32), np.zeros((8, 8, 3), np.float32), "uint8"),
        (np.zeros((7, 8, 3), np.uint8), np.zeros((7, 8, 3), np.uint8), "at least 8x8"),
        (np.zeros((8, 8), np.uint8), np.zeros((8, 8), np.uint8), "shape"),
        (np.zeros((8, 8, 4), np.uint8), np.zeros((8, 8, 4), np.uint8), "3 colour channels"),
    ],
)
def test_patch_ssim_rejects_bad_input(a, b, match):
    with pytest.raises(ValueError, match=match):
        patch_ssim(a, b)


def test_patch_ssim_rejects_non_arrays():
    with pytest.raises(TypeError, match="a must be a numpy uint8 array"):
        patch_ssim([[0]], np.zeros((8, 8, 3), np.uint8))


def test_psnr_values_and_infinity():
    a = np.zeros((2, 8, 8, 3), np.uint8)
    b = a.copy()
    b[1] += 1
    scores = psnr(a, b)
    assert math.isinf(scores[0])
    assert scores[1] == pytest.approx(10 * math.log10(255**2))
    assert psnr(a, b, cap=40.0)[0] == 40.0
    assert psnr(a[0], a[0], cap=99.0) == 99.0
    with pytest.raises(ValueError, match="cap"):
        psnr(a, b, cap=-1)


def test_bits_per_pixel():
    assert bits_per_pixel(64, 32, 32) == 0.5
    np.testing.assert_allclose(bits_per_pixel(np.array([64, 128]), 32, 32), [0.5, 1.0])
    with pytest.raises(ValueError, match="num_bytes"):
        bits_per_pixel(-1, 32, 32)
    with pytest.raises(ResidualCompressionError, match="`h` must be a positive integer, received: 0"):
        bits_per_pixel(1, 0, 32)
    with pytest.raises(TypeError, match="`w` must be a positive integer, received float: 2.5"):
        bits_per_pixel(1, 32, 2.5)
    with pytest.raises(ResidualCompressionError, match="num_bytes"):
        bits_per_pixel(np.array([1, -1]), 32, 32)


def test_ms_ssim_identity_noise_and_size_limit():
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:161, 0:170]
    base = np.stack([x, y, (x + y) // 2], axis=-1).astype(np.uint8)
    noisy = np.clip(base.astype(int) + rng.integers(-25, 26, base.shape), 0, 255).astype(np.uint8)
    assert ms_ssim(base, base) == pytest.approx(1.0, abs=1e-12)
    score = ms_ssim(base, noisy)
    assert 0.0 < score < 1.0
    assert ms_ssim(noisy, base) == pytest.approx(score, rel=1e-12)
    with pytest.raises(ValueError, match="> 160 pixels"):
        ms_ssim(base[:160], base[:160])
