"""Net2WiderNet widening of trained weights (training/widen.py) and the widened warm start."""

import numpy as np
import pytest
from keras import ops

from layer_checks import randomize_weights
from residual_compression.errors import InvalidValueError
from residual_compression.models import build_model
from residual_compression.training.widen import warm_start
from residual_compression.training.widen import widen_weights


def _outputs(model, x, iterations):
    codes, _ = model.encode(x, iterations)
    images = model.decode(codes)
    return np.stack([ops.convert_to_numpy(c) for c in codes]), ops.convert_to_numpy(images[-1])


def _pair(arch, **config):
    source = build_model(arch, width=0.125, seed=0, **config)
    randomize_weights(source, seed=3, scale=0.3)
    return source, build_model(arch, width=0.25, seed=0, **config)


@pytest.mark.parametrize(
    "arch, config",
    [
        ("conv_lstm", dict(hidden_kernel_size=1)),
        ("conv_lstm", dict(hidden_kernel_size=3, priming=1)),
        ("conv_lstm", dict(cell="gru", hidden_kernel_size=3)),  # gate blocks of 3, 2 and 1
        ("conv_residual_distinct", {}),
        ("fc_residual_shared", {}),  # encoder and decoder share variable paths (fc1/kernel)
    ],
)
def test_widening_without_noise_computes_the_same_function(arch, config):
    source, target = _pair(arch, iterations=3, **config)
    assert target.count_params() > 2 * source.count_params()
    widen_weights(source, target, noise=0.0)
    x = np.random.default_rng(0).uniform(-0.9, 0.9, (2, 16, 16, 3)).astype("float32")
    codes, images = _outputs(source, x, 3)
    wide_codes, wide_images = _outputs(target, x, 3)
    np.testing.assert_array_equal(wide_codes, codes)
    np.testing.assert_allclose(wide_images, images, atol=1e-5)


def test_widening_noise_breaks_the_symmetry_of_the_copies():
    source, target = _pair("conv_lstm", iterations=2)
    widen_weights(source, target, noise=0.01, seed=1)
    kernel = next(v for v in target.weights if v.path.endswith("conv1/kernel"))
    half = kernel.shape[-1] // 2
    value = ops.convert_to_numpy(kernel)
    assert not np.array_equal(value[..., :half], value[..., half:])
    np.testing.assert_allclose(value[..., :half], value[..., half:], atol=0.1)
    widen_weights(source, target, noise=0.01, seed=1)
    np.testing.assert_array_equal(ops.convert_to_numpy(kernel), value)  # seeded


def test_widening_rejects_what_it_cannot_widen():
    source, target = _pair("conv_lstm", iterations=2)
    with pytest.raises(InvalidValueError, match="same architecture"):
        widen_weights(source, build_model("conv_residual_shared", width=0.25, iterations=2))
    with pytest.raises(InvalidValueError, match="`noise`"):
        widen_weights(source, target, noise=-1.0)
    with pytest.raises(InvalidValueError, match="not larger by an even number"):
        three, _ = _pair("conv_lstm", iterations=2, hidden_kernel_size=3)
        widen_weights(three, build_model("conv_lstm", width=0.25, iterations=2, hidden_kernel_size=1))
    with pytest.raises(InvalidValueError, match="not larger by an even number"):
        widen_weights(source, build_model("conv_lstm", width=0.25, iterations=2, hidden_kernel_size=2))
    odd = build_model("conv_lstm", width=0.1875, iterations=2)  # 12 channels from 8: not a multiple
    with pytest.raises(InvalidValueError, match="not an integer multiple"):
        widen_weights(source, odd)
    # The fully-connected LSTM's kernel reads [bits, h]: only part of its input axis widens.
    fc_lstm = build_model("fc_lstm", width=0.125, iterations=2)
    with pytest.raises(InvalidValueError, match="lstm1/kernel"):
        widen_weights(fc_lstm, build_model("fc_lstm", width=0.25, iterations=2))


@pytest.mark.parametrize("width", [0.125, 0.25])
def test_growing_hidden_kernels_computes_the_same_function(width):
    """1x1 hidden-state kernels become 3x3 ones with the old tap in the centre: the same codes and
    pictures, and at the same width no noise (the new taps are zeros, not copies)."""
    source = build_model("conv_lstm", width=0.125, iterations=3, seed=0, hidden_kernel_size=1)
    randomize_weights(source, seed=3, scale=0.3)
    target = build_model("conv_lstm", width=width, iterations=3, seed=0, hidden_kernel_size=3)
    widen_weights(source, target, noise=0.01 if width == 0.125 else 0.0)
    kernel = ops.convert_to_numpy(next(v for v in target.weights if v.path.endswith("conv_lstm2/hidden_conv/kernel")))
    assert kernel.shape[:2] == (3, 3) and kernel[1, 1].any()
    assert not np.delete(kernel.reshape(9, *kernel.shape[2:]), 4, axis=0).any()  # zeros around the centre
    x = np.random.default_rng(0).uniform(-0.9, 0.9, (2, 16, 16, 3)).astype("float32")
    codes, images = _outputs(source, x, 3)
    grown_codes, grown_images = _outputs(target, x, 3)
    np.testing.assert_array_equal(grown_codes, codes)
    np.testing.assert_allclose(grown_images, images, atol=1e-5)


def test_warm_start_loads_or_widens_a_weights_file(tmp_path):
    source, target = _pair("conv_lstm", iterations=2)
    path = tmp_path / "narrow.weights.h5"
    source.save_weights(path)
    config = dict(width=0.25, iterations=2, seed=0)
    warm_start(target, path, 0.125, "conv_lstm", config)
    x = np.random.default_rng(1).uniform(-0.9, 0.9, (1, 16, 16, 3)).astype("float32")
    narrow = _outputs(source, x, 2)[1]
    assert np.abs(_outputs(target, x, 2)[1] - narrow).mean() < 0.02  # the same up to the noise
    same = build_model("conv_lstm", width=0.125, iterations=2, seed=0)
    warm_start(same, path, None, "conv_lstm", dict(config, width=0.125))
    np.testing.assert_array_equal(_outputs(same, x, 2)[1], narrow)
    grown = build_model("conv_lstm", width=0.125, iterations=2, seed=0, hidden_kernel_size=3)
    warm_start(grown, path, None, "conv_lstm", dict(config, width=0.125, hidden_kernel_size=3), hidden_kernel_size=1)
    np.testing.assert_allclose(_outputs(grown, x, 2)[1], narrow, atol=1e-5)


def test_train_warm_starts_a_wider_model(tmp_path):
    """``train(init_weights=..., init_width=...)``: the run starts from the widened weights
    (a fully-connected model: its training step compiles fastest) and records both."""
    import json

    from conftest import synthetic_images
    from residual_compression.training.trainer import train

    source = build_model("fc_residual_shared", width=0.0625, iterations=2, seed=0)
    randomize_weights(source, seed=3, scale=0.3)
    path = tmp_path / "narrow.weights.h5"
    source.save_weights(path)
    images = synthetic_images(16, seed=2)
    kwargs = dict(width=0.125, iterations=2, batch_size=8, checkpoint_every=1, validation=None, verbose=0)
    model, _ = train("fc_residual_shared", images, 1, tmp_path / "run", learning_rate=1e-9,
                     init_weights=path, init_width=0.0625, **kwargs)
    expected = build_model("fc_residual_shared", width=0.125, iterations=2, seed=0)
    widen_weights(source, expected, seed=0)  # the run's seed
    for got, want in zip(model.get_weights(), expected.get_weights()):
        np.testing.assert_allclose(got, want, atol=1e-6)  # one step at lr 1e-9 from the widened weights
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["init_width"] == 0.0625 and run["init_weights"] == str(path)


def test_train_warm_starts_3x3_hidden_kernels_from_1x1(tmp_path):
    """``train(init_hidden_kernel_size=1, config={"hidden_kernel_size": 3})``: the run starts from
    the 1x1 weights grown around the centre, and records where they came from."""
    import json

    from conftest import synthetic_images
    from residual_compression.training.trainer import train

    source = build_model("conv_lstm", width=0.0625, iterations=2, seed=0, hidden_kernel_size=1)
    randomize_weights(source, seed=3, scale=0.3)
    path = tmp_path / "one.weights.h5"
    source.save_weights(path)
    model, _ = train("conv_lstm", synthetic_images(8, seed=2), 1, tmp_path / "run", width=0.0625, iterations=2,
                     batch_size=8, checkpoint_every=1, validation=None, verbose=0, learning_rate=1e-9,
                     config={"hidden_kernel_size": 3}, init_weights=path, init_hidden_kernel_size=1)
    grown = {v.path: ops.convert_to_numpy(v) for v in model.weights if v.path.endswith("hidden_conv/kernel")}
    old = {v.path: ops.convert_to_numpy(v) for v in source.weights if v.path.endswith("hidden_conv/kernel")}
    assert grown and grown.keys() == old.keys()
    for key, kernel in grown.items():
        assert kernel.shape[:2] == (3, 3)
        np.testing.assert_allclose(kernel[1, 1], old[key][0, 0], atol=1e-6)  # one step at lr 1e-9
        assert np.abs(np.delete(kernel.reshape(9, *kernel.shape[2:]), 4, axis=0)).max() < 1e-6
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["init_hidden_kernel_size"] == 1 and run["config"]["hidden_kernel_size"] in (3, [3, 3])
