"""argparse value types shared by every subcommand."""

import argparse

__all__ = ["non_negative_int", "positive_float", "positive_int"]


def _number(text, parse, ok, what):
    try:
        value = parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(f"expected {what}, received {text!r}")
    return value


def positive_int(text):
    """An integer >= 1."""
    return _number(text, int, lambda v: v >= 1, "a positive integer")


def non_negative_int(text):
    """An integer >= 0."""
    return _number(text, int, lambda v: v >= 0, "a non-negative integer")


def positive_float(text):
    """A number > 0."""
    return _number(text, float, lambda v: v > 0, "a positive number")
