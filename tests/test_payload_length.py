"""encode_to_length: enough greedy iterations that the coded payload reaches a length."""

import numpy as np
import pytest

from conftest import make_codec
from conftest import synthetic_images
from residual_compression import entropy
from residual_compression.payload_length import encode_to_length
from residual_compression.stream_header import bits_to_bool


@pytest.fixture(scope="module")
def codec():
    return make_codec("conv_lstm")


def _coded_length(codec, bits):
    return len(entropy.encode_symbols(np.where(bits_to_bool(bits), 1, -1).astype(np.int8), codec.context_model)[0])


@pytest.mark.parametrize("length", [0, 5, 23, 40])
def test_payload_reaches_the_length(codec, length):
    images = synthetic_images(3, seed=4)

    def code(indices, bits):
        return [(i, _coded_length(codec, b)) for i, b in zip(indices, bits)]

    out = encode_to_length(codec, images, length, 32, 32, code)
    assert [result for result, _ in out] == [0, 1, 2]  # each image's own result, in order
    for i, (_, iterations) in enumerate(out):
        coded = _coded_length(codec, codec.encode(images[i : i + 1], iterations)[0])
        assert coded >= length or iterations == codec.max_iterations


def test_an_image_is_measured_alone(codec):
    # A stream must not depend on the other images of the batch.
    images = synthetic_images(4, seed=9)
    code = lambda indices, bits: [(b.tobytes(), _coded_length(codec, b)) for b in bits]
    together = encode_to_length(codec, images, 30, 32, 32, code)
    alone = [encode_to_length(codec, images[i : i + 1], 30, 32, 32, code)[0] for i in range(4)]
    assert together == alone


def test_negative_length_is_refused(codec):
    with pytest.raises(ValueError, match="`length` must be at least 0, received: -1"):
        encode_to_length(codec, synthetic_images(1), -1, 32, 32, lambda i, b: [])
