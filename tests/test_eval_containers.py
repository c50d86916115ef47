"""Tests of the header-less size parsers (paper sec. 4.3)."""

import io
import struct

import pytest
from PIL import Image, features

from residual_compression.errors import BitstreamError
from residual_compression.evaluation import containers
from conftest import synthetic_images

IMAGE = synthetic_images(1, seed=11)[0]
needs_avif = pytest.mark.skipif(not features.check("avif"), reason="this Pillow build has no AVIF support")


def _save(fmt, **options):
    buffer = io.BytesIO()
    Image.fromarray(IMAGE).save(buffer, fmt, **options)
    return buffer.getvalue()


def _manual_baseline_jpeg_payload(data):
    """Walk marker segments by their lengths up to SOS; scan data runs to the final EOI."""
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    pos = 2
    while True:
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        pos += 2 + length
        if marker == 0xDA:
            return len(data) - 2 - pos


@pytest.mark.parametrize("quality", [1, 30, 75, 95])
@pytest.mark.parametrize("optimize", [False, True])
def test_jpeg_payload_matches_manual_marker_scan(quality, optimize):
    data = _save("JPEG", quality=quality, optimize=optimize)
    payload = containers.jpeg_payload_size(data)
    assert 0 < payload < len(data)
    assert payload == _manual_baseline_jpeg_payload(data)


def test_progressive_jpeg_counts_every_scan():
    data = _save("JPEG", quality=80, progressive=True)
    baseline = containers.jpeg_payload_size(_save("JPEG", quality=80))
    payload = containers.jpeg_payload_size(data)
    assert data.count(b"\xff\xda") > 1
    assert 0 < payload < len(data)
    # The same coefficients, coded in several scans: close to the baseline
    # size (counting only the first scan would give far less).
    assert 0.7 * baseline < payload < 1.3 * baseline


def test_jpeg_restart_markers_are_scan_data():
    plain = _save("JPEG", quality=80)
    with_rst = _save("JPEG", quality=80, restart_marker_blocks=1)
    assert containers.jpeg_payload_size(with_rst) > containers.jpeg_payload_size(plain)


@pytest.mark.parametrize("bad", [b"", b"garbage", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"\xff\xd8\xff\xd9"])
def test_jpeg_rejects_bad_data(bad):
    with pytest.raises(BitstreamError):
        containers.jpeg_payload_size(bad)


def test_jpeg_rejects_truncated_scan():
    data = _save("JPEG", quality=50)
    with pytest.raises(BitstreamError, match="truncated"):
        containers.jpeg_payload_size(data[:-2])


def test_webp_payload_is_vp8_chunk_minus_frame_header():
    data = _save("WEBP", quality=50, method=6)
    assert data[12:16] == b"VP8 "
    chunk = struct.unpack("<I", data[16:20])[0]
    payload = containers.webp_payload_size(data)
    assert payload == chunk - 10
    assert 0 < payload < len(data)


def test_webp_extended_file_with_vp8_chunk():
    plain = _save("WEBP", quality=50, method=6)
    extended = _save("WEBP", quality=50, method=6, icc_profile=b"\x00" * 64)
    assert extended[12:16] == b"VP8X"
    assert containers.webp_payload_size(extended) == containers.webp_payload_size(plain)


def test_webp_rejects_lossless_and_garbage():
    with pytest.raises(BitstreamError, match="VP8L"):
        containers.webp_payload_size(_save("WEBP", lossless=True))
    with pytest.raises(BitstreamError, match="RIFF"):
        containers.webp_payload_size(b"RIFX0000WEBP")
    data = _save("WEBP", quality=50)
    with pytest.raises(BitstreamError, match="truncated"):
        containers.webp_payload_size(data[:-5])


def _j2k(**options):
    return _save("JPEG2000", no_jp2=True, irreversible=True, mct=1, quality_mode="dB", quality_layers=[30.0], num_resolutions=3, **options)


def test_jpeg2000_single_tile_uses_psot():
    data = _j2k()
    sot = data.find(b"\xff\x90")
    psot = struct.unpack(">I", data[sot + 6 : sot + 10])[0]
    sod = data.find(b"\xff\x93", sot)
    payload = containers.jpeg2000_payload_size(data)
    assert payload == psot - (sod + 2 - sot)
    assert 0 < payload < len(data)


def test_jpeg2000_several_tiles_and_jp2_wrapper():
    tiled = _j2k(tile_size=(16, 16))
    assert tiled.count(b"\xff\x90") >= 4
    assert 0 < containers.jpeg2000_payload_size(tiled) < len(tiled)
    raw = _j2k()
    wrapped = _save("JPEG2000", irreversible=True, mct=1, quality_mode="dB", quality_layers=[30.0], num_resolutions=3)
    assert wrapped[4:8] == b"jP  "
    assert containers.jpeg2000_payload_size(wrapped) == containers.jpeg2000_payload_size(raw)


def test_jpeg2000_rejects_bad_data():
    with pytest.raises(BitstreamError, match="SOC"):
        containers.jpeg2000_payload_size(b"\x00\x01\x02")
    data = _j2k()
    with pytest.raises(BitstreamError):
        containers.jpeg2000_payload_size(data[: len(data) // 2])


@needs_avif
def test_avif_payload_is_mdat():
    data = _save("AVIF", quality=50, speed=6, max_threads=1)
    payload = containers.avif_payload_size(data)
    mdat = data.find(b"mdat")
    size = struct.unpack(">I", data[mdat - 4 : mdat])[0]
    assert payload == size - 8
    assert 0 < payload < len(data)


def test_isobmff_large_and_open_ended_boxes():
    ftyp = struct.pack(">I4s4sI4s", 20, b"ftyp", b"avif", 0, b"avif")
    large = struct.pack(">I4sQ", 1, b"mdat", 16 + 5) + b"12345"
    assert containers.avif_payload_size(ftyp + large) == 5
    open_ended = struct.pack(">I4s", 0, b"mdat") + b"abc"
    assert containers.avif_payload_size(ftyp + open_ended) == 3
    with pytest.raises(BitstreamError, match="mdat"):
        containers.avif_payload_size(ftyp)
    with pytest.raises(BitstreamError, match="does not fit"):
        containers.avif_payload_size(ftyp + struct.pack(">I4s", 100, b"mdat"))


def test_parsers_require_bytes():
    for parse in (containers.jpeg_payload_size, containers.webp_payload_size, containers.jpeg2000_payload_size, containers.avif_payload_size):
        with pytest.raises(TypeError, match="data must be bytes, got str"):
            parse("not bytes")
    assert containers.jpeg_payload_size(bytearray(_save("JPEG"))) > 0
