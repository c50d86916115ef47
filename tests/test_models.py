"""The seven architectures of Table 1: structure, residual semantics, persistence."""

import keras
import numpy as np
import pytest
from keras import ops

from conftest import small_model
from conftest import synthetic_images
from residual_compression.initialization import reinitialize
from residual_compression.loss import ResidualL2Loss
from residual_compression.models import ARCHITECTURES
from residual_compression.models import build_model
from residual_compression.scaling import to_model_space


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_registry_has_the_seven_architectures():
    assert sorted(ARCHITECTURES) == sorted(
        [
            "fc_residual_shared",
            "fc_residual_distinct",
            "fc_lstm",
            "conv_residual_shared",
            "conv_residual_distinct",
            "conv_autoencoder",
            "conv_lstm",
        ]
    )
    with pytest.raises(ValueError, match="architecture.*'nope'"):
        build_model("nope")


def test_residual_semantics_match_the_paper(case):
    """Eq. (2): stateless stages predict the residual, the image is their sum;
    eq. (3): LSTM steps predict the image. Checked by re-running the step models."""
    model = small_model(case)
    x = to_model_space(synthetic_images(2))
    codes, recons = model.encode(x, model.iterations)
    height, width = x.shape[1:3]
    enc_shapes, dec_shapes = model.state_shapes(height, width)
    batch = model._state_batch(2, height, width)
    enc_states = [ops.zeros((batch,) + s) for s in enc_shapes]
    dec_states = [ops.zeros((batch,) + s) for s in dec_shapes]
    total = np.zeros_like(x)
    residual = ops.convert_to_tensor(x)
    for t in range(model.iterations):
        enc_out = model.encoder_step(t)([model._to_step(residual), *enc_states])
        enc_out = enc_out if isinstance(enc_out, list) else [enc_out]
        bits, enc_states = enc_out[0], enc_out[1:]
        np.testing.assert_array_equal(_np(model._code_from_step(bits, height, width)), _np(codes[t]))
        dec_out = model.decoder_step(t)([bits, *dec_states])
        dec_out = dec_out if isinstance(dec_out, list) else [dec_out]
        out, dec_states = _np(model._from_step(dec_out[0], height, width)), dec_out[1:]
        if model.recurrent:
            expected = out
        else:
            total = total + out
            expected = total
        np.testing.assert_allclose(_np(recons[t]), expected, atol=1e-5)
        residual = ops.convert_to_tensor(x - expected)


def test_bits_are_plus_minus_one(case):
    model = small_model(case)
    codes, _ = model.encode(to_model_space(synthetic_images(2)), 1)
    assert set(np.unique(_np(codes[0]))) <= {-1.0, 1.0}


def test_encode_without_images_gives_the_same_codes(case):
    model = small_model(case)
    x = to_model_space(synthetic_images(2))
    iterations = min(3, model.iterations)
    codes, _ = model.encode(x, iterations)
    bare, none = model.encode(x, iterations, images=False)
    assert len(bare) == iterations and none == []  # compiled: the last decoder step is left out of the graph
    for a, b in zip(codes, bare):
        np.testing.assert_array_equal(_np(a), _np(b))


def test_decode_reproduces_encoder_side_reconstruction(case):
    model = small_model(case)
    codes, recons = model.encode(to_model_space(synthetic_images(2)))
    for a, b in zip(model.decode(codes), recons):
        np.testing.assert_allclose(_np(a), _np(b), atol=1e-5)


def test_distinct_models_have_one_stage_per_iteration():
    shared = small_model("conv_residual_shared")
    distinct = small_model("conv_residual_distinct")
    assert shared.encoder_step(0) is shared.encoder_step(5)
    assert distinct.encoder_step(0) is not distinct.encoder_step(1)
    assert len({id(distinct.decoder_step(t)) for t in range(distinct.iterations)}) == distinct.iterations
    with pytest.raises(ValueError, match="iteration index"):
        distinct.encoder_step(distinct.iterations)


def test_config_round_trip_and_weights_file(case, tmp_path):
    model = small_model(case)
    config = model.get_config()
    clone = type(model).from_config(config)
    assert clone.get_config() == config
    path = tmp_path / "model.weights.h5"
    model.save_weights(path)
    clone.load_weights(path)
    x = to_model_space(synthetic_images(2))
    np.testing.assert_array_equal(_np(clone(x)), _np(model(x)))


def test_keras_file_round_trip(tmp_path):
    model = small_model("conv_lstm")
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = to_model_space(synthetic_images(2))
    np.testing.assert_array_equal(_np(loaded(x)), _np(model(x)))


def test_macs_per_iteration():
    # Fully connected: every kernel weight is used once per patch.
    for case in ("fc_residual_shared", "fc_lstm"):
        model = small_model(case)
        kernels = sum(
            int(np.prod(v.shape))
            for v in model.encoder_step(0).weights + model.decoder_step(0).weights
            if len(v.shape) >= 2
        )
        assert model.macs_per_iteration(32, 32) == kernels * 16
        decoder_kernels = sum(int(np.prod(v.shape)) for v in model.decoder_step(0).weights if len(v.shape) >= 2)
        assert model.macs_split(32, 32)[1] == decoder_kernels * 16
    # Fully convolutional: proportional to area.
    for case in ("conv_residual_shared", "conv_lstm"):
        model = small_model(case)
        assert model.macs_per_iteration(64, 64) == 4 * model.macs_per_iteration(32, 32)


def test_conv_residual_macs_by_hand():
    model = build_model("conv_residual_shared", width=1.0, iterations=1)
    by_hand = (
        16 * 16 * 9 * 3 * 64  # conv1, stride 2
        + 8 * 8 * 9 * 64 * 128  # conv2, stride 2
        + 8 * 8 * 9 * 128 * 128  # conv3
        + 8 * 8 * 128 * 2  # binarizer 1x1
        + 8 * 8 * 9 * 2 * 128  # deconv1
        + 8 * 8 * 9 * 128 * 128  # deconv2 (transposed: per input position)
        + 16 * 16 * 9 * 128 * 64  # deconv3
        + 32 * 32 * 64 * 3  # rgb 1x1
    )
    assert model.macs_per_iteration(32, 32) == by_hand


def test_loss_is_normalised_by_pixels_and_iterations():
    y_true = np.zeros((2, 4, 4, 3), np.float32)
    y_pred = np.zeros((2, 3, 4, 4, 3), np.float32)
    y_pred[0, 1] = 1.0  # one of three iterations entirely off by 1
    loss = ResidualL2Loss(reduction=None)(y_true, y_pred)
    np.testing.assert_allclose(_np(loss), [1.0 / 3.0, 0.0], rtol=1e-6)


def test_training_lowers_the_loss():
    from residual_compression.training import compile_for_training

    # Its own model (it is trained), of two iterations: compiling the training step of an
    # unrolled chain costs time in proportion to its iterations.
    model = reinitialize(build_model("conv_lstm", width=0.125, iterations=2), seed=2)
    model = compile_for_training(model, learning_rate=1e-2)
    x = to_model_space(synthetic_images(16, seed=9))
    before = float(model.evaluate(x, x, verbose=0))
    model.fit(x, x, epochs=15, batch_size=16, verbose=0)
    after = float(model.evaluate(x, x, verbose=0))
    assert after < 0.9 * before


def test_unknown_config_key_rejected():
    with pytest.raises(ValueError, match="unknown argument"):
        build_model("conv_lstm", widht=2.0)
    with pytest.raises(ValueError, match="iterations.*0"):
        build_model("conv_lstm", iterations=0)
    with pytest.raises(ValueError, match="width"):
        build_model("fc_lstm", width=-1)
    with pytest.raises(ValueError, match="iterations"):
        build_model("conv_autoencoder", iterations=4)


def test_priming_reruns_the_first_iteration_steps():
    """Johnston et al. 2018 priming: the first iteration's encoder and decoder steps
    run 1 + k times on the same input; later iterations once. Checked by hand."""
    model = build_model("conv_lstm", width=0.125, iterations=2, priming=2, seed=0)
    x = ops.convert_to_tensor(to_model_space(synthetic_images(2)))
    codes, recons = model.encode(x)
    enc_shapes, dec_shapes = model.state_shapes(32, 32)
    enc = [ops.zeros((2,) + s) for s in enc_shapes]
    dec = [ops.zeros((2,) + s) for s in dec_shapes]
    residual = x
    for t, runs in enumerate((3, 1)):
        for _ in range(runs):
            bits, *enc = model.encoder_step(t)([residual, *enc])
        for _ in range(runs):
            out, *dec = model.decoder_step(t)([bits, *dec])
        np.testing.assert_array_equal(_np(bits), _np(codes[t]))
        np.testing.assert_allclose(_np(out), _np(recons[t]), atol=1e-5)
        residual = x - out
    for a, b in zip(model.decode(codes), recons):
        np.testing.assert_allclose(_np(a), _np(b), atol=1e-5)
    for activations, code in zip(model.pre_binarizer_activations(x), codes):
        np.testing.assert_array_equal(np.where(_np(activations) < 0, -1.0, 1.0), _np(code))
    unprimed = build_model("conv_lstm", width=0.125, iterations=2, seed=0)
    unprimed.set_weights(model.get_weights())
    assert np.abs(_np(unprimed.decode(codes)[0]) - _np(recons[0])).max() > 1e-3
    clone = build_model("conv_lstm", **{k: v for k, v in model.get_config().items() if k not in ("name", "trainable", "dtype")})
    assert clone.priming == 2 and "priming" not in unprimed.get_config()
    with pytest.raises(ValueError, match="priming.*-1"):
        build_model("conv_lstm", priming=-1)
