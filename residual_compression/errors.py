"""The exception types this package raises for bad input.

Every error caused by what a user passed in (bytes, images, arguments) is one of
these, so callers can catch exactly the failures they are responsible for.
"""

__all__ = ["ResidualCompressionError", "BitstreamError", "ImageInputError"]


class ResidualCompressionError(ValueError):
    """Base class of every input error raised by residual_compression."""


class BitstreamError(ResidualCompressionError):
    """Raised when bytes handed to a decoder are not a valid stream for it.

    Covers garbage, corrupt headers, truncated payloads (also mid-iteration),
    streams of another model and streams that claim impossible sizes. The
    decoder raises this and nothing else for any byte string.
    """


class ImageInputError(ResidualCompressionError):
    """Raised when an image (array or file) cannot be used as codec input."""
