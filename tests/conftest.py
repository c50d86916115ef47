"""Shared fixtures: small models of every architecture and synthetic images.

Nothing here needs ``../shared``: tests that need the real data sets use the
``shared_data`` fixture, which skips when the folder is absent.
"""

import pathlib

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

# One row per architecture of Table 1: registry name -> a small config for
# fast tests (the real presets live in zoo/presets.py).
SMALL_CONFIGS = {
    "fc_residual_shared": {"width": 0.0625, "iterations": 8},
    "fc_residual_distinct": {"width": 0.0625, "iterations": 8},
    "fc_lstm": {"width": 0.0625, "iterations": 8},
    "conv_residual_shared": {"width": 0.125, "iterations": 8},
    "conv_residual_distinct": {"width": 0.125, "iterations": 8},
    "conv_autoencoder_64B": {"width": 0.125, "bits": 8},
    "conv_autoencoder_128B": {"width": 0.125, "bits": 16},
    "conv_lstm": {"width": 0.125, "iterations": 8},
}


def architecture_of(case):
    return "conv_autoencoder" if case.startswith("conv_autoencoder") else case


def make_codec(case, model_id=7, seed=1):
    from residual_compression.codec import ProgressiveCodec
    from residual_compression.initialization import reinitialize
    from residual_compression.models import build_model

    model = reinitialize(build_model(architecture_of(case), **SMALL_CONFIGS[case]), seed=seed)
    return ProgressiveCodec(model, model_id=model_id, name=f"test_{case}")


_CODECS = {}


@pytest.fixture(params=sorted(SMALL_CONFIGS))
def case(request):
    return request.param


@pytest.fixture
def codec(case):
    """A small deterministic codec for each architecture (built once per session)."""
    if case not in _CODECS:
        _CODECS[case] = make_codec(case)
    return _CODECS[case]


def synthetic_images(n, height=32, width=32, seed=0):
    """Smooth gradients plus texture: like thumbnails, not like white noise
    (the package's one generator, ``residual_compression.images.synthetic_images``)."""
    from residual_compression.images import synthetic_images as make

    return make(n, height, width, seed)


@pytest.fixture
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data sets not present ({SHARED_DATA.name} beside the repository)")
    return SHARED_DATA


def install_fake_zoo(monkeypatch, models):
    """Replaces ``residual_compression.zoo`` by a module whose ``load(name)``
    calls ``models[name]()`` (KeyError for other names)."""
    import sys
    import types

    import residual_compression

    def load(name):
        if name not in models:
            raise KeyError(f"unknown model {name!r}")
        return models[name]()

    zoo = types.ModuleType("residual_compression.zoo")
    zoo.load = load
    monkeypatch.setitem(sys.modules, "residual_compression.zoo", zoo)
    monkeypatch.setattr(residual_compression, "zoo", zoo, raising=False)
    return zoo
