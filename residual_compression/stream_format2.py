"""Stream format 2: entropy-coded payloads (see ``docs/bitstream.md``).

Writing (:func:`encode_stream2`, :func:`encode_streams2`) and the payload
side of reading; :mod:`residual_compression.bitstream` parses headers, checks
arguments and dispatches on the version.
"""

import numpy as np

from residual_compression import entropy
from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError
from residual_compression.stream_header import bits_to_bool as _bits_to_bool
from residual_compression.stream_header import check_range as _check_range
from residual_compression.stream_header import pack_header

__all__ = ["check_v2", "decode_v2", "encode_stream2", "encode_streams2"]


def encode_stream2(
    model_id: int,
    width: int,
    height: int,
    bits: np.ndarray,
    *,
    context: entropy.ContextModel | None = None,
    grey: bool = False,
    num_bytes: int | None = None,
    block: int = 0,
    block_counts: np.ndarray | None = None,
) -> bytes:
    """Serialise the codes of ``T`` iterations into an entropy-coded format-2 stream.

    Args:
        model_id, width, height, bits: as for :func:`encode_stream`.
        context: the :class:`~residual_compression.entropy.ContextModel`
            (default: the uniform one, id 0). Its id is written in the header.
        grey: set the header's greyscale flag.
        num_bytes: payload budget. A longer payload is cut to exactly
            ``num_bytes`` and the header counts the symbols those bytes
            determine; a shorter one is returned whole.
        block, block_counts: dynamic bit assignment. ``block_counts``
            ``(rows, columns)`` gives each block of ``block`` x ``block`` code
            positions its iterations (1..T); only those bits are coded, after
            the block map (see :mod:`residual_compression.blockmap`).

    Returns:
        The header (8 bytes for a thumbnail of a model id < 128) and payload.
    """
    if block_counts is not None:
        return _encode_blocks(model_id, width, height, bits, context, grey, num_bytes, block, block_counts)
    return encode_streams2(
        model_id, width, height, np.asarray(bits)[None], context=context, grey=[grey], num_bytes=num_bytes
    )[0]


def _encode_blocks(model_id, width, height, bits, context, grey, num_bytes, block, block_counts):
    from residual_compression import blockmap

    context = entropy.context_model(0) if context is None else context
    signs = np.where(_bits_to_bool(bits), 1, -1).astype(np.int8)
    t_max, h, w, _ = signs.shape
    counts = np.asarray(block_counts, np.int64)
    block = _check_range(block, "block", 1, 255, ResidualCompressionError)
    if num_bytes is not None:
        raise ResidualCompressionError("a block map sets the bytes itself; pass `block_counts` or `num_bytes`")
    if counts.shape != blockmap.grid_of((h, w), block) or counts.min() < 1 or counts.max() > t_max:
        raise ResidualCompressionError(
            f"`block_counts` must be {blockmap.grid_of((h, w), block)} iterations in 1..{t_max}, "
            f"received {counts.shape} in {counts.min()}..{counts.max()}"
        )
    mask = blockmap.mask_of(counts, block, t_max, h, w)
    payload, count = entropy.encode_symbols(signs, context, mask, blockmap.map_symbols(counts, t_max))
    header = pack_header(
        model_id, width, height, version=2, grey=grey, context=context.ident, count=count, block=block,
        map_iterations=t_max,
    )
    return header + payload


def encode_streams2(model_id, width, height, bits, *, context=None, grey=None, num_bytes=None):
    """:func:`encode_stream2` for a batch ``bits`` (N, T, h, w, c) of one image size.

    ``grey`` is None or one flag per image; the budget cuts share one decode.
    """
    context = entropy.context_model(0) if context is None else context
    positive = [_bits_to_bool(b) for b in bits]
    grey = [False] * len(positive) if grey is None else list(grey)
    if num_bytes is not None:
        num_bytes = _check_range(num_bytes, "num_bytes", 0, 1 << 40, ResidualCompressionError)
    signs = [np.where(p, 1, -1).astype(np.int8) for p in positive]
    coded = [entropy.encode_symbols(s, context) for s in signs]
    payloads, counts = [c[0] for c in coded], [c[1] for c in coded]
    if num_bytes is not None:
        cut = [i for i, p in enumerate(payloads) if len(p) > num_bytes]
        if cut:
            shape = signs[0].shape
            _, decoded = entropy.decode_symbols(
                [payloads[i][:num_bytes] for i in cut], shape, context, [counts[i] for i in cut]
            )
            for i, n in zip(cut, decoded):
                payloads[i], counts[i] = payloads[i][:num_bytes], int(n)
    return [
        pack_header(model_id, width, height, version=2, grey=g, context=context.ident, count=n) + p
        for p, n, g in zip(payloads, counts, grey)
    ]


def check_v2(raw, header, shape, max_iterations):
    """Checks a format-2 stream's fields; returns its payload and context model."""
    n_bits = shape[0] * shape[1] * shape[2]
    if header.map_iterations > max_iterations:
        raise BitstreamError(
            f"block map of up to {header.map_iterations} iterations, more than the model's "
            f"max_iterations {max_iterations}"
        )
    if header.count > max_iterations * n_bits + (n_bits if header.block else 0):
        raise BitstreamError(
            f"header states {header.count} coded bits, more than the model's max_iterations "
            f"{max_iterations} x {n_bits} bits per iteration"
        )
    context = entropy.context_model(header.context)
    payload = raw[header.size :]
    if len(payload) > 4 * header.count + 64:
        raise BitstreamError(f"payload is {len(payload)} bytes, more than {header.count} coded bits can take")
    return payload, context


def decode_v2(streams, strict):
    """Entropy-decodes format-2 streams ``(header, shape, payload, context)``,
    those of one shape, context and length together (the numpy work is shared)."""
    groups = {}
    out = [None] * len(streams)
    for i, (header, shape, payload, context) in enumerate(streams):
        if header.block:
            out[i] = _decode_blocks(header, shape, payload, context, strict)
            continue
        n_bits = shape[0] * shape[1] * shape[2]
        iterations = max(1, -(-header.count // n_bits))
        groups.setdefault(((iterations,) + shape, context.ident), []).append(i)
    for (full, ident), indices in groups.items():
        bits, decoded = entropy.decode_symbols(
            [streams[i][2] for i in indices], full, entropy.context_model(ident), [streams[i][0].count for i in indices]
        )
        for i, b, n in zip(indices, bits, decoded):
            header, payload = streams[i][0], streams[i][2]
            if strict and n < header.count:
                raise BitstreamError(
                    f"stream truncated: its {len(payload)} payload bytes determine {n} of the "
                    f"{header.count} coded bits the header states"
                )
            out[i] = b[: max(1, -(-int(n) // (b[0].size)))]
    return out


def _decode_blocks(header, shape, payload, context, strict):
    from residual_compression import blockmap

    h, w, _ = shape
    prologue = blockmap.decode_map(blockmap.grid_of(shape, header.block), header.map_iterations)
    prologue.side, prologue.hw = header.block, (h, w)
    full = (header.map_iterations,) + shape
    bits, decoded = entropy.decode_symbols([payload], full, context, [header.count], prologue=prologue)
    if strict and decoded[0] < header.count:
        raise BitstreamError(
            f"stream truncated: its {len(payload)} payload bytes determine {decoded[0]} of the "
            f"{header.count} coded symbols the header states"
        )
    used = np.flatnonzero(bits[0].reshape(header.map_iterations, -1).any(axis=1))
    return bits[0][: max(1, int(used[-1]) + 1 if used.size else 1)]
