"""The one set of argument checks (residual_compression.validation) and the error classes."""

import argparse

import numpy as np
import pytest

from residual_compression import argtypes
from residual_compression import validation
from residual_compression.errors import BudgetError
from residual_compression.errors import ImageInputError
from residual_compression.errors import InvalidTypeError
from residual_compression.errors import InvalidValueError
from residual_compression.errors import ResidualCompressionError
from residual_compression.scaling import to_model_space


def test_error_classes_are_also_the_builtin_ones():
    assert issubclass(InvalidValueError, ResidualCompressionError) and issubclass(InvalidValueError, ValueError)
    assert issubclass(InvalidTypeError, ResidualCompressionError)
    assert issubclass(InvalidTypeError, TypeError) and issubclass(InvalidTypeError, ValueError)
    assert issubclass(BudgetError, InvalidValueError)


@pytest.mark.parametrize(
    "check, good, normalised",
    [
        (validation.positive_int, np.int64(3), 3),
        (validation.non_negative_int, 0, 0),
        (validation.positive_number, 2, 2.0),
        (validation.non_negative_number, 0.0, 0.0),
        (validation.positive_int_pair, 3, (3, 3)),
        (validation.positive_int_pair, [1, 2], (1, 2)),
    ],
)
def test_checks_normalise_good_values(check, good, normalised):
    result = check("x", good)
    assert result == normalised and type(result) is type(normalised)


@pytest.mark.parametrize(
    "check, bad, error",
    [
        (validation.positive_int, 0, InvalidValueError),
        (validation.positive_int, True, InvalidTypeError),
        (validation.positive_int, 1.5, InvalidTypeError),
        (validation.positive_int, "3", InvalidTypeError),
        (validation.non_negative_int, -1, InvalidValueError),
        (validation.positive_number, 0, InvalidValueError),
        (validation.positive_number, float("inf"), InvalidValueError),
        (validation.positive_number, float("nan"), InvalidValueError),
        (validation.positive_number, False, InvalidTypeError),
        (validation.positive_int_pair, (1, 0), InvalidValueError),
        (validation.positive_int_pair, (1, 2, 3), InvalidTypeError),
        (validation.boolean, 1, InvalidTypeError),
    ],
)
def test_checks_name_the_argument_and_the_value(check, bad, error):
    with pytest.raises(error, match="`x` must be") as info:
        check("x", bad)
    assert repr(bad) in str(info.value)


def test_int_in_range_and_one_of():
    assert validation.int_in_range("t", 7, 0, 7) == 7
    with pytest.raises(InvalidValueError, match=r"`t` must be an integer in \[0, 7\], received: 8"):
        validation.int_in_range("t", 8, 0, 7)
    assert validation.one_of("size", "thumb", ("thumb", "full")) == "thumb"
    with pytest.raises(InvalidValueError, match="`size` must be one of 'thumb', 'full'; received: 'huge'"):
        validation.one_of("size", "huge", ("thumb", "full"))
    with pytest.raises(InvalidValueError):
        validation.one_of("size", ["thumb"], {"thumb": 1})  # unhashable


def test_argparse_types_use_the_same_checks():
    assert argtypes.positive_int("4") == 4
    assert argtypes.non_negative_int("0") == 0
    assert argtypes.positive_float("0.5") == 0.5
    assert argtypes.non_negative_floats("0.5,3,0") == (0.5, 3.0, 0.0)
    bad = ((argtypes.positive_int, "0"), (argtypes.positive_int, "x"), (argtypes.positive_float, "inf"),
           (argtypes.non_negative_floats, "-1"), (argtypes.non_negative_floats, ""))
    for parse, text in bad:
        with pytest.raises(argparse.ArgumentTypeError, match=f"received {text!r}"):
            parse(text)


def test_models_layers_and_scaling_raise_package_errors():
    from residual_compression.layers.lstm_cell import LSTMCell
    from residual_compression.models import build_model

    with pytest.raises(ResidualCompressionError, match="`iterations` must be a positive integer, received: 0"):
        build_model("fc_residual_shared", iterations=0)
    with pytest.raises(ResidualCompressionError, match="`width` must be a positive finite number"):
        build_model("fc_residual_shared", width=-1.0)
    with pytest.raises(ResidualCompressionError, match="`units`"):
        LSTMCell(units=0)
    with pytest.raises(ImageInputError, match="uint8"):
        to_model_space(np.zeros((1, 8, 8, 3), np.float32))
