"""Tests of the convolutional GRU cells (Toderici et al. 2017): ConvGRU2D, DeconvGRU2D."""

import keras
import numpy as np
import pytest

from layer_checks import check_layer
from layer_checks import rand
from layer_checks import randomize_weights
from layer_checks import to_numpy
from residual_compression.layers import ConvGRU2D
from residual_compression.layers import DeconvGRU2D

CASES = {
    "conv_gru_stride1": (lambda: ConvGRU2D(2, kernel_size=3, strides=1), rand(2, 4, 4, 2), (2, 4, 4, 2)),
    "conv_gru_stride2": (lambda: ConvGRU2D(2, kernel_size=3, strides=2, hidden_kernel_size=(1, 3)), rand(2, 6, 4, 2), (2, 3, 2, 2)),
    "deconv_gru_stride2": (lambda: DeconvGRU2D(2, kernel_size=3, strides=2), rand(2, 2, 3, 2), (2, 4, 6, 2)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_layer(case, tmp_path):
    factory, inputs, shape = CASES[case]
    check_layer(factory, inputs, states=[rand(*shape, seed=1)], expected_output_shape=shape,
                expected_num_trainable_weights=4, tmp_path=tmp_path)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _reference(layer, x, h0, transpose):
    """The GRU equations with Keras convolutions holding the layer's own kernels, numpy gates."""
    n = layer.filters
    in_cls = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
    in_op = in_cls(3 * n, layer.kernel_size, strides=layer.strides, padding="same", use_bias=False)
    u_zr = keras.layers.Conv2D(2 * n, layer.hidden_kernel_size, padding="same", use_bias=False)
    u_h = keras.layers.Conv2D(n, layer.hidden_kernel_size, padding="same", use_bias=False)
    for op, source, shape in ((in_op, layer.input_conv, x.shape), (u_zr, layer.hidden_conv, h0.shape), (u_h, layer.candidate_conv, h0.shape)):
        op.build(shape)
        op.kernel.assign(source.kernel.value)
    b_z, b_r, b_h = np.split(to_numpy(layer.bias), 3)
    w_z, w_r, w_h = np.split(to_numpy(in_op(x)), 3, axis=-1)
    v_z, v_r = np.split(to_numpy(u_zr(h0)), 2, axis=-1)
    z = _sigmoid(w_z + v_z + b_z)
    r = _sigmoid(w_r + v_r + b_r)
    candidate = np.tanh(w_h + to_numpy(u_h(r * h0)) + b_h)
    return (1.0 - z) * h0 + z * candidate


@pytest.mark.parametrize(
    "layer, x, spatial, transpose",
    [
        (ConvGRU2D(2, kernel_size=3, strides=2, hidden_kernel_size=(1, 3)), rand(2, 8, 6, 2), (4, 3), False),
        (ConvGRU2D(2, kernel_size=3, strides=2), rand(1, 7, 5, 2), (4, 3), False),  # rounds up
        (DeconvGRU2D(2, kernel_size=3, strides=2, hidden_kernel_size=3), rand(2, 3, 4, 2), (6, 8), True),
    ],
)
def test_gru_step_matches_the_equations(layer, x, spatial, transpose):
    n = layer.filters
    assert layer.state_shape(x.shape[1], x.shape[2]) == spatial + (n,)
    (zero,) = layer.get_initial_state(x)
    assert tuple(zero.shape) == (x.shape[0],) + spatial + (n,) and not to_numpy(zero).any()
    h0 = rand(x.shape[0], *spatial, n, seed=1)
    layer(x, [h0])
    randomize_weights(layer, seed=4)
    assert tuple(layer.hidden_conv.kernel.shape) == layer.hidden_kernel_size + (n, 2 * n)
    assert tuple(layer.candidate_conv.kernel.shape) == layer.hidden_kernel_size + (n, n)
    assert layer.hidden_conv.strides == layer.candidate_conv.strides == (1, 1)
    assert isinstance(layer.input_conv, keras.layers.Conv2DTranspose) == transpose
    h, (state,) = layer(x, [h0])
    np.testing.assert_allclose(to_numpy(h), _reference(layer, x, h0, transpose), atol=1e-5)
    np.testing.assert_array_equal(to_numpy(state), to_numpy(h))


@pytest.mark.parametrize("cls", [ConvGRU2D, DeconvGRU2D])
@pytest.mark.parametrize("arg, value", [("filters", 0), ("filters", 2.5), ("kernel_size", (3, 0)), ("strides", "2"), ("hidden_kernel_size", -1)])
def test_gru_cells_reject_bad_arguments(cls, arg, value):
    kwargs = {"filters": 2, arg: value}
    with pytest.raises(ValueError) as info:
        cls(**kwargs)
    assert arg in str(info.value) and repr(value) in str(info.value)
    layer = cls(2)
    with pytest.raises(ValueError, match="inputs"):
        layer(rand(2, 4, 3), [rand(2, 4, 2)])
