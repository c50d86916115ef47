"""Argument checks of the layers (private): those of
:mod:`residual_compression.validation`, re-exported for the layer modules."""

from residual_compression.validation import int_in_range  # noqa: F401
from residual_compression.validation import one_of  # noqa: F401
from residual_compression.validation import positive_int  # noqa: F401
from residual_compression.validation import positive_int_pair  # noqa: F401

__all__ = []
