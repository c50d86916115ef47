"""Tests of residual_compression.layers (eq. 4-14 of Toderici et al. 2016)."""

import keras
import numpy as np
import pytest
from keras import ops

from residual_compression import layers as rc_layers
from residual_compression.layers import ConvLSTM2D
from residual_compression.layers import DeconvLSTM2D
from residual_compression.layers import LSTMCell
from residual_compression.layers import StochasticBinarizer

# tests/ has no __init__.py: pytest puts this folder on sys.path.
from layer_checks import check_layer  # noqa: E402  (local test helper)
from layer_checks import rand
from layer_checks import randomize_weights
from layer_checks import to_numpy
from layer_checks import value_and_input_grads


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_gates(z, c_prev):
    """Eq. (8)-(10) with gate order (i, f, o, g)."""
    i, f, o, g = np.split(z, 4, axis=-1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def test_all_names_exist():
    for name in rc_layers.__all__:
        assert hasattr(rc_layers, name)


# ------------------------------------------------------------ common checks
LAYER_CASES = {
    "binarizer_dense": dict(
        factory=lambda: StochasticBinarizer(bits=4, projection="dense", seed=1),
        inputs=rand(3, 6),
        states=None,
        shape=(3, 4),
        n_trainable=2,
    ),
    "binarizer_conv": dict(
        factory=lambda: StochasticBinarizer(bits=4, projection="conv", seed=2),
        inputs=rand(2, 3, 3, 6),
        states=None,
        shape=(2, 3, 3, 4),
        n_trainable=2,
    ),
    "binarizer_none": dict(
        factory=lambda: StochasticBinarizer(seed=3),
        inputs=rand(2, 5),
        states=None,
        shape=(2, 5),
        n_trainable=0,
    ),
    "lstm_cell": dict(
        factory=lambda: LSTMCell(4),
        inputs=rand(2, 3),
        states=[rand(2, 4, seed=1), rand(2, 4, seed=2)],
        shape=(2, 4),
        n_trainable=2,
    ),
    "conv_lstm_stride1": dict(
        factory=lambda: ConvLSTM2D(2, kernel_size=3, strides=1),
        inputs=rand(2, 4, 4, 2),
        states=[rand(2, 4, 4, 2, seed=1), rand(2, 4, 4, 2, seed=2)],
        shape=(2, 4, 4, 2),
        n_trainable=3,
    ),
    "conv_lstm_stride2": dict(
        factory=lambda: ConvLSTM2D(2, kernel_size=3, strides=2, hidden_kernel_size=(1, 3)),
        inputs=rand(2, 6, 4, 2),
        states=[rand(2, 3, 2, 2, seed=1), rand(2, 3, 2, 2, seed=2)],
        shape=(2, 3, 2, 2),
        n_trainable=3,
    ),
    "deconv_lstm_stride2": dict(
        factory=lambda: DeconvLSTM2D(2, kernel_size=3, strides=2),
        inputs=rand(2, 2, 3, 2),
        states=[rand(2, 4, 6, 2, seed=1), rand(2, 4, 6, 2, seed=2)],
        shape=(2, 4, 6, 2),
        n_trainable=3,
    ),
}


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_check_layer(case, tmp_path):
    c = LAYER_CASES[case]
    check_layer(
        c["factory"],
        c["inputs"],
        states=c["states"],
        expected_output_shape=c["shape"],
        expected_num_trainable_weights=c["n_trainable"],
        tmp_path=tmp_path,
    )


def test_check_layer_catches_a_config_bug():
    """The helper itself must fail on a layer that drops an argument from its config."""

    class Forgetful(keras.layers.Layer):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = keras.layers.Dense(units)

        def build(self, input_shape):
            self.dense.build(input_shape)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            config = super().get_config()
            config["units"] = 2  # wrong unless units == 2
            return config

    with pytest.raises(AssertionError):
        check_layer(lambda: Forgetful(units=3), rand(2, 4))


def test_check_layer_catches_a_dead_weight():
    """... and on a trainable weight that receives no gradient."""

    @keras.saving.register_keras_serializable(package="test_layers")
    class Dead(keras.layers.Layer):
        def build(self, input_shape):
            self.used = self.add_weight(shape=(input_shape[-1],), name="used")
            self.unused = self.add_weight(shape=(1,), name="unused")

        def call(self, x):
            return x * self.used

    with pytest.raises(AssertionError, match="unused"):
        check_layer(Dead, rand(2, 4), tmp_path=None)


# ------------------------------------------------------------ LSTM cell
def test_lstm_cell_matches_numpy_reference():
    units, in_dim = 4, 3
    cell = LSTMCell(units)
    x = rand(2, in_dim)
    h0, c0 = rand(2, units, seed=1), rand(2, units, seed=2)
    cell(x, [h0, c0])
    randomize_weights(cell, seed=3)
    kernel, bias = to_numpy(cell.kernel), to_numpy(cell.bias)
    assert kernel.shape == (in_dim + units, 4 * units)
    h, c = h0, c0
    layer_h, layer_states = h0, [h0, c0]
    for step in range(2):  # two steps: the state is fed back
        xt = rand(2, in_dim, seed=10 + step)
        h, c = numpy_gates(np.concatenate([xt, h], -1) @ kernel + bias, c)
        layer_h, layer_states = cell(xt, layer_states)
        np.testing.assert_allclose(to_numpy(layer_h), h, atol=1e-5)
        np.testing.assert_allclose(to_numpy(layer_states[0]), h, atol=1e-5)
        np.testing.assert_allclose(to_numpy(layer_states[1]), c, atol=1e-5)


@pytest.mark.parametrize("unit_forget_bias", [True, False])
def test_lstm_cell_forget_bias_init(unit_forget_bias):
    n = 4
    cell = LSTMCell(n, unit_forget_bias=unit_forget_bias)
    cell(rand(1, 3), cell.get_initial_state(1))
    bias = to_numpy(cell.bias)
    expected = np.zeros(4 * n, "float32")
    if unit_forget_bias:
        expected[n : 2 * n] = 1.0
    np.testing.assert_array_equal(bias, expected)


def test_lstm_cell_initial_state():
    cell = LSTMCell(6)
    assert cell.state_shape() == (6,)
    h, c = cell.get_initial_state(3)
    assert tuple(h.shape) == (3, 6) and tuple(c.shape) == (3, 6)
    assert not np.any(to_numpy(h)) and not np.any(to_numpy(c))


# ------------------------------------------------------------ conv cells
def conv_reference(layer, x, h0, c0, transpose):
    """Eq. (13)/(14) with Keras convolutions holding the layer's own kernels."""
    filters = layer.filters
    in_cls = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
    in_op = in_cls(4 * filters, layer.kernel_size, strides=layer.strides, padding="same", use_bias=False)
    hid_op = keras.layers.Conv2D(4 * filters, layer.hidden_kernel_size, strides=1, padding="same", use_bias=False)
    in_op.build(x.shape)
    hid_op.build(h0.shape)
    in_op.kernel.assign(layer.input_conv.kernel.value)
    hid_op.kernel.assign(layer.hidden_conv.kernel.value)
    z = to_numpy(in_op(x)) + to_numpy(hid_op(h0)) + to_numpy(layer.bias)
    return numpy_gates(z, c0)


def check_conv_cell(layer, x, state_spatial, transpose):
    filters = layer.filters
    batch = x.shape[0]
    assert layer.state_shape(x.shape[1], x.shape[2]) == state_spatial + (filters,)
    h_init, c_init = layer.get_initial_state(x)
    assert tuple(h_init.shape) == (batch,) + state_spatial + (filters,)
    assert tuple(c_init.shape) == tuple(h_init.shape)
    h0 = rand(batch, *state_spatial, filters, seed=1)
    c0 = rand(batch, *state_spatial, filters, seed=2)
    layer(x, [h0, c0])
    randomize_weights(layer, seed=4)
    # the hidden-to-hidden convolution has stride 1 and maps filters -> 4 filters
    assert layer.hidden_conv.strides == (1, 1)
    assert layer.hidden_conv.get_config()["strides"] == (1, 1)
    assert tuple(layer.hidden_conv.kernel.shape) == layer.hidden_kernel_size + (filters, 4 * filters)
    assert layer.input_conv.strides == layer.strides
    if transpose:
        assert isinstance(layer.input_conv, keras.layers.Conv2DTranspose)
        assert tuple(layer.input_conv.kernel.shape) == layer.kernel_size + (4 * filters, x.shape[-1])
    else:
        assert tuple(layer.input_conv.kernel.shape) == layer.kernel_size + (x.shape[-1], 4 * filters)
    assert tuple(layer.bias.shape) == (4 * filters,)
    h, (h_state, c_state) = layer(x, [h0, c0])
    assert tuple(h.shape) == (batch,) + state_spatial + (filters,)
    ref_h, ref_c = conv_reference(layer, x, h0, c0, transpose)
    np.testing.assert_allclose(to_numpy(h), ref_h, atol=1e-5)
    np.testing.assert_allclose(to_numpy(h_state), ref_h, atol=1e-5)
    np.testing.assert_allclose(to_numpy(c_state), ref_c, atol=1e-5)
    # the zero initial state is accepted and steps
    h1, _ = layer(x, [h_init, c_init])
    assert tuple(h1.shape) == tuple(h.shape)


def test_conv_lstm_stride2_reference():
    layer = ConvLSTM2D(2, kernel_size=3, strides=2, hidden_kernel_size=(1, 3))
    assert layer.get_config()["strides"] == (2, 2)
    check_conv_cell(layer, rand(2, 8, 6, 2), (4, 3), transpose=False)


def test_conv_lstm_stride2_odd_size_rounds_up():
    layer = ConvLSTM2D(2, kernel_size=3, strides=2)
    check_conv_cell(layer, rand(1, 7, 5, 2), (4, 3), transpose=False)


def test_conv_lstm_stride1_reference():
    layer = ConvLSTM2D(2, kernel_size=3, strides=1)
    assert layer.hidden_kernel_size == (3, 3)  # defaults to kernel_size
    check_conv_cell(layer, rand(1, 5, 4, 2), (5, 4), transpose=False)


def test_deconv_lstm_stride2_reference():
    layer = DeconvLSTM2D(2, kernel_size=3, strides=2, hidden_kernel_size=(1, 3))
    check_conv_cell(layer, rand(2, 3, 4, 2), (6, 8), transpose=True)


@pytest.mark.parametrize("cls", [ConvLSTM2D, DeconvLSTM2D])
def test_conv_cells_forget_bias_init(cls):
    n = 2
    layer = cls(n, kernel_size=3, strides=1)
    x = rand(1, 2, 2, 2)
    layer(x, layer.get_initial_state(x))
    expected = np.zeros(4 * n, "float32")
    expected[n : 2 * n] = 1.0
    np.testing.assert_array_equal(to_numpy(layer.bias), expected)


@pytest.mark.parametrize("cls", [ConvLSTM2D, DeconvLSTM2D])
def test_conv_cells_reject_non_4d_inputs(cls):
    layer = cls(2)
    x = rand(2, 4, 3)
    with pytest.raises(ValueError, match="inputs"):
        layer(x, [rand(2, 4, 2), rand(2, 4, 2)])


# ------------------------------------------------------------ argument validation
def check_error(fn, name, value):
    with pytest.raises(ValueError) as info:
        fn()
    message = str(info.value)
    assert name in message, f"message does not name {name!r}: {message}"
    assert repr(value) in message, f"message does not show {value!r}: {message}"


BAD_COUNTS = [0, -3, 2.5, "8", True, None]
BAD_KERNELS = [0, -1, (3,), (3, 0), (3, 3, 3), "3", (3, 2.0), True]


@pytest.mark.parametrize("value", BAD_COUNTS)
def test_lstm_cell_rejects_bad_units(value):
    check_error(lambda: LSTMCell(value), "units", value)


@pytest.mark.parametrize("cls", [ConvLSTM2D, DeconvLSTM2D])
@pytest.mark.parametrize("value", BAD_COUNTS)
def test_conv_cells_reject_bad_filters(cls, value):
    check_error(lambda: cls(value), "filters", value)


@pytest.mark.parametrize("cls", [ConvLSTM2D, DeconvLSTM2D])
@pytest.mark.parametrize("arg", ["kernel_size", "strides", "hidden_kernel_size"])
@pytest.mark.parametrize("value", BAD_KERNELS)
def test_conv_cells_reject_bad_kernels(cls, arg, value):
    check_error(lambda: cls(2, **{arg: value}), arg, value)


@pytest.mark.parametrize("value", ["fc", "Dense", 1, ""])
def test_binarizer_rejects_bad_projection(value):
    check_error(lambda: StochasticBinarizer(bits=4, projection=value), "projection", value)


@pytest.mark.parametrize("projection", ["dense", "conv"])
@pytest.mark.parametrize("value", [None, 0, -2, 1.5, "4", True])
def test_binarizer_rejects_bad_bits(projection, value):
    check_error(lambda: StochasticBinarizer(bits=value, projection=projection), "bits", value)


def test_binarizer_rejects_bits_without_projection():
    check_error(lambda: StochasticBinarizer(bits=4), "bits", 4)
