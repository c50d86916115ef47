"""Tests of residual_compression.images on files: load (formats, EXIF, broken and hostile
files), save and list (all files are made in tmp_path)."""

import pathlib
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from residual_compression import images
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError
from residual_compression.images import IMAGE_EXTENSIONS
from residual_compression.images import list_image_files
from residual_compression.images import load_image
from residual_compression.images import save_image

# tests/ has no __init__.py: pytest puts this folder on sys.path.
from image_helpers import check_rgb  # noqa: E402
from image_helpers import palette_image  # noqa: E402
from image_helpers import rgb_pattern  # noqa: E402


# ------------------------------------------------------------------- files


def file_info(path):
    """(format, mode, info) of an image file, closing it again."""
    with Image.open(path) as image:
        return image.format, image.mode, dict(image.info)


def save(image, path, **kwargs):
    image.save(path, **kwargs)
    return path


@pytest.mark.parametrize("extension", [".png", ".bmp", ".ppm", ".tiff", ".webp", ".gif"])
def test_load_lossless_formats(tmp_path, extension):
    array = rgb_pattern(5, 9, seed=3)
    image = Image.fromarray(array)
    if extension == ".gif":  # GIF is palette-based; use few colours
        array = np.zeros((5, 9, 3), np.uint8)
        array[1:3, 2:7] = (255, 0, 0)
        image = Image.fromarray(array)
    options = {"lossless": True} if extension == ".webp" else {}
    path = save(image, tmp_path / f"img{extension}", **options)
    result = load_image(path)
    check_rgb(result, 5, 9)
    np.testing.assert_array_equal(result, array)


@pytest.mark.parametrize("extension", [".jpg", ".j2k", ".jp2"])
def test_load_other_formats(tmp_path, extension):
    array = np.full((16, 24, 3), (30, 160, 220), np.uint8)
    path = save(Image.fromarray(array), tmp_path / f"img{extension}")
    result = load_image(str(path))
    check_rgb(result, 16, 24)
    assert np.abs(result.astype(int) - array).max() <= 4


def test_load_pgm_grey(tmp_path):
    grey = np.arange(20, dtype=np.uint8).reshape(4, 5) * 12
    path = save(Image.fromarray(grey), tmp_path / "g.pgm")
    np.testing.assert_array_equal(load_image(path), np.dstack([grey] * 3))


def test_load_rgba_png_drops_alpha(tmp_path):
    rgba = np.dstack([rgb_pattern(3, 4), np.full((3, 4), 0, np.uint8)])
    path = save(Image.fromarray(rgba), tmp_path / "a.png")
    np.testing.assert_array_equal(load_image(path), rgba[:, :, :3])


def test_load_palette_png_with_transparency(tmp_path):
    image, expected = palette_image()
    path = save(image, tmp_path / "p.png", transparency=1)
    assert file_info(path)[2].get("transparency") is not None
    np.testing.assert_array_equal(load_image(path), expected)


def test_load_cmyk_jpeg(tmp_path):
    image = Image.new("CMYK", (16, 16), (255, 0, 0, 0))  # cyan
    path = save(image, tmp_path / "cmyk.jpg", quality=100)
    assert file_info(path)[1] == "CMYK"
    result = load_image(path)
    check_rgb(result, 16, 16)
    assert np.abs(result.astype(int) - [0, 255, 255]).max() <= 3


def test_load_16_bit_grey_png(tmp_path):
    values = np.array([[0, 128, 129, 257], [32896, 65278, 65535, 1000]], np.uint16)
    path = save(Image.fromarray(values), tmp_path / "deep.png")
    result = load_image(path)
    check_rgb(result, 2, 4)
    expected = np.round(values / 257).astype(np.uint8)
    np.testing.assert_array_equal(result[:, :, 0], expected)
    np.testing.assert_array_equal(result[:, :, 2], expected)


def write_png_rgb16(path, values):
    """Write a 16-bit-per-channel RGB PNG by hand (Pillow cannot)."""
    height, width, _ = values.shape

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in values)
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    return path


def test_load_16_bit_rgb_png(tmp_path):
    values = np.zeros((2, 3, 3), np.uint16)
    values[0, 0] = (65535, 0, 32896)
    values[1, 2] = (257 * 100, 257 * 200, 257 * 7)
    result = load_image(write_png_rgb16(tmp_path / "rgb48.png", values))
    check_rgb(result, 2, 3)
    assert np.abs(result.astype(int) - np.round(values / 257)).max() <= 1


@pytest.mark.parametrize(
    "orientation, transform",
    [(6, lambda a: np.rot90(a, k=-1)), (8, lambda a: np.rot90(a, k=1)), (3, lambda a: a[::-1, ::-1])],
)
def test_load_applies_exif_orientation(tmp_path, orientation, transform):
    stored = np.zeros((16, 32, 3), np.uint8)  # height 16, width 32
    stored[:8, :8] = (255, 0, 0)  # red block at the top left of the stored pixels
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = save(Image.fromarray(stored), tmp_path / "rotated.jpg", exif=exif, quality=100)
    result = load_image(path)
    expected = transform(stored)
    assert result.shape == expected.shape
    if orientation in (6, 8):
        assert result.shape == (32, 16, 3)
    assert np.abs(result.astype(int) - expected).mean() < 8
    red = np.argwhere(result[:, :, 0] > 128)
    expected_red = np.argwhere(expected[:, :, 0] > 128)
    assert red.min(axis=0).tolist() == expected_red.min(axis=0).tolist()


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (13, 1), (3, 5), (17, 31)])
def test_load_small_and_odd_sizes(tmp_path, shape):
    array = rgb_pattern(*shape, seed=5)
    path = save(Image.fromarray(array), tmp_path / "odd.png")
    np.testing.assert_array_equal(load_image(path), array)


def test_extension_does_not_matter(tmp_path):
    array = rgb_pattern(4, 4)
    png_named_jpg = save(Image.fromarray(array), tmp_path / "really_png.jpg", format="PNG")
    np.testing.assert_array_equal(load_image(png_named_jpg), array)
    no_extension = save(Image.fromarray(array), tmp_path / "noext", format="PNG")
    np.testing.assert_array_equal(load_image(no_extension), array)
    bmp_named_png = save(Image.fromarray(array), tmp_path / "bmp.PNG", format="BMP")
    np.testing.assert_array_equal(load_image(bmp_named_png), array)


def test_load_missing_file(tmp_path):
    path = tmp_path / "nowhere_42.png"
    with pytest.raises(ImageInputError, match="nowhere_42.png.*not found"):
        load_image(path)


def test_load_directory(tmp_path):
    folder = tmp_path / "folder_x.png"
    folder.mkdir()
    with pytest.raises(ImageInputError, match="folder_x.png.*directory"):
        load_image(folder)


def test_load_zero_byte_file(tmp_path):
    path = tmp_path / "zero_bytes.png"
    path.write_bytes(b"")
    with pytest.raises(ImageInputError, match="zero_bytes.png.*empty"):
        load_image(path)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_load_truncated_png(tmp_path, keep):
    full = save(Image.fromarray(rgb_pattern(64, 64)), tmp_path / "full.png")
    data = full.read_bytes()
    path = tmp_path / "cut_short.png"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ImageInputError, match="cut_short.png") as info:
        load_image(path)
    assert "\n" not in str(info.value)


def test_load_truncated_header(tmp_path):
    path = tmp_path / "stub.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ImageInputError, match="stub.png"):
        load_image(path)


@pytest.mark.parametrize("content", [b"hello world, not an image\n", b"P6\n", b"GIF89a", b"BM", b"\xff\xd8\xff"])
def test_load_non_image_file(tmp_path, content):
    path = tmp_path / "notes.png"
    path.write_bytes(content)
    with pytest.raises(ImageInputError, match="notes.png") as info:
        load_image(path)
    assert "\n" not in str(info.value)


def test_load_random_garbage_only_raises_image_input_error(tmp_path):
    good = save(Image.fromarray(rgb_pattern(12, 12)), tmp_path / "good.png").read_bytes()
    good_jpg = save(Image.fromarray(rgb_pattern(12, 12)), tmp_path / "good.jpg").read_bytes()
    rng = np.random.default_rng(7)
    path = tmp_path / "mutant.img"
    for trial in range(60):
        data = bytearray(good if trial % 2 else good_jpg)
        for _ in range(rng.integers(1, 6)):
            data[rng.integers(len(data))] = rng.integers(0, 256)
        data = data[: rng.integers(1, len(data) + 1)]
        path.write_bytes(bytes(data))
        try:
            result = load_image(path)
        except ImageInputError as exc:
            assert "mutant.img" in str(exc)
        else:
            assert result.dtype == np.uint8 and result.ndim == 3 and result.shape[2] == 3


def test_load_decompression_bomb(tmp_path, monkeypatch):
    path = save(Image.fromarray(rgb_pattern(20, 20)), tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)  # 400 pixels: warning range
    with pytest.raises(ImageInputError, match="bomb.png.*too large"):
        load_image(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 400 > 2x: Pillow's error range
    with pytest.raises(ImageInputError, match="bomb.png.*too large"):
        load_image(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert load_image(path).shape == (20, 20, 3)


def test_load_odd_paths(tmp_path):
    with pytest.raises(ImageInputError, match="nul"):
        load_image(str(tmp_path / "bad\x00nul.png"))
    link = tmp_path / "dangling_link.png"
    link.symlink_to(tmp_path / "missing_target.png")
    with pytest.raises(ImageInputError, match="dangling_link.png.*not found"):
        load_image(link)


@pytest.mark.parametrize("path", [None, 3, b"/tmp/x.png"])
def test_load_rejects_non_paths(path):
    with pytest.raises(ImageInputError, match="path"):
        load_image(path)


# -------------------------------------------------------------------- save


def test_save_png_round_trip(tmp_path):
    array = rgb_pattern(7, 3)
    path = tmp_path / "out.png"
    save_image(path, array)
    assert file_info(path)[0] == "PNG"
    np.testing.assert_array_equal(load_image(path), array)


def test_save_without_extension_is_png(tmp_path):
    path = tmp_path / "out"
    save_image(str(path), rgb_pattern(2, 2))
    assert file_info(path)[0] == "PNG"


@pytest.mark.parametrize("extension, image_format", [(".jpg", "JPEG"), (".BMP", "BMP"), (".tif", "TIFF"), (".webp", "WEBP")])
def test_save_by_extension(tmp_path, extension, image_format):
    path = tmp_path / f"out{extension}"
    save_image(path, np.full((8, 8, 3), 100, np.uint8))
    assert file_info(path)[0] == image_format
    assert np.abs(load_image(path).astype(int) - 100).max() <= 3


def test_save_unknown_extension(tmp_path):
    with pytest.raises(ResidualCompressionError, match=r"\.xyz"):
        save_image(tmp_path / "out.xyz", rgb_pattern(2, 2))


@pytest.mark.parametrize(
    "array",
    [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4, 3), np.float32),
     np.zeros((0, 4, 3), np.uint8), [[0, 0, 0]], np.zeros((4, 4, 3), np.uint16)],
)
def test_save_rejects_bad_arrays(tmp_path, array):
    path = tmp_path / "bad.png"
    with pytest.raises(ImageInputError, match="array"):
        save_image(path, array)
    assert not path.exists()


# -------------------------------------------------------------------- list


def test_list_image_files(tmp_path):
    for name in ["b.png", "a.JPG", "c.jpeg", "d.TIFF", "e.webp", "notes.txt", ".hidden.png", "._a.png", "noext"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub.png").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.png").write_bytes(b"x")
    result = list_image_files(tmp_path)
    assert [p.name for p in result] == ["a.JPG", "b.png", "c.jpeg", "d.TIFF", "e.webp"]
    assert all(isinstance(p, pathlib.Path) and p.parent == tmp_path for p in result)
    assert list_image_files(str(tmp_path)) == result


def test_list_every_extension(tmp_path):
    for index, extension in enumerate(IMAGE_EXTENSIONS):
        (tmp_path / f"{index:02d}{extension.upper() if index % 2 else extension}").write_bytes(b"x")
    assert len(list_image_files(tmp_path)) == len(IMAGE_EXTENSIONS)


def test_list_missing_folder(tmp_path):
    with pytest.raises(ImageInputError, match="no_such_dir.*not found"):
        list_image_files(tmp_path / "no_such_dir")


def test_list_not_a_directory(tmp_path):
    path = tmp_path / "plain_file.png"
    path.write_bytes(b"x")
    with pytest.raises(ImageInputError, match="plain_file.png.*not a directory"):
        list_image_files(path)


def test_list_empty_folder(tmp_path):
    folder = tmp_path / "empty_dir"
    folder.mkdir()
    (folder / "readme.txt").write_text("hi")
    with pytest.raises(ImageInputError, match="empty_dir.*no image files"):
        list_image_files(folder)
