"""Format 2 with the shipped conv_lstm preset on Kodak thumbnails (slow; needs the shared data).

Measured once by ``tests/measure_stream2.py``; here the properties that
must hold: fewer bytes than format 1 for the same bits, and a mean patch
SSIM that never drops as the budget grows byte by byte (the model reads
bits that did not arrive as 0). Single images may dip slightly: the model
was not trained with bit dropout.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kodak_thumbnails():
    from conftest import SHARED_DATA
    from residual_compression.evaluation.sources import to_thumbnail
    from residual_compression.images import list_image_files
    from residual_compression.images import load_image

    if not (SHARED_DATA / "kodak").is_dir():
        pytest.skip("shared data sets not present")
    files = list_image_files(SHARED_DATA / "kodak")[:12]
    return np.stack([to_thumbnail(load_image(f)) for f in files])


@pytest.fixture(scope="module")
def preset():
    from residual_compression import zoo

    return zoo.load("conv_lstm_64B")


def test_fewer_bytes_than_format_1(preset, kodak_thumbnails):
    from residual_compression import bitstream

    bits = preset.encode(kodak_thumbnails, 8)
    for k in (4, 8):
        coded = bitstream.encode_streams2(13, 32, 32, bits[:, :k], context=preset.context_model)
        mean = np.mean([len(s) - bitstream.read_header(s).size for s in coded])
        assert mean < 16 * k


def test_mean_quality_never_drops_as_bytes_are_added(preset, kodak_thumbnails):
    from residual_compression.evaluation.metrics import patch_ssim

    means = []
    for num_bytes in range(8, 129, 8):
        streams = preset.compress(kodak_thumbnails, num_bytes=num_bytes)
        means.append(float(np.mean(patch_ssim(kodak_thumbnails, preset.decompress(streams)))))
    drops = [(8 * (i + 1), round(a - b, 4)) for i, (a, b) in enumerate(zip(means, means[1:])) if b < a]
    print("mean patch SSIM per 8 bytes:", [round(m, 4) for m in means], "drops:", drops)
    assert all(drop <= 0.005 for _, drop in drops), drops
