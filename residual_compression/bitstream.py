"""The byte format of a compressed image (format version 1).

A stream is an 8-byte header followed by the binary codes of the encoder's
iterations, iteration-major::

    offset  size  field
    0       1     magic, 0x52 (ASCII "R")
    1       1     format version, 1
    2       2     model id (uint16, big-endian)
    4       2     image width in pixels (uint16, big-endian, 1..65535)
    6       2     image height in pixels (uint16, big-endian, 1..65535)
    8       ...   payload: iteration 0, iteration 1, ...

Each iteration's code has the model's code shape ``(h, w, c)`` for that image
size. Its ``h * w * c`` bits are flattened in C order (row, column, channel),
packed most-significant bit first (``+1`` is bit 1, ``-1`` is bit 0) and padded
with zero bits to a whole number of bytes, so every iteration takes
:func:`bytes_per_iteration` bytes. The iteration count is not stored; it is the
payload length divided by the bytes per iteration. Cutting a stream at an
iteration boundary therefore yields a valid stream of lower rate.

Everything here is plain numpy; no deep-learning framework is imported. See
``docs/bitstream.md`` for the full description.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any, Callable

import numpy as np

from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError

__all__ = [
    "FORMAT_VERSION",
    "HEADER_SIZE",
    "MAGIC",
    "MAX_DIMENSION",
    "MAX_MODEL_ID",
    "Header",
    "bytes_per_iteration",
    "decode_stream",
    "encode_stream",
    "pack_header",
    "read_header",
]

HEADER_SIZE = 8
"""Size of the stream header in bytes."""

FORMAT_VERSION = 1
"""The only format version this module writes and reads."""

MAGIC = 0x52
"""First byte of every stream (ASCII ``"R"``)."""

MAX_DIMENSION = 65535
"""Largest image width or height the header can hold."""

MAX_MODEL_ID = 65535
"""Largest model id the header can hold."""


def _as_int(value: Any, name: str, error: type[Exception]) -> int:
    """Return ``value`` as a Python int, or raise ``error`` naming ``name``.

    Accepts ``int`` and numpy integers; rejects bools, floats and anything else.
    """
    if isinstance(value, (bool, np.bool_)):
        raise error(f"{name} must be an integer, got bool {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise error(
            f"{name} must be an integer, got {type(value).__name__} {value!r}"
        ) from None


def _check_range(value: Any, name: str, low: int, high: int, error: type[Exception]) -> int:
    number = _as_int(value, name, error)
    if not low <= number <= high:
        raise error(f"{name} must be in {low}..{high}, got {number}")
    return number


@dataclasses.dataclass(frozen=True)
class Header:
    """The fields of a stream header.

    Attributes:
        model_id: id of the model (from the zoo table) that wrote the stream,
            0..65535.
        width: image width in pixels, 1..65535.
        height: image height in pixels, 1..65535.
        version: format version; only :data:`FORMAT_VERSION` exists.
    """

    model_id: int
    width: int
    height: int
    version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        error = ResidualCompressionError
        _check_range(self.model_id, "model_id", 0, MAX_MODEL_ID, error)
        _check_range(self.width, "width", 1, MAX_DIMENSION, error)
        _check_range(self.height, "height", 1, MAX_DIMENSION, error)
        _check_range(self.version, "version", 0, 255, error)
        # Normalise numpy integers to plain ints so headers compare and hash
        # the same whatever they were built from.
        for field in ("model_id", "width", "height", "version"):
            object.__setattr__(self, field, int(getattr(self, field)))


def _check_code_shape(code_shape: Any, error: type[Exception]) -> tuple[int, int, int]:
    """Validate a code shape ``(h, w, c)`` of positive ints and return it."""
    if isinstance(code_shape, (str, bytes)):
        raise error(f"code_shape must be a tuple (h, w, c), got {code_shape!r}")
    try:
        items = tuple(code_shape)
    except TypeError:
        raise error(
            f"code_shape must be a tuple (h, w, c), got "
            f"{type(code_shape).__name__} {code_shape!r}"
        ) from None
    if len(items) != 3:
        raise error(
            f"code_shape must have 3 entries (h, w, c), got {len(items)}: {code_shape!r}"
        )
    dims = []
    for axis, item in zip("hwc", items):
        number = _as_int(item, f"code_shape {axis}", error)
        if number < 1:
            raise error(f"code_shape entries must be >= 1, got {code_shape!r}")
        dims.append(number)
    return dims[0], dims[1], dims[2]


def bytes_per_iteration(code_shape: tuple[int, int, int]) -> int:
    """Bytes one iteration's code of shape ``(h, w, c)`` takes in a stream.

    That is ``ceil(h * w * c / 8)``.

    Raises:
        ResidualCompressionError: ``code_shape`` is not three positive ints.
    """
    h, w, c = _check_code_shape(code_shape, ResidualCompressionError)
    return (h * w * c + 7) // 8


def pack_header(model_id: int, width: int, height: int) -> bytes:
    """Return the 8-byte header for a stream of ``model_id`` and image size.

    Raises:
        ResidualCompressionError: ``model_id`` is not in 0..65535, or ``width``
            or ``height`` is not in 1..65535.
    """
    header = Header(model_id=model_id, width=width, height=height)
    return bytes(
        [
            MAGIC,
            FORMAT_VERSION,
            header.model_id >> 8,
            header.model_id & 0xFF,
            header.width >> 8,
            header.width & 0xFF,
            header.height >> 8,
            header.height & 0xFF,
        ]
    )


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray):
        return bytes(data)
    if isinstance(data, memoryview):
        try:
            return data.tobytes()
        except (ValueError, TypeError) as exc:  # e.g. a released memoryview
            raise BitstreamError(f"cannot read the memoryview handed in: {exc}") from None
    raise BitstreamError(
        f"data must be bytes, bytearray or memoryview, got {type(data).__name__}"
    )


def _parse_header(raw: bytes) -> Header:
    if len(raw) < HEADER_SIZE:
        raise BitstreamError(
            f"stream is {len(raw)} bytes, shorter than the {HEADER_SIZE}-byte header"
        )
    if raw[0] != MAGIC:
        raise BitstreamError(
            f"not a residual-compression stream: first byte is 0x{raw[0]:02x}, "
            f"expected magic 0x{MAGIC:02x}"
        )
    if raw[1] != FORMAT_VERSION:
        raise BitstreamError(
            f"unsupported format version {raw[1]} (this library reads version "
            f"{FORMAT_VERSION})"
        )
    model_id = int.from_bytes(raw[2:4], "big")
    width = int.from_bytes(raw[4:6], "big")
    height = int.from_bytes(raw[6:8], "big")
    if width == 0 or height == 0:
        raise BitstreamError(
            f"header claims an empty image: width {width}, height {height} "
            f"(both must be >= 1)"
        )
    return Header(model_id=model_id, width=width, height=height, version=raw[1])


def read_header(data: bytes | bytearray | memoryview) -> Header:
    """Parse and check the header at the start of ``data``.

    Only the header is looked at; the payload is not checked.

    Raises:
        BitstreamError: ``data`` is not bytes-like, is shorter than
            :data:`HEADER_SIZE`, has the wrong magic or version, or claims a
            zero width or height.
    """
    return _parse_header(_as_bytes(data))


def _bits_to_bool(bits: Any) -> np.ndarray:
    """Validate ``bits`` for :func:`encode_stream`; return a bool (T, h, w, c) array."""
    error = ResidualCompressionError
    try:
        array = np.asarray(bits)
    except Exception as exc:  # noqa: BLE001 - any conversion failure is bad input
        raise error(f"bits must be an array of shape (T, h, w, c), got "
                    f"{type(bits).__name__}: {exc}") from None
    if array.ndim != 4:
        raise error(
            f"bits must have shape (T, h, w, c) (4 dimensions), got shape {array.shape}"
        )
    if min(array.shape) < 1:
        raise error(f"bits must have every dimension >= 1, got shape {array.shape}")
    if array.dtype == np.bool_:
        return array
    if array.dtype.kind not in "iuf":
        raise error(
            f"bits must hold +1/-1 numbers or bools, got dtype {array.dtype}"
        )
    positive = array == 1
    valid = positive | (array == -1)
    if not valid.all():
        bad = array[~valid].flat[0]
        raise error(
            f"bits must contain only +1 and -1, found {bad!r} "
            f"({int((~valid).sum())} invalid values)"
        )
    return positive


def encode_stream(model_id: int, width: int, height: int, bits: np.ndarray) -> bytes:
    """Serialise the codes of ``T`` iterations into a stream.

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
    iterations = positive.shape[0]
    flat = positive.reshape(iterations, -1)
    # packbits pads each row with zero bits to whole bytes, MSB first.
    payload = np.packbits(flat, axis=1, bitorder="big")
    return header + payload.tobytes()


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


def decode_stream(
    data: bytes | bytearray | memoryview,
    *,
    code_shape_fn: Callable[[int, int], tuple[int, int, int]],
    max_iterations: int,
    expected_model_id: int | None = None,
    iterations: int | None = None,
) -> tuple[Header, np.ndarray]:
    """Parse a stream into its header and the codes of its iterations.

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

    Returns:
        ``(header, bits)`` where ``bits`` is an int8 array of shape
        ``(T, h, w, c)`` with values +1/-1.

    Raises:
        BitstreamError: for any problem with ``data`` (wrong type, short,
            bad magic or version, empty image, other model, empty or
            truncated payload, too many iterations, nonzero padding bits, a
            size the model cannot decode) or ``iterations`` exceeding what the
            stream holds. Nothing else is raised for any byte string; the
            lengths are checked before anything is allocated.
        ResidualCompressionError: the keyword arguments themselves are
            invalid (``max_iterations`` < 1, ``iterations`` < 1, a non-callable
            ``code_shape_fn``, ...).
    """
    # Arguments first: these are programming errors, not stream errors.
    arg_error = ResidualCompressionError
    if not callable(code_shape_fn):
        raise arg_error(
            f"code_shape_fn must be callable, got {type(code_shape_fn).__name__}"
        )
    max_iterations = _as_int(max_iterations, "max_iterations", arg_error)
    if max_iterations < 1:
        raise arg_error(f"max_iterations must be >= 1, got {max_iterations}")
    if expected_model_id is not None:
        expected_model_id = _check_range(
            expected_model_id, "expected_model_id", 0, MAX_MODEL_ID, arg_error
        )
    if iterations is not None:
        iterations = _as_int(iterations, "iterations", arg_error)
        if iterations < 1:
            raise arg_error(f"iterations must be >= 1 (or None for all), got {iterations}")

    raw = _as_bytes(data)
    header = _parse_header(raw)
    if expected_model_id is not None and header.model_id != expected_model_id:
        raise BitstreamError(
            f"stream was written by model id {header.model_id}, but this decoder "
            f"is model id {expected_model_id}"
        )

    h, w, c = _call_code_shape_fn(code_shape_fn, header)
    n_bits = h * w * c
    per_iteration = (n_bits + 7) // 8
    payload_length = len(raw) - HEADER_SIZE
    if payload_length == 0:
        raise BitstreamError(
            "stream has an empty payload (0 iterations); at least one iteration "
            f"of {per_iteration} bytes is needed"
        )
    available, extra = divmod(payload_length, per_iteration)
    if extra:
        raise BitstreamError(
            f"stream truncated mid-iteration: payload is {payload_length} bytes, "
            f"{extra} bytes more than {available} whole iterations of "
            f"{per_iteration} bytes (code shape {(h, w, c)} for a "
            f"{header.width}x{header.height} image)"
        )
    if available > max_iterations:
        raise BitstreamError(
            f"stream holds {available} iterations, more than the model's "
            f"max_iterations {max_iterations}"
        )
    if iterations is None:
        iterations = available
    elif iterations > available:
        raise BitstreamError(
            f"requested {iterations} iterations, but the stream holds only {available}"
        )

    # Lengths are consistent; the allocation below is bounded by len(data).
    packed = np.frombuffer(raw, dtype=np.uint8, offset=HEADER_SIZE).reshape(
        available, per_iteration
    )
    pad_bits = per_iteration * 8 - n_bits
    if pad_bits:
        mask = (1 << pad_bits) - 1
        bad = np.flatnonzero(packed[:, -1] & mask)
        if bad.size:
            raise BitstreamError(
                f"stream is corrupt: nonzero padding bits in the last byte of "
                f"iteration {int(bad[0])} (byte value 0x{int(packed[bad[0], -1]):02x}, "
                f"the low {pad_bits} bits must be zero)"
            )
    unpacked = np.unpackbits(packed[:iterations], axis=1, count=n_bits, bitorder="big")
    # +-1 as int8: a quarter of float32's memory for large images.
    bits = unpacked.view(np.int8)
    bits *= 2
    bits -= 1
    return header, bits.reshape(iterations, h, w, c)
