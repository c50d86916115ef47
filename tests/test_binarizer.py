"""The stochastic binarizer of sec. 3.2 (eq. 4-6): statistics, sign at inference,
straight-through gradients, and its projection."""

import numpy as np
import pytest
from keras import ops

from layer_checks import rand
from layer_checks import randomize_weights
from layer_checks import to_numpy
from layer_checks import value_and_input_grads
from residual_compression.layers import StochasticBinarizer

X_VALUES = np.array([-0.9, -0.5, 0.0, 0.3, 0.8], "float32")


def test_binarizer_training_statistics():
    layer = StochasticBinarizer(seed=1234)
    x = np.tile(X_VALUES, (200_000, 1))
    b = to_numpy(layer(x, training=True))
    assert b.shape == x.shape
    # every forward value is exactly -1 or +1 (eq. 4: b(x) = x + eps in {-1, 1})
    bad = b[(b != 1.0) & (b != -1.0)]
    assert bad.size == 0, f"{bad.size} outputs are not exactly +-1, e.g. {bad[:3].tolist()}"
    # E[b(x)] = x (eq. 5)
    np.testing.assert_allclose(b.mean(axis=0), X_VALUES, atol=0.01)


def test_binarizer_training_extremes_and_noise():
    layer = StochasticBinarizer(seed=5)
    x = np.repeat(np.array([-1.0, 1.0], "float32"), 500)  # P(+1) = 0 and 1
    b = to_numpy(layer(x, training=True))
    assert np.all(b[:500] == -1.0) and np.all(b[500:] == 1.0)
    # the noise is redrawn at every call
    z = np.zeros((1000,), "float32")
    assert not np.array_equal(to_numpy(layer(z, training=True)), to_numpy(layer(z, training=True)))


def test_binarizer_seed_reproducible():
    x = np.zeros((1000,), "float32")
    a = to_numpy(StochasticBinarizer(seed=7)(x, training=True))
    b = to_numpy(StochasticBinarizer(seed=7)(x, training=True))
    np.testing.assert_array_equal(a, b)


def test_binarizer_inference_is_sign():
    layer = StochasticBinarizer()
    x = np.array([-1.0, -0.5, -1e-7, 0.0, 1e-7, 0.3, 1.0], "float32")
    expected = np.array([-1, -1, -1, 1, 1, 1, 1], "float32")
    first = to_numpy(layer(x))  # default is inference
    np.testing.assert_array_equal(first, expected)
    for _ in range(3):
        np.testing.assert_array_equal(to_numpy(layer(x, training=False)), expected)
    big = rand(50, 40, seed=3)
    np.testing.assert_array_equal(to_numpy(layer(big)), np.where(big < 0, -1.0, 1.0))


def test_binarizer_straight_through_gradient():
    layer = StochasticBinarizer(seed=0)
    x = rand(1000, seed=4)
    _, _, (grad,) = value_and_input_grads(
        lambda t: ops.sum(layer(t, training=True)), [], [x]
    )
    np.testing.assert_array_equal(to_numpy(grad), np.ones_like(x))


@pytest.mark.parametrize("projection", ["dense", "conv"])
def test_binarizer_projection_matches_hand_computation(projection):
    bits = 4
    layer = StochasticBinarizer(bits=bits, projection=projection, seed=0)
    x = rand(4, 6) if projection == "dense" else rand(2, 3, 3, 6)
    layer(x)
    randomize_weights(layer, seed=2)
    kernel = to_numpy(layer.proj.kernel).reshape(6, bits)
    bias = to_numpy(layer.proj.bias)
    assert bias.shape == (bits,)
    pre = x @ kernel + bias
    act = np.tanh(pre)
    out = to_numpy(layer(x))
    assert out.shape == x.shape[:-1] + (bits,)
    assert layer.compute_output_shape(x.shape) == x.shape[:-1] + (bits,)
    np.testing.assert_allclose(to_numpy(layer.activations(x)), act, atol=1e-5)
    clear = np.abs(pre) > 1e-4
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(out[clear], np.where(act < 0, -1.0, 1.0)[clear])
    # training mode: still +-1 with bits channels
    t = to_numpy(layer(x, training=True))
    assert t.shape == out.shape and np.all(np.abs(t) == 1.0)


def test_binarizer_projection_straight_through_to_weights():
    """d/dW of sum(b(tanh(Wx+b))) in training equals d/dW of sum(tanh(Wx+b))."""
    layer = StochasticBinarizer(bits=4, projection="dense", seed=0)
    x = rand(8, 6)
    layer(x)
    weights = list(layer.trainable_variables)
    _, g_bin, _ = value_and_input_grads(lambda t: ops.sum(layer(t, training=True)), weights, [x])
    _, g_act, _ = value_and_input_grads(lambda t: ops.sum(layer.activations(t)), weights, [x])
    for a, b in zip(g_bin, g_act):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-6, atol=1e-6)
        assert np.any(to_numpy(a) != 0)
