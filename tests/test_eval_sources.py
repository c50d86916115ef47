"""Tests of image loading for the evaluation (folder, file, npz)."""

import numpy as np
import pytest
from PIL import Image

from residual_compression.errors import ImageInputError
from conftest import synthetic_images
from residual_compression.evaluation.sources import load_images, to_thumbnail


def _folder(tmp_path):
    big = synthetic_images(1, 64, 64, seed=1)[0]
    Image.fromarray(big[:40, :56]).save(tmp_path / "b.png")
    Image.fromarray(synthetic_images(1, seed=2)[0]).save(tmp_path / "a.png")
    Image.fromarray(big[:48, :48, 0]).save(tmp_path / "c_grey.png")
    Image.fromarray(np.dstack([big[:32, :32], np.full((32, 32), 128, np.uint8)])).save(tmp_path / "d_rgba.png")
    (tmp_path / "e_broken.png").write_bytes(b"not a png")
    (tmp_path / ".hidden.png").write_bytes(b"ignored")
    (tmp_path / "sub").mkdir()
    return tmp_path


def test_folder_thumbnails_sorted_and_bad_file_reported(tmp_path):
    skipped = []
    loaded = load_images(_folder(tmp_path), on_skip=lambda name, reason: skipped.append(name))
    assert loaded.names == ("a.png", "b.png", "c_grey.png", "d_rgba.png")
    assert isinstance(loaded.images, np.ndarray)
    assert loaded.images.shape == (4, 32, 32, 3) and loaded.images.dtype == np.uint8
    assert skipped == ["e_broken.png"]
    assert loaded.skipped[0][0] == "e_broken.png"


def test_full_size_keeps_sizes_and_limit(tmp_path):
    loaded = load_images(_folder(tmp_path), size="full", limit=3)
    assert [im.shape for im in loaded.images] == [(32, 32, 3), (40, 56, 3), (48, 48, 3)]
    assert len(loaded) == 3


def test_thumbnail_ignores_aspect_ratio():
    image = synthetic_images(1, 64, 64)[0][:20, :60]
    assert to_thumbnail(image).shape == (32, 32, 3)


def test_npz_and_single_file(tmp_path):
    images = synthetic_images(4)
    np.savez(tmp_path / "x.npz", images=images)
    loaded = load_images(tmp_path / "x.npz", limit=2)
    np.testing.assert_array_equal(loaded.images, images[:2])
    Image.fromarray(images[0]).save(tmp_path / "one.png")
    np.testing.assert_array_equal(load_images(tmp_path / "one.png").images[0], images[0])


@pytest.mark.parametrize(
    "arrays, match",
    [
        ({"pictures": np.zeros((1, 32, 32, 3), np.uint8)}, "no 'images' array"),
        ({"images": np.zeros((1, 32, 32, 3), np.float32)}, "dtype uint8, got dtype float32"),
        ({"images": np.zeros((32, 32, 3), np.uint8)}, r"shape \(N, H, W, 3\)"),
        ({"images": np.zeros((0, 32, 32, 3), np.uint8)}, "no images"),
    ],
)
def test_bad_npz(tmp_path, arrays, match):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ImageInputError, match=match):
        load_images(tmp_path / "bad.npz")


def test_bad_sources(tmp_path):
    with pytest.raises(ImageInputError, match="no such file or folder"):
        load_images(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImageInputError, match="no image files"):
        load_images(tmp_path / "empty")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.txt").write_text("hello")  # not an image file name: not listed
    with pytest.raises(ImageInputError, match="no image files"):
        load_images(tmp_path / "junk")
    (tmp_path / "junk" / "x.png").write_text("hello")
    with pytest.raises(ImageInputError, match="none of its 1 image files"):
        load_images(tmp_path / "junk")
    (tmp_path / "broken.npz").write_bytes(b"nope")
    with pytest.raises(ImageInputError, match="cannot read npz"):
        load_images(tmp_path / "broken.npz")
    with pytest.raises(ValueError, match="`size` must be one of 'thumb', 'full'; received: 'huge'"):
        load_images(tmp_path, size="huge")
    with pytest.raises(ValueError, match="`limit` must be a positive integer, received: 0"):
        load_images(tmp_path, limit=0)


def test_folder_with_sixteen_bit_png_and_corrupt_file(tmp_path):
    grey = synthetic_images(1, seed=3)[0][..., 0]
    Image.fromarray(grey.astype(np.uint16) * 257).save(tmp_path / "deep.png")  # 16-bit greyscale
    Image.fromarray(grey).save(tmp_path / "grey.png")
    (tmp_path / "zcorrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    skipped = []
    loaded = load_images(tmp_path, on_skip=lambda name, reason: skipped.append((name, reason)))
    assert loaded.names == ("deep.png", "grey.png")
    np.testing.assert_array_equal(loaded.images[0], loaded.images[1])  # 16-bit scaled to 8 exactly
    assert [name for name, _ in skipped] == ["zcorrupt.png"] and skipped[0][1]
