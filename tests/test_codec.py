"""The progressive codec on every architecture: sizes, prefix, determinism, inputs."""

import numpy as np
import pytest
from PIL import Image

from conftest import make_codec
from conftest import synthetic_images
from residual_compression import BitstreamError
from residual_compression import ImageInputError
from residual_compression import bitstream


def _iterations(codec, data):
    return (len(data) - bitstream.HEADER_SIZE) // codec.bytes_per_iteration(32, 32)


@pytest.mark.parametrize("num_bytes", [64, 128])
def test_exact_payload_size_at_budget(codec, case, num_bytes):
    if case.startswith("conv_autoencoder") and not case.endswith(f"_{num_bytes}B"):
        pytest.skip("a one-shot autoencoder has one budget")
    images = synthetic_images(3)
    streams = codec.compress(images, num_bytes=num_bytes)
    assert isinstance(streams, list) and len(streams) == 3
    for data in streams:
        header = bitstream.read_header(data)
        assert header.size == bitstream.HEADER_SIZE
        if header.version == 1:  # entropy coding would have cost this image iterations
            assert len(data) == bitstream.HEADER_SIZE + num_bytes
            continue
        payload = len(data) - header.size
        # Exactly the budget, or the whole stream of every iteration when shorter.
        assert payload == num_bytes or (payload < num_bytes and header.count == codec.max_iterations * 8 * codec.bytes_per_iteration(32, 32))
        assert len(codec.compress(images[:1], num_bytes=num_bytes, format=1)[0]) == bitstream.HEADER_SIZE + num_bytes
    recon = codec.decompress(streams)
    assert recon.shape == images.shape and recon.dtype == np.uint8


def test_sixteen_bytes_per_iteration_for_thumbnails(codec, case):
    expected = {"conv_autoencoder_64B": 64, "conv_autoencoder_128B": 128}.get(case, 16)
    assert codec.bytes_per_iteration(32, 32) == expected


def test_prefix_property(codec, case):
    if codec.max_iterations < 2:
        pytest.skip("single-iteration model")
    images = synthetic_images(2, seed=3)
    n, k = codec.max_iterations, 3
    full = codec.compress(images, iterations=n, format=1)
    short = codec.compress(images, iterations=k, format=1)
    per = codec.bytes_per_iteration(32, 32)
    for f, s in zip(full, short):
        # The first k iterations of the n-iteration code are the k-iteration code...
        assert f[: bitstream.HEADER_SIZE + k * per] == s
    # ...and decoding a prefix gives exactly the k-iteration decode.
    truncated = [f[: bitstream.HEADER_SIZE + k * per] for f in full]
    np.testing.assert_array_equal(codec.decompress(truncated), codec.decompress(short))
    np.testing.assert_array_equal(codec.decompress(full, iterations=k), codec.decompress(short))
    # Format 2 decodes the same bits to the same images.
    full2 = codec.compress(images, iterations=n)
    np.testing.assert_array_equal(codec.decompress(full2), codec.decompress(full))
    np.testing.assert_array_equal(codec.decompress(full2, iterations=k), codec.decompress(short))


def test_deterministic_and_batch_independent(codec):
    images = synthetic_images(5, seed=4)
    a = codec.compress(images, num_bytes=64 if codec.max_iterations > 1 else None)
    b = codec.compress(images, num_bytes=64 if codec.max_iterations > 1 else None)
    assert a == b
    one_by_one = [codec.compress(im, num_bytes=64 if codec.max_iterations > 1 else None) for im in images]
    assert one_by_one == a


def test_progressive_preview(codec):
    data = codec.compress(synthetic_images(1)[0], iterations=codec.max_iterations)
    previews = codec.progressive(data)
    assert previews.shape == (codec.max_iterations, 32, 32, 3)
    np.testing.assert_array_equal(previews[-1], codec.decompress(data))


def test_stream_of_other_model_rejected(codec, case):
    other = make_codec(case, model_id=codec.model_id + 1)
    data = other.compress(synthetic_images(1)[0], iterations=1)
    with pytest.raises(BitstreamError, match="model id"):
        codec.decompress(data)


@pytest.mark.parametrize("format", [1, 2])
def test_cut_streams_decode_unless_strict(codec, format):
    data = codec.compress(synthetic_images(1)[0], iterations=1, format=format)
    for cut in (0, 3):
        with pytest.raises(BitstreamError):
            codec.decompress(data[:cut])
    for cut in (bitstream.HEADER_SIZE, len(data) - 1):
        with pytest.raises(BitstreamError):
            codec.decompress(data[:cut], strict=True)
        assert codec.decompress(data[:cut]).shape == (32, 32, 3)


@pytest.mark.parametrize("size", [(1, 1), (33, 47), (9, 8)])
def test_odd_sizes_round_trip(size):
    for case in ("conv_lstm", "fc_lstm"):
        codec = make_codec(case)
        height, width = size
        image = synthetic_images(1, height, width)[0]
        data = codec.compress(image, iterations=2)
        recon = codec.decompress(data)
        assert recon.shape == (height, width, 3)
        header = bitstream.read_header(data)
        assert (header.width, header.height) == (width, height)
        data = codec.compress(image, iterations=2, format=1)
        assert len(data) == bitstream.HEADER_SIZE + 2 * codec.bytes_per_iteration(height, width)


def test_large_image_fully_convolutional():
    codec = make_codec("conv_lstm")
    image = synthetic_images(1, 512, 768)[0]
    data = codec.compress(image, iterations=1, format=1)
    assert codec.decompress(data).shape == (512, 768, 3)
    # 768x512 at 2 bits per 4x4 block: 768 * 512 / 8 / 8 bytes per iteration.
    assert len(data) == bitstream.HEADER_SIZE + 768 * 512 // 64


def test_mixed_sizes_in_one_batch():
    codec = make_codec("conv_residual_shared")
    images = [synthetic_images(1, 32, 32)[0], synthetic_images(1, 20, 12)[0]]
    streams = codec.compress(images, iterations=2)
    out = codec.decompress(streams)
    assert [o.shape for o in out] == [(32, 32, 3), (20, 12, 3)]


def test_image_modes_accepted():
    codec = make_codec("conv_lstm")
    rgb = synthetic_images(1)[0]
    rgba = np.concatenate([rgb, np.full((32, 32, 1), 7, np.uint8)], -1)
    grey = rgb[..., 0]
    palette = Image.fromarray(rgb).convert("P")
    expected = codec.compress(rgb, iterations=1)
    assert codec.compress(rgba, iterations=1) == expected  # alpha dropped
    assert codec.compress(Image.fromarray(rgb), iterations=1) == expected
    grey_data = codec.compress(grey, iterations=1)
    assert grey_data == codec.compress(np.repeat(grey[..., None], 3, -1), iterations=1)
    assert codec.decompress(codec.compress(palette, iterations=1)).shape == (32, 32, 3)


def test_grey_images_decode_grey():
    codec = make_codec("conv_lstm")
    grey = synthetic_images(1)[0][..., 1]
    data = codec.compress(grey, iterations=2)
    assert bitstream.read_header(data).grey
    out = codec.decompress(data)
    assert out.shape == (32, 32, 3)
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
    assert not bitstream.read_header(codec.compress(synthetic_images(1)[0], iterations=2)).grey


def test_bpp_budget_scales_with_the_image():
    codec = make_codec("conv_lstm")
    small, large = synthetic_images(1, 32, 32)[0], synthetic_images(1, 64, 96)[0]
    for image in (small, large):
        data = codec.compress(image, bpp=0.5)
        header = bitstream.read_header(data)
        assert len(data) - header.size == image.shape[0] * image.shape[1] * 0.5 / 8
    with pytest.raises(ValueError, match="bpp.*-1"):
        codec.compress(small, bpp=-1)


def test_every_budget_fills_to_the_byte():
    codec = make_codec("conv_lstm")
    image = synthetic_images(1)[0]
    for num_bytes in (1, 5, 17, 40):
        data = codec.compress(image, num_bytes=num_bytes)
        assert len(data) - bitstream.read_header(data).size == num_bytes
        assert codec.decompress(data, strict=True).shape == (32, 32, 3)


def test_bad_arguments_name_the_value():
    codec = make_codec("conv_lstm")
    image = synthetic_images(1)[0]
    with pytest.raises(ValueError, match="num_bytes.*0"):
        codec.compress(image, num_bytes=0)
    with pytest.raises(ValueError, match="format.*3"):
        codec.compress(image, format=3)
    with pytest.raises(ValueError, match="iterations.*99"):
        codec.compress(image, iterations=99)
    with pytest.raises(ValueError, match="one of"):
        codec.compress(image, num_bytes=64, iterations=4)
    with pytest.raises(ImageInputError):
        codec.compress(np.zeros((32, 32, 3), np.float32))
    with pytest.raises(ImageInputError):
        codec.compress([])
    with pytest.raises(BitstreamError):
        codec.decompress("not bytes")


def test_decoder_refuses_oversized_claims_without_allocating():
    codec = make_codec("conv_lstm")
    huge = bitstream.pack_header(codec.model_id, 65535, 65535) + b"\x00" * 64
    with pytest.raises(BitstreamError):
        codec.decompress(huge)


def test_compatible_ids_decode_each_other():
    from residual_compression.codec import ProgressiveCodec

    a = make_codec("conv_lstm", model_id=13)
    b = ProgressiveCodec(a.model, model_id=14, compatible_ids=(13,))
    data = a.compress(synthetic_images(1)[0], iterations=2)
    np.testing.assert_array_equal(b.decompress(data), a.decompress(data))


def test_quality_mode_assigns_iterations_per_block():
    codec = make_codec("conv_lstm")
    image = synthetic_images(1, 64, 96)[0]
    low = codec.compress(image, quality=1, quality_metric="psnr")  # one iteration is enough everywhere
    high = codec.compress(image, quality=100, quality_metric="psnr")  # never reached: every iteration
    assert bitstream.read_header(low).block == 8 and bitstream.read_header(low).map_iterations == codec.max_iterations
    assert len(low) < len(high)
    np.testing.assert_array_equal(codec.decompress(low), codec.decompress(codec.compress(image, iterations=1)))
    assert codec.decompress(high).shape == (64, 96, 3)
    assert codec.compress(image, quality=0.5, block=16)
    with pytest.raises(ValueError, match="quality.*1.5"):
        codec.compress(image, quality=1.5)
    with pytest.raises(ValueError, match="block.*30"):
        codec.compress(image, quality=0.5, block=30)
    with pytest.raises(ValueError, match="`block` must be a multiple of 8 pixels for patch SSIM, received: 12"):
        codec.compress(image, quality=0.5, block=12)  # a multiple of the model's 4 px, but not of a patch
    assert codec.compress(image, quality=30, quality_metric="psnr", block=12)
    with pytest.raises(ValueError, match="format 2"):
        codec.compress(image, quality=0.5, format=1)
    with pytest.raises(ValueError, match="max"):
        codec.compress(image, quality=0.5, num_bytes=40)
    for budget in (120, 400):
        data = codec.compress(image, quality="max", num_bytes=budget)
        header = bitstream.read_header(data)
        assert header.block == 8 and len(data) - header.size <= budget
        assert codec.decompress(data).shape == (64, 96, 3)


def test_stream_header_size_is_each_streams_own():
    from conftest import make_codec
    from residual_compression.images import synthetic_images

    codec = make_codec("conv_lstm")
    thumb = codec.compress(synthetic_images(1)[0], num_bytes=20)
    assert codec.stream_header_size(thumb) == 8 and len(thumb) == 28
    big = codec.compress(synthetic_images(1, 256, 384)[0], num_bytes=300)
    assert codec.stream_header_size(big) > 8  # varint width, height and bit count grow
    assert len(big) - codec.stream_header_size(big) == 300
    assert codec.stream_header_size(codec.compress(synthetic_images(1)[0], iterations=1, format=1)) == 8
