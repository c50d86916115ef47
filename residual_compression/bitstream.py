"""The byte formats of a compressed image: format 1 (raw bits) and 2 (entropy coded).

Every stream starts with magic ``0x52`` and a version byte.

* **Format 1**: an 8-byte header (model id, width, height as uint16), then
  the codes of the iterations, iteration-major, each iteration's ``h * w * c``
  bits in C order packed MSB first (``+1`` is bit 1) and zero-padded to
  :func:`bytes_per_iteration` bytes.
* **Format 2**: a header of at most 8 bytes for thumbnails (flags for a
  greyscale image and the context model, the model id, size and number of
  coded symbols as varints), then the bits range-coded under an adaptive
  context model (:mod:`residual_compression.entropy`). A payload can be cut
  at any byte: it is filled to the byte by a budget.

Any prefix of a stream after its header decodes (``strict=False``, the
default): to its complete iterations, plus, for a cut inside an iteration,
the bits the received bytes determine; bits that did not arrive decode as 0
("no information"). ``strict=True`` rejects a cut stream as format 1 always
did. Everything here is numpy (and constriction for format 2); no
deep-learning framework is imported. ``docs/bitstream.md`` is the full
description.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from residual_compression.stream_format2 import check_v2 as _check_v2
from residual_compression.stream_format2 import decode_v2 as _decode_v2
from residual_compression.stream_format2 import encode_stream2
from residual_compression.stream_format2 import encode_streams2
from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError
from residual_compression.stream_header import FORMAT_VERSION
from residual_compression.stream_header import HEADER_SIZE
from residual_compression.stream_header import MAGIC
from residual_compression.stream_header import MAX_DIMENSION
from residual_compression.stream_header import MAX_MODEL_ID
from residual_compression.stream_header import VERSIONS
from residual_compression.stream_header import Header
from residual_compression.stream_header import as_bytes as _as_bytes
from residual_compression.stream_header import as_int as _as_int
from residual_compression.stream_header import bits_to_bool as _bits_to_bool
from residual_compression.stream_header import check_code_shape as _check_code_shape
from residual_compression.stream_header import check_range as _check_range
from residual_compression.stream_header import pack_header as _pack_header
from residual_compression.stream_header import parse_header as _parse_header

__all__ = [
    "FORMAT_VERSION",
    "MAX_CODE_BITS",
    "HEADER_SIZE",
    "MAGIC",
    "MAX_DIMENSION",
    "MAX_MODEL_ID",
    "VERSIONS",
    "Header",
    "bytes_per_iteration",
    "decode_stream",
    "decode_streams",
    "encode_stream",
    "encode_stream2",
    "encode_streams2",
    "pack_header",
    "read_header",
]

MAX_CODE_BITS = 1 << 28
"""Most bits one iteration of a decodable stream may hold (a bound on memory)."""


def bytes_per_iteration(code_shape: tuple[int, int, int]) -> int:
    """Bytes one iteration's code of shape ``(h, w, c)`` takes in a format-1 stream.

    That is ``ceil(h * w * c / 8)``.

    Raises:
        ResidualCompressionError: ``code_shape`` is not three positive ints.
    """
    h, w, c = _check_code_shape(code_shape, ResidualCompressionError)
    return (h * w * c + 7) // 8


def pack_header(model_id: int, width: int, height: int, **format2) -> bytes:
    """The header of a stream: format 1 (8 bytes) unless ``version=2`` is given.

    Format-2 keywords: ``version=2``, ``grey``, ``context``, ``count``, ``block``.

    Raises:
        ResidualCompressionError: ``model_id`` is not in 0..65535, or ``width``
            or ``height`` is not in 1..65535, or a format-2 field is invalid.
    """
    return _pack_header(model_id, width, height, **format2)


def read_header(data: bytes | bytearray | memoryview) -> Header:
    """Parse and check the header (format 1 or 2) at the start of ``data``.

    Only the header is looked at; the payload is not checked.

    Raises:
        BitstreamError: ``data`` is not bytes-like, is shorter than its
            header, has the wrong magic or version, reserved flags, a
            malformed varint, or claims a zero width or height.
    """
    return _parse_header(_as_bytes(data))


def encode_stream(model_id: int, width: int, height: int, bits: np.ndarray) -> bytes:
    """Serialise the codes of ``T`` iterations into a format-1 stream.

    Args:
        model_id: id of the model that produced ``bits`` (0..65535).
        width: width of the encoded image in pixels (1..65535).
        height: height of the encoded image in pixels (1..65535).
        bits: array of shape ``(T, h, w, c)``, ``T >= 1``, holding +1/-1 as
            ints or floats, or bools where True means +1. ``(h, w, c)`` must be
            the model's code shape for this image size; this function cannot
            check that, :func:`decode_stream` will.

    Returns:
        The header followed by ``T * bytes_per_iteration((h, w, c))`` bytes.

    Raises:
        ResidualCompressionError: an argument is out of range or ``bits`` has
            the wrong shape, dtype or values.
    """
    header = pack_header(model_id, width, height)
    positive = _bits_to_bool(bits)
    flat = positive.reshape(positive.shape[0], -1)
    # packbits pads each row with zero bits to whole bytes, MSB first.
    return header + np.packbits(flat, axis=1, bitorder="big").tobytes()


def _call_code_shape_fn(code_shape_fn: Callable[[int, int], Any], header: Header) -> tuple[int, int, int]:
    try:
        shape = code_shape_fn(header.height, header.width)
    except Exception as exc:  # noqa: BLE001 - the stream's size is what is wrong
        raise BitstreamError(
            f"the model cannot decode a {header.width}x{header.height} image "
            f"(width x height from the header): {exc}"
        ) from exc
    try:
        return _check_code_shape(shape, BitstreamError)
    except BitstreamError as exc:
        raise BitstreamError(
            f"code_shape_fn returned an invalid code shape for a "
            f"{header.width}x{header.height} image: {exc}"
        ) from None


def _payload_v1(raw, header, shape, max_iterations, strict):
    """Format-1 payload -> int8 bits (T, h, w, c), 0 where bytes are missing."""
    h, w, c = shape
    n_bits = h * w * c
    per_iteration = (n_bits + 7) // 8
    payload_length = len(raw) - HEADER_SIZE
    available, extra = divmod(payload_length, per_iteration)
    if strict and payload_length == 0:
        raise BitstreamError(
            "stream has an empty payload (0 iterations); at least one iteration "
            f"of {per_iteration} bytes is needed"
        )
    if strict and extra:
        raise BitstreamError(
            f"stream truncated mid-iteration: payload is {payload_length} bytes, "
            f"{extra} bytes more than {available} whole iterations of "
            f"{per_iteration} bytes (code shape {(h, w, c)} for a "
            f"{header.width}x{header.height} image)"
        )
    if available + (extra > 0) > max_iterations:
        raise BitstreamError(
            f"stream holds {available + (extra > 0)} iterations, more than the model's "
            f"max_iterations {max_iterations}"
        )
    # Lengths are consistent; the allocation below is bounded by len(data).
    packed = np.frombuffer(raw, dtype=np.uint8, offset=HEADER_SIZE, count=available * per_iteration)
    packed = packed.reshape(available, per_iteration)
    pad_bits = per_iteration * 8 - n_bits
    if pad_bits and available:
        bad = np.flatnonzero(packed[:, -1] & ((1 << pad_bits) - 1))
        if bad.size:
            raise BitstreamError(
                f"stream is corrupt: nonzero padding bits in the last byte of "
                f"iteration {int(bad[0])} (byte value 0x{int(packed[bad[0], -1]):02x}, "
                f"the low {pad_bits} bits must be zero)"
            )
    total = max(1, available + (extra > 0))
    bits = np.zeros((total, n_bits), np.int8)
    if available:
        # +-1 as int8: a quarter of float32's memory for large images.
        bits[:available] = np.unpackbits(packed, axis=1, count=n_bits, bitorder="big").view(np.int8) * 2 - 1
    if extra:
        tail = np.frombuffer(raw, np.uint8, offset=HEADER_SIZE + available * per_iteration)
        known = min(n_bits, 8 * extra)
        bits[available, :known] = np.unpackbits(tail, count=known, bitorder="big").view(np.int8) * 2 - 1
    return bits.reshape(total, h, w, c)


def decode_stream(
    data: bytes | bytearray | memoryview,
    *,
    code_shape_fn: Callable[[int, int], tuple[int, int, int]],
    max_iterations: int,
    expected_model_id: int | None = None,
    iterations: int | None = None,
    strict: bool = False,
) -> tuple[Header, np.ndarray]:
    """Parse a stream (format 1 or 2) into its header and the codes of its iterations.

    Args:
        data: the stream (bytes, bytearray or memoryview).
        code_shape_fn: ``code_shape_fn(height, width) -> (h, w, c)``, the code
            shape of the decoding model for an image of that size. Anything it
            raises is reported as a :class:`BitstreamError`.
        max_iterations: the most iterations the decoding model has; a stream
            with more is rejected.
        expected_model_id: if given, the stream's model id must equal it.
        iterations: how many leading iterations to return; ``None`` returns
            all of them. Must be between 1 and the number in the stream.
        strict: reject a stream cut short (format 1: an empty payload or a
            partial iteration; format 2: fewer bits than the header states).
            By default any prefix decodes.

    Returns:
        ``(header, bits)`` where ``bits`` is an int8 array of shape
        ``(T, h, w, c)`` with values +1/-1, and 0 for bits that a cut stream
        does not determine (only in its last iteration, or, for an empty
        payload, one iteration of zeros).

    Raises:
        BitstreamError: for any problem with ``data`` (wrong type, short,
            bad magic or version, empty image, other model, too many
            iterations, nonzero padding bits, a size the model cannot
            decode, and in strict mode a cut stream) or ``iterations``
            exceeding what the stream holds. Nothing else is raised for any
            byte string; the lengths are checked before anything is allocated.
        ResidualCompressionError: the keyword arguments themselves are
            invalid (``max_iterations`` < 1, ``iterations`` < 1, a non-callable
            ``code_shape_fn``, ...).
    """
    return decode_streams(
        [data], code_shape_fn=code_shape_fn, max_iterations=max_iterations,
        expected_model_id=expected_model_id, iterations=iterations, strict=strict,
    )[0]


def decode_streams(datas, *, code_shape_fn, max_iterations, expected_model_id=None, iterations=None, strict=False):
    """:func:`decode_stream` for a list of streams: a list of ``(header, bits)``.

    Format-2 streams of one size and context model are entropy-decoded
    together, which shares the numpy work (thumbnails decode many times
    faster than one by one). The first bad stream raises.
    """
    # Arguments first: these are programming errors, not stream errors.
    arg_error = ResidualCompressionError
    if not callable(code_shape_fn):
        raise arg_error(f"code_shape_fn must be callable, got {type(code_shape_fn).__name__}")
    max_iterations = _as_int(max_iterations, "max_iterations", arg_error)
    if max_iterations < 1:
        raise arg_error(f"max_iterations must be >= 1, got {max_iterations}")
    if expected_model_id is not None:
        expected_model_id = _check_range(expected_model_id, "expected_model_id", 0, MAX_MODEL_ID, arg_error)
    if iterations is not None:
        iterations = _as_int(iterations, "iterations", arg_error)
        if iterations < 1:
            raise arg_error(f"iterations must be >= 1 (or None for all), got {iterations}")
    parsed, coded = [], []
    for data in datas:
        raw = _as_bytes(data)
        header = _parse_header(raw)
        if expected_model_id is not None and header.model_id != expected_model_id:
            raise BitstreamError(
                f"stream was written by model id {header.model_id}, but this decoder "
                f"is model id {expected_model_id}"
            )
        shape = _call_code_shape_fn(code_shape_fn, header)
        if shape[0] * shape[1] * shape[2] > MAX_CODE_BITS:
            raise BitstreamError(
                f"code shape {shape} for a {header.width}x{header.height} image holds more than "
                f"{MAX_CODE_BITS} bits per iteration"
            )
        if header.version == 1:
            parsed.append([header, _payload_v1(raw, header, shape, max_iterations, bool(strict))])
        else:
            coded.append((header, shape) + _check_v2(raw, header, shape, max_iterations))
            parsed.append([header, len(coded) - 1])
    decoded = _decode_v2(coded, bool(strict))
    results = []
    for header, bits in parsed:
        bits = decoded[bits] if header.version == 2 else bits
        if iterations is not None:
            if iterations > bits.shape[0]:
                raise BitstreamError(f"requested {iterations} iterations, but the stream holds only {bits.shape[0]}")
            bits = bits[:iterations]
        results.append((header, bits))
    return results
