"""Crash-safe checkpoints that work under every Keras backend.

A checkpoint is a folder ``checkpoint-<step>/`` holding ``model.weights.h5``,
``optimizer.npz`` and ``state.json``. It is written under a temporary name and
renamed into place, and only then does the ``latest`` file (replaced
atomically) point at it. A process killed at any moment (SIGKILL included)
leaves the previous checkpoint intact and ``latest`` readable. The two
newest checkpoints are kept.
"""

import json
import os
import pathlib
import shutil
import warnings

import numpy as np

from residual_compression.errors import InvalidValueError

__all__ = ["latest_step", "restore_checkpoint", "save_checkpoint"]

KEEP = 2


def _write_atomic(path, text):
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_checkpoint(directory, model, step, extra=None):
    """Writes the model weights, optimizer state and ``step`` under ``directory``."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"checkpoint-{step:08d}"
    tmp = directory / f".partial-{step:08d}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    model.save_weights(tmp / "model.weights.h5")
    if model.optimizer is not None:
        values = [np.asarray(v.numpy()) for v in model.optimizer.variables]
        np.savez(tmp / "optimizer.npz", *values)
    (tmp / "state.json").write_text(json.dumps({"step": int(step), **(extra or {})}))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    _write_atomic(directory / "latest", final.name)
    for old in sorted(directory.glob("checkpoint-*"))[:-KEEP]:
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return final


def latest_step(directory):
    """Step of the newest complete checkpoint, or 0 when there is none."""
    path = _latest_path(directory)
    if path is None:
        return 0
    return json.loads((path / "state.json").read_text())["step"]


def _latest_path(directory):
    pointer = pathlib.Path(directory) / "latest"
    if not pointer.is_file():
        return None
    path = pointer.parent / pointer.read_text().strip()
    return path if (path / "state.json").is_file() else None


def restore_checkpoint(directory, model):
    """Loads the newest checkpoint into ``model`` (and its optimizer); returns its step."""
    path = _latest_path(directory)
    if path is None:
        return 0
    with warnings.catch_warnings():  # the optimizer is restored below, from its own file
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        model.load_weights(path / "model.weights.h5")
    optimizer_file = path / "optimizer.npz"
    if model.optimizer is not None and optimizer_file.is_file():
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        with np.load(optimizer_file) as saved:
            values = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        variables = model.optimizer.variables
        if len(values) != len(variables):
            raise InvalidValueError(
                f"checkpoint {path.name} holds {len(values)} optimizer variables, "
                f"the model's optimizer has {len(variables)}: was the config changed?"
            )
        for variable, value in zip(variables, values):
            variable.assign(value)
    return json.loads((path / "state.json").read_text())["step"]
