"""Entropy coding of the +-1 codes for stream format 2 (numpy and constriction).

The bits of every iteration are coded losslessly with the range coder of
`constriction <https://bamler-lab.github.io/constriction/>`_ under an
adaptive binary *context model*. ``docs/bitstream.md`` is the normative
description; in short:

* **Order.** Iteration ``t``, then code row ``y``, then channel ``c``, then
  column ``x``; a *group* is one ``(t, y, c)`` row. Positions outside the
  coded mask (dynamic bit assignment) are skipped.
* **Context** of bit ``b[t, y, x, c]``: ``min(t, 7)``, ``min(c, 1)`` and six
  neighbours, each in three states (-1, unknown, +1): the previous
  iteration's bit at the same position (``p``), the current iteration's
  bits above-left, above and above-right (``ul``, ``up``, ``ur``), the bit of
  channel ``c - 1`` at the same position (``c0``) and the previous
  iteration's bit of channel ``c ^ 1`` (``pc``). Bits that are not coded
  (outside the image, not sent, outside the mask) are unknown.
* **Probabilities.** Each context holds integer counts ``(ones, total)``,
  started from the model's table and increased by the bits of each group
  after the group is coded, so encoder and decoder agree exactly. The
  probability of a 1 is ``(2 ones + 1) / (2 total + 2)``, rounded to
  :data:`PRECISION` bits and kept in ``[1, 2**PRECISION - 1]``.

A stream cut anywhere decodes its determined prefix: the cut data is padded
once with 0x00 and once with 0xFF bytes, both are decoded in lockstep, and
the symbols on which the two agree (and no more than the count the header
states) are the decoded ones.
"""

import functools
import math

import numpy as np

from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError

__all__ = [
    "NUM_CONTEXTS",
    "PRECISION",
    "ContextModel",
    "coding_rank",
    "context_model",
    "decode_symbols",
    "encode_symbols",
    "register_context_model",
]

PRECISION = 12
"""Bits of precision of the probability handed to the range coder."""

_MAX_T = 8  # iterations above 7 share the context of iteration 7
NUM_CONTEXTS = _MAX_T * 2 * 3**6
"""Number of contexts of the format-2 bit model."""

_PAD_WORDS = 64  # 32-bit words of padding past the end of the data
_ONE = 1 << PRECISION


class ContextModel:
    """Initial counts of the adaptive bit model, one pair per context.

    Args:
        ident: the id written in the stream's flags (0..15); 0 is the
            uniform model every decoder knows.
        ones, totals: non-negative integer arrays of :data:`NUM_CONTEXTS`
            entries with ``ones <= totals``.
        name: a readable name.
        model_ids: the model ids (zoo presets) it was fitted for.
    """

    def __init__(self, ident, ones, totals, name="", model_ids=()):
        ones = np.asarray(ones, np.int64)
        totals = np.asarray(totals, np.int64)
        if ones.shape != (NUM_CONTEXTS,) or totals.shape != (NUM_CONTEXTS,):
            raise ResidualCompressionError(
                f"`ones` and `totals` must have {NUM_CONTEXTS} entries, received "
                f"{ones.shape} and {totals.shape}"
            )
        if (ones < 0).any() or (ones > totals).any():
            raise ResidualCompressionError("counts must satisfy 0 <= ones <= totals")
        if isinstance(ident, bool) or not isinstance(ident, int) or not 0 <= ident <= 15:
            raise ResidualCompressionError(f"`ident` must be an integer in 0..15, received {ident!r}")
        self.ident, self.ones, self.totals = ident, ones, totals
        self.name, self.model_ids = name, frozenset(model_ids)

    def __repr__(self):
        return f"<ContextModel {self.ident} {self.name!r}>"


_REGISTRY = {0: ContextModel(0, np.zeros(NUM_CONTEXTS), np.zeros(NUM_CONTEXTS), "uniform")}


def register_context_model(model):
    """Make ``model`` known to every decoder under its ``ident``."""
    if model.ident in _REGISTRY and _REGISTRY[model.ident] is not model:
        raise ResidualCompressionError(f"context model id {model.ident} is already registered")
    _REGISTRY[model.ident] = model


def context_model(ident=0, *, model_ids=()):
    """The registered context model ``ident``; with ``model_ids``, the one
    fitted for any of those model ids (the uniform one when none is)."""
    if model_ids:
        _load_tables()
        wanted = set(model_ids)
        for model in _REGISTRY.values():
            if model.model_ids & wanted:
                return model
        return _REGISTRY[0]
    if ident not in _REGISTRY:
        _load_tables()
    try:
        return _REGISTRY[ident]
    except KeyError:
        raise BitstreamError(
            f"stream uses context model {ident}, which this library does not know "
            f"(known: {sorted(_REGISTRY)})"
        ) from None


def _load_tables():
    from residual_compression import context_tables

    for model in context_tables.load():
        if model.ident not in _REGISTRY:
            register_context_model(model)


# -- contexts ------------------------------------------------------------------


def _all_contexts(bits):
    """Context index of every bit of ``(T, h, w, C)`` (0 = not coded), as
    :func:`_group_contexts` gives them in coding order (:func:`_plan`)."""
    t_max, h, w, channels = bits.shape
    padded = np.pad(bits, ((1, 0), (1, 0), (1, 1), (0, 0))).astype(np.int64) + 1
    prev = padded[:-1, 1:, 1:-1]
    other = np.arange(channels) ^ 1
    prev_other = np.where(other < channels, prev[..., np.minimum(other, channels - 1)], 1)
    same = np.concatenate([np.ones_like(prev[..., :1]), padded[1:, 1:, 1:-1, :-1]], axis=-1)
    up, ul, ur = (padded[1:, :-1, 1 + d : 1 + d + w] for d in (0, -1, 1))
    t_part = np.minimum(np.arange(t_max), _MAX_T - 1)[:, None, None, None]
    index = t_part * 2 + np.minimum(np.arange(channels), 1)
    for state in (prev, up, ul, ur, same, prev_other):
        index = index * 3 + state
    return index


# The decoder's weights of a context's six neighbours and of a cell that holds 1
# (its base index: every neighbour unknown, digits 1), one row per t and c part.
_WEIGHTS = np.array([[243, 81, 27, 9, 3, 1, kind * 729 + 364] for kind in range(_MAX_T * 2)])
_SIGN = np.array([-1, 1, 0], np.int8)  # the state of a symbol 0, 1, or 2 = not decoded
_STEP = np.array([1, 2 * _ONE + 1, 0]), np.array([2, 2, 0])  # what it adds to the counts
_SCALE = np.clip(np.arange(_ONE + 1), 1, _ONE - 1) / _ONE  # q / 4096, q clipped to 1..4095


def _probabilities(numerators, denominators):
    """``P(1)`` of counts ``(ones, total)`` given as ``numerators = 2 * 4096
    ones + total + 4097`` and ``denominators = 2 total + 2``."""
    return _SCALE.take(numerators // denominators, mode="clip")


def _plan(shape, mask):
    """``(weights, positions, neighbours)`` of every coded group in coding order.

    The decoder's state is the bits in a zero-padded ``(T + 1, h + 1, w + 2,
    C + 2)`` array, flat (+-1 where decoded, 0 = unknown) but for its first
    cell, which holds 1: ``positions`` are the indices of the group's bits in
    it, ``neighbours`` ``(n, 7)`` those of their six neighbours (unknown ones
    fall on the padding) and of the first cell, with ``weights`` in the
    context index. Made once for small shapes without a mask.
    """
    if mask is None and math.prod(shape) <= 1 << 14:
        return _small_plan(tuple(int(n) for n in shape))
    return _groups(shape, mask)


@functools.lru_cache(maxsize=16)
def _small_plan(shape):
    return tuple(_groups(shape, None))


def _groups(shape, mask):
    """:func:`_plan`'s groups, made one at a time."""
    t_max, h, w, channels = shape
    s_t, s_y, s_x = (h + 1) * (w + 2) * (channels + 2), (w + 2) * (channels + 2), channels + 2
    # p, up, ul, ur, c0, pc (channel c ^ 1 is c + 1 or c - 1), the first cell.
    offsets = [np.array([-s_t, -s_y, -s_y - s_x, -s_y + s_x, -1, -s_t + 1 - 2 * odd, 0]) for odd in (0, 1)]
    columns = np.arange(1, w + 1) * s_x
    relative = [columns[:, None] + o for o in offsets]
    for t in range(t_max):
        for y in range(h):
            coded = slice(None) if mask is None else np.flatnonzero(mask[t, y])
            xs, near = columns[coded], [r[coded] for r in relative]
            for c in range(channels if xs.size else 0):
                start = (t + 1) * s_t + (y + 1) * s_y + c + 1
                neighbours = near[c & 1] + start
                neighbours[:, -1] = 0
                yield _WEIGHTS[min(t, _MAX_T - 1) * 2 + min(c, 1)], xs + start, neighbours


def _group_contexts(state, neighbours, weights):
    """Context index of a group's bits (:func:`_plan`) from the decoder's
    state: everything coded before them."""
    return state[neighbours].dot(weights)


def _coder():
    try:
        import constriction
    except ImportError:  # pragma: no cover - install_requires has it
        raise ResidualCompressionError(
            "stream format 2 needs the `constriction` package: pip install constriction"
        ) from None
    return constriction.stream.queue, constriction.stream.model.Bernoulli(perfect=False)


# -- coding --------------------------------------------------------------------


def coding_rank(code_shape):
    """Position of each bit of one iteration in coding order.

    ``code_shape`` is one iteration's ``(h, w, C)``; returns an int array of
    that shape whose entry is the bit's index among the iteration's bits as
    they are coded (row ``y``, then channel ``c``, then column ``x``; no
    mask). A stream cut inside an iteration determines exactly the bits of
    rank below some ``k``: what partial-iteration training
    (:func:`residual_compression.models.partial_iteration`) imitates.
    """
    h, w, channels = (int(n) for n in code_shape)
    return np.arange(h * channels * w).reshape(h, channels, w).transpose(0, 2, 1)


def _order(shape, mask):
    """Indices into ``(T, h, w, C)`` bits in coding order, and each one's group."""
    t_max, h, w, channels = shape
    coded = np.ones((t_max, h, w), bool) if mask is None else np.asarray(mask, bool)
    # coding order: t, y, c, x -> transpose (T, h, C, w)
    order = np.broadcast_to(coded[:, :, None, :], (t_max, h, channels, w))
    flat = np.arange(t_max * h * w * channels).reshape(t_max, h, w, channels).transpose(0, 1, 3, 2)
    group = np.broadcast_to(np.arange(t_max * h * channels).reshape(t_max, h, channels, 1), order.shape)
    return flat[order], group[order]


def _adaptive_counts(index, symbols, group, model):
    """``(ones, totals)`` each symbol is coded with: the model's counts plus
    the symbols of the same context in earlier groups."""
    n = index.size
    sort = np.lexsort((group, index))
    k, g, s = index[sort], group[sort], symbols[sort].astype(np.int64)
    cum = np.concatenate([[0], np.cumsum(s)])
    new_k = np.ones(n, bool)
    new_k[1:] = k[1:] != k[:-1]
    new_run = new_k.copy()
    new_run[1:] |= g[1:] != g[:-1]
    positions = np.arange(n)
    k_start = np.maximum.accumulate(np.where(new_k, positions, 0))
    run_start = np.maximum.accumulate(np.where(new_run, positions, 0))
    ones = np.empty(n, np.int64)
    totals = np.empty(n, np.int64)
    ones[sort] = cum[run_start] - cum[k_start] + model.ones[k]
    totals[sort] = run_start - k_start + model.totals[k]
    return ones, totals


def encode_symbols(bits, model, mask=None, prefix=None):
    """Range-codes ``bits`` (T, h, w, c) of +-1 in format-2 order.

    ``mask`` (T, h, w) of bools, when given, names the coded positions;
    ``prefix`` = ``(symbols, probabilities)`` are coded first (a block map).
    Returns ``(payload, count)``: the bytes (big-endian 32-bit words) and the
    number of symbols coded.
    """
    queue, family = _coder()
    bits = np.asarray(bits, np.int8)
    if mask is not None:
        bits = np.where(np.asarray(mask, bool)[..., None], bits, 0).astype(np.int8)
    flat, group = _order(bits.shape, mask)
    index = _all_contexts(bits).reshape(-1)[flat]
    symbols = (bits.reshape(-1)[flat] > 0).astype(np.int32)
    ones, totals = _adaptive_counts(index, symbols, group, model)
    probabilities = _probabilities(2 * _ONE * ones + totals + _ONE + 1, 2 * totals + 2)
    if prefix is not None:
        symbols = np.concatenate([np.asarray(prefix[0], np.int32), symbols])
        probabilities = np.concatenate([np.asarray(prefix[1], np.float64), probabilities])
    encoder = queue.RangeEncoder()
    if symbols.size:
        encoder.encode(symbols, family, probabilities)
    return encoder.get_compressed().astype(">u4").tobytes(), int(symbols.size)


def _words(payload, pad):
    extra = (-len(payload)) % 4
    data = bytes(payload) + bytes([pad]) * (extra + 4 * _PAD_WORDS)
    return np.frombuffer(data, ">u4").astype(np.uint32)


def _decode_group(decoder, family, probabilities):
    try:
        return decoder.decode(family, probabilities)
    except Exception:  # noqa: BLE001 - constriction refuses data outside the coded interval
        return None


def _agreeing(low, high, family, probabilities):
    """The symbols of a group that both paddings decode alike, one at a time.

    Called once per stream, on the group where one of them finds invalid data.
    """
    agreed = []
    for p in probabilities:
        a = _decode_group(low, family, p[None])
        b = _decode_group(high, family, p[None])
        if a is None or b is None or a[0] != b[0]:
            break
        agreed.append(a[0])
    return np.asarray(agreed, np.int8)


def decode_symbols(payloads, shape, model, counts, mask=None, prologue=None):
    """Decodes the determined prefixes of format-2 payloads of one shape.

    Args:
        payloads: a list of payloads (bytes, each possibly cut anywhere).
        shape: ``(T, h, w, c)``, the most iterations and the code shape.
        model: the :class:`ContextModel` of the streams.
        counts: for each payload, the number of symbols its stream states;
            no more are decoded.
        mask: optional (T, h, w) bools of coded positions, shared.
        prologue: for one payload whose symbols start with a block map:
            ``prologue(low, high, family) -> (mask, symbols)`` reads it with
            the two decoders and returns the mask of coded positions (None
            when the payload does not determine the map) and the symbols read.

    Returns:
        ``(bits, decoded)``: int8 ``(B, T, h, w, c)`` with +-1 where decoded
        and 0 elsewhere, and an int array of the symbols decoded per payload.
        The streams are decoded in lockstep, so the numpy work is shared.
    """
    counts = np.asarray(counts, np.int64)
    bits, decoded, parted = _decode(payloads, shape, model, counts, mask, None, prologue)
    for i in np.flatnonzero(parted >= 0):
        # The paddings parted in one group: decode again, that group symbol by symbol.
        one, n, _ = _decode([payloads[i]], shape, model, counts[i : i + 1], mask, parted[i], prologue)
        bits[i], decoded[i] = one[0], n[0]
    return bits, decoded


def _decode(payloads, shape, model, counts, mask, resolve, prologue=None):
    queue, family = _coder()
    batch = len(payloads)
    padded = (shape[0] + 1, shape[1] + 1, shape[2] + 2, shape[3] + 2)
    size = math.prod(padded)
    state = np.zeros(batch * size, np.int8)  # each stream's, as _plan lays it out
    state[::size] = 1
    # Each stream's counts of every context, as _probabilities takes them.
    numerators = np.tile(2 * _ONE * model.ones + model.totals + _ONE + 1, batch)
    denominators = np.tile(2 * model.totals + 2, batch)
    streams, rows = np.arange(batch)[:, None] * size, np.arange(batch)[:, None] * NUM_CONTEXTS
    blank = np.full((batch, shape[2]), 2)  # symbols: 2 = not decoded, adds no state nor counts
    coders = [[queue.RangeDecoder(_words(p, pad)) for pad in (0x00, 0xFF)] for p in payloads]
    decoded, parted, counts = [0] * batch, [-1] * batch, [int(n) for n in counts]
    if prologue is not None:
        mask, decoded[0] = prologue(*coders[0], family)
    live = [i for i in range(batch) if decoded[i] < counts[i] and (prologue is None or mask is not None)]
    for group, (weights, positions, neighbours) in enumerate(_plan(shape, mask)):
        if not live:
            break
        if batch > 1:
            positions, neighbours = positions + streams, neighbours + streams[..., None]
        index = _group_contexts(state, neighbours, weights)
        index = index + rows if batch > 1 else index[None]  # (B, n), into the flat counts
        probabilities = _probabilities(numerators[index], denominators[index])
        symbols = blank[:, : index.shape[1]].copy()
        still = []
        for i in live:
            (low, high), p = coders[i], probabilities[i, : counts[i] - decoded[i]]
            if group == resolve:
                a = _agreeing(low, high, family, p)
            else:
                a = _decode_group(low, family, p)
                b = _decode_group(high, family, p)
                if a is None or b is None:  # invalid data somewhere in the group
                    parted[i] = group
                    continue
                if a.tobytes() == b.tobytes():
                    still.append(i)
                else:  # the common prefix is what the bytes determine
                    a = a[: int(np.argmin(a == b))]
            symbols[i, : a.size] = a
            decoded[i] += a.size
        state[positions] = _SIGN[symbols].reshape(positions.shape)
        np.add.at(numerators, index, _STEP[0][symbols])
        np.add.at(denominators, index, _STEP[1][symbols])
        live = [i for i in still if decoded[i] < counts[i]]
    bits = state.reshape((batch,) + padded)[:, 1:, 1:, 1:-1, 1:-1]
    return bits, np.array(decoded, np.int64), np.array(parted, np.int64)
