"""The first run: shipped sample photos, our codec beside JPEG and WebP, a side-by-side PNG."""

import numpy as np
from PIL import Image

from conftest import make_codec
from residual_compression import demo


def test_sample_photos_ship_with_the_package():
    photos = demo.sample_photos()
    assert set(photos) == {"astronaut", "coffee"}
    for photo in photos.values():
        assert photo.dtype == np.uint8 and photo.ndim == 3 and min(photo.shape[:2]) == 128
        assert photo.std() > 20  # a photograph, not a flat placeholder


def test_compare_and_side_by_side(tmp_path):
    codec = make_codec("conv_lstm")
    photos = demo.sample_photos()
    thumbs, results = demo.compare(codec, photos, targets=(32,))
    methods = {r.method for r in results}
    assert codec.name in methods and len(methods) >= 2
    for r in results:
        assert r.reconstruction.shape == (32, 32, 3)
        assert -1 <= r.ssim <= 1 and r.psnr_db > 0
    ours = [r for r in results if r.method == codec.name]
    assert [r.payload_bytes for r in ours] == [32, 32]
    columns = demo.side_by_side(thumbs, results, tmp_path / "side.png")
    picture = np.asarray(Image.open(tmp_path / "side.png"))
    assert columns[0] == "original" and len(columns) == 1 + len(methods)
    assert picture.shape[0] == 4 * 2 * 36 and picture.shape[1] == 4 * 36 * len(columns)
