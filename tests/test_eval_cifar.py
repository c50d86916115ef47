"""Data-dependent check: header-less JPEG on CIFAR-10 is reproducible (sec. 4.3).

Skipped when ``../shared/data/cifar10/test.npz`` (relative to the repository
root) is absent; the data is never copied into the repository.
"""

import os

import numpy as np
import pytest

from residual_compression.evaluation.baselines import get_baseline
from residual_compression.evaluation.runner import evaluate
from residual_compression.evaluation.sources import load_images

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CIFAR_TEST = os.path.join(ROOT, "..", "shared", "data", "cifar10", "test.npz")

pytestmark = [
    pytest.mark.data,
    pytest.mark.skipif(not os.path.isfile(CIFAR_TEST), reason=f"CIFAR-10 test set not found at {CIFAR_TEST}"),
]


def test_headerless_jpeg_on_300_cifar_images_is_reproducible():
    images = load_images(CIFAR_TEST, limit=300).images
    assert images.shape == (300, 32, 32, 3)
    runs = [evaluate(images, {"jpeg": get_baseline("jpeg")}, targets=(64, 128), progress=False) for _ in range(2)]
    for target in (64, 128):
        a, b = (run.get("jpeg", target) for run in runs)
        assert a.settings == b.settings
        for field in ("payload_bytes", "file_bytes", "ssim", "psnr"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        assert np.all(a.payload_bytes >= target)
        assert 0.5 < a.mean_ssim < 1.0
        print(f"jpeg @ {target} B: mean SSIM {a.mean_ssim:.4f}, mean header-less bytes {a.mean_payload_bytes:.2f}")
