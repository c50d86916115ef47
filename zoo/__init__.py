"""Pretrained presets: ``zoo.load("conv_lstm_64B")``.

Weights ship inside the package (no downloads). Every preset is one record
in ``presets.py`` (:class:`Preset`: id, config, weights file, sha256,
training, measured results); ``zoo/README.md`` says what each preset is.

Importing this module imports neither Keras nor numpy: the registry
(:func:`list_presets`, :func:`get_preset`, :func:`preset_for_id`) is pure
data, and only :func:`load` builds a model.
"""

import difflib
import hashlib
import pathlib
import zlib

from residual_compression.errors import ResidualCompressionError
from residual_compression.zoo.presets import PRESETS
from residual_compression.zoo.presets import Measured
from residual_compression.zoo.presets import Preset

__all__ = ["Measured", "Preset", "get_preset", "list_presets", "load", "preset_for_id", "weights_path"]

_HERE = pathlib.Path(__file__).parent
# Seed of the deterministic untrained weights (see initialization.reinitialize).
UNTRAINED_SEED = 20160101


def _index(presets):
    by_name, by_id = {}, {}
    for preset in presets:
        if preset.name in by_name:
            raise RuntimeError(f"duplicate preset name in the zoo table: {preset.name!r}")
        if preset.id in by_id:
            raise RuntimeError(
                f"duplicate preset id {preset.id} in the zoo table: "
                f"{by_id[preset.id].name!r} and {preset.name!r}"
            )
        if not 1 <= preset.id <= 0xFFFF:
            raise RuntimeError(f"preset id out of range for {preset.name!r}: {preset.id}")
        if preset.weights is not None and not preset.sha256:
            raise RuntimeError(f"preset {preset.name!r} has a weights file but no sha256")
        if not isinstance(preset.config, dict) or not isinstance(preset.results, dict):
            raise RuntimeError(f"preset {preset.name!r}: config and results must be dicts")
        by_name[preset.name] = preset
        by_id[preset.id] = preset
    return by_name, by_id


_BY_NAME, _BY_ID = _index(PRESETS)


def list_presets():
    """Names of every preset, in table order."""
    return [p.name for p in PRESETS]


def get_preset(name):
    """The registry record of ``name``; unknown names list the close ones."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), list(_BY_NAME), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ResidualCompressionError(
            f"unknown preset {name!r}.{hint} Available: {', '.join(list_presets())}"
        ) from None


def preset_for_id(model_id):
    """The preset whose id is written in a stream header."""
    try:
        return _BY_ID[model_id]
    except (KeyError, TypeError):
        raise ResidualCompressionError(
            f"no preset has model id {model_id!r}; known ids: {sorted(_BY_ID)}"
        ) from None


def weights_path(name):
    """The weights file of preset ``name`` on disk, or None when it is untrained."""
    preset = get_preset(name)
    return None if preset.weights is None else _HERE / preset.weights


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(name, *, batch_size=64):
    """A ready :class:`~residual_compression.codec.ProgressiveCodec` for a preset.

    The model is built from the preset's record (``get_preset(name).config``).
    Presets without trained weights yet load with deterministic untrained
    weights (the same under every backend) and ``codec.trained`` False.
    Weights files are verified against the record's sha256 before loading.
    """
    from residual_compression.codec import ProgressiveCodec
    from residual_compression.initialization import reinitialize
    from residual_compression.models import build_model

    preset = get_preset(name)
    model = build_model(preset.architecture, **preset.config)
    if preset.weights is None:
        reinitialize(model, seed=UNTRAINED_SEED + zlib.crc32(preset.family.encode()))
        trained = False
    else:
        path = weights_path(name)
        if not path.is_file():
            raise ResidualCompressionError(f"weights file of preset {name!r} is missing: {path.name}")
        if _sha256(path) != preset.sha256:
            raise ResidualCompressionError(
                f"weights file of preset {name!r} ({path.name}) fails its sha256 check; "
                "reinstall the package"
            )
        model.load_weights(path)
        trained = True
    family = [p.id for p in PRESETS if p.family == preset.family]
    return ProgressiveCodec(
        model,
        model_id=preset.id,
        name=preset.name,
        trained=trained,
        default_num_bytes=preset.num_bytes,
        compatible_ids=family,
        batch_size=batch_size,
    )
