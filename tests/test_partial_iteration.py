"""Partial-iteration training (bit dropout) and the coding order it imitates."""

import numpy as np
import pytest

from residual_compression import entropy
from residual_compression.models import build_model
from residual_compression.validation import InvalidValueError


def test_coding_rank_is_the_format_2_coding_order():
    shape = (3, 4, 5)  # (h, w, C)
    flat_in_coding_order, _ = entropy._order((1,) + shape, None)
    rank = entropy.coding_rank(shape)
    assert rank.shape == shape
    np.testing.assert_array_equal(rank.ravel()[flat_in_coding_order], np.arange(rank.size))


def _images(n=3, seed=0):
    return np.random.default_rng(seed).uniform(-0.9, 0.9, (n, 32, 32, 3)).astype("float32")


@pytest.mark.parametrize("architecture", ["conv_lstm", "conv_residual_shared"])
def test_training_output_gains_one_partial_iteration(architecture):
    model = build_model(architecture, width=0.125, iterations=3, seed=0)
    model.train_on_partial_iterations(entropy.coding_rank, seed=0)
    x = _images()
    assert tuple(model(x, training=True).shape) == (3, 4, 32, 32, 3)
    assert tuple(model(x).shape) == (3, 3, 32, 32, 3)  # inference is unchanged
    assert "partial" not in str(model.get_config())


def _run(monkeypatch, rank_value, iteration, priming=0):
    """Training output of a conv LSTM whose coding rank is constant and whose
    partial iteration is ``iteration`` for every example."""
    import keras

    from residual_compression.models import partial_iteration

    def fixed(shape, minval, maxval, seed=None, dtype="int32"):
        return keras.ops.full(shape, iteration, dtype="int32")

    monkeypatch.setattr(partial_iteration.keras.random, "randint", fixed)
    model = build_model("conv_lstm", width=0.125, iterations=3, seed=0, priming=priming)
    model.train_on_partial_iterations(lambda shape: np.full(shape, rank_value), seed=1)
    return model, np.asarray(model(_images(), training=True))


@pytest.mark.parametrize("priming", [0, 2])
@pytest.mark.parametrize("iteration", [0, 2])
def test_a_fully_kept_partial_iteration_is_the_whole_one(monkeypatch, iteration, priming):
    """With priming, only a partial first iteration gets the extra decoder runs."""
    _, out = _run(monkeypatch, -1, iteration, priming)  # every bit ranks before any cut
    np.testing.assert_allclose(out[:, -1], out[:, iteration], atol=1e-5)


@pytest.mark.parametrize("priming", [0, 2])
def test_a_fully_dropped_partial_iteration_decodes_a_zero_code(monkeypatch, priming):
    model, out = _run(monkeypatch, 10**9, 0, priming)  # every bit ranks after any cut
    zero_code = np.zeros((3,) + model.code_shape(32, 32), "float32")
    expected = np.asarray(model.decode([zero_code])[0])
    np.testing.assert_allclose(out[:, -1], expected, atol=1e-5)
    assert np.abs(out[:, -1] - out[:, 0]).max() > 1e-3  # the sent bits mattered


@pytest.mark.parametrize("architecture", ["fc_lstm", "conv_residual_distinct", "fc_residual_shared"])
def test_models_without_shared_per_image_steps_are_refused(architecture):
    model = build_model(architecture, width=0.125, iterations=2)
    with pytest.raises(InvalidValueError, match=architecture):
        model.train_on_partial_iterations(entropy.coding_rank)
