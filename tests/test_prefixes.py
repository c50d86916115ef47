"""Quality of every prefix of a stream (evaluation.prefixes and `prefixes`)."""

import numpy as np
import pytest

from conftest import make_codec
from conftest import synthetic_images
from residual_compression.evaluation.metrics import patch_ssim
from residual_compression.evaluation.prefixes import prefix_quality
from residual_compression.evaluation.prefixes import quality_drops
from residual_compression.validation import InvalidValueError


def test_quality_drops_counts_each_fall():
    ssim = np.array([
        [0.1, 0.2, 0.3, 0.4],   # rises: no drop
        [0.1, 0.3, 0.25, 0.5],  # one fall of 0.05
        [0.5, 0.4, 0.3, 0.2],   # falls at every step
    ])
    drops = quality_drops(ssim)
    assert (drops.images_with_drops, drops.drops, drops.steps) == (2, 4, 9)
    assert drops.worst == pytest.approx(0.1)
    assert drops.mean_drops == 1  # the mean goes 0.233, 0.3, 0.283, 0.367
    tolerant = quality_drops(ssim, tolerance=0.06)
    assert (tolerant.images_with_drops, tolerant.drops) == (1, 3)
    with pytest.raises(InvalidValueError, match="ssim"):
        quality_drops(ssim[0])


def test_prefix_quality_decodes_each_cut_of_one_stream():
    codec = make_codec("conv_lstm")
    images = synthetic_images(2, seed=4)
    counts, ssim = prefix_quality(codec, images, 48, step=16)
    np.testing.assert_array_equal(counts, [16, 32, 48])
    assert ssim.shape == (2, 3)
    # The last prefix is the whole stream.
    np.testing.assert_allclose(ssim[:, -1], patch_ssim(images, codec.decompress(codec.compress(images, num_bytes=48))))
    with pytest.raises(InvalidValueError, match="images"):
        prefix_quality(codec, images.astype(np.float32), 48)


def test_prefix_quality_monotone_compresses_at_each_budget():
    codec = make_codec("conv_lstm")
    images = synthetic_images(2, seed=4)
    counts, ssim = prefix_quality(codec, images, 36, step=3, monotone=True)
    assert (np.diff(ssim, axis=1) >= 0).all()
    np.testing.assert_allclose(
        ssim[:, 4], patch_ssim(images, codec.decompress(codec.compress(images, num_bytes=15, monotone=True)))
    )


def test_prefixes_command(tmp_path, capsys):
    from residual_compression.cli import main

    images = tmp_path / "thumbs.npz"
    np.savez(images, images=synthetic_images(2, seed=5))
    assert main(["prefixes", "--model", "no_such_preset", "--images", str(images)]) == 2
    assert "no_such_preset" in capsys.readouterr().err
    args = ["prefixes", "--model", "conv_lstm_photo_64B", "--images", str(images), "--max-bytes", "32", "--step", "16"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "2 images" in out and "mean SSIM" in out and "of 2 steps" in out
    assert main(args + ["--monotone"]) == 0
    out = capsys.readouterr().out
    assert "budgets with monotone=True" in out and "drops (fall > 0): 0 of 2 steps" in out
