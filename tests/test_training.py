"""Training: data pipelines, checkpoints and resume (also after SIGKILL), distribution."""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from conftest import synthetic_images
from conftest import write_run_folder
from residual_compression import ImageInputError
from residual_compression.training.checkpoints import latest_step
from residual_compression.training.data import ImageSequence
from residual_compression.training.data import load_images

HERE = pathlib.Path(__file__).parent


def _env(**extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def _worker(args, **env):
    return [sys.executable, str(HERE / "train_worker.py"), *map(str, args)], _env(**env)


def test_sequence_is_deterministic_and_flips():
    images = synthetic_images(20)
    a = ImageSequence(images, batch_size=4, seed=3)
    b = ImageSequence(images, batch_size=4, seed=3)
    np.testing.assert_array_equal(a[2][0], b[2][0])
    assert len(a) == 5 and a[0][0].shape == (4, 32, 32, 3)
    assert a[0][0].min() >= -0.9 and a[0][0].max() <= 0.9
    first = a[0][0]
    a.on_epoch_end()
    assert not np.array_equal(first, a[0][0])  # a new epoch reshuffles
    # Over an epoch, some images come out mirrored.
    flips = 0
    originals = {im[:, :, 0].tobytes() for im in images}
    from residual_compression.scaling import from_model_space

    for i in range(len(b)):
        for im in from_model_space(b[i][0]):
            flips += im[:, :, 0].tobytes() not in originals
    assert 0 < flips < 20


def test_tf_dataset_matches_numpy_path():
    from residual_compression.training.data import make_tf_dataset

    images = synthetic_images(12)
    seq = ImageSequence(images, batch_size=4, seed=1)
    batches = [x.numpy() for x, _ in make_tf_dataset(images, batch_size=4, seed=1).take(4)]
    np.testing.assert_array_equal(batches[0], seq[0][0])
    seq.on_epoch_end()
    np.testing.assert_array_equal(batches[3], seq[0][0])


def test_load_images_folder_npz_and_errors(tmp_path, capsys):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i, im in enumerate(synthetic_images(3, 40, 60)):
        Image.fromarray(im).save(folder / f"{i}.png")
    (folder / "broken.png").write_bytes(b"nope")
    images = load_images(folder)
    assert images.shape == (3, 32, 32, 3)
    assert "broken.png" in capsys.readouterr().err
    crops = load_images(folder, crop=True)
    assert [c.shape for c in crops] == [(40, 60, 3)] * 3
    np.savez(tmp_path / "a.npz", images=synthetic_images(5))
    assert load_images(tmp_path / "a.npz").shape == (5, 32, 32, 3)
    np.savez(tmp_path / "b.npz", pixels=synthetic_images(5))
    with pytest.raises(ImageInputError, match="images"):
        load_images(tmp_path / "b.npz")
    with pytest.raises(ImageInputError, match="no such"):
        load_images(tmp_path / "missing")


def test_train_resume_continues_from_checkpoint(tmp_path):
    from residual_compression.training.trainer import train

    # A fully-connected model: its training step compiles in half the time of the conv LSTM's,
    # which resumes in test_photo_training.py::test_train_on_photos_warm_start_and_resume.
    images = synthetic_images(40, seed=2)
    kwargs = dict(width=0.0625, iterations=2, batch_size=8, checkpoint_every=2, validation=8, verbose=0)
    with pytest.raises(ValueError, match="`iteration_weights` needs 2 entries"):
        train("fc_residual_shared", images, 4, tmp_path, iteration_weights=(1, 2, 3), **kwargs)
    kwargs["iteration_weights"] = (1.0, 3.0)
    model, h1 = train("fc_residual_shared", images, 4, tmp_path, **kwargs)
    assert model.loss.iteration_weights == (1.0, 3.0)
    assert latest_step(tmp_path / "checkpoints") == 4
    assert {"loss", "mse_it1", "mse_it2", "val_patch_ssim_16B", "val_patch_ssim_32B"} <= set(h1)
    with pytest.raises(ValueError, match="resume"):
        train("fc_residual_shared", images, 4, tmp_path, **kwargs)
    _, h2 = train("fc_residual_shared", images, 8, tmp_path, resume=True, **kwargs)
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["resumed_from"] == 4 and run["final_step"] == 8 and run["iteration_weights"] == [1.0, 3.0]
    assert len(h2["loss"]) == 2  # only the two remaining chunks ran
    assert (tmp_path / "final.weights.h5").is_file()


# Slow (two TensorFlow processes, ~60 s on one core); the default suite covers
# resuming from the latest checkpoint in test_train_resume_continues_from_checkpoint.
@pytest.mark.slow
def test_resume_after_sigkill(tmp_path):
    out = tmp_path / "run"
    cmd, env = _worker([out, 24, 2, "--sleep", "0.3"])
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    while latest_step(out / "checkpoints") < 6:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        assert time.time() < deadline, "no checkpoint appeared"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    killed_at = latest_step(out / "checkpoints")
    assert 6 <= killed_at < 24
    cmd, env = _worker([out, 24, 2, "--resume"])
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    run = json.loads((out / "run.json").read_text())
    assert run["final_step"] == 24
    assert run["resumed_from"] >= killed_at  # at most one interval lost
    assert latest_step(out / "checkpoints") == 24


# MirroredStrategy over the CPU in this process: one replica. Two replicas need two logical
# CPUs, configured before TensorFlow starts: a process of its own, below (slow).
@pytest.mark.filterwarnings("error:`shuffle=True` was passed:UserWarning")  # trainer passes shuffle=False
def test_mirrored_strategy_in_process(tmp_path):
    from residual_compression.training.trainer import train

    images = synthetic_images(64, seed=5)  # as train_worker.py, on a model whose step compiles faster
    model, history = train("fc_residual_shared", images, 24, tmp_path / "run", width=0.0625, iterations=2,
                           batch_size=8, learning_rate=1e-2, checkpoint_every=8, strategy="mirrored",
                           validation=8, verbose=0)
    losses = history["loss"]
    assert len(losses) == 3 and losses[-1] < losses[0]
    assert latest_step(tmp_path / "run" / "checkpoints") == 24


# Slow (a TensorFlow process, ~20 s on one core): the default suite trains under the strategy
# in process above, with one replica.
@pytest.mark.slow
def test_mirrored_strategy_two_cpus(tmp_path):
    cmd, env = _worker([tmp_path / "run", 24, 8, "--strategy", "mirrored", "--logical-cpus", 2,
                        "--weights-out", tmp_path / "w.npz"])
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    saved = np.load(tmp_path / "w.npz")
    losses = saved["loss"]
    assert losses[-1] < losses[0]


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


# Slow (two TensorFlow worker processes, ~60 s on one core); the default suite covers
# training under a tf.distribute strategy in test_mirrored_strategy_in_process.
@pytest.mark.slow
def test_multi_worker_two_processes(tmp_path):
    ports = _free_ports(2)
    workers = [f"127.0.0.1:{p}" for p in ports]
    procs = []
    for i in range(2):
        tf_config = json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}})
        cmd, env = _worker([tmp_path / f"run{i}", 24, 8, "--strategy", "multi_worker",
                            "--weights-out", tmp_path / f"w{i}.npz"], TF_CONFIG=tf_config)
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for p in procs:
        _, err = p.communicate(timeout=400)
        assert p.returncode == 0, err.decode()[-3000:]
    w0, w1 = np.load(tmp_path / "w0.npz"), np.load(tmp_path / "w1.npz")
    assert w0["loss"][-1] < w0["loss"][0]
    for key in w0.files:
        if key != "loss":
            np.testing.assert_array_equal(w0[key], w1[key])
    # Only the chief writes the run's checkpoints.
    assert latest_step(tmp_path / "run0" / "checkpoints") == 24
    assert latest_step(tmp_path / "run1" / "checkpoints") == 0


def test_train_cli_and_zoo_entry(tmp_path, capsys):
    import hashlib

    from residual_compression.cli import main
    from residual_compression.models import build_model

    np.savez(tmp_path / "data.npz", images=synthetic_images(24, seed=8))
    out = tmp_path / "run"
    argv = ["train", "--arch", "fc_residual_shared", "--data", str(tmp_path / "data.npz"), "--steps", "2",
            "--out", str(out), "--width", "0.0625", "--iterations", "2", "--batch", "8", "--checkpoint-every", "1",
            "--iteration-weights", "1,2"]
    assert main(argv) == 0
    assert "final.weights.h5" in capsys.readouterr().out
    assert json.loads((out / "run.json").read_text())["iteration_weights"] == [1.0, 2.0]
    assert main(["zoo-entry", str(out), "fc_residual_shared", "--zoo-dir", str(tmp_path / "zoo")]) == 0
    entry = json.loads(capsys.readouterr().out)
    weights = tmp_path / "zoo" / entry["weights"]
    assert entry["sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    model = build_model(entry["architecture"], **entry["config"])
    model.load_weights(weights)  # the compressed copy loads unchanged
    reference = build_model(entry["architecture"], **entry["config"])
    reference.load_weights(out / "final.weights.h5")
    for a, b in zip(model.weights, reference.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_zoo_entry_float16_halves_the_file(tmp_path):
    from residual_compression.initialization import reinitialize
    from residual_compression.models import build_model
    from residual_compression.training.zoo_entry import make_zoo_entry

    # A run folder as training leaves it (zoo entries of trained runs: test_train_cli_and_zoo_entry).
    model = reinitialize(build_model("fc_residual_shared", width=0.125, iterations=2), seed=6)
    write_run_folder(tmp_path / "run", "fc_residual_shared", model)
    full = make_zoo_entry(tmp_path / "run", "a", tmp_path / "zoo")
    half = make_zoo_entry(tmp_path / "run", "b", tmp_path / "zoo", float16=True)
    assert half["bytes"] < 0.7 * full["bytes"] and half["float16"] and not full["float16"]
    a, b = (build_model("fc_residual_shared", **full["config"]) for _ in range(2))
    a.load_weights(tmp_path / "zoo" / full["weights"])
    b.load_weights(tmp_path / "zoo" / half["weights"])
    for x, y in zip(a.weights, b.weights):
        assert y.dtype == x.dtype
        np.testing.assert_allclose(y.numpy(), x.numpy(), rtol=1e-3, atol=1e-4)


# Slow (a JAX training process, ~50 s on one core); the default suite covers training
# on JAX without TensorFlow in test_backends.py::test_core_runs_on_jax_without_tensorflow.
@pytest.mark.slow
@pytest.mark.skipif(__import__("importlib").util.find_spec("jax") is None, reason="jax is not installed")
def test_jax_data_parallel_two_devices_without_tensorflow(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['tensorflow'] = None  # as on the GPU machine: no TensorFlow\n"
        f"sys.argv = ['w', {str(tmp_path / 'run')!r}, '24', '8', '--strategy', 'data_parallel',"
        f" '--weights-out', {str(tmp_path / 'w.npz')!r}]\n"
        "import train_worker\n"
        "train_worker.main()\n"
        "import keras\n"
        "mesh = keras.distribution.distribution().device_mesh\n"
        "assert mesh.devices.size == 2, mesh.devices\n"
    )
    env = _env(KERAS_BACKEND="jax", XLA_FLAGS="--xla_force_host_platform_device_count=2")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    losses = np.load(tmp_path / "w.npz")["loss"]
    assert losses[-1] < losses[0]
    assert latest_step(tmp_path / "run" / "checkpoints") == 24
