"""Stream format 2: header varints and flags, entropy coding, any-prefix decoding."""

import numpy as np
import pytest

from conftest import make_codec
from residual_compression import bitstream
from residual_compression import context_tables
from residual_compression import entropy
from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError


def conv_shape(height, width):
    return height // 4, width // 4, 2


def random_bits(seed, shape, p_plus=0.5):
    rng = np.random.default_rng(seed)
    return np.where(rng.random(shape) < p_plus, 1, -1).astype(np.int8)


def smooth_bits(seed, shape):
    """Codes with structure (runs down the columns), as a smooth image's are."""
    rng = np.random.default_rng(seed)
    columns = np.repeat(np.where(rng.random((shape[0], 1) + shape[2:]) < 0.5, 1, -1), shape[1], axis=1)
    flips = rng.random(shape) < 0.05
    return np.where(flips, -columns, columns).astype(np.int8)


def decode(data, **kwargs):
    kwargs.setdefault("code_shape_fn", conv_shape)
    kwargs.setdefault("max_iterations", 8)
    return bitstream.decode_stream(data, **kwargs)


def test_thumbnail_header_is_eight_bytes():
    header = bitstream.pack_header(13, 32, 32, version=2, context=1, count=512)
    assert header == bytes.fromhex("5202100d20208004")
    parsed = bitstream.read_header(header)
    assert (parsed.version, parsed.context, parsed.count, parsed.size, parsed.grey) == (2, 1, 512, 8, False)
    assert bitstream.read_header(bitstream.pack_header(13, 32, 32, version=2, grey=True, count=1)).grey


@pytest.mark.parametrize(
    "header, message",
    [
        (bytes.fromhex("5202"), "shorter"),
        (bytes.fromhex("5202040d20208004"), "reserved"),
        (bytes.fromhex("5202000d8000208004"), "non-minimal"),
        (bytes.fromhex("520200ffffff"), "exceeds"),
        (bytes.fromhex("5202000d2020"), "ends inside"),
        (bytes.fromhex("5202000d002080"), "empty image|ends inside"),
        (bytes.fromhex("5202020d20208004"), "block side"),
        (bytes.fromhex("5202020d2020800408"), "block side"),
        (bytes.fromhex("5202020d202080040800"), "block map with block side 8, 0"),
    ],
)
def test_bad_headers_are_bitstream_errors(header, message):
    with pytest.raises(BitstreamError, match=message):
        bitstream.read_header(header)


def test_unknown_context_models_and_deep_block_maps_are_refused():
    with pytest.raises(BitstreamError, match="block map of up to 9"):
        decode(bitstream.pack_header(13, 32, 32, version=2, count=1, block=2, map_iterations=9) + b"\x00")
    with pytest.raises(BitstreamError, match="context model 9"):
        decode(bitstream.pack_header(13, 32, 32, version=2, count=1, context=9) + b"\x00")


@pytest.mark.parametrize("context", [0, 1])
@pytest.mark.parametrize("make", [random_bits, smooth_bits])
def test_round_trip(context, make):
    bits = make(context, (3, 8, 8, 2))
    data = bitstream.encode_stream2(13, 32, 32, bits, context=entropy.context_model(context))
    header, decoded = decode(data)
    assert header.count == bits.size and header.context == context
    np.testing.assert_array_equal(decoded, bits)


def test_structured_codes_take_fewer_bytes_than_raw():
    bits = smooth_bits(1, (4, 32, 32, 2))
    coded = bitstream.encode_stream2(13, 128, 128, bits)
    raw = bitstream.encode_stream(13, 128, 128, bits)
    assert len(coded) < 0.6 * len(raw)


def test_every_prefix_decodes_what_it_determines():
    bits = smooth_bits(2, (2, 8, 8, 2))
    data = bitstream.encode_stream2(13, 32, 32, bits)
    size = bitstream.read_header(data).size
    known = []
    for cut in range(size, len(data) + 1):
        _, decoded = decode(data[:cut])
        flat = decoded.reshape(-1)
        n = int(np.count_nonzero(flat))
        # The decoded bits are a prefix of the coding order, and correct.
        order = np.arange(bits.size).reshape(bits.shape).transpose(0, 1, 3, 2).reshape(-1)
        assert np.count_nonzero(flat[order[:n]]) == n
        np.testing.assert_array_equal(flat[order[:n]], bits.reshape(-1)[order[:n]])
        known.append(n)
    assert known == sorted(known) and known[-1] == bits.size
    with pytest.raises(BitstreamError, match="truncated"):
        decode(data[:-1], strict=True)


@pytest.mark.parametrize("num_bytes", [1, 7, 20, 33])
def test_budget_fills_to_the_byte(num_bytes):
    bits = random_bits(3, (4, 8, 8, 2))
    data = bitstream.encode_stream2(13, 32, 32, bits, num_bytes=num_bytes)
    header = bitstream.read_header(data)
    assert len(data) - header.size == num_bytes
    _, decoded = decode(data, strict=True)  # the count is exactly what the bytes determine
    assert np.count_nonzero(decoded) == header.count


def test_batch_decoding_equals_one_by_one():
    streams = [bitstream.encode_stream2(13, 32, 32, smooth_bits(s, (3, 8, 8, 2)), num_bytes=30) for s in range(4)]
    streams.append(bitstream.encode_stream2(13, 32, 32, random_bits(9, (2, 8, 8, 2))))
    together = bitstream.decode_streams(streams, code_shape_fn=conv_shape, max_iterations=8)
    for data, (header, bits) in zip(streams, together):
        one_header, one_bits = decode(data)
        assert header == one_header
        np.testing.assert_array_equal(bits, one_bits)


def test_count_and_payload_bounds():
    with pytest.raises(BitstreamError, match="more than the model's max_iterations"):
        decode(bitstream.pack_header(13, 32, 32, version=2, count=9 * 128) + b"\x00")
    with pytest.raises(BitstreamError, match="payload is"):
        decode(bitstream.pack_header(13, 32, 32, version=2, count=1) + bytes(100))
    # A zero count decodes to one iteration of no information.
    _, bits = decode(bitstream.pack_header(13, 32, 32, version=2, count=0))
    assert bits.shape == (1, 8, 8, 2) and not bits.any()


def test_encode_stream2_checks_its_arguments():
    with pytest.raises(ResidualCompressionError, match="num_bytes"):
        bitstream.encode_stream2(13, 32, 32, random_bits(0, (1, 8, 8, 2)), num_bytes=-1)
    with pytest.raises(ResidualCompressionError, match="only"):
        bitstream.encode_stream2(13, 32, 32, np.zeros((1, 8, 8, 2)))


def test_context_tables_pass_their_checksum_and_refit_the_same_way():
    models = context_tables.load()
    assert [m.ident for m in models] == sorted(context_tables.TABLES)
    conv_lstm = entropy.context_model(model_ids=(13,))
    assert conv_lstm.ident == 1 and 13 in conv_lstm.model_ids
    assert entropy.context_model(model_ids=(999,)).ident == 0
    ones, totals = context_tables.fit(smooth_bits(0, (2, 2, 8, 8, 2)))
    assert (ones <= totals).all() and totals.sum() == 2 * 2 * 8 * 8 * 2


@pytest.mark.parametrize("shape", [(3, 6, 7, 2), (9, 4, 5, 3), (2, 3, 4, 1)])
@pytest.mark.parametrize("masked", [False, True])
def test_vectorised_contexts_equal_the_decoders(shape, masked):
    bits = smooth_bits(5, shape)
    mask = np.random.default_rng(1).random(shape[:3]) < 0.7 if masked else None
    if masked:
        bits = np.where(mask[..., None], bits, 0).astype(np.int8)
    in_order, _ = entropy._order(shape, mask)
    plan = list(entropy._plan(shape, mask))
    # The decoder's state with every bit decoded; its first cell holds 1.
    t_max, h, w, channels = shape
    state = np.zeros((t_max + 1) * (h + 1) * (w + 2) * (channels + 2), np.int8)
    state[0] = 1
    state[np.concatenate([positions for _, positions, _ in plan])] = bits.reshape(-1)[in_order]
    contexts = np.concatenate([entropy._group_contexts(state, near, weights) for weights, _, near in plan])
    np.testing.assert_array_equal(contexts, entropy._all_contexts(bits).reshape(-1)[in_order])


def test_importing_the_coder_does_not_import_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys; import residual_compression.bitstream, residual_compression.entropy; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_block_map_round_trip_and_prefixes():
    from residual_compression import blockmap

    bits = smooth_bits(4, (4, 20, 24, 2))
    counts = np.random.default_rng(0).integers(1, 5, blockmap.grid_of((20, 24), 8))
    data = bitstream.encode_stream2(13, 96, 80, bits, block=8, block_counts=counts, context=entropy.context_model(1))
    header = bitstream.read_header(data)
    assert (header.block, header.map_iterations) == (8, 4)
    _, decoded = decode(data, strict=True)
    mask = blockmap.mask_of(counts, 8, 4, 20, 24)[: decoded.shape[0]]
    np.testing.assert_array_equal(decoded[..., 0] != 0, mask)
    np.testing.assert_array_equal(decoded[mask], bits[: decoded.shape[0]][mask])
    previous = -1
    for cut in range(header.size, len(data) + 1, 7):
        _, part = decode(data[:cut])
        assert np.count_nonzero(part) >= previous
        previous = np.count_nonzero(part)
    with pytest.raises(ResidualCompressionError, match="block_counts"):
        bitstream.encode_stream2(13, 96, 80, bits, block=8, block_counts=counts[:1])


def test_block_quality_and_counts():
    from residual_compression import blockmap

    reference = np.zeros((64, 64, 3), np.uint8)
    reference[:, 32:] = np.arange(32, dtype=np.uint8)[None, :, None] * 8
    noisy = np.clip(reference + np.random.default_rng(0).normal(0, 20, reference.shape), 0, 255).astype(np.uint8)
    quality = blockmap.block_quality(np.stack([noisy, reference]), reference, 32)
    assert quality.shape == (2, 2, 2) and np.allclose(quality[1], 1)
    assert blockmap.block_quality(reference, reference, 32, "psnr").min() > 99
    # The paper's patch SSIM per block: the blocks' mean is the image's score.
    from residual_compression.evaluation.metrics import patch_ssim

    assert quality[0].mean() == pytest.approx(patch_ssim(noisy, reference))
    assert blockmap.block_quality(noisy[:40, :48], reference[:40, :48], 16).shape == (3, 3)  # edge-padded
    with pytest.raises(ResidualCompressionError, match="`block` must be a multiple of 8"):
        blockmap.block_quality(noisy, reference, 12)
    counts = blockmap.choose_counts(np.array([[[0.5, 0.9]], [[0.95, 0.92]]]), 0.91)
    np.testing.assert_array_equal(counts, [[2, 2]])


@pytest.mark.parametrize("case", ["fc_residual_distinct", "conv_lstm"])
def test_entropy_coding_never_costs_a_budget_whole_iterations(case):
    """compress(num_bytes=N) holds at least the whole iterations of N raw bytes: a colour
    image whose entropy-coded N bytes would hold fewer falls back to format 1; a grey one
    keeps format 2 (and its grey flag)."""
    # A context model sure that every bit is -1: the codes cost far more than raw bits.
    wrong = entropy.ContextModel(15, np.zeros(entropy.NUM_CONTEXTS), np.full(entropy.NUM_CONTEXTS, 64), "wrong")
    codec = make_codec(case).replace(context_model=wrong)
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
    images[0] = images[0, :, :, :1]  # one grey image
    per = codec.bytes_per_iteration(32, 32)
    symbols = 8 * per
    for num_bytes in (40, 64):
        whole = min(codec.max_iterations, num_bytes // per)
        streams = codec.compress(images, num_bytes=num_bytes)
        versions = [bitstream.read_header(s).version for s in streams]
        assert versions[0] == 2 and bitstream.read_header(streams[0]).grey
        for data, version in zip(streams[1:], versions[1:]):
            assert len(data) - codec.stream_header_size(data) == num_bytes
            if version == 2:
                assert bitstream.read_header(data).count >= whole * symbols
        raw = codec.compress(images, num_bytes=num_bytes, format=1)
        for data, plain, version in zip(streams, raw, versions):
            if version == 1:
                assert data == plain  # the fallback is exactly format 1's stream
        assert versions[1:].count(1) >= 3  # the fallback is used
