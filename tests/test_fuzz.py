"""Fuzz runs of the stream decoder (see fuzz_decoder.py): a short one in the default suite,
longer ones marked slow."""

import pytest

from conftest import small_model
from fuzz_decoder import run


def _check(counts, inputs):
    assert counts["inputs"] == inputs
    assert counts["rejected"] > 0 and counts["decoded"] > 0  # both paths were exercised
    assert counts["format 2 decoded"] > 0
    print(counts)  # the slowest decode is reported, not asserted (no timings in tests)


# Most of the time goes to the neural decodes, each of a new image size a new graph: the
# default suite runs 300 inputs (60 of them neural), the slow set 3,000 (600) and 200,000.
def test_decoder_only_returns_images_or_raises_bitstream_error():
    model = small_model("conv_lstm")
    assert (model.architecture, model.width, model.iterations) == ("conv_lstm", 0.125, 8)  # what run() builds
    _check(run(300, seed=1, neural_limit=60, model=model), 300)


@pytest.mark.slow
def test_fuzz_run_of_3000_inputs():
    _check(run(3000, seed=1, neural_limit=600), 3000)


@pytest.mark.slow
def test_long_fuzz_run():
    counts = run(200000, seed=2, neural_limit=5000)
    assert counts["inputs"] == 200000
