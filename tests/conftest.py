"""Shared fixtures: small models of every architecture, synthetic images, one JAX run.

Nothing here needs ``../shared``: tests that need the real data sets use the
``shared_data`` fixture, which skips when the folder is absent.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
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


_MODELS = {}


def small_model(case, seed=1, **extra):
    """The small deterministic model of ``case`` (its SMALL_CONFIGS row updated by ``extra``),
    built once per session and shared, with the graphs it has compiled: a test must not change
    its weights (one that trains or reinitializes builds its own model)."""
    from residual_compression.initialization import reinitialize
    from residual_compression.models import build_model

    key = (case, seed, tuple(sorted(extra.items())))
    if key not in _MODELS:
        config = dict(SMALL_CONFIGS[case], **extra)
        _MODELS[key] = reinitialize(build_model(architecture_of(case), **config), seed=seed)
    return _MODELS[key]


def make_codec(case, model_id=7, seed=1):
    """A new codec on the shared :func:`small_model` of ``case``."""
    from residual_compression.codec import ProgressiveCodec

    return ProgressiveCodec(small_model(case, seed), model_id=model_id, name=f"test_{case}")


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


def write_run_folder(run, architecture, model):
    """``run`` as a finished ``train`` run leaves it for ``make_zoo_entry`` (final.weights.h5 and
    run.json), with ``model``'s weights: for tests of the zoo entry, not of training."""
    import json

    run.mkdir(parents=True)
    model.save_weights(run / "final.weights.h5")
    run_info = {"architecture": architecture, "config": model.get_config(), "final_step": 1,
                "batch_size": 8, "data": "synthetic", "images": 8, "backend": "tensorflow"}
    (run / "run.json").write_text(json.dumps(run_info))
    return run


def load_tool(name):
    """The module ``tools/<name>.py`` (the tools are scripts, not part of the package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic_images(n, height=32, width=32, seed=0):
    """Smooth gradients plus texture: like thumbnails, not like white noise
    (the package's one generator, ``residual_compression.images.synthetic_images``)."""
    from residual_compression.images import synthetic_images as make

    return make(n, height, width, seed)


@pytest.fixture(scope="session")
def jax_core_run(tmp_path_factory):
    """The finished run of ``jax_core_probe.py`` (Keras on JAX, TensorFlow unimportable),
    shared by the JAX checks of test_backends.py and test_export_variants.py: starting
    Keras on JAX and compiling costs most of a minute, so it is paid once."""
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    # XLA's CPU backend without LLVM optimisation compiles each step several times faster
    # (about 70 s -> 25 s for this run on one core); what is checked is behaviour, not speed.
    env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} --xla_backend_optimization_level=0".strip()
    scratch = tmp_path_factory.mktemp("jax_core")
    return subprocess.run(
        [sys.executable, str(HERE / "jax_core_probe.py"), str(scratch / "export")],
        env=env, capture_output=True, text=True, timeout=600,
    )


_LOADED = {}


@pytest.fixture
def loaded_once(monkeypatch):
    """``residual_compression.zoo.load`` that builds each preset's codec once per session, for
    tests that run the command line (or README snippets) again and again: the real ``load``
    builds the model anew on every call, and its codec compiles every graph anew. The tests
    using it must not change the codec they are given."""
    from residual_compression import zoo

    real = zoo.load

    def load(name, *, batch_size=64):
        if (name, batch_size) not in _LOADED:
            _LOADED[name, batch_size] = real(name, batch_size=batch_size)
        return _LOADED[name, batch_size]

    monkeypatch.setattr(zoo, "load", load)


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
