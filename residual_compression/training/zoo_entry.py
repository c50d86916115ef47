"""Turn a finished training run into a zoo entry.

``make_zoo_entry(run_dir, family, zoo_dir)`` copies ``final.weights.h5`` into
``zoo_dir/<family>/<family>.weights.h5`` (gzip-compressed HDF5 datasets,
loaded unchanged by Keras), and returns the fields of the preset record to
write into ``zoo/presets.py`` (``_network(...)``): architecture, config,
weights path, sha256 and a training summary.

The file also records the architecture and config it was trained with, as
JSON in the root attribute ``CONFIG_ATTRIBUTE``; the zoo's tests check that a
record's config matches it (see :func:`stored_config`).
"""

import hashlib
import json
import pathlib
import tempfile
import warnings

from residual_compression.errors import ResidualCompressionError

__all__ = ["CONFIG_ATTRIBUTE", "make_zoo_entry", "stored_config"]

MAX_WEIGHTS_BYTES = 16 * 2**20
CONFIG_ATTRIBUTE = "residual_compression"


def stored_config(path):
    """``{"architecture": ..., "config": {...}}`` recorded in a zoo weights
    file by :func:`make_zoo_entry`, or None for files written before it did."""
    import h5py

    with h5py.File(path, "r") as f:
        text = f.attrs.get(CONFIG_ATTRIBUTE)
    return None if text is None else json.loads(text)


def _compress_h5(src, dst, float16=False, metadata=None):
    import h5py
    import numpy as np

    with h5py.File(src, "r") as fin, h5py.File(dst, "w") as fout:
        for key, value in fin.attrs.items():
            fout.attrs[key] = value
        if metadata is not None:
            fout.attrs[CONFIG_ATTRIBUTE] = json.dumps(metadata, sort_keys=True)

        def copy(name, obj):
            if isinstance(obj, h5py.Group):
                group = fout.require_group(name)
                for key, value in obj.attrs.items():
                    group.attrs[key] = value
            else:
                data = obj[()]
                if float16 and getattr(data, "dtype", None) == np.float32:
                    data = data.astype(np.float16)  # Keras casts back to float32 on load
                kwargs = {"compression": "gzip", "compression_opts": 9, "shuffle": True} if obj.shape else {}
                fout.create_dataset(name, data=data, **kwargs)

        fin.visititems(copy)


def _run_weights(run_dir, checkpoint):
    """The weights file of a run: ``final.weights.h5``, or a checkpoint's (``"latest"`` or a step)."""
    if checkpoint is None:
        return run_dir / "final.weights.h5", None
    from residual_compression.training.checkpoints import latest_step

    step = latest_step(run_dir / "checkpoints") if checkpoint == "latest" else int(checkpoint)
    return run_dir / "checkpoints" / f"checkpoint-{step:08d}" / "model.weights.h5", step


def make_zoo_entry(run_dir, family, zoo_dir, float16=False, checkpoint=None):
    """Copies a run's final weights into the zoo; returns the registry fields.

    ``checkpoint`` (``"latest"`` or a step) takes a checkpoint's weights
    instead of the final ones, e.g. from a run that is still going.

    ``float16=True`` stores the weights rounded to float16 (half the size, for
    models that would not fit the 16 MiB per-file limit); the shipped model is
    then the rounded one, and that is what its model card must measure.
    """
    run_dir = pathlib.Path(run_dir)
    weights, step = _run_weights(run_dir, checkpoint)
    run_file = run_dir / "run.json"
    for path in (run_file, weights):
        if not path.is_file():
            raise ResidualCompressionError(f"{path}: missing; is {run_dir} a finished training run?")
    run = json.loads(run_file.read_text())
    target_dir = pathlib.Path(zoo_dir) / family
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{family}.weights.h5"
    config = {k: v for k, v in run["config"].items() if k not in ("name", "trainable", "dtype")}
    with tempfile.TemporaryDirectory() as tmp:
        # A run's weights file also holds the optimizer state: ship the model's alone.
        from residual_compression.models import build_model

        model = build_model(run["architecture"], **config)
        with warnings.catch_warnings():  # the optimizer is not shipped
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(weights)
        model_only = pathlib.Path(tmp) / "model.weights.h5"
        model.save_weights(model_only)
        metadata = {"architecture": run["architecture"], "config": config}
        _compress_h5(model_only, target, float16=float16, metadata=metadata)
    size = target.stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        target.unlink()
        raise ResidualCompressionError(
            f"{target.name} is {size} bytes, over the zoo's 16 MiB per-file limit (try float16)"
        )
    return {
        "weights": f"{family}/{target.name}",
        "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        "architecture": run["architecture"],
        "config": config,
        "float16": float16,
        "training": (
            f"{step if step is not None else run.get('final_step')} steps x batch {run['batch_size']} on "
            + (
                f"photo thumbnails of {run['photos']} ({run.get('photo_fraction')} of each batch) and {run['data']}"
                if run.get("photos") else f"{run['data']} ({run['images']} images)"
            )
            + f", loss {run.get('loss', 'l2')}"
            + (f", warm start from {run['init_weights']}" if run.get("init_weights") else "")
            + f", {run['backend']} backend"
        ),
        "bytes": size,
    }
