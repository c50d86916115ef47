"""Byte budgets whose quality never falls as bytes are added.

``compress(image, num_bytes=N, monotone=True)`` (format 2). A format-2
header states how many symbols its payload codes (``count``), and a decoder
decodes no more than that, whatever bytes follow (``docs/bitstream.md``). So
an encoder that must write exactly ``N`` payload bytes may state fewer
symbols than its bytes determine. Here it codes one payload ``P`` for the
image, decodes every cut ``P[:M]``, ``M = 0..N``, as a receiver would, scores
each against the input with patch SSIM (section 4.2 of the paper), and states
the symbols of the best cut (ties go to the longer) while still writing the
``N`` bytes ``P[:N]``. The stream's quality is then

    q(N) = max_{M <= N} ssim(decode(P[:M])),

a running maximum, which cannot fall as ``N`` grows as long as ``P[:N]`` does
not depend on ``N``. It does not: the greedy encoder's bits of an iteration
do not depend on how many follow, and the payload is coded at least
``MARGIN`` bytes past the budget (or to the model's last iteration), so the
range coder's closing words never lie in the bytes that are kept.

It costs one decode of the image per payload byte (the cuts are decoded in
batches), hence the ``MAX_BYTES`` limit. The bits are the greedy encoder's:
``search_steps`` is refused, since a search over the whole iterations of
``N`` bytes changes ``P`` with ``N``.
"""

import numpy as np

from residual_compression import entropy
from residual_compression import payload_length
from residual_compression.errors import ResidualCompressionError
from residual_compression.patch_ssim import patch_ssim_map
from residual_compression.stream_header import bits_to_bool
from residual_compression.stream_header import pack_header

__all__ = ["MARGIN", "MAX_BYTES", "monotone_streams"]

# Bytes coded past the budget: more than the range coder's closing words (two
# 32-bit words of state, and rarely a pending one).
MARGIN = 16
# Largest per-image budget: each payload byte is one more decode of the image.
MAX_BYTES = 4096
# Pixels of decoded cuts scored at once (about 100 MB as float64 RGB).
_PIXELS_PER_CALL = 1 << 22


def _payloads(codec, group, budget, height, width):
    """Per image ``(payload, count, iterations)`` of enough greedy iterations
    that the payload passes ``budget + MARGIN`` bytes (or all the model has)."""
    context = codec.context_model

    def code(indices, bits):
        out = []
        for b in bits:
            payload, count = entropy.encode_symbols(np.where(bits_to_bool(b), 1, -1).astype(np.int8), context)
            out.append(((payload, count), len(payload)))
        return out

    coded = payload_length.encode_to_length(codec, group, budget + MARGIN, height, width, code)
    return [(payload, count, iterations) for (payload, count), iterations in coded]


def monotone_streams(codec, group, budget, grey, height, width, decompress):
    """Format-2 streams of ``group`` (uint8 ``(N, H, W, 3)``) of exactly
    ``budget`` payload bytes (whole when shorter), each stating the best cut.

    ``grey``: the header's grey flag per image; ``decompress(codec, streams)``
    is the codec's decoder, through which every cut is scored.
    """
    if budget > MAX_BYTES:
        raise ResidualCompressionError(
            f"`monotone=True` decodes the image once per payload byte, so it takes at most "
            f"{MAX_BYTES} bytes per image; received a budget of {budget} bytes"
        )
    if codec.search_steps:
        raise ResidualCompressionError(
            f"`monotone=True` keeps the greedy encoder's bits, but this codec has "
            f"search_steps={codec.search_steps}; use codec.replace(search_steps=0)"
        )
    shape = tuple(codec.code_shape(height, width))
    context = codec.context_model
    coded = _payloads(codec, group, budget, height, width)
    owners, cuts = [], []
    for i, (payload, count, _) in enumerate(coded):
        for m in range(min(budget, len(payload)) + 1):
            owners.append(i)
            cuts.append(payload[:m])
    counts = [coded[i][1] for i in owners]
    iterations = max(t for _, _, t in coded)
    _, stated = entropy.decode_symbols(cuts, (iterations,) + shape, context, counts)

    def header(i, count):
        return pack_header(
            codec.model_id, width, height, version=2, grey=grey[i], context=context.ident, count=int(count)
        )

    candidates = [header(i, n) + cut for i, n, cut in zip(owners, stated, cuts)]
    owners = np.asarray(owners)
    quality = np.empty(len(candidates))
    step = max(1, _PIXELS_PER_CALL // (height * width))  # decoded cuts held at once
    for start in range(0, len(candidates), step):
        picked = owners[start : start + step]
        decoded = np.asarray(decompress(codec, candidates[start : start + step]), np.float64)
        ssim = patch_ssim_map(group[picked].astype(np.float64), decoded)
        quality[start : start + len(picked)] = ssim.reshape(len(picked), -1).mean(axis=1)
    streams = []
    for i, (payload, _, _) in enumerate(coded):
        mine = np.flatnonzero(owners == i)
        kept = payload[:budget]
        # A decoder refuses a payload far longer than its count can take (check_v2).
        valid = mine[4 * stated[mine] + 64 >= len(kept)]
        valid = valid if valid.size else mine[-1:]
        best = valid[np.flatnonzero(quality[valid] == quality[valid].max())[-1]]
        streams.append(header(i, stated[best]) + kept)
    return streams
