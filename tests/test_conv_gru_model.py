"""The conv LSTM family with GRU cells (``cell="gru"``, Toderici et al. 2017)."""

import numpy as np
import pytest
from keras import ops

from layer_checks import randomize_weights
from residual_compression.layers import ConvGRU2D
from residual_compression.layers import DeconvGRU2D
from residual_compression.models import build_model


def _np(x):
    return ops.convert_to_numpy(x)


def _images(n=2, size=16, seed=0):
    return np.random.default_rng(seed).uniform(-0.9, 0.9, (n, size, size, 3)).astype("float32")


def _gru(**config):
    model = build_model("conv_lstm", width=0.125, iterations=3, seed=0, cell="gru", **config)
    randomize_weights(model, seed=3, scale=0.3)
    return model


def test_gru_cells_in_the_lstm_places():
    model = _gru()
    encoder, decoder = model.encoder_step(0), model.decoder_step(0)
    assert [type(encoder.get_layer(f"conv_gru{i}")) for i in (2, 3)] == [ConvGRU2D] * 2
    assert [type(decoder.get_layer(f"deconv_gru{i}")) for i in (2, 3)] == [DeconvGRU2D] * 2
    enc, dec = model.state_shapes(32, 32)
    assert enc == [(8, 8, 16), (8, 8, 16)] and dec == [(16, 16, 16), (32, 32, 8)]  # one state per layer
    lstm = build_model("conv_lstm", width=0.125, iterations=3)
    assert len(lstm.state_shapes(32, 32)[0]) == 4
    for gru_macs, lstm_macs in zip(model.macs_split(32, 32), lstm.macs_split(32, 32)):
        assert 0.6 * lstm_macs < gru_macs < lstm_macs  # three gate maps per unit against four
    assert model.count_params() < lstm.count_params()


def test_encode_decode_and_config_round_trip(tmp_path):
    model = _gru(hidden_kernel_size=3)
    x = _images()
    codes, recons = model.encode(x)
    for a, b in zip(model.decode(codes), recons):
        np.testing.assert_allclose(_np(a), _np(b), atol=1e-5)
    config = model.get_config()
    assert config["cell"] == "gru" and "cell" not in build_model("conv_lstm").get_config()
    clone = type(model).from_config(config)
    model.save_weights(tmp_path / "gru.weights.h5")
    clone.load_weights(tmp_path / "gru.weights.h5")
    np.testing.assert_array_equal(_np(clone(x)), _np(model(x)))
    with pytest.raises(ValueError, match="cell.*'rnn'"):
        build_model("conv_lstm", cell="rnn")


def test_gru_model_trains_with_partial_iterations_and_scaling():
    from conftest import synthetic_images
    from residual_compression import entropy
    from residual_compression.initialization import reinitialize
    from residual_compression.scaling import to_model_space
    from residual_compression.training import compile_for_training

    import keras

    keras.utils.set_random_seed(0)
    model = build_model("conv_lstm", width=0.125, iterations=2, seed=0, cell="gru", residual_scaling=True)
    model = reinitialize(model, seed=2)
    start = [np.array(w) for w in model.get_weights()]
    model.train_on_partial_iterations(entropy.coding_rank, seed=0)
    model = compile_for_training(model, learning_rate=1e-2)
    x = to_model_space(synthetic_images(16, 16, 16, seed=9))
    before = float(model.evaluate(x, x, verbose=0))
    model.fit(x, x, epochs=20, batch_size=16, verbose=0)
    assert float(model.evaluate(x, x, verbose=0)) < 0.95 * before
    assert all(np.abs(w - w0).max() > 0 for w, w0 in zip(model.get_weights(), start))  # every weight learns
