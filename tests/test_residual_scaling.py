"""Residual scaling of the conv LSTM (Toderici et al. 2017; models/residual_scaling.py)."""

import numpy as np
import pytest
from keras import ops

from layer_checks import randomize_weights
from residual_compression import entropy
from residual_compression.models import build_model
from residual_compression.models.residual_scaling import GAIN_LOG2_RANGE
from residual_compression.models.residual_scaling import GAIN_RATE
from residual_compression.training.widen import warm_start


def _np(x):
    return ops.convert_to_numpy(x)


def _images(n=2, size=16, seed=0):
    return np.random.default_rng(seed).uniform(-0.9, 0.9, (n, size, size, 3)).astype("float32")


def _scaled(seed=3, **config):
    model = build_model("conv_lstm", width=0.125, iterations=3, seed=0, residual_scaling=True, **config)
    randomize_weights(model, seed=seed, scale=0.3)  # the gain network too: g is not 1 ...
    layer = model._gain.get_layer("log_gain")
    layer.set_weights([w / GAIN_RATE for w in layer.get_weights()])  # ... nor saturated at 1/8 or 8
    return model


def test_the_three_equations_by_hand():
    """g = G(x_hat), b = B(E(g r)), x_hat' = x_hat + (D(b) - x_hat) / g, from x_hat_0 = 0."""
    model = _scaled()
    x = ops.convert_to_tensor(_images())
    codes, recons = model.encode(x)
    enc_shapes, dec_shapes = model.state_shapes(16, 16)
    enc = [ops.zeros((2,) + s) for s in enc_shapes]
    dec = [ops.zeros((2,) + s) for s in dec_shapes]
    recon = ops.zeros_like(x)
    gains = []
    for t in range(3):
        gain = model._gain(recon)
        gains.append(_np(gain))
        bits, *enc = model.encoder_step(t)([(x - recon) * gain, *enc])
        out, *dec = model.decoder_step(t)([bits, *dec])
        recon = recon + (out - recon) / gain
        np.testing.assert_array_equal(_np(bits), _np(codes[t]))
        np.testing.assert_allclose(_np(recon), _np(recons[t]), atol=1e-5)
    assert np.ptp(gains[1]) > 1e-3, "the test needs gains that differ between blocks"
    assert np.all(gains[1][:, ::4, ::4] == gains[1][:, 3::4, 3::4])  # held over each 4x4 block
    for a, b in zip(model.decode(codes), recons):
        np.testing.assert_allclose(_np(a), _np(b), atol=1e-5)
    for activations, code in zip(model.pre_binarizer_activations(x), codes):
        np.testing.assert_array_equal(np.where(_np(activations) < 0, -1.0, 1.0), _np(code))


def test_gain_is_bounded():
    model = _scaled()
    layer = model._gain.get_layer("log_gain")
    kernel, bias = layer.get_weights()
    for sign in (1.0, -1.0):
        layer.set_weights([np.zeros_like(kernel), np.full_like(bias, sign * 100.0)])
        np.testing.assert_allclose(_np(model._gain(_images())), 2.0 ** (sign * GAIN_LOG2_RANGE), rtol=1e-6)


def test_config_round_trip_and_argument_check(tmp_path):
    model = _scaled()
    config = model.get_config()
    assert config["residual_scaling"] is True
    assert "residual_scaling" not in build_model("conv_lstm", width=0.125, iterations=3).get_config()
    clone = type(model).from_config(config)
    path = tmp_path / "scaled.weights.h5"
    model.save_weights(path)
    clone.load_weights(path)
    x = _images()
    np.testing.assert_array_equal(_np(clone(x)), _np(model(x)))
    assert model.macs_split(32, 32)[1] > build_model("conv_lstm", width=0.125, iterations=3).macs_split(32, 32)[1]
    with pytest.raises(ValueError, match="residual_scaling.*'yes'"):
        build_model("conv_lstm", residual_scaling="yes")
    with pytest.raises(ValueError, match="unknown argument.*residual_scaling"):
        build_model("conv_residual_shared", residual_scaling=True)


def test_warm_start_from_unscaled_weights_is_the_same_function(tmp_path):
    """A scaled run starts from weights trained without scaling: the gain network starts at g = 1."""
    source = build_model("conv_lstm", width=0.125, iterations=3, seed=0)
    randomize_weights(source, seed=4, scale=0.3)
    path = tmp_path / "unscaled.weights.h5"
    source.save_weights(path)
    model = _scaled()
    warm_start(model, path, None, "conv_lstm", dict(width=0.125, iterations=3, seed=0, residual_scaling=True))
    np.testing.assert_array_equal(_np(model._gain(_images())), 1.0)
    x = _images(seed=1)
    codes, recons = model.encode(x)
    want_codes, want_recons = source.encode(x)
    np.testing.assert_array_equal(np.stack([_np(c) for c in codes]), np.stack([_np(c) for c in want_codes]))
    np.testing.assert_allclose(_np(recons[-1]), _np(want_recons[-1]), atol=1e-6)
    scaled_path = tmp_path / "scaled.weights.h5"
    _scaled(seed=5).save_weights(scaled_path)
    warm_start(model, scaled_path, None, "conv_lstm", dict(width=0.125, iterations=3, seed=0, residual_scaling=True))
    assert np.ptp(_np(model._gain(_images()))) > 1e-3  # scaled weights load as they are


def test_partial_iteration_training_takes_the_gain():
    model = _scaled(priming=1)
    model.train_on_partial_iterations(entropy.coding_rank, seed=0)
    out = _np(model(_images(3), training=True))
    assert out.shape == (3, 4, 16, 16, 3) and np.isfinite(out).all()
