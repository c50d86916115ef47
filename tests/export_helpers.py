"""Shared by test_export.py and test_export_variants.py: small codecs, stream payloads, a
TF1 session run of a signature, a clean environment for subprocesses, and the script that
runs a SavedModel in a fresh interpreter where Keras and this package cannot be imported."""

import os
import pathlib
import sys

import numpy as np
import pytest

from conftest import synthetic_images

HEADER = 8
MODEL_ID = 13


@pytest.fixture(scope="module")
def images():
    """Five 32x32 test images (a fixture for the modules that import it)."""
    return synthetic_images(5, seed=21)


def small_codec(architecture, seed=4, model_id=MODEL_ID, **config):
    from residual_compression.codec import ProgressiveCodec
    from residual_compression.initialization import reinitialize
    from residual_compression.models import build_model

    model = reinitialize(build_model(architecture, **config), seed=seed)
    return ProgressiveCodec(model, model_id=model_id, name=f"test_{architecture}", compatible_ids=(model_id + 1,))


def payload_codes(streams, iterations):
    return np.stack([np.frombuffer(s[HEADER:], np.uint8).reshape(iterations, -1) for s in streams])


def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env


def session_run(saved_model, signature, **feeds):
    """Runs a signature the TF1 way, as TF Serving and saved_model_cli do: a Session on the MetaGraph."""
    import tensorflow as tf

    graph = tf.Graph()
    with tf.compat.v1.Session(graph=graph) as session:
        meta = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(saved_model))
        sig = meta.signature_def[signature]
        fetches = {k: v.name for k, v in sig.outputs.items()}
        return session.run(fetches, {sig.inputs[k].name: v for k, v in feeds.items()})


def saved_model_cli():
    exe = pathlib.Path(sys.executable).with_name("saved_model_cli")
    if exe.is_file():
        return [str(exe)]
    return [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli"]


# Installed as sitecustomize.py: the blocker is in place before anything else is imported.
BLOCKER = """
import importlib.abc, importlib.machinery, sys

BLOCKED = ("residual_compression", "keras", "tf_keras")


class _Refuse(importlib.abc.Loader):
    def create_module(self, spec):
        raise ImportError(f"import of {spec.name} is blocked in this test")

    def exec_module(self, module):
        raise ImportError(f"import of {module.__name__} is blocked in this test")


class _Block(importlib.abc.MetaPathFinder):
    # find_spec answers (TensorFlow probes for keras at import) but loading fails.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            return importlib.machinery.ModuleSpec(name, _Refuse())
        return None


sys.meta_path.insert(0, _Block())
"""

# usage: python script.py SAVED_MODEL INPUTS_NPZ OUT_NPZ (writes OUT_NPZ and OUT_NPZ.json)
CLEAN_SCRIPT = """
import json, sys
import numpy as np
import tensorflow as tf

for name in ("residual_compression", "keras"):
    try:
        __import__(name)
    except ImportError:
        pass
    else:
        raise SystemExit(f"{name} is importable; the test is broken")

model = tf.saved_model.load(sys.argv[1])
data = np.load(sys.argv[2])
images, k = data["images"], int(data["k"])
enc = model.signatures["encode"]
out = {}
for n in (2, k):
    r = enc(images=tf.constant(images), iterations=tf.constant(n, tf.int32))
    out[f"codes{n}"] = r["codes"].numpy()
    out[f"streams{n}"] = np.array([bytes(s) for s in r["stream_bytes"].numpy()], dtype=object)
out["default"] = model.signatures["serving_default"](images=tf.constant(images), iterations=tf.constant(k))["codes"].numpy()
r = model.signatures["decode_progressive"](codes=tf.constant(out[f"codes{k}"]))
out["recons"], out["images"] = r["reconstructions"].numpy(), r["images"].numpy()
out["decoded2"] = model.signatures["decode"](codes=tf.constant(out["codes2"]))["images"].numpy()
out["decompressed"] = model.signatures["decompress"](stream_bytes=tf.constant(list(out[f"streams{k}"])))["images"].numpy()
errors = {}
for label, call in {
    "iterations": lambda: enc(images=tf.constant(images), iterations=tf.constant(k + 1)),
    "rank": lambda: enc(images=tf.constant(images[0]), iterations=tf.constant(1)),
    "dtype": lambda: enc(images=tf.constant(images, tf.float32), iterations=tf.constant(1)),
    "codes": lambda: model.signatures["decode"](codes=tf.zeros([1, 2, 17], tf.uint8)),
}.items():
    try:
        call()
    except Exception as e:
        errors[label] = str(e)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("residual_compression", "keras"))
np.savez(sys.argv[3], **{k_: v for k_, v in out.items() if not k_.startswith("streams")})
json.dump({"errors": errors, "leaked": leaked,
           "streams": [s.hex() for s in out[f"streams{k}"]]}, open(sys.argv[3] + ".json", "w"))
"""
