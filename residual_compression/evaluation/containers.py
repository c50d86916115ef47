"""Header-less sizes of classical image files (paper sec. 4.3).

"To avoid unfairly penalizing the codecs due to the unavoidable cost of their
file headers, we exclude the header size from all metrics" (Toderici et al.
2016, sec. 4.3). The paper does not say where a header ends; this module fixes
one definition per format by parsing the container, never by guessing:

* **JPEG** (``jpeg_payload_size``): the entropy-coded data of every scan, i.e.
  the bytes between the end of each SOS (FFDA) marker segment and the next
  marker that is not a restart marker (RST0-7) -- normally EOI (FFD9), or the
  next DHT/SOS of a progressive file. Stuffed ``FF 00`` pairs and in-scan
  RST markers count as scan data; quantisation/Huffman tables, SOF, APPn
  and COM segments are header. Markers are walked by their segment lengths.
* **WebP** (``webp_payload_size``): the payload of the ``VP8 `` chunk of the
  RIFF container minus its 10-byte key-frame header (3-byte frame tag, 3-byte
  start code ``9D 01 2A``, 2+2 bytes of width/height). The RIFF padding byte
  of odd-sized chunks is not counted. A VP8X (extended) file is accepted when
  it holds a top-level ``VP8 `` chunk; lossless (``VP8L``) and animated files
  are rejected.
* **JPEG 2000** (``jpeg2000_payload_size``): the sum over tile-parts of the
  bytes after each SOD (FF93) marker up to the end of the tile-part given by
  the SOT (FF90) Psot length (Psot = 0: up to the EOC marker). Main and
  tile-part headers are excluded; packet headers inside the tile data count.
  Raw J2K codestreams and JP2 files (via their ``jp2c`` box) are accepted.
* **AVIF** (``avif_payload_size``): the payload of the top-level ``mdat``
  box(es) of the ISOBMFF file (box size minus its 8- or 16-byte box header).
  This holds the AV1 OBUs, including the small AV1 sequence-header OBU.

The whole-file size is simply ``len(data)``. Every parser raises
``residual_compression.errors.BitstreamError`` for data it cannot parse.
"""

from __future__ import annotations

from residual_compression.errors import BitstreamError
from residual_compression.errors import InvalidTypeError

__all__ = [
    "jpeg_payload_size",
    "webp_payload_size",
    "jpeg2000_payload_size",
    "avif_payload_size",
    "iter_isobmff_boxes",
]

_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"


def as_bytes(data, name="data"):
    """``data`` as ``bytes`` if it is bytes, a bytearray or a memoryview; else
    an ``InvalidTypeError`` naming ``name`` and the type received."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise InvalidTypeError(f"{name} must be bytes, got {type(data).__name__}")


def _be(data, pos, width, what):
    if pos < 0 or pos + width > len(data):
        raise BitstreamError(
            f"truncated {what}: need {width} bytes at offset {pos}, file has {len(data)}"
        )
    return int.from_bytes(data[pos : pos + width], "big")


def jpeg_payload_size(data):
    """Header-less JPEG size: entropy-coded bytes of all scans (see module doc)."""
    data = as_bytes(data)
    n = len(data)
    if data[:2] != b"\xff\xd8":
        raise BitstreamError(f"not a JPEG file: starts with {data[:2].hex() or 'nothing'}, expected ffd8")
    pos, total, scans = 2, 0, 0
    while True:
        if pos >= n:
            raise BitstreamError("truncated JPEG: no EOI marker")
        if data[pos] != 0xFF:
            raise BitstreamError(f"corrupt JPEG: expected a marker at offset {pos}, got byte {data[pos]:#04x}")
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= n:
            raise BitstreamError("truncated JPEG: no EOI marker")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # TEM, stray RSTn: no length
            continue
        if marker in (0x00, 0xD8):
            raise BitstreamError(f"corrupt JPEG: unexpected marker ff{marker:02x} at offset {pos - 2}")
        length = _be(data, pos, 2, "JPEG marker segment length")
        if length < 2 or pos + length > n:
            raise BitstreamError(
                f"corrupt JPEG: segment ff{marker:02x} at offset {pos - 2} claims length {length}"
            )
        pos += length
        if marker != 0xDA:  # not SOS
            continue
        scans += 1
        start = pos
        while True:
            i = data.find(b"\xff", pos)
            if i < 0 or i + 1 >= n:
                raise BitstreamError("truncated JPEG: scan data runs to end of file")
            following = data[i + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                pos = i + 2  # stuffed byte or restart marker: still scan data
                continue
            pos = i
            break
        total += pos - start
    if scans == 0:
        raise BitstreamError("corrupt JPEG: no SOS (start of scan) segment")
    return total


def webp_payload_size(data):
    """Header-less WebP size: VP8 chunk payload minus its 10-byte frame header."""
    data = as_bytes(data)
    n = len(data)
    if n < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise BitstreamError("not a WebP file: missing RIFF....WEBP signature")
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > n:
        raise BitstreamError(f"truncated WebP: RIFF size says {end} bytes, file has {n}")
    pos, seen, vp8 = 12, [], None
    while pos + 8 <= end:
        fourcc = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        start = pos + 8
        if start + size > end:
            raise BitstreamError(
                f"truncated WebP: chunk {fourcc!r} at offset {pos} claims {size} bytes"
            )
        seen.append(fourcc)
        if fourcc == b"VP8 ":
            if vp8 is not None:
                raise BitstreamError("unsupported WebP: more than one VP8 chunk")
            vp8 = (start, size)
        pos = start + size + (size & 1)
    if vp8 is None:
        if b"VP8L" in seen:
            raise BitstreamError("unsupported WebP: lossless (VP8L) bitstream, expected lossy VP8")
        if b"ANIM" in seen or b"ANMF" in seen:
            raise BitstreamError("unsupported WebP: animated file, expected a single VP8 frame")
        raise BitstreamError(f"unsupported WebP: no VP8 chunk (chunks: {[c.decode('latin-1') for c in seen]})")
    start, size = vp8
    if size < 10 or data[start + 3 : start + 6] != b"\x9d\x01\x2a":
        raise BitstreamError("corrupt WebP: VP8 chunk does not start with a key-frame header")
    return size - 10


def iter_isobmff_boxes(data, start=0, end=None):
    """Yield ``(box_type, payload_start, payload_end)`` for boxes in data[start:end]."""
    data = as_bytes(data)
    end = len(data) if end is None else end
    pos = start
    while pos < end:
        size = _be(data, pos, 4, "box size")
        box_type = data[pos + 4 : pos + 8]
        if len(box_type) < 4:
            raise BitstreamError(f"truncated box header at offset {pos}")
        header = 8
        if size == 1:
            size = _be(data, pos + 8, 8, "64-bit box size")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise BitstreamError(
                f"corrupt box {box_type!r} at offset {pos}: size {size} does not fit the file"
            )
        yield box_type, pos + header, pos + size
        pos += size


def avif_payload_size(data):
    """Header-less AVIF size: payload of the top-level ``mdat`` box(es)."""
    data = as_bytes(data)
    if data[4:8] != b"ftyp":
        raise BitstreamError("not an AVIF/ISOBMFF file: first box is not ftyp")
    total, found = 0, False
    for box_type, start, stop in iter_isobmff_boxes(data):
        if box_type == b"mdat":
            total += stop - start
            found = True
    if not found:
        raise BitstreamError("corrupt AVIF: no mdat box")
    return total


def _j2k_codestream(data):
    if data.startswith(_JP2_SIGNATURE):
        for box_type, start, stop in iter_isobmff_boxes(data):
            if box_type == b"jp2c":
                return data[start:stop]
        raise BitstreamError("corrupt JP2: no jp2c (codestream) box")
    return data


def jpeg2000_payload_size(data):
    """Header-less JPEG 2000 size: tile-part data after each SOD (see module doc)."""
    data = _j2k_codestream(as_bytes(data))
    n = len(data)
    if data[:2] != b"\xff\x4f":
        raise BitstreamError("not a JPEG 2000 codestream: missing SOC marker ff4f")
    pos, total, parts = 2, 0, 0
    while True:
        marker = _be(data, pos, 2, "JPEG 2000 marker")
        if marker == 0xFFD9:  # EOC
            break
        if marker >> 8 != 0xFF:
            raise BitstreamError(f"corrupt JPEG 2000: expected a marker at offset {pos}")
        if marker != 0xFF90:  # main-header marker segment
            pos += 2 + _be(data, pos + 2, 2, "marker segment length")
            continue
        sot = pos
        lsot = _be(data, pos + 2, 2, "SOT length")
        psot = _be(data, pos + 6, 4, "SOT Psot")
        pos += 2 + lsot
        while True:  # tile-part header up to SOD
            marker = _be(data, pos, 2, "tile-part header marker")
            if marker == 0xFF93:
                pos += 2
                break
            pos += 2 + _be(data, pos + 2, 2, "marker segment length")
        if psot == 0:
            if data[-2:] != b"\xff\xd9":
                raise BitstreamError("corrupt JPEG 2000: Psot = 0 but no EOC at end of file")
            stop = n - 2
        else:
            stop = sot + psot
        if stop < pos or stop > n:
            raise BitstreamError(
                f"corrupt JPEG 2000: tile-part at offset {sot} claims Psot={psot}, file has {n} bytes"
            )
        total += stop - pos
        parts += 1
        pos = stop
    if parts == 0:
        raise BitstreamError("corrupt JPEG 2000: no tile-part (SOT) in codestream")
    return total
