"""Dynamic bit assignment against uniform iterations (evaluation.assignment and `assignment`)."""

import numpy as np
import pytest

from conftest import make_codec
from conftest import synthetic_images
from residual_compression.blockmap import block_quality
from residual_compression.evaluation.assignment import compare_assignment
from residual_compression.evaluation.metrics import patch_ssim
from residual_compression.validation import InvalidValueError


def test_compare_assignment_measures_both_modes_at_each_budget():
    codec = make_codec("conv_lstm")
    images = list(synthetic_images(2, 64, 96, seed=3))
    rows = compare_assignment(codec, images, [0.25, 0.5])
    assert [(r.bpp, r.mode) for r in rows] == [(0.25, "uniform"), (0.25, "dynamic"), (0.5, "uniform"), (0.5, "dynamic")]
    uniform = rows[0]
    # Recomputed by hand from the public API: the row is the mean over the images.
    streams = [codec.compress(im, bpp=0.25) for im in images]
    recons = [codec.decompress(s) for s in streams]
    assert uniform.ssim == pytest.approx(np.mean([patch_ssim(r, im) for r, im in zip(recons, images)]))
    assert uniform.payload_bytes == pytest.approx(np.mean([len(s) - codec.stream_header_size(s) for s in streams]))
    assert uniform.payload_bytes == 64 * 96 * 0.25 / 8  # the budget, filled to the byte
    blocks = [block_quality(r, im, 32) for r, im in zip(recons, images)]
    assert uniform.spread == pytest.approx(np.mean([b.std() for b in blocks]))
    assert uniform.worst_block == pytest.approx(np.mean([b.min() for b in blocks]))
    for dynamic in rows[1::2]:  # within the budget
        assert dynamic.payload_bytes <= 64 * 96 * dynamic.bpp / 8
    with pytest.raises(InvalidValueError, match="at least `block`=32"):
        compare_assignment(codec, [images[0][:16]], [0.25])
    with pytest.raises(InvalidValueError, match="bpps"):
        compare_assignment(codec, images, [0])


def test_assignment_command(tmp_path, capsys):
    from PIL import Image

    from residual_compression.cli import main

    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(synthetic_images(1, 64, 64, seed=6)[0]).save(folder / "a.png")
    assert main(["assignment", "--model", "no_such_preset", "--images", str(folder)]) == 2
    assert main(["assignment", "--model", "conv_lstm_photo_64B", "--images", str(folder), "--bpp", "0.25"]) == 0
    out = capsys.readouterr().out
    assert "1 images, blocks of 32 px" in out
    assert out.count("| 0.25 | ") == 2 and "| 0.25 | dynamic |" in out
