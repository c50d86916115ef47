"""Compiled inference (models/compiled.py): the same codes and pixels as the eager loop."""

import keras
import numpy as np
import pytest
from keras import ops

from conftest import small_model
from conftest import synthetic_images
from residual_compression.initialization import reinitialize
from residual_compression.models import build_model
from residual_compression.models.compiled import is_eager_value
from residual_compression.scaling import to_model_space


def _np(values):
    return [np.asarray(ops.convert_to_numpy(v)) for v in values]


def test_compiled_equals_eager_for_every_architecture(case):
    model = small_model(case)
    x = ops.convert_to_tensor(to_model_space(synthetic_images(3, 32, 48, seed=5)))
    iterations = min(2, model.iterations)
    codes, recons = model.encode(x, iterations)
    eager_codes, eager_recons = model._encode_loop(x, iterations, False)
    for a, b in zip(_np(codes), _np(eager_codes)):
        np.testing.assert_array_equal(a, b)
    # Pixels agree to float rounding: on a CPU with AVX-512, graph mode picks other matmul
    # kernels than eager (the fully-connected LSTM's differ by 2e-9); on AVX2 they are equal.
    for a, b in zip(_np(recons), _np(eager_recons)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    decoded = model.decode(codes)
    for a, b in zip(_np(decoded), _np(model._decode_loop([ops.convert_to_tensor(c) for c in codes]))):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_compiled_codes_do_not_depend_on_batch_size():
    model = small_model("conv_lstm")
    images = to_model_space(synthetic_images(5, seed=2))
    together = _np(model.encode(images, 3)[0])
    for i in range(5):
        alone = _np(model.encode(images[i : i + 1], 3)[0])
        for a, b in zip(alone, together):
            np.testing.assert_array_equal(a[0], b[i])


def test_compiled_graph_follows_new_weights():
    model = reinitialize(build_model("conv_lstm", width=0.125, iterations=2), seed=0)
    x = to_model_space(synthetic_images(2))
    before = _np(model.encode(x, 2)[1])
    reinitialize(model, seed=9)
    after = _np(model.encode(x, 2)[1])
    np.testing.assert_array_equal(after[-1], _np(model._encode_loop(ops.convert_to_tensor(x), 2, False)[1])[-1])
    assert not np.array_equal(before[-1], after[-1])


def test_symbolic_and_eager_detection():
    assert not is_eager_value(keras.KerasTensor((1, 32, 32, 3)))
    assert is_eager_value(ops.zeros((1,))) == (keras.backend.backend() == "tensorflow")


@pytest.mark.parametrize("policy", ["mixed_bfloat16"])
def test_mixed_precision_reaches_the_cell_convolutions(policy):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        model = build_model("conv_lstm", width=0.125, iterations=2)
    finally:
        keras.config.set_dtype_policy(previous)
    convs = [
        layer
        for step in (model.encoder_step(0), model.decoder_step(0))
        for layer in step._flatten_layers()
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))
    ]
    assert len(convs) >= 9  # input and state convolutions inside the four LSTM cells, and the rest
    assert {layer.compute_dtype for layer in convs} == {"bfloat16"}
    assert {w.dtype for layer in convs for w in layer.weights} == {"float32"}  # portable weights
