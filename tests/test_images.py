"""Tests of residual_compression.images (all images are made in tmp_path)."""

import numpy as np
import pytest
from PIL import Image

from residual_compression import images
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError
from residual_compression.images import resize_to
from residual_compression.images import to_rgb_uint8

# tests/ has no __init__.py: pytest puts this folder on sys.path.
from image_helpers import check_rgb  # noqa: E402
from image_helpers import palette_image  # noqa: E402
from image_helpers import rgb_pattern  # noqa: E402


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
