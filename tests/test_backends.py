"""The core is backend-neutral Keras 3: TensorFlow and JAX agree.

The zoo is trained with Keras on JAX (the GPU machine has no TensorFlow) and
served with TensorFlow, so the same .weights.h5 must give the same activations,
reconstructions and bytes under both.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).parent

needs_jax = pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")


def _run(code_or_args, backend, extra_env=None):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    env.update(extra_env or {})
    result = subprocess.run(
        [sys.executable, *code_or_args], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_import_does_not_import_tensorflow():
    code = (
        "import sys, residual_compression, residual_compression.bitstream, "
        "residual_compression.images, residual_compression.errors, residual_compression.scaling\n"
        "from residual_compression.cli import build_parser\n"
        "build_parser()  # --help and argument errors need no framework\n"
        "bad = [m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    _run(["-c", code], "tensorflow")


def test_core_runs_on_jax_without_tensorflow(jax_core_run):
    """What the GPU machine sees: JAX, and `import tensorflow` failing (jax_core_probe.py:
    a zoo preset compresses and decompresses, and a model trains)."""
    assert jax_core_run.returncode == 0, jax_core_run.stderr[-3000:]
    assert "CORE OK" in jax_core_run.stdout


CASES = ["conv_lstm", "fc_lstm", "conv_residual_distinct"]


@pytest.fixture(scope="module")
def probe_outputs(tmp_path_factory):
    """Runs backend_probe.py once per backend for every case (each backend is imported
    once, not once per case): TensorFlow saves the weights, JAX loads them."""
    folder = tmp_path_factory.mktemp("backends")
    probe = str(HERE / "backend_probe.py")
    for backend in ("tensorflow", "jax"):
        (folder / backend).mkdir()
        _run([probe, str(folder), str(folder / backend), *CASES, *(["--save"] if backend == "tensorflow" else [])],
             backend)
    return folder


# Slow (about 150 s: six model builds in two fresh processes). The default suite still runs the
# core under JAX with TensorFlow blocked (test_core_runs_on_jax_without_tensorflow) and the
# weights-file round trip of every architecture (test_models.py); run `pytest -m slow` after
# changes to layers, models or the bitstream.
@pytest.mark.slow
@needs_jax
@pytest.mark.parametrize("case", CASES)
def test_tensorflow_and_jax_agree(case, probe_outputs):
    tf_out, jax_out = (np.load(probe_outputs / backend / f"{case}.npz") for backend in ("tensorflow", "jax"))
    assert str(tf_out["backend"]) == "tensorflow" and str(jax_out["backend"]) == "jax"
    np.testing.assert_allclose(tf_out["activations"], jax_out["activations"], atol=1e-4)
    np.testing.assert_allclose(tf_out["recons"], jax_out["recons"], atol=1e-4)
    # Bits agree wherever the activation is not within float noise of zero.
    margin = np.abs(tf_out["activations"]) > 1e-4
    np.testing.assert_array_equal(tf_out["codes"][margin], jax_out["codes"][margin])
    np.testing.assert_array_equal(tf_out["stream_lengths"], jax_out["stream_lengths"])
    np.testing.assert_array_equal(tf_out["streams"], jax_out["streams"])
    # Decoded pixels within one level, rarely (float noise on a .5 boundary; see below).
    difference = np.abs(tf_out["decoded"].astype(int) - jax_out["decoded"])
    assert difference.max() <= 1 and (difference > 0).mean() < 1e-3
    # A tiled image (tiled encoder and decoder) gives the same stream and pixels too.
    assert tf_out["tiled_decoded"].shape == (90, 100, 3)
    np.testing.assert_array_equal(tf_out["tiled_stream"], jax_out["tiled_stream"])
    # Pixels: the backends' floats differ by ~1e-6, which can round a value
    # lying on a .5 boundary to the neighbouring level (seen: 1 of 27,000).
    difference = np.abs(tf_out["tiled_decoded"].astype(int) - jax_out["tiled_decoded"])
    assert difference.max() <= 1 and (difference > 0).mean() < 1e-3
    np.testing.assert_allclose(tf_out["loss_before"], jax_out["loss_before"], rtol=1e-4)
    for out in (tf_out, jax_out):  # one training step ran and moved the weights
        assert np.isfinite(out["loss_after_step"]) and out["loss_after_step"] != out["loss_before"]
