"""A short fuzz run of the stream decoder in the default suite (see fuzz_decoder.py)."""

import pytest

from fuzz_decoder import run


def test_decoder_only_returns_images_or_raises_bitstream_error():
    counts = run(3000, seed=1, neural_limit=600)
    assert counts["inputs"] == 3000
    assert counts["rejected"] > 0 and counts["decoded"] > 0  # both paths were exercised
    assert counts["format 2 decoded"] > 0
    print(counts)  # the slowest decode is reported, not asserted (no timings in tests)


@pytest.mark.slow
def test_long_fuzz_run():
    counts = run(200000, seed=2, neural_limit=5000)
    assert counts["inputs"] == 200000
