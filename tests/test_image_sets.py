"""One loader (images.load_images) for evaluation and training, one check of an
``images`` argument, size limits read from the file header, one synthetic generator."""

import time

import numpy as np
import pytest
from PIL import Image

from image_corpus import _png
from residual_compression import images
from residual_compression.errors import ImageInputError
from residual_compression.images import as_image_list
from residual_compression.images import load_image
from residual_compression.images import load_images
from residual_compression.images import synthetic_images


def _folder(tmp_path):
    pictures = synthetic_images(3, 40, 56, seed=4)
    for i, picture in enumerate(pictures):
        Image.fromarray(picture).save(tmp_path / f"{i}.png")
    (tmp_path / "broken.png").write_bytes(b"not a png")
    (tmp_path / ".hidden.png").write_bytes(b"ignored")
    (tmp_path / "notes.txt").write_text("not an image file name")
    (tmp_path / "sub").mkdir()
    return pictures


def test_evaluation_and_training_load_the_same_files(tmp_path, capsys):
    from residual_compression.evaluation.sources import load_images as evaluation_images
    from residual_compression.training.data import load_images as training_images

    pictures = _folder(tmp_path)
    skipped = []
    loaded = load_images(tmp_path, on_skip=lambda name, reason: skipped.append(name))
    assert loaded.names == ("0.png", "1.png", "2.png") and skipped == ["broken.png"]
    np.testing.assert_array_equal(loaded.images, pictures)
    assert evaluation_images(tmp_path, size="full").names == loaded.names
    np.testing.assert_array_equal(training_images(tmp_path, crop=True), pictures)
    np.testing.assert_array_equal(training_images(tmp_path), evaluation_images(tmp_path).images)
    assert "broken.png" in capsys.readouterr().err


def test_size_and_limit(tmp_path):
    _folder(tmp_path)
    assert load_images(tmp_path, size=16, limit=2).images.shape == (2, 16, 16, 3)
    assert load_images(tmp_path, size=(8, 24)).images.shape == (3, 8, 24, 3)
    with pytest.raises(ImageInputError, match="none of its 4 image files could be read"):
        load_images(tmp_path, min_size=48)  # every image is 40 high; broken.png is broken


def test_min_size_skips_in_a_folder_and_refuses_a_file(tmp_path):
    _folder(tmp_path)
    Image.fromarray(synthetic_images(1, 4, 4)[0]).save(tmp_path / "tiny.png")
    reasons = {}
    loaded = load_images(tmp_path, min_size=8, on_skip=lambda name, reason: reasons.update({name: reason}))
    assert "tiny.png" not in loaded.names and "4x4 pixels; at least 8x8" in reasons["tiny.png"]
    with pytest.raises(ImageInputError, match="tiny.png.*at least 8x8"):
        load_images(tmp_path / "tiny.png", min_size=8)
    np.savez(tmp_path / "set.npz", images=synthetic_images(2, 4, 4))
    with pytest.raises(ImageInputError, match="at least 8x8"):
        load_images(tmp_path / "set.npz", min_size=8)
    kept = load_images(tmp_path / "set.npz")
    assert kept.names == ("set.npz[0]", "set.npz[1]") and kept.images.shape == (2, 4, 4, 3)


@pytest.mark.parametrize(
    "width, height, depth, match",
    [
        (70000, 256, 8, "a width or height of at most 65535"),  # was encoded for 56 s before failing
        (9400, 9400, 16, r"9400x9400 = 88360000 pixels, over the limit of 67108864"),  # was 2.2 GB
    ],
)
def test_size_limits_are_read_from_the_header(tmp_path, width, height, depth, match):
    path = tmp_path / "huge.png"
    path.write_bytes(_png(width, height, depth, 0, b""))  # a header, no pixels
    start = time.perf_counter()
    with pytest.raises(ImageInputError, match=f"huge.png' is too large: .*{match}"):
        load_image(path)
    assert time.perf_counter() - start < 1.0


def test_max_pixels_is_the_caller_s(tmp_path):
    Image.fromarray(synthetic_images(1, 20, 30)[0]).save(tmp_path / "a.png")
    with pytest.raises(ImageInputError, match="over the limit of 599"):
        load_image(tmp_path / "a.png", max_pixels=599)
    assert load_image(tmp_path / "a.png", max_pixels=None).shape == (20, 30, 3)
    assert images.MAX_PIXELS == 8192 * 8192


def test_as_image_list_one_image_or_a_batch():
    batch = synthetic_images(2, 8, 12)
    items, single = as_image_list(batch)
    assert not single and len(items) == 2 and np.shares_memory(items[0], batch)  # no copy
    items, single = as_image_list(batch[0, :, :, 0])  # greyscale
    assert single and items[0].shape == (8, 12, 3)
    items, _ = as_image_list([batch[0], np.dstack([batch[1], batch[1][..., :1]])])  # RGB and RGBA
    np.testing.assert_array_equal(items[1], batch[1])
    for bad, match in (([], "empty"), (batch.astype(np.float32), r"images\[0\] has float dtype"),
                       ("x", "PIL.Image.Image or a numpy array")):
        with pytest.raises(ImageInputError, match=match):
            as_image_list(bad)
    with pytest.raises(ImageInputError, match=r"images\[1\] is 12x8 pixels; at least 9x9"):
        as_image_list([synthetic_images(1, 9, 9)[0], batch[1]], min_size=9)


def test_synthetic_images_are_deterministic_and_photo_like():
    a, b = synthetic_images(2, 300, 1000, seed=3), synthetic_images(2, 300, 1000, seed=3)
    assert a.dtype == np.uint8 and a.shape == (2, 300, 1000, 3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, synthetic_images(2, 300, 1000, seed=4))
    assert 40 < a.std() < 90 and np.abs(np.diff(a[0].astype(int), axis=1)).mean() < 30  # smooth, not noise
