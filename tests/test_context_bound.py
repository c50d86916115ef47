"""tools/context_bound.py measures what a context model could save; its features must be
causal (only what the decoder knows before the symbol) or the bound it reports is a lie."""

import numpy as np
import pytest

from conftest import load_tool
from residual_compression import entropy


@pytest.fixture(scope="module")
def tool():
    return load_tool("context_bound")


def _later_or_same(shape, target):
    """Mask of the symbols coded at or after ``target`` (t, y, x, c) in format 2's order (t, y, c, x)."""
    t, y, x, c = np.meshgrid(*(np.arange(n) for n in shape), indexing="ij")
    key = lambda t_, y_, c_, x_: ((t_ * shape[1] + y_) * shape[3] + c_) * shape[2] + x_  # noqa: E731
    return key(t, y, c, x) >= key(*target[:2], target[3], target[2])


def _row(shape, target):
    """Index of ``target``'s row in ``features`` for one image: (t, c)-major, then y, x."""
    t, y, x, c = target
    return ((t * shape[3] + c) * shape[1] + y) * shape[2] + x


@pytest.mark.parametrize("target", [(0, 0, 0, 0), (2, 3, 1, 1), (3, 5, 7, 0), (1, 0, 4, 1)])
def test_features_see_only_what_the_decoder_has_decoded(tool, target):
    rng = np.random.default_rng(0)
    shape = (4, 6, 8, 2)
    codes = rng.choice(np.array([-1, 1], np.int8), size=(1, *shape))
    pictures = rng.integers(0, 256, (1, 4, 24, 32, 3), dtype=np.uint8)
    other = codes.copy()
    later = _later_or_same(shape, target)
    other[0][later] = rng.choice(np.array([-1, 1], np.int8), size=int(later.sum()))
    other[0][target] = -codes[0][target]  # the symbol itself differs for sure
    changed_pictures = pictures.copy()
    changed_pictures[:, target[0]:] = 255 - pictures[:, target[0]:]  # pictures of iterations >= t
    a, ya = tool.features(codes, pictures)
    b, yb = tool.features(other, changed_pictures)
    row = _row(shape, target)
    assert ya[row] != yb[row]  # the row is the target's
    np.testing.assert_array_equal(a[row], b[row])


def test_shipped_cost_is_the_ideal_length_of_the_adaptive_model(tool):
    rng = np.random.default_rng(1)
    codes = rng.choice(np.array([-1, 1], np.int8), size=(3, 2, 4, 4, 2))
    uniform = entropy.context_model(0)
    cost = tool.shipped_cost(codes, uniform)
    assert 0.9 < cost < 1.2  # random bits cost about one bit each
    constant = np.ones((1, 8, 8, 8, 2), np.int8)
    assert tool.shipped_cost(constant, uniform) < 0.5  # the adaptive counts learn a constant
