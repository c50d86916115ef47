"""Tests of residual_compression.images (all images are made in tmp_path)."""

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
from residual_compression.images import resize_to
from residual_compression.images import save_image
from residual_compression.images import synthetic_images
from residual_compression.images import to_rgb_uint8


def rgb_pattern(height, width, seed=0):
    return synthetic_images(1, height, width, seed)[0]


def check_rgb(result, height, width):
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.uint8
    assert result.shape == (height, width, 3)
    assert result.flags["C_CONTIGUOUS"]


def test_all_names_exist():
    for name in images.__all__:
        assert hasattr(images, name)


# ---------------------------------------------------------------- Pillow modes


def test_pil_rgb():
    array = rgb_pattern(5, 7)
    result = to_rgb_uint8(Image.fromarray(array))
    check_rgb(result, 5, 7)
    np.testing.assert_array_equal(result, array)


def test_pil_rgba_drops_alpha():
    rgba = np.dstack([rgb_pattern(4, 6), np.array([[0, 255, 7, 128, 1, 0]] * 4, np.uint8)])
    image = Image.fromarray(rgba)
    assert image.mode == "RGBA"
    result = to_rgb_uint8(image)
    check_rgb(result, 4, 6)
    np.testing.assert_array_equal(result, rgba[:, :, :3])


@pytest.mark.parametrize("mode", ["L", "LA"])
def test_pil_grey_is_replicated(mode):
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    image = Image.fromarray(grey)
    if mode == "LA":
        image.putalpha(Image.new("L", image.size, 3))
    result = to_rgb_uint8(image)
    check_rgb(result, 3, 4)
    for channel in range(3):
        np.testing.assert_array_equal(result[:, :, channel], grey)


def test_pil_bilevel():
    image = Image.new("1", (3, 2), 0)
    image.putpixel((1, 0), 1)
    result = to_rgb_uint8(image)
    expected = np.zeros((2, 3, 3), np.uint8)
    expected[0, 1] = 255
    np.testing.assert_array_equal(result, expected)


def palette_image():
    image = Image.new("P", (3, 2), 0)
    image.putpalette([10, 20, 30, 200, 100, 50, 0, 255, 0])
    image.putpixel((1, 0), 1)
    image.putpixel((2, 1), 2)
    expected = np.tile(np.array([10, 20, 30], np.uint8), (2, 3, 1))
    expected[0, 1] = [200, 100, 50]
    expected[1, 2] = [0, 255, 0]
    return image, expected


@pytest.mark.parametrize("transparency", [None, 1, bytes([255, 0, 128])])
def test_pil_palette(transparency, recwarn):
    image, expected = palette_image()
    if transparency is not None:
        image.info["transparency"] = transparency
    np.testing.assert_array_equal(to_rgb_uint8(image), expected)
    assert not [w for w in recwarn if "ransparency" in str(w.message)]


def test_pil_palette_alpha_mode():
    image, expected = palette_image()
    pa = image.convert("PA")
    np.testing.assert_array_equal(to_rgb_uint8(pa), expected)


def test_pil_cmyk():
    image = Image.new("CMYK", (2, 1), (0, 0, 0, 0))
    image.putpixel((1, 0), (255, 0, 0, 0))
    result = to_rgb_uint8(image)
    np.testing.assert_array_equal(result, [[[255, 255, 255], [0, 255, 255]]])


@pytest.mark.parametrize("mode", ["I;16", "I;16B", "I;16L"])
def test_pil_16_bit_modes(mode):
    values = np.array([[0, 128, 129, 257], [32896, 65278, 65535, 1000]], np.uint16)
    byte_order = ">u2" if mode == "I;16B" else "<u2"
    image = Image.frombytes(mode, (4, 2), values.astype(byte_order).tobytes())
    assert image.mode == mode
    result = to_rgb_uint8(image)
    expected = np.round(values / 257).astype(np.uint8)
    assert expected[0].tolist() == [0, 0, 1, 1]
    for channel in range(3):
        np.testing.assert_array_equal(result[:, :, channel], expected)


def test_pil_mode_i():
    values = np.array([[0, 257, 65535]], np.int32)
    image = Image.fromarray(values)
    assert image.mode == "I"
    result = to_rgb_uint8(image)
    np.testing.assert_array_equal(result[0, :, 0], [0, 1, 255])
    with pytest.raises(ImageInputError, match="mode I.*-1"):
        to_rgb_uint8(Image.fromarray(np.array([[-1, 5]], np.int32)))
    with pytest.raises(ImageInputError, match="70000"):
        to_rgb_uint8(Image.fromarray(np.array([[70000]], np.int32)))


def test_pil_mode_f():
    values = np.array([[12.4, 12.6, 300.0, -5.0]], np.float32)
    image = Image.fromarray(values)
    assert image.mode == "F"
    result = to_rgb_uint8(image)
    np.testing.assert_array_equal(result[0, :, 1], [12, 13, 255, 0])
    with pytest.raises(ImageInputError, match="NaN"):
        to_rgb_uint8(Image.fromarray(np.array([[np.nan]], np.float32)), name="flt")


@pytest.mark.parametrize("mode", ["YCbCr", "HSV", "RGBa"])
def test_pil_other_colour_spaces(mode):
    array = np.full((4, 4, 3), (200, 80, 40), np.uint8)
    converted = Image.fromarray(array).convert(mode)
    result = to_rgb_uint8(converted)
    check_rgb(result, 4, 4)
    assert np.abs(result.astype(int) - array).max() <= 3


def test_pil_lab():
    image = Image.new("LAB", (2, 2), (128, 128, 128))
    check_rgb(to_rgb_uint8(image), 2, 2)


def test_pil_empty_image():
    with pytest.raises(ImageInputError, match="thumb.*empty"):
        to_rgb_uint8(Image.new("RGB", (0, 3)), name="thumb")


def test_result_does_not_share_memory():
    array = rgb_pattern(3, 3)
    result = to_rgb_uint8(array)
    assert not np.shares_memory(result, array)
    result[:] = 0
    assert array.any()


# ----------------------------------------------------------------- arrays


@pytest.mark.parametrize("shape", [(3, 5), (3, 5, 1), (3, 5, 3), (3, 5, 4)])
def test_array_uint8_shapes(shape):
    rng = np.random.default_rng(1)
    array = rng.integers(0, 256, shape, dtype=np.uint8)
    result = to_rgb_uint8(array)
    check_rgb(result, 3, 5)
    if len(shape) == 2:
        expected = np.dstack([array] * 3)
    elif shape[2] == 1:
        expected = np.dstack([array[:, :, 0]] * 3)
    else:
        expected = array[:, :, :3]
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("dtype", [np.uint16, ">u2"])
@pytest.mark.parametrize("shape", [(2, 4), (2, 4, 3), (2, 4, 4)])
def test_array_uint16(dtype, shape):
    base = np.array([0, 128, 129, 65535, 32896, 385, 386, 1000], np.uint16)
    array = np.resize(base, shape).astype(dtype)
    result = to_rgb_uint8(array)
    expected = np.round(array.astype(np.float64) / 257).astype(np.uint8)
    if len(shape) == 2:
        expected = np.dstack([expected] * 3)
    else:
        expected = expected[:, :, :3]
    np.testing.assert_array_equal(result, expected)
    assert to_rgb_uint8(np.array([[65535, 0, 128, 129, 385, 386]], np.uint16))[0, :, 0].tolist() == [
        255, 0, 0, 1, 1, 2,
    ]


def test_array_bool():
    array = np.array([[True, False], [False, True]])
    result = to_rgb_uint8(array)
    np.testing.assert_array_equal(result[:, :, 2], [[255, 0], [0, 255]])


def test_array_non_contiguous():
    array = rgb_pattern(6, 8)[::2, ::-1]
    result = to_rgb_uint8(array)
    check_rgb(result, 3, 8)
    np.testing.assert_array_equal(result, array)


def test_array_1x1():
    np.testing.assert_array_equal(to_rgb_uint8(np.array([[7]], np.uint8)), [[[7, 7, 7]]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_array_float_rejected(dtype):
    with pytest.raises(ImageInputError, match=r"pic.*float.*uint8"):
        to_rgb_uint8(np.zeros((2, 2, 3), dtype), name="pic")


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint32, np.complex64, object])
def test_array_other_dtypes_rejected(dtype):
    with pytest.raises(ImageInputError, match="dtype"):
        to_rgb_uint8(np.zeros((2, 2, 3), dtype))


@pytest.mark.parametrize("shape", [(4,), (2, 2, 2), (2, 2, 5), (2, 2, 3, 1), (0, 4, 3), (4, 0), ()])
def test_array_bad_shapes_rejected(shape):
    with pytest.raises(ImageInputError, match=r"my_input.*shape"):
        to_rgb_uint8(np.zeros(shape, np.uint8), name="my_input")


@pytest.mark.parametrize("value", [None, [[1, 2], [3, 4]], "image.png", 3, b"\x89PNG"])
def test_other_types_rejected(value):
    with pytest.raises(ImageInputError, match="PIL.Image.Image or a numpy array"):
        to_rgb_uint8(value)


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


# ------------------------------------------------------------------ resize


def test_resize_downsamples_without_keeping_aspect():
    array = rgb_pattern(64, 48)
    result = resize_to(array, (32, 32))
    check_rgb(result, 32, 32)


def test_resize_is_antialiased():
    checker = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)
    result = resize_to(checker, (8, 8))
    assert np.abs(result.astype(int) - 127).max() <= 3  # averaged, not aliased


def test_resize_preserves_flat_colour_and_upsamples():
    flat = np.full((5, 7, 3), (10, 200, 90), np.uint8)
    for size in [(3, 2), (20, 9), (1, 1)]:
        result = resize_to(flat, size)
        check_rgb(result, *size)
        assert np.abs(result.astype(int) - [10, 200, 90]).max() <= 1


def test_resize_same_size_is_a_copy():
    array = rgb_pattern(4, 5)
    result = resize_to(array, (4, 5))
    np.testing.assert_array_equal(result, array)
    assert not np.shares_memory(result, array)


def test_resize_accepts_pil_and_grey():
    assert resize_to(Image.new("L", (10, 10), 40), (2, 3)).shape == (2, 3, 3)


@pytest.mark.parametrize("size", [(0, 4), (4, -1), (4,), (4, 4, 4), (4.0, 4), (True, 4), "44", 4, (70000, 4), None])
def test_resize_rejects_bad_size(size):
    with pytest.raises(ResidualCompressionError, match="size"):
        resize_to(rgb_pattern(4, 4), size)


def test_resize_rejects_bad_array():
    with pytest.raises(ImageInputError):
        resize_to(np.zeros((4, 4), np.float32), (2, 2))


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
