"""argparse value types shared by every subcommand.

Each parses the text and applies the check of the same name in
:mod:`residual_compression.validation`; argparse shows the message.
"""

import argparse

from residual_compression import validation
from residual_compression.errors import ResidualCompressionError

__all__ = ["non_negative_floats", "non_negative_int", "positive_float", "positive_int"]


def _parsed(text, parse, check, what):
    try:
        return check("value", parse(text))
    except (ValueError, ResidualCompressionError):
        raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}") from None


def positive_int(text):
    """An integer >= 1."""
    return _parsed(text, int, validation.positive_int, "a positive integer")


def non_negative_int(text):
    """An integer >= 0."""
    return _parsed(text, int, validation.non_negative_int, "a non-negative integer")


def positive_float(text):
    """A finite number > 0."""
    return _parsed(text, float, validation.positive_number, "a positive number")


def non_negative_floats(text):
    """Comma-separated finite numbers >= 0, as a tuple."""
    return tuple(
        _parsed(part, float, validation.non_negative_number, "comma-separated non-negative numbers")
        for part in text.split(",")
    )
