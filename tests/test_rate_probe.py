"""tools/rate_probe.py trains with the code length of format 2's contexts; its differentiable
context index must be the coder's, or the probe would measure some other model's rate."""

import numpy as np
import pytest
from keras import ops

from conftest import load_tool
from residual_compression import entropy


@pytest.fixture(scope="module")
def tool():
    return load_tool("rate_probe")


@pytest.mark.parametrize("shape", [(3, 10, 4, 6, 2), (2, 2, 1, 1, 2)])
def test_contexts_are_the_coders(tool, shape):
    bits = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=shape)
    index = ops.convert_to_numpy(tool.contexts(ops.convert_to_tensor(bits.astype(np.float32))))
    assert index.shape == shape
    for image, got in zip(bits, index):
        np.testing.assert_array_equal(got, entropy._all_contexts(image))
    assert index.max() < entropy.NUM_CONTEXTS


def test_break_even_weights_fall_to_zero_at_the_last_iteration(tool):
    weights = tool.rate_weights("break-even")
    assert np.all(np.diff(weights) <= 0) and weights[-1] == 0 and weights[0] > weights[1] > 0
    np.testing.assert_allclose(tool.rate_weights("uniform").sum(), 1.0)
