"""The format-2 decoder gives exactly what the first, group-by-group numpy
decoder gave: every bit, every ``decoded`` count, on cut streams (any prefix),
garbage bytes, masks of coded positions, block maps and count limits.

The reference below is that first decoder (``entropy._decode`` before it was
made faster for small batches), kept here as the specification of its output.
"""

import numpy as np
import pytest

from residual_compression import blockmap
from residual_compression import entropy

# -- the reference decoder -------------------------------------------------------


def _reference_contexts(bits, t, y, c, xs):
    channels = bits.shape[-1]
    x = xs + 1
    index = np.full((bits.shape[0], len(xs)), (min(t, 7) * 2 + min(c, 1)) * 729 + 364, np.int64)
    if t:
        index += bits[:, t - 1, y, x, c].astype(np.int64) * 243
        if c ^ 1 < channels:
            index += bits[:, t - 1, y, x, c ^ 1]
    if y:
        row = bits[:, t, y - 1, :, c].astype(np.int64)
        index += row[:, x] * 81 + row[:, x - 1] * 27 + row[:, x + 1] * 9
    if c:
        index += bits[:, t, y, x, c - 1] * 3
    return index


def _reference_groups(shape, mask):
    t_max, h, w, channels = shape
    for t in range(t_max):
        for y in range(h):
            xs = np.arange(w) if mask is None else np.flatnonzero(mask[t, y])
            if xs.size:
                for c in range(channels):
                    yield t, y, c, xs


def reference_decode_symbols(payloads, shape, model, counts, mask=None, prologue=None):
    """``entropy.decode_symbols`` (whose redo of parted streams did not change)
    over the reference ``_decode``."""
    fast = entropy._decode
    entropy._decode = _reference_decode
    try:
        return entropy.decode_symbols(payloads, shape, model, counts, mask, prologue)
    finally:
        entropy._decode = fast


def _reference_decode(payloads, shape, model, counts, mask, resolve, prologue):  # noqa: C901 - kept as it was
    queue, family = entropy._coder()
    batch = len(payloads)
    t_max, h, w, channels = shape
    bits = np.zeros((batch, t_max, h, w + 2, channels), np.int8)
    ones = np.tile(model.ones, (batch, 1))
    totals = np.tile(model.totals, (batch, 1))
    coders = [[queue.RangeDecoder(entropy._words(p, pad)) for pad in (0x00, 0xFF)] for p in payloads]
    decoded = np.zeros(batch, np.int64)
    parted = np.full(batch, -1, np.int64)
    if prologue is not None:
        mask, decoded[0] = prologue(*coders[0], family)
        if mask is None:
            return bits[:, :, :, 1:-1], decoded, parted
    active = decoded < counts
    rows = np.arange(batch)[:, None]
    for group, (t, y, c, xs) in enumerate(_reference_groups(shape, mask)):
        if not active.any():
            break
        index = _reference_contexts(bits, t, y, c, xs)
        o, n_ = ones[rows, index], totals[rows, index]
        q = ((2 * o + 1) * 4096 + n_ + 1) // (2 * n_ + 2)
        probabilities = np.minimum(np.maximum(q, 1), 4095) / 4096
        symbols = np.zeros(index.shape, np.int64)
        whole = active.copy()
        for i in np.flatnonzero(active):
            n = int(min(xs.size, counts[i] - decoded[i]))
            (low, high), p = coders[i], probabilities[i, :n]
            if group == resolve:
                a = entropy._agreeing(low, high, family, p)
                bits[i, t, y, xs[: a.size] + 1, c] = 2 * a - 1
                decoded[i] += a.size
                active[i] = whole[i] = False
                continue
            a = entropy._decode_group(low, family, p)
            b = entropy._decode_group(high, family, p)
            if a is None or b is None:
                parted[i], active[i], whole[i] = group, False, False
                continue
            if (a != b).any():
                keep = int(np.argmin(a == b))
                bits[i, t, y, xs[:keep] + 1, c] = 2 * a[:keep] - 1
                decoded[i] += keep
                active[i] = whole[i] = False
                continue
            symbols[i, :n] = a
            decoded[i] += n
            if n < xs.size:
                bits[i, t, y, xs[:n] + 1, c] = 2 * a - 1
                active[i] = whole[i] = False
        done = np.flatnonzero(whole)
        bits[done[:, None], t, y, xs[None, :] + 1, c] = 2 * symbols[done] - 1
        flat = (index + np.arange(batch)[:, None] * entropy.NUM_CONTEXTS).ravel()
        np.add.at(ones.reshape(-1), flat, symbols.ravel())
        np.add.at(totals.reshape(-1), flat, 1)
        active &= decoded < counts
    return bits[:, :, :, 1:-1], decoded, parted


# -- the comparisons -------------------------------------------------------------


def assert_same(payloads, shape, model, counts, mask=None, prologue=None):
    expected = reference_decode_symbols(payloads, shape, model, counts, mask, prologue)
    expected_map = getattr(prologue, "counts", None)
    got = entropy.decode_symbols(payloads, shape, model, counts, mask, prologue)
    assert got[0].dtype == np.int8 and got[0].shape == expected[0].shape
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    if prologue is not None:
        np.testing.assert_array_equal(prologue.counts, expected_map)
    return got


def codes(rng, shape, smooth):
    if not smooth:
        return np.where(rng.random(shape) < 0.5, 1, -1).astype(np.int8)
    columns = np.where(rng.random((shape[0], 1) + shape[2:]) < 0.5, 1, -1)
    flips = rng.random(shape) < 0.1
    return np.where(flips, -columns, np.repeat(columns, shape[1], axis=1)).astype(np.int8)


@pytest.mark.parametrize("shape", [(8, 8, 8, 2), (3, 5, 7, 3), (2, 4, 4, 1), (9, 2, 3, 2)])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("ident", [0, 3])
def test_cut_and_garbage_payloads_decode_as_the_reference(shape, masked, ident):
    rng = np.random.default_rng(sum(shape) * 10 + masked * 2 + ident)
    model = entropy.context_model(ident)
    mask = None
    if masked:
        mask = rng.random(shape[:3]) < 0.6
        mask[0, 0] = False  # a row without a group
    bits = codes(rng, shape, smooth=ident == 3)
    payload, count = entropy.encode_symbols(bits, model, mask)
    cuts = sorted(set(np.linspace(0, len(payload), 24).astype(int)) | {len(payload) - 1, len(payload)})
    payloads = [payload[:n] for n in cuts]
    # Garbage: random bytes, and the payload with bytes changed.
    payloads += [rng.bytes(int(n)) for n in rng.integers(1, len(payload) + 8, 6)]
    for _ in range(4):
        spoilt = bytearray(payload)
        spoilt[rng.integers(len(payload))] ^= int(rng.integers(1, 256))
        payloads.append(bytes(spoilt))
    payloads += [b"\xff" * 9, b"\x00" * 9, b""]
    counts = [count] * len(payloads)
    assert_same(payloads, shape, model, counts, mask)  # as one batch
    # Count limits: fewer symbols than coded, and more.
    limits = [0, 1, shape[2] - 1, shape[2], shape[2] + 1, count // 2, count, count + 5]
    assert_same([payload] * len(limits), shape, model, limits, mask)
    for data, n in zip(payloads[::5], counts[::5]):  # and one at a time
        assert_same([data], shape, model, [n], mask)


def test_every_prefix_of_a_thumbnail_decodes_as_the_reference():
    rng = np.random.default_rng(7)
    model = entropy.context_model(3)
    bits = codes(rng, (8, 8, 8, 2), smooth=True)
    payload, count = entropy.encode_symbols(bits, model)
    prefixes = [payload[:n] for n in range(len(payload) + 1)]
    decoded = assert_same(prefixes, (8, 8, 8, 2), model, [count] * len(prefixes))[1]
    assert decoded[-1] == count and (np.diff(decoded) >= 0).all()


@pytest.mark.parametrize("t_max", [1, 3])
def test_block_map_prologue_decodes_as_the_reference(t_max):
    rng = np.random.default_rng(t_max)
    shape, side = (t_max, 10, 12, 2), 4
    grid = blockmap.grid_of(shape[1:], side)
    block_counts = rng.integers(1, t_max + 1, grid)
    mask = blockmap.mask_of(block_counts, side, t_max, 10, 12)
    prefix = blockmap.map_symbols(block_counts, t_max)
    payload, count = entropy.encode_symbols(codes(rng, shape, True), entropy.context_model(3), mask, prefix)
    prologue = blockmap.decode_map(grid, t_max)
    prologue.side, prologue.hw = side, (10, 12)
    for n in sorted(set(np.linspace(0, len(payload), 12).astype(int))):
        for limit in (count, count // 3):
            assert_same([payload[:n]], shape, entropy.context_model(3), [limit], prologue=prologue)
    assert_same([rng.bytes(len(payload))], shape, entropy.context_model(3), [count], prologue=prologue)
