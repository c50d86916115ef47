"""Argument checks shared by the layers (private)."""

__all__ = []


def positive_int(name, value):
    """Returns ``value`` if it is a positive int, else raises naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer, received: {value!r}")
    return value


def positive_int_pair(name, value):
    """Normalises an int or a pair (kernel size, strides) to an ``(int, int)`` of positive ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise ValueError(
            f"`{name}` must be a positive int or a pair of them, received: {value!r}"
        )
    return tuple(value)
