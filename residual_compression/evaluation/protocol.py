"""The interface a neural codec offers to the evaluation (paper sec. 4.3).

The neural codecs of Table 1 are evaluated at the same byte targets as the
classical ones. Their streams carry a small fixed header, which is excluded
exactly as the classical codecs' headers are ("we exclude the header size from
all metrics", sec. 4.3): header-less size = ``len(stream) - header_size``.

``evaluate`` needs these members of a neural codec (checked structurally by
:func:`check_neural_codec`; no base class is needed), and
:class:`~residual_compression.codec.ProgressiveCodec` has them::

    name: str                                           # the row's label
    header_size: int                                    # e.g. 8
    compress(images_uint8_NHW3, num_bytes=int) -> list[bytes]
    decompress(list_of_bytes) -> np.ndarray (N, H, W, 3) uint8

``compress`` returns one stream (header + payload) per image, and raises
:class:`~residual_compression.errors.BudgetError` for a ``num_bytes`` it
cannot meet (the target is then listed as unsupported). For 32x32 images
and ``num_bytes`` a multiple of 16 the payload is exactly ``num_bytes``.

Optional members, used where present: ``progressive(data) -> (T, H, W, 3)``
(the reconstructions after 1..T iterations, Figure 6 in ``plots``) and
``macs_per_iteration(height, width)`` / ``decoder_macs_per_iteration(height,
width)`` (the benchmark's operation counts).
"""

from __future__ import annotations

import numbers
from typing import Protocol, runtime_checkable

from residual_compression.errors import InvalidTypeError

__all__ = ["NeuralCodec", "OPTIONAL_MEMBERS", "REQUIRED_MEMBERS", "check_neural_codec"]

REQUIRED_MEMBERS = ("name", "header_size", "compress", "decompress")
OPTIONAL_MEMBERS = ("progressive", "macs_per_iteration", "decoder_macs_per_iteration")


@runtime_checkable
class NeuralCodec(Protocol):
    """Structural type of a neural codec: the members ``evaluate`` calls."""

    name: str
    header_size: int

    def compress(self, images, num_bytes=None): ...

    def decompress(self, streams): ...


def check_neural_codec(obj, key="codec"):
    """Raise ``InvalidTypeError`` (a ``TypeError``) naming ``key`` unless
    ``obj`` has the members ``evaluate`` calls (``name`` may be missing: the
    key is the label then).

    Returns the header size as an int (validated: a non-negative integer).
    """
    needed = [member for member in REQUIRED_MEMBERS if member != "name"]
    missing = [member for member in needed if not hasattr(obj, member)]
    if missing:
        raise InvalidTypeError(
            f"codec {key!r} ({type(obj).__name__}) is neither a BaselineCodec nor a neural "
            f"codec: missing {', '.join(missing)}"
        )
    for member in ("compress", "decompress"):
        if not callable(getattr(obj, member)):
            raise InvalidTypeError(f"codec {key!r}: {member} must be callable, got {getattr(obj, member)!r}")
    header = getattr(obj, "header_size")
    if isinstance(header, bool) or not isinstance(header, numbers.Integral) or header < 0:
        raise InvalidTypeError(f"codec {key!r}: header_size must be a non-negative integer, got {header!r}")
    return int(header)
