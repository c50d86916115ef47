"""The interface a neural codec offers to the evaluation (paper sec. 4.3).

The neural codecs of Table 1 are evaluated at the same byte targets as the
classical ones. Their streams carry a small fixed header, which is excluded
exactly as the classical codecs' headers are ("we exclude the header size from
all metrics", sec. 4.3): header-less size = ``len(stream) - header_size``.

A neural codec is any object with these members (checked structurally;
no base class is needed)::

    name: str
    header_size: int                                    # e.g. 8
    compress(images_uint8_NHW3, num_bytes=int) -> list[bytes]
    decompress(list_of_bytes) -> np.ndarray (N, H, W, 3) uint8
    progressive(data: bytes) -> np.ndarray (T, H, W, 3) uint8
    macs_per_iteration(height, width) -> int

``compress`` returns one stream (header + payload) per image; for 32x32
images and ``num_bytes`` a multiple of 16 the payload is exactly
``num_bytes``. ``progressive`` returns the reconstructions after 1..T
iterations (Figure 6). ``macs_per_iteration`` is used by the benchmark only.
"""

from __future__ import annotations

import numbers
from typing import Protocol, runtime_checkable

__all__ = [
    "NeuralCodec",
    "NEURAL_MEMBERS",
    "is_neural_codec",
    "check_neural_codec",
]

NEURAL_MEMBERS = ("name", "header_size", "compress", "decompress", "progressive", "macs_per_iteration")


@runtime_checkable
class NeuralCodec(Protocol):
    """Structural type of a neural codec (see module docstring)."""

    name: str
    header_size: int

    def compress(self, images, num_bytes): ...

    def decompress(self, streams): ...

    def progressive(self, data): ...

    def macs_per_iteration(self, height, width): ...


def is_neural_codec(obj):
    """True when ``obj`` has every member of the neural-codec protocol."""
    return all(hasattr(obj, member) for member in NEURAL_MEMBERS)


def check_neural_codec(obj, key="codec", *, require=("header_size", "compress", "decompress")):
    """Raise TypeError naming ``key`` unless ``obj`` has the members in ``require``.

    Returns the header size as an int (validated: a non-negative integer).
    """
    missing = [member for member in require if not hasattr(obj, member)]
    if missing:
        raise TypeError(
            f"codec {key!r} ({type(obj).__name__}) is neither a BaselineCodec nor a neural "
            f"codec: missing {', '.join(missing)}"
        )
    for member in require:
        if member != "header_size" and member != "name" and not callable(getattr(obj, member)):
            raise TypeError(f"codec {key!r}: {member} must be callable, got {getattr(obj, member)!r}")
    header = getattr(obj, "header_size", 0)
    if isinstance(header, bool) or not isinstance(header, numbers.Integral) or header < 0:
        raise TypeError(f"codec {key!r}: header_size must be a non-negative integer, got {header!r}")
    return int(header)
