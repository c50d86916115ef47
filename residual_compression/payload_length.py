"""Encoding just enough iterations for a payload of a given length.

An entropy-coded payload's length per iteration depends on the image, so a
byte budget does not say how many iterations to encode. Both the budgeted
encoder (``codec_streams``) and the monotone one (``monotone_budget``)
answer it the same way: encode as if coding saved nothing, then re-encode
from each image's own measured rate until its payload reaches the length.
Every image is measured alone, so its stream never depends on the other
images of the batch.
"""

import math

__all__ = ["encode_to_length"]


def encode_to_length(codec, group, length, height, width, code):
    """Per image of ``group`` (uint8 ``(N, H, W, 3)``), ``code``'s result for
    enough greedy iterations that its payload has at least ``length`` bytes,
    or for all the model's iterations when even those fall short.

    Each guess asks for one iteration more than the image's measured rate
    says it needs, so it may overshoot by an iteration or two: that costs
    encode time only, since callers cut the payload to their budget.

    ``code(indices, bits)`` codes ``bits`` (the codes of ``group[indices]``)
    and returns one ``(result, payload_length)`` per image. Returns the
    results in image order, each as ``(result, iterations)``.
    """
    if length < 0:
        # not an input error: callers pass budgets that compress has validated
        raise ValueError(f"`length` must be at least 0, received: {length}")
    top, per = codec.max_iterations, codec.bytes_per_iteration(height, width)
    wanted = {i: min(top, length // per + 1) for i in range(len(group))}
    out = [None] * len(group)
    while wanted:
        for iterations in sorted(set(wanted.values())):
            indices = [i for i, k in wanted.items() if k == iterations]
            coded = code(indices, codec.encode(group[indices], iterations))
            for i, (result, payload) in zip(indices, coded):
                if iterations == top or payload >= length:
                    out[i] = (result, iterations)
                    del wanted[i]
                else:
                    rate = max(payload, 1) / iterations
                    wanted[i] = min(top, max(iterations + 1, math.ceil(length / rate) + 1))
    return out
