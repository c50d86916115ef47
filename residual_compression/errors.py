"""The exception types this package raises for bad input.

Every error caused by what a user passed in (bytes, images, arguments, byte
budgets) is a :class:`ResidualCompressionError`, so callers can catch exactly
the failures they are responsible for. The base class is a ``ValueError``, and
:class:`InvalidTypeError` is also a ``TypeError``, so code written against the
built-in exceptions keeps working.

Argument checks live in :mod:`residual_compression.validation`.
"""

__all__ = [
    "BitstreamError",
    "BudgetError",
    "ImageInputError",
    "InvalidTypeError",
    "InvalidValueError",
    "ResidualCompressionError",
]


class ResidualCompressionError(ValueError):
    """Base class of every input error raised by residual_compression."""


class InvalidValueError(ResidualCompressionError):
    """An argument has the right type but a value outside what is accepted
    (a zero where a positive integer is needed, an unknown choice)."""


class InvalidTypeError(ResidualCompressionError, TypeError):
    """An argument has the wrong type (a float or a bool where an integer is
    needed, a list where an array is needed). Also a ``TypeError``."""


class BudgetError(InvalidValueError):
    """A byte budget (``num_bytes``, ``bpp``) a codec cannot meet for an image.

    Raised by a codec's ``compress`` for a budget it refuses. The evaluation
    lists such a (codec, target) as unsupported instead of failing; any other
    error from a codec is a bug and propagates.
    """


class BitstreamError(ResidualCompressionError):
    """Raised when bytes handed to a decoder are not a valid stream for it.

    Covers garbage, corrupt headers, truncated payloads (also mid-iteration),
    streams of another model and streams that claim impossible sizes. The
    decoder raises this and nothing else for any byte string.
    """


class ImageInputError(ResidualCompressionError):
    """Raised when an image (array or file) cannot be used as codec input."""
