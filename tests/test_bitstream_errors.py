"""Format 1 and the shared header against bad input: every malformed, mutated or
hostile byte string raises BitstreamError, and nothing else (docs/bitstream.md, "Errors")."""

import time

import numpy as np
import pytest

from residual_compression import bitstream
from residual_compression.bitstream import HEADER_SIZE
from residual_compression.bitstream import Header
from residual_compression.bitstream import decode_stream
from residual_compression.bitstream import encode_stream
from residual_compression.bitstream import pack_header
from residual_compression.bitstream import read_header
from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError

# tests/ has no __init__.py: pytest puts this folder on sys.path.
from bitstream_helpers import conv_shape  # noqa: E402
from bitstream_helpers import decode  # noqa: E402
from bitstream_helpers import fixed_shape  # noqa: E402
from bitstream_helpers import random_bits  # noqa: E402


def valid_stream(iterations=2):
    rng = np.random.default_rng(6)
    return encode_stream(4, 32, 32, random_bits(rng, (iterations, 8, 8, 2)))


def with_byte(data, index, value):
    mutable = bytearray(data)
    mutable[index] = value
    return bytes(mutable)


@pytest.mark.parametrize("data", ["R\x01", 12345, None, [0x52, 1, 0, 0, 0, 8, 0, 8], np.zeros(20, np.uint8)])
def test_rejects_non_bytes(data):
    with pytest.raises(BitstreamError, match="bytes"):
        decode(data)
    with pytest.raises(BitstreamError, match="bytes"):
        read_header(data)


@pytest.mark.parametrize("length", range(0, HEADER_SIZE))
def test_rejects_short(length):
    with pytest.raises(BitstreamError, match="shorter than (the 8-byte|any) header"):
        decode(valid_stream()[:length])
    with pytest.raises(BitstreamError, match="shorter"):
        read_header(valid_stream()[:length])


def test_rejects_wrong_magic():
    with pytest.raises(BitstreamError, match="0x89.*0x52"):
        decode(with_byte(valid_stream(), 0, 0x89))


@pytest.mark.parametrize("version", [0, 3, 255])
def test_rejects_unsupported_version(version):
    with pytest.raises(BitstreamError, match=f"version {version}"):
        decode(with_byte(valid_stream(), 1, version))
    with pytest.raises(BitstreamError, match="version"):
        read_header(with_byte(valid_stream(), 1, version))


@pytest.mark.parametrize("offset", [4, 6])
def test_rejects_zero_dimension(offset):
    data = with_byte(with_byte(valid_stream(), offset, 0), offset + 1, 0)
    with pytest.raises(BitstreamError, match="empty image"):
        decode(data)
    with pytest.raises(BitstreamError, match="empty image"):
        read_header(data)


def test_model_id_mismatch_names_both_ids():
    data = valid_stream()
    decode(data, expected_model_id=4)
    with pytest.raises(BitstreamError, match=r"model id 4\b.*model id 11\b"):
        decode(data, expected_model_id=11)


def test_model_id_zero_is_stored():
    data = encode_stream(0, 32, 32, np.ones((1, 8, 8, 2)))
    header, _ = decode(data, expected_model_id=0)
    assert header.model_id == 0


def test_rejects_empty_payload_when_strict():
    with pytest.raises(BitstreamError, match="empty payload"):
        decode(pack_header(4, 32, 32), strict=True)


def test_empty_payload_decodes_one_iteration_of_no_information():
    _, bits = decode(pack_header(4, 32, 32))
    assert bits.shape == (1, 8, 8, 2) and not bits.any()


@pytest.mark.parametrize("cut", [1, 5, 15])
def test_rejects_truncated_mid_iteration_when_strict(cut):
    data = valid_stream(3)[: HEADER_SIZE + 16 + cut]
    with pytest.raises(BitstreamError, match=f"truncated mid-iteration.* {cut} bytes more"):
        decode(data, strict=True)


@pytest.mark.parametrize("cut", [1, 5, 15])
def test_any_prefix_decodes_what_its_bytes_hold(cut):
    full = valid_stream(3)
    _, all_bits = decode(full)
    _, bits = decode(full[: HEADER_SIZE + 16 + cut])
    assert bits.shape == (2, 8, 8, 2)
    np.testing.assert_array_equal(bits[0], all_bits[0])
    flat, reference = bits[1].reshape(-1), all_bits[1].reshape(-1)
    np.testing.assert_array_equal(flat[: 8 * cut], reference[: 8 * cut])
    assert not flat[8 * cut :].any()  # missing bits are 0, "no information"


def test_rejects_extra_bytes_appended_when_strict():
    with pytest.raises(BitstreamError, match="truncated mid-iteration.* 3 bytes more"):
        decode(valid_stream(2) + b"\x00\x00\x00", strict=True)


def test_rejects_more_than_max_iterations():
    data = valid_stream(5)
    decode(data, max_iterations=5)
    with pytest.raises(BitstreamError, match="5 iterations.*max_iterations 4"):
        decode(data, max_iterations=4)


def test_rejects_nonzero_padding():
    shape_fn = fixed_shape((3, 3, 3))  # 27 bits -> 5 padding bits per iteration
    data = encode_stream(1, 9, 9, np.ones((3, 3, 3, 3)))
    decode_stream(data, code_shape_fn=shape_fn, max_iterations=3)
    for iteration in range(3):
        last = HEADER_SIZE + 4 * iteration + 3
        for bit in range(5):
            corrupt = with_byte(data, last, data[last] | (1 << bit))
            with pytest.raises(BitstreamError, match=f"padding bits.*iteration {iteration}"):
                decode_stream(corrupt, code_shape_fn=shape_fn, max_iterations=3)
    # Padding in an iteration beyond the requested ones is still corruption.
    corrupt = with_byte(data, HEADER_SIZE + 11, data[HEADER_SIZE + 11] | 1)
    with pytest.raises(BitstreamError, match="padding"):
        decode_stream(corrupt, code_shape_fn=shape_fn, max_iterations=3, iterations=1)


def test_data_bits_are_not_padding():
    shape_fn = fixed_shape((3, 3, 3))
    data = encode_stream(1, 9, 9, -np.ones((1, 3, 3, 3)))
    flipped = with_byte(data, HEADER_SIZE + 3, 0xE0)  # last 3 data bits set
    _, decoded = decode_stream(flipped, code_shape_fn=shape_fn, max_iterations=1)
    assert decoded.reshape(-1)[-3:].tolist() == [1.0, 1.0, 1.0]
    assert (decoded.reshape(-1)[:-3] == -1).all()


def test_code_shape_fn_errors_are_wrapped():
    data = encode_stream(1, 30, 32, np.ones((1, 8, 8, 2)))  # 30 is not a multiple of 4
    with pytest.raises(BitstreamError, match="30x32") as info:
        decode(data)
    assert isinstance(info.value.__cause__, ValueError)

    def broken(height, width):
        raise ZeroDivisionError("boom")

    with pytest.raises(BitstreamError, match="boom"):
        decode(data, code_shape_fn=broken)


@pytest.mark.parametrize(
    "returned",
    [None, (8, 8), (8, 8, 2, 1), (0, 8, 2), (8, -8, 2), (8.0, 8, 2), "abc", 16, (True, 8, 2), object()],
)
def test_code_shape_fn_nonsense_is_wrapped(returned):
    data = valid_stream()
    with pytest.raises(BitstreamError, match="code shape"):
        decode(data, code_shape_fn=fixed_shape(returned))


def test_code_shape_fn_may_return_numpy():
    data = valid_stream()
    _, decoded = decode(data, code_shape_fn=lambda h, w: np.array([8, 8, 2]))
    assert decoded.shape == (2, 8, 8, 2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_iterations": 0},
        {"max_iterations": 2.5},
        {"max_iterations": None},
        {"code_shape_fn": None},
        {"expected_model_id": -1},
        {"expected_model_id": "4"},
    ],
)
def test_rejects_bad_arguments(kwargs):
    with pytest.raises(ResidualCompressionError):
        decode(valid_stream(), **kwargs)


def test_huge_claimed_size_fails_fast_without_allocating():
    data = pack_header(4, 65535, 65535) + b"\x01\x02\x03\x04\x05"
    start = time.perf_counter()
    with pytest.raises(BitstreamError, match="truncated mid-iteration"):
        decode(data, code_shape_fn=lambda h, w: (h // 16, w // 16, 2), strict=True)
    # An absurd code shape is only arithmetic, never an allocation.
    with pytest.raises(BitstreamError, match="more than"):
        decode(data, code_shape_fn=lambda h, w: (h, w, 64), max_iterations=16)
    with pytest.raises(BitstreamError, match="more than"):
        decode(data, code_shape_fn=fixed_shape((10**9, 10**9, 10**9)))
    assert time.perf_counter() - start < 0.5


def test_decoded_bits_are_independent_of_input():
    data = bytearray(valid_stream())
    _, decoded = decode(data)
    before = decoded.copy()
    data[HEADER_SIZE:] = b"\x00" * (len(data) - HEADER_SIZE)
    np.testing.assert_array_equal(decoded, before)
    decoded[:] = 1  # writable


def test_header_validation():
    with pytest.raises(ResidualCompressionError):
        Header(model_id=1, width=0, height=3)
    with pytest.raises(ResidualCompressionError):
        Header(model_id=70000, width=1, height=3)
    header = Header(model_id=np.int64(1), width=2, height=3)
    assert type(header.model_id) is int
    assert header == Header(1, 2, 3)
    with pytest.raises(Exception):
        header.width = 5  # frozen


def test_random_and_mutated_input_only_raises_bitstream_error():
    rng = np.random.default_rng(20160101)
    base = [valid_stream(k) for k in (1, 3)]
    base.append(encode_stream(2, 9, 9, np.ones((2, 3, 3, 3))))

    def shape_fn(height, width):
        if height % 4 or width % 4:
            if height == 9 and width == 9:
                return (3, 3, 3)
            raise ValueError("unsupported size")
        return conv_shape(height, width)

    outcomes = {"ok": 0, "error": 0}
    for trial in range(2000):
        choice = trial % 4
        if choice == 0:  # random garbage, sometimes with a valid magic/version
            data = bytearray(rng.integers(0, 256, rng.integers(0, 80), dtype=np.uint8).tobytes())
            if len(data) >= 2 and rng.random() < 0.7:
                data[0], data[1] = 0x52, int(rng.integers(1, 3))
        else:
            data = bytearray(base[rng.integers(len(base))])
            if choice == 1:  # flip random bytes
                for _ in range(rng.integers(1, 4)):
                    index = rng.integers(len(data))
                    data[index] = rng.integers(0, 256)
            elif choice == 2:  # truncate anywhere
                data = data[: rng.integers(0, len(data) + 1)]
            else:  # append or delete in the middle
                index = rng.integers(len(data) + 1)
                if rng.random() < 0.5:
                    data[index:index] = rng.integers(0, 256, rng.integers(1, 20), dtype=np.uint8).tobytes()
                else:
                    del data[index : index + rng.integers(1, 20)]
        kwargs = {}
        if rng.random() < 0.3:
            kwargs["expected_model_id"] = int(rng.integers(0, 6))
        if rng.random() < 0.3:
            kwargs["iterations"] = int(rng.integers(1, 5))
        try:
            header, bits = decode_stream(
                bytes(data), code_shape_fn=shape_fn, max_iterations=4, **kwargs
            )
        except BitstreamError:
            outcomes["error"] += 1
        else:
            outcomes["ok"] += 1
            assert bits.dtype == np.int8
            assert bits.ndim == 4 and 1 <= bits.shape[0] <= 4
            assert set(np.unique(bits).tolist()) <= {-1, 0, 1}
    assert outcomes["ok"] > 0 and outcomes["error"] > 0
