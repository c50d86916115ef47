"""Tests of residual_compression.bitstream: format 1 and the shared header (format 2: test_stream_format2)."""

import numpy as np
import pytest

from residual_compression import bitstream
from residual_compression.bitstream import HEADER_SIZE
from residual_compression.bitstream import Header
from residual_compression.bitstream import bytes_per_iteration
from residual_compression.bitstream import decode_stream
from residual_compression.bitstream import encode_stream
from residual_compression.bitstream import pack_header
from residual_compression.bitstream import read_header
from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError

# tests/ has no __init__.py: pytest puts this folder on sys.path.
from bitstream_helpers import decode  # noqa: E402
from bitstream_helpers import fixed_shape  # noqa: E402
from bitstream_helpers import random_bits  # noqa: E402


def test_constants():
    assert bitstream.HEADER_SIZE == 8
    assert bitstream.FORMAT_VERSION == 1
    assert bitstream.MAGIC == 0x52
    assert bitstream.MAX_DIMENSION == 65535
    for name in bitstream.__all__:
        assert hasattr(bitstream, name)


def test_pack_header_layout():
    assert pack_header(3, 32, 32) == bytes([0x52, 1, 0, 3, 0, 32, 0, 32])
    assert pack_header(0x1234, 0xABCD, 1) == bytes([0x52, 1, 0x12, 0x34, 0xAB, 0xCD, 0, 1])
    assert pack_header(65535, 65535, 65535) == b"R\x01" + b"\xff" * 6
    assert read_header(pack_header(7, 640, 480)) == Header(model_id=7, width=640, height=480)


@pytest.mark.parametrize(
    "args",
    [(-1, 32, 32), (65536, 32, 32), (1, 0, 32), (1, 32, 0), (1, 65536, 32),
     (1, 32, 65536), (1.0, 32, 32), (True, 32, 32), ("1", 32, 32), (1, 32.0, 32)],
)
def test_pack_header_rejects(args):
    with pytest.raises(ResidualCompressionError):
        pack_header(*args)


def test_pack_header_accepts_numpy_ints():
    assert pack_header(np.uint16(2), np.int64(16), np.int32(8)) == pack_header(2, 16, 8)


@pytest.mark.parametrize(
    "shape, expected",
    [((8, 8, 2), 16), ((4, 4, 8), 16), ((1, 1, 1), 1), ((3, 3, 3), 4), ((1, 1, 8), 1),
     ((1, 1, 9), 2), ((5, 7, 3), 14)],
)
def test_bytes_per_iteration(shape, expected):
    assert bytes_per_iteration(shape) == expected


@pytest.mark.parametrize("shape", [(8, 8), (8, 8, 2, 1), (0, 8, 2), (8, -1, 2), (8, 8, 2.0), "882", 5])
def test_bytes_per_iteration_rejects(shape):
    with pytest.raises(ResidualCompressionError):
        bytes_per_iteration(shape)


def test_worked_example_sizes():
    rng = np.random.default_rng(0)
    bits = random_bits(rng, (4, 8, 8, 2))
    data = encode_stream(3, 32, 32, bits)
    assert len(data) == 72
    assert data[:8] == bytes.fromhex("5201000300200020")
    header, decoded = decode(data)
    assert decoded.shape == (4, 8, 8, 2)


@pytest.mark.parametrize(
    "shape",
    [(1, 1, 1), (3, 3, 3), (8, 8, 2), (4, 4, 8), (5, 7, 3), (2, 3, 1), (1, 1, 9), (6, 5, 32)],
)
@pytest.mark.parametrize("iterations", [1, 3])
def test_round_trip(shape, iterations):
    rng = np.random.default_rng(hash(shape) % 2**32)
    bits = random_bits(rng, (iterations,) + shape)
    data = encode_stream(9, 100, 50, bits)
    assert len(data) == HEADER_SIZE + iterations * bytes_per_iteration(shape)
    header, decoded = decode_stream(data, code_shape_fn=fixed_shape(shape), max_iterations=4)
    assert header == Header(model_id=9, width=100, height=50, version=1)
    assert decoded.dtype == np.int8
    assert decoded.shape == bits.shape
    np.testing.assert_array_equal(decoded, bits)


@pytest.mark.parametrize(
    "dtype", [np.float32, np.float64, np.int8, np.int32, np.int64, np.float16]
)
def test_encode_accepts_numeric_dtypes(dtype):
    rng = np.random.default_rng(1)
    bits = random_bits(rng, (2, 8, 8, 2), dtype)
    reference = encode_stream(1, 32, 32, bits.astype(np.float32))
    assert encode_stream(1, 32, 32, bits) == reference


def test_encode_bool_means_true_is_plus_one():
    rng = np.random.default_rng(2)
    bits = random_bits(rng, (2, 8, 8, 2))
    assert encode_stream(1, 32, 32, bits > 0) == encode_stream(1, 32, 32, bits)


def test_bit_order_is_c_order_msb_first():
    bits = -np.ones((1, 2, 2, 3), np.float32)
    bits[0, 0, 0, 0] = 1  # bit 0 -> MSB of byte 0
    bits[0, 1, 1, 2] = 1  # bit 11 -> bit 4 (0x10) of byte 1
    data = encode_stream(0, 8, 8, bits)
    assert data[HEADER_SIZE:] == bytes([0x80, 0x10])
    all_plus = encode_stream(0, 8, 8, np.ones((1, 2, 2, 3)))
    assert all_plus[HEADER_SIZE:] == bytes([0xFF, 0xF0])  # padding bits are zero


def test_iterations_are_padded_separately():
    bits = np.ones((2, 1, 1, 3))
    data = encode_stream(0, 8, 8, bits)
    assert data[HEADER_SIZE:] == bytes([0xE0, 0xE0])


@pytest.mark.parametrize(
    "bits",
    [
        np.ones((8, 8, 2)),  # missing T axis
        np.ones((0, 8, 8, 2)),  # T = 0
        np.ones((1, 0, 8, 2)),
        np.ones((1, 8, 8, 2, 1)),
        np.zeros((1, 8, 8, 2)),  # 0 is not a valid bit
        np.full((1, 8, 8, 2), 0.5),
        np.full((1, 8, 8, 2), np.nan),
        np.full((1, 8, 8, 2), 2),
        np.full((1, 8, 8, 2), "1"),
        np.ones((1, 8, 8, 2), dtype=complex),
        np.ones((1, 8, 8, 2), dtype=object),
    ],
)
def test_encode_rejects_bad_bits(bits):
    with pytest.raises(ResidualCompressionError, match="bits"):
        encode_stream(1, 32, 32, bits)


def test_encode_rejects_bad_header_fields():
    bits = np.ones((1, 8, 8, 2))
    with pytest.raises(ResidualCompressionError, match="width"):
        encode_stream(1, 0, 32, bits)
    with pytest.raises(ResidualCompressionError, match="height"):
        encode_stream(1, 32, 70000, bits)
    with pytest.raises(ResidualCompressionError, match="model_id"):
        encode_stream(-3, 32, 32, bits)


def test_prefix_property():
    rng = np.random.default_rng(3)
    bits = random_bits(rng, (6, 8, 8, 2))
    data = encode_stream(5, 32, 32, bits)
    per = bytes_per_iteration((8, 8, 2))
    for k in range(1, 7):
        prefix = data[: HEADER_SIZE + k * per]
        header, decoded = decode(prefix)
        assert header.model_id == 5
        np.testing.assert_array_equal(decoded, bits[:k])
        assert prefix == encode_stream(5, 32, 32, bits[:k])


def test_iterations_argument():
    rng = np.random.default_rng(4)
    bits = random_bits(rng, (5, 3, 3, 3))
    data = encode_stream(1, 7, 9, bits)
    shape_fn = fixed_shape((3, 3, 3))
    for k in range(1, 6):
        _, decoded = decode_stream(data, code_shape_fn=shape_fn, max_iterations=8, iterations=k)
        np.testing.assert_array_equal(decoded, bits[:k])
    with pytest.raises(BitstreamError, match="6.*5"):
        decode_stream(data, code_shape_fn=shape_fn, max_iterations=8, iterations=6)
    for bad in (0, -1):
        with pytest.raises(ResidualCompressionError, match="iterations"):
            decode_stream(data, code_shape_fn=shape_fn, max_iterations=8, iterations=bad)
    with pytest.raises(ResidualCompressionError, match="iterations"):
        decode_stream(data, code_shape_fn=shape_fn, max_iterations=8, iterations=2.0)


def test_code_shape_fn_gets_height_then_width():
    seen = []

    def shape_fn(height, width):
        seen.append((height, width))
        return (height // 4, width // 4, 2)

    data = encode_stream(1, 64, 32, np.ones((1, 8, 16, 2)))
    _, decoded = decode_stream(data, code_shape_fn=shape_fn, max_iterations=1)
    assert seen == [(32, 64)]
    assert decoded.shape == (1, 8, 16, 2)


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_accepts_bytes_like(kind):
    rng = np.random.default_rng(5)
    bits = random_bits(rng, (2, 8, 8, 2))
    data = encode_stream(1, 32, 32, bits)
    header, decoded = decode(kind(data))
    np.testing.assert_array_equal(decoded, bits)
    assert read_header(kind(data)) == header


def test_accepts_memoryview_of_numpy_array():
    data = encode_stream(1, 32, 32, np.ones((1, 8, 8, 2)))
    view = memoryview(np.frombuffer(data, np.uint8))
    _, decoded = decode(view)
    assert decoded.shape == (1, 8, 8, 2)
