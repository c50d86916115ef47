"""Argument checks shared by the whole package (numpy only).

Each check returns the value normalised (a Python ``int`` or ``float``) or
raises an error that names the argument and the value received:

* :class:`~residual_compression.errors.InvalidTypeError` (also a ``TypeError``)
  when the type is wrong, e.g. ``1.5`` or ``True`` where an integer is needed;
* :class:`~residual_compression.errors.InvalidValueError` (also a
  ``ValueError``) when the value is out of range.

Both are :class:`~residual_compression.errors.ResidualCompressionError`, so
every input error of the package can be caught as one type. Integers may be
Python or numpy integers; ``bool`` is never accepted as a number.
"""

import math
import numbers

from residual_compression.errors import InvalidTypeError
from residual_compression.errors import InvalidValueError

__all__ = [
    "boolean",
    "int_in_range",
    "non_negative_int",
    "non_negative_number",
    "one_of",
    "positive_int",
    "positive_int_pair",
    "positive_number",
]

_MAX_REPR = 80


def _received(value):
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = f"{text[:_MAX_REPR - 3]}..."
    return text


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _integer(name, value, what):
    if not _is_int(value):
        raise InvalidTypeError(
            f"`{name}` must be {what}, received {type(value).__name__}: {_received(value)}"
        )
    return int(value)


def int_in_range(name, value, low=None, high=None, *, what=None):
    """``value`` as an ``int`` if it is an integer in ``[low, high]`` (a bound of
    None is open); raises naming ``name`` otherwise. ``what`` replaces the
    description of what is expected in the message."""
    if what is not None:
        pass
    elif low is not None and high is not None:
        what = f"an integer in [{low}, {high}]"
    elif low == 1:
        what = "a positive integer"
    elif low == 0:
        what = "a non-negative integer"
    elif low is not None:
        what = f"an integer >= {low}"
    elif high is not None:
        what = f"an integer <= {high}"
    else:
        what = "an integer"
    number = _integer(name, value, what)
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidValueError(f"`{name}` must be {what}, received: {_received(value)}")
    return number


def positive_int(name, value):
    """``value`` as an ``int`` if it is an integer >= 1."""
    return int_in_range(name, value, 1)


def non_negative_int(name, value):
    """``value`` as an ``int`` if it is an integer >= 0."""
    return int_in_range(name, value, 0)


def _real(name, value, what, ok):
    if not _is_real(value):
        raise InvalidTypeError(
            f"`{name}` must be {what}, received {type(value).__name__}: {_received(value)}"
        )
    number = float(value)
    if not math.isfinite(number) or not ok(number):
        raise InvalidValueError(f"`{name}` must be {what}, received: {_received(value)}")
    return number


def positive_number(name, value):
    """``value`` as a ``float`` if it is a finite real number > 0."""
    return _real(name, value, "a positive finite number", lambda v: v > 0)


def non_negative_number(name, value):
    """``value`` as a ``float`` if it is a finite real number >= 0."""
    return _real(name, value, "a non-negative finite number", lambda v: v >= 0)


def positive_int_pair(name, value):
    """An int or a pair of ints (a kernel size, strides) as an ``(int, int)``
    of positive ints."""
    what = "a positive integer or a pair of them"
    if _is_int(value):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(_is_int(v) for v in value):
        raise InvalidTypeError(f"`{name}` must be {what}, received: {_received(value)}")
    if not all(v >= 1 for v in value):
        raise InvalidValueError(f"`{name}` must be {what}, received: {_received(value)}")
    return int(value[0]), int(value[1])


def one_of(name, value, choices):
    """``value`` if it is one of ``choices`` (compared with ``==``)."""
    try:
        known = value in choices
    except TypeError:  # an unhashable value against a set or dict
        known = False
    if not known:
        listed = ", ".join(repr(c) for c in choices)
        raise InvalidValueError(f"`{name}` must be one of {listed}; received: {_received(value)}")
    return value


def boolean(name, value):
    """``value`` if it is ``True`` or ``False`` (not merely truthy)."""
    if not isinstance(value, bool):
        raise InvalidTypeError(
            f"`{name}` must be True or False, received {type(value).__name__}: {_received(value)}"
        )
    return value
