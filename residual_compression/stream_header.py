"""Stream headers of formats 1 and 2, and the checks of code shapes and bits.

Format 1 has a fixed 8-byte header: magic ``0x52``, version ``1``, then the
model id, width and height as big-endian uint16.

Format 2 has magic ``0x52``, version ``2``, a flags byte, then the model id,
width, height and the number of coded symbols as unsigned LEB128 varints
(minimal encodings only), then, when the flags say a block map follows, two
bytes: the block side in code positions and the most iterations of a block. A 32x32 thumbnail of a model with
id < 128 takes 8 bytes. Flags: bit 0 greyscale image, bit 1 block map
present (dynamic bit assignment), bits 2-3 reserved (zero), bits 4-7 the
context model id. See ``docs/bitstream.md``.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any

import numpy as np

from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError

__all__ = [
    "FLAG_BLOCKS",
    "FLAG_GREY",
    "FORMAT_VERSION",
    "HEADER_SIZE",
    "MAGIC",
    "MAX_DIMENSION",
    "MAX_MODEL_ID",
    "VERSIONS",
    "Header",
    "as_bytes",
    "bits_to_bool",
    "check_code_shape",
    "pack_header",
    "parse_header",
]

HEADER_SIZE = 8
"""Size of a format-1 header in bytes (and the most a format-2 thumbnail takes)."""

FORMAT_VERSION = 1
"""The raw-bits format; :data:`VERSIONS` lists every version read."""

VERSIONS = (1, 2)
"""Format versions this library reads and writes."""

MAGIC = 0x52
"""First byte of every stream (ASCII ``"R"``)."""

MAX_DIMENSION = 65535
"""Largest image width or height a header can hold."""

MAX_MODEL_ID = 65535
"""Largest model id a header can hold."""

FLAG_GREY = 0x01
FLAG_BLOCKS = 0x02
_RESERVED_FLAGS = 0x0C
_MAX_COUNT = (1 << 35) - 1


def as_int(value: Any, name: str, error: type[Exception]) -> int:
    """``value`` as a Python int (ints and numpy integers, not bools), else ``error``."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise error(f"{name} must be an integer, got bool {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise error(f"{name} must be an integer, got {type(value).__name__} {value!r}") from None


def check_range(value: Any, name: str, low: int, high: int, error: type[Exception]) -> int:
    number = as_int(value, name, error)
    if not low <= number <= high:
        raise error(f"{name} must be in {low}..{high}, got {number}")
    return number


@dataclasses.dataclass(frozen=True)
class Header:
    """The fields of a stream header.

    Attributes:
        model_id: id of the model (from the zoo table) that wrote the stream.
        width, height: image size in pixels, 1..65535.
        version: format version, 1 or 2.
        grey: the image is greyscale (format 2); it decodes with R = G = B.
        context: id of the context model the payload is coded with (format 2).
        count: symbols coded in the payload (format 2; None for format 1).
        block: side of the dynamic-assignment blocks in code positions, 0
            when every position has the same iterations (format 2).
        map_iterations: with a block map, the most iterations a block has.
        size: bytes the header takes in the stream.
    """

    model_id: int
    width: int
    height: int
    version: int = FORMAT_VERSION
    grey: bool = False
    context: int = 0
    count: int | None = None
    block: int = 0
    size: int = HEADER_SIZE
    map_iterations: int = 0

    def __post_init__(self) -> None:
        error = ResidualCompressionError
        check_range(self.model_id, "model_id", 0, MAX_MODEL_ID, error)
        check_range(self.width, "width", 1, MAX_DIMENSION, error)
        check_range(self.height, "height", 1, MAX_DIMENSION, error)
        check_range(self.version, "version", 0, 255, error)
        check_range(self.context, "context", 0, 15, error)
        check_range(self.block, "block", 0, 255, error)
        check_range(self.map_iterations, "map_iterations", 0, 255, error)
        for field in ("model_id", "width", "height", "version", "context", "block", "size", "map_iterations"):
            object.__setattr__(self, field, int(getattr(self, field)))
        if self.count is not None:
            object.__setattr__(self, "count", check_range(self.count, "count", 0, _MAX_COUNT, error))
        object.__setattr__(self, "grey", bool(self.grey))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def pack_header(
    model_id: int,
    width: int,
    height: int,
    *,
    version: int = FORMAT_VERSION,
    grey: bool = False,
    context: int = 0,
    count: int = 0,
    block: int = 0,
    map_iterations: int = 0,
) -> bytes:
    """The header bytes of a stream (format 1: always 8 bytes).

    Raises:
        ResidualCompressionError: a field is out of range, or a format-2 field
            (grey, context, count, block) is given for format 1.
    """
    if version not in VERSIONS:
        raise ResidualCompressionError(f"version must be one of {VERSIONS}, got {version!r}")
    header = Header(model_id, width, height, version, grey, context, count, block, map_iterations=map_iterations)
    if bool(header.block) != bool(header.map_iterations):
        raise ResidualCompressionError("a block map needs both `block` and `map_iterations` (1..255)")
    if version == 1:
        if grey or context or count or block:
            raise ResidualCompressionError("format 1 has no grey flag, context, count or block map")
        return bytes([MAGIC, 1]) + b"".join(v.to_bytes(2, "big") for v in (header.model_id, header.width, header.height))
    flags = (FLAG_GREY if header.grey else 0) | (FLAG_BLOCKS if block else 0) | (header.context << 4)
    fields = b"".join(_varint(v) for v in (header.model_id, header.width, header.height, header.count))
    return bytes([MAGIC, 2, flags]) + fields + (bytes([header.block, header.map_iterations]) if block else b"")


def as_bytes(data: Any) -> bytes:
    """``data`` as bytes; anything that is not bytes-like is a :class:`BitstreamError`."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray):
        return bytes(data)
    if isinstance(data, memoryview):
        try:
            return data.tobytes()
        except (ValueError, TypeError) as exc:  # e.g. a released memoryview
            raise BitstreamError(f"cannot read the memoryview handed in: {exc}") from None
    raise BitstreamError(f"data must be bytes, bytearray or memoryview, got {type(data).__name__}")


def _read_varint(raw: bytes, pos: int, name: str, limit: int) -> tuple[int, int]:
    value = shift = 0
    start = pos
    while True:
        if pos >= len(raw):
            raise BitstreamError(f"stream ends inside the header's {name} field (byte {pos})")
        byte = raw[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if value > limit:
            raise BitstreamError(f"header field {name} exceeds its maximum {limit} (at byte {start})")
        if not byte & 0x80:
            if byte == 0 and pos - start > 1:
                raise BitstreamError(f"header field {name} has a non-minimal varint encoding (byte {start})")
            return value, pos


def parse_header(raw: bytes) -> Header:
    """Parses and checks a header of either format at the start of ``raw``."""
    if len(raw) < 2:
        raise BitstreamError(f"stream is {len(raw)} bytes, shorter than any header")
    if raw[0] != MAGIC:
        raise BitstreamError(
            f"not a residual-compression stream: first byte is 0x{raw[0]:02x}, "
            f"expected magic 0x{MAGIC:02x}"
        )
    if raw[1] not in VERSIONS:
        raise BitstreamError(f"unsupported format version {raw[1]} (this library reads versions {VERSIONS})")
    if raw[1] == 1:
        if len(raw) < HEADER_SIZE:
            raise BitstreamError(f"stream is {len(raw)} bytes, shorter than the {HEADER_SIZE}-byte header")
        model_id, width, height = (int.from_bytes(raw[i : i + 2], "big") for i in (2, 4, 6))
        fields = dict(version=1)
        size = HEADER_SIZE
    else:
        if len(raw) < 3:
            raise BitstreamError(f"stream is {len(raw)} bytes, shorter than a format-2 header")
        flags = raw[2]
        if flags & _RESERVED_FLAGS:
            raise BitstreamError(f"header flags 0x{flags:02x} set reserved bits (0x{_RESERVED_FLAGS:02x})")
        pos = 3
        model_id, pos = _read_varint(raw, pos, "model id", MAX_MODEL_ID)
        width, pos = _read_varint(raw, pos, "width", MAX_DIMENSION)
        height, pos = _read_varint(raw, pos, "height", MAX_DIMENSION)
        count, pos = _read_varint(raw, pos, "count", _MAX_COUNT)
        block = levels = 0
        if flags & FLAG_BLOCKS:
            if pos + 2 > len(raw):
                raise BitstreamError("stream ends before the header's block side and map iterations")
            block, levels, pos = raw[pos], raw[pos + 1], pos + 2
            if block == 0 or levels == 0:
                raise BitstreamError(f"header announces a block map with block side {block}, {levels} iterations")
        fields = dict(
            version=2, grey=bool(flags & FLAG_GREY), context=flags >> 4, count=count, block=block, map_iterations=levels
        )
        size = pos
    if width == 0 or height == 0:
        raise BitstreamError(f"header claims an empty image: width {width}, height {height} (both must be >= 1)")
    return Header(model_id=model_id, width=width, height=height, size=size, **fields)


def check_code_shape(code_shape: Any, error: type[Exception]) -> tuple[int, int, int]:
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
        number = as_int(item, f"code_shape {axis}", error)
        if number < 1:
            raise error(f"code_shape entries must be >= 1, got {code_shape!r}")
        dims.append(number)
    return dims[0], dims[1], dims[2]


def bits_to_bool(bits: Any) -> np.ndarray:
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
