"""compress(..., monotone=True): the stream states its best cut, so quality never falls with bytes."""

import numpy as np
import pytest

from conftest import make_codec
from conftest import synthetic_images
from residual_compression import bitstream
from residual_compression import monotone_budget
from residual_compression.errors import ResidualCompressionError
from residual_compression.evaluation.metrics import patch_ssim

BUDGETS = range(1, 41)


@pytest.fixture(scope="module")
def codec():
    return make_codec("conv_lstm")


@pytest.fixture(scope="module")
def images():
    return synthetic_images(3, seed=11)


def _qualities(codec, images, **kwargs):
    streams = [codec.compress(images, num_bytes=n, **kwargs) for n in BUDGETS]
    return np.array([patch_ssim(images, codec.decompress(s)) for s in streams])


def test_quality_never_falls_as_the_budget_grows(codec, images):
    plain = _qualities(codec, images, format=2)
    monotone = _qualities(codec, images, monotone=True)
    # Without it quality does fall somewhere (else this test could not see a difference) ...
    assert (np.diff(plain, axis=0) < 0).any()
    # ... with it never, and it is the running maximum of the plain cuts' quality or better.
    assert (np.diff(monotone, axis=0) >= 0).all()
    assert (monotone >= plain - 1e-12).mean() > 0.9


def test_payload_is_exactly_the_budget_and_decodes_strictly(codec, images):
    streams = codec.compress(images, num_bytes=37, monotone=True)
    for stream in streams:
        header = bitstream.read_header(stream)
        assert header.version == 2 and len(stream) - header.size == 37
    np.testing.assert_array_equal(codec.decompress(streams, strict=True), codec.decompress(streams))


def test_payload_of_a_budget_is_a_prefix_of_a_larger_budgets(codec, images):
    # The guarantee rests on P[:N] not depending on N (the range coder's closing words lie past it).
    small = codec.compress(images, num_bytes=17, monotone=True)
    large = codec.compress(images, num_bytes=60, monotone=True)
    for a, b in zip(small, large):
        assert b[codec.stream_header_size(b) :].startswith(a[codec.stream_header_size(a) :])


def test_stated_cut_is_the_best_of_every_cut(codec, images):
    budget = 29
    stream = codec.compress(images[:1], num_bytes=budget, monotone=True)[0]
    # The whole payload coded once, cut at every byte and decoded as a receiver would:
    coded, count, _ = monotone_budget._payloads(codec, images[:1], budget, 32, 32)[0]
    head = bitstream.pack_header(codec.model_id, 32, 32, version=2, context=codec.context_model.ident, count=count)
    cuts = codec.decompress([head + coded[:m] for m in range(budget + 1)])
    best = patch_ssim(np.repeat(images[:1], len(cuts), axis=0), cuts).max()
    assert patch_ssim(images[:1], codec.decompress(stream)[None])[0] == pytest.approx(best, abs=1e-12)


def test_grey_images_stay_grey(codec):
    grey = np.repeat(synthetic_images(1, seed=12)[..., :1], 3, axis=-1)
    stream = codec.compress(grey, num_bytes=24, monotone=True)[0]
    assert bitstream.read_header(stream).grey
    out = codec.decompress(stream)
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()


def test_a_budget_past_the_last_iteration_gives_the_whole_stream(codec, images):
    whole = codec.compress(images[:1], iterations=codec.max_iterations)[0]
    big = len(whole) + 50
    stream = codec.compress(images[:1], num_bytes=big, monotone=True)[0]
    assert len(stream) - bitstream.read_header(stream).size <= len(whole) - bitstream.read_header(whole).size + 1
    assert patch_ssim(images[:1], codec.decompress(stream)[None])[0] >= patch_ssim(
        images[:1], codec.decompress(whole)[None]
    )[0] - 1e-12


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_bytes": 32, "format": 1}, "format=1"),
        ({"iterations": 2}, "iterations=2"),
        ({}, "test_conv_lstm has no default budget"),
        ({"bpp": 0.5, "quality": "max"}, "quality='max'"),
        ({"num_bytes": monotone_budget.MAX_BYTES + 1}, str(monotone_budget.MAX_BYTES + 1)),
        ({"num_bytes": 32, "monotone": 1}, "received: 1"),
    ],
)
def test_bad_arguments_name_themselves(codec, images, kwargs, message):
    kwargs = {"monotone": True, **kwargs}
    with pytest.raises(ResidualCompressionError, match=message):
        codec.compress(images[:1], **kwargs)


def test_search_is_refused(codec, images):
    with pytest.raises(ResidualCompressionError, match="search_steps=3"):
        codec.replace(search_steps=3).compress(images[:1], num_bytes=32, monotone=True)


def test_cuts_scored_in_chunks_pick_the_same_streams(codec, monkeypatch):
    images = synthetic_images(2, 40, 48, seed=13)  # not a multiple of the block: padded
    whole = codec.compress(images, num_bytes=30, monotone=True)
    monkeypatch.setattr(monotone_budget, "_PIXELS_PER_CALL", 3 * 40 * 48)  # three cuts at a time
    assert codec.compress(images, num_bytes=30, monotone=True) == whole
