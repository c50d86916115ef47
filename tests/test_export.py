"""SavedModel and LiteRT export (issue 5): exactness against the Keras codec, a
self-contained SavedModel (fresh interpreter without Keras or this package),
saved_model_cli, LiteRT, and clear errors for bad input."""

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from conftest import synthetic_images  # noqa: E402
from residual_compression import BitstreamError  # noqa: E402
from residual_compression import ResidualCompressionError  # noqa: E402
from residual_compression.codec import ProgressiveCodec  # noqa: E402
from residual_compression.initialization import reinitialize  # noqa: E402
from residual_compression.models import build_model  # noqa: E402

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow", reason="export needs the TensorFlow Keras backend"
)

K = 6  # max_iterations of the main export (the model has 8)
HEADER = 8
MODEL_ID = 13


def small_codec(architecture, seed=4, model_id=MODEL_ID, **config):
    model = reinitialize(build_model(architecture, **config), seed=seed)
    return ProgressiveCodec(model, model_id=model_id, name=f"test_{architecture}", compatible_ids=(model_id + 1,))


def payload_codes(streams, iterations):
    return np.stack([np.frombuffer(s[HEADER:], np.uint8).reshape(iterations, -1) for s in streams])


@pytest.fixture(scope="module")
def images():
    return synthetic_images(5, seed=21)


@pytest.fixture(scope="module")
def conv_lstm():
    return small_codec("conv_lstm", width=0.25, iterations=8)


@pytest.fixture(scope="module")
def exported(conv_lstm, tmp_path_factory):
    from residual_compression.export import export_model

    out = tmp_path_factory.mktemp("export_conv_lstm")
    result = export_model(conv_lstm, out, format="both", max_iterations=K)
    return result


@pytest.fixture(scope="module")
def reference(conv_lstm, images):
    """What the Keras codec gives for ``images`` at K iterations."""
    streams = conv_lstm.compress(images, iterations=K, format=1)
    return {
        "streams": streams,
        "codes": payload_codes(streams, K),
        "progressive": np.stack([conv_lstm.progressive(s) for s in streams]),
    }


@pytest.fixture(scope="module")
def loaded(exported):
    return tf.saved_model.load(str(exported.saved_model))


# -- files and metadata -------------------------------------------------------------


def test_files_and_metadata(exported):
    out = exported.out_dir
    assert (out / "saved_model" / "saved_model.pb").is_file()
    assert (out / "encoder.tflite").stat().st_size > 0 and (out / "decoder.tflite").stat().st_size > 0
    meta = json.loads((out / "export.json").read_text())
    assert meta == json.loads((out / "saved_model" / "assets.extra" / "export.json").read_text())
    assert meta["model_id"] == MODEL_ID and meta["compatible_ids"] == [13, 14]
    assert meta["max_iterations"] == K and meta["bytes_per_iteration"] == 16
    assert meta["image_size"]["height"] == 32 and meta["image_size"]["width"] == 32
    assert bytes.fromhex(meta["header_hex"]) == bytes([0x52, 1, 0, 13, 0, 32, 0, 32])
    assert set(meta["signatures"]) == {"encode", "decode", "decode_progressive", "decompress", "serving_default"}
    assert meta["verification"]["passed"] is True
    assert meta["verification"]["saved_model_max_level_diff"] == 0
    assert set(meta["files"]) == {"saved_model", "encoder.tflite", "decoder.tflite"}


def test_signature_shapes(loaded):
    sigs = loaded.signatures
    assert set(sigs) == {"encode", "decode", "decode_progressive", "decompress", "serving_default"}
    spec = sigs["encode"].structured_input_signature[1]
    assert spec["images"].shape.as_list() == [None, 32, 32, 3] and spec["images"].dtype == tf.uint8
    assert spec["iterations"].shape.as_list() == [] and spec["iterations"].dtype == tf.int32
    outputs = sigs["encode"].structured_outputs
    assert outputs["codes"].shape.as_list() == [None, None, 16] and outputs["codes"].dtype == tf.uint8
    assert outputs["stream_bytes"].dtype == tf.string and outputs["payload_bytes"].dtype == tf.string
    assert sigs["serving_default"].structured_input_signature[1].keys() == spec.keys()
    spec = sigs["decode_progressive"].structured_input_signature[1]
    assert spec["codes"].shape.as_list() == [None, None, 16]
    outputs = sigs["decode_progressive"].structured_outputs
    assert outputs["reconstructions"].shape.as_list() == [None, None, 32, 32, 3]


# -- the SavedModel in-process ------------------------------------------------------------


def test_encode_matches_codec_bytes(loaded, images, reference, conv_lstm):
    for n in (1, 3, K):
        out = loaded.signatures["encode"](images=tf.constant(images), iterations=tf.constant(n))
        np.testing.assert_array_equal(out["codes"].numpy(), reference["codes"][:, :n])
        streams = [bytes(s) for s in out["stream_bytes"].numpy()]
        assert streams == conv_lstm.compress(images, iterations=n, format=1)
        assert [bytes(p) for p in out["payload_bytes"].numpy()] == [s[HEADER:] for s in streams]
    default = loaded.signatures["serving_default"](images=tf.constant(images), iterations=tf.constant(2))
    np.testing.assert_array_equal(default["codes"].numpy(), reference["codes"][:, :2])


def test_decode_matches_codec_images(loaded, reference, conv_lstm):
    for t in (1, 4, K):
        codes = tf.constant(reference["codes"][:, :t])
        images = loaded.signatures["decode"](codes=codes)["images"].numpy()
        expected = conv_lstm.decompress([s[: HEADER + 16 * t] for s in reference["streams"]])
        np.testing.assert_array_equal(images, expected)
        out = loaded.signatures["decode_progressive"](codes=codes)
        np.testing.assert_array_equal(out["reconstructions"].numpy(), reference["progressive"][:, :t])
        np.testing.assert_array_equal(out["images"].numpy(), expected)


def test_decompress_streams(loaded, reference, conv_lstm):
    streams = [s[: HEADER + 16 * 3] for s in reference["streams"]]
    out = loaded.signatures["decompress"](stream_bytes=tf.constant(streams))
    np.testing.assert_array_equal(out["images"].numpy(), conv_lstm.decompress(streams))
    np.testing.assert_array_equal(out["iterations"].numpy(), [3] * len(streams))
    # A stream of a compatible preset id decodes too (as with the codec).
    other = bytes([0x52, 1, 0, 14]) + streams[0][4:]
    out = loaded.signatures["decompress"](stream_bytes=tf.constant([other]))
    np.testing.assert_array_equal(out["images"].numpy()[0], conv_lstm.decompress(other))


def test_batch_of_one_and_empty_batch(loaded, images, reference):
    out = loaded.signatures["encode"](images=tf.constant(images[2:3]), iterations=tf.constant(K))
    np.testing.assert_array_equal(out["codes"].numpy(), reference["codes"][2:3])
    # An empty batch is refused clearly (oneDNN convolutions fail on it with a misleading message).
    empty = tf.zeros([0, 32, 32, 3], tf.uint8)
    message = _error(lambda: loaded.signatures["encode"](images=empty, iterations=tf.constant(2)))
    assert "N >= 1" in message
    assert "N >= 1" in _error(lambda: loaded.signatures["decode"](codes=tf.zeros([0, 2, 16], tf.uint8)))
    assert "N >= 1" in _error(lambda: loaded.signatures["decompress"](stream_bytes=tf.constant([], tf.string)))


# -- bad input ------------------------------------------------------------------------------


def _error(fn):
    with pytest.raises((tf.errors.InvalidArgumentError, TypeError, ValueError)) as info:
        fn()
    return str(info.value)


def test_bad_images(loaded):
    encode = loaded.signatures["encode"]
    two = tf.constant(2)
    assert "uint8" in _error(lambda: encode(images=tf.zeros([1, 32, 32, 3], tf.float32), iterations=two))
    # Wrong rank / size: a loaded signature checks dtypes only, the graph checks shapes.
    message = _error(lambda: encode(images=tf.zeros([32, 32, 3], tf.uint8), iterations=two))
    assert "must have shape [N, 32, 32, 3]" in message
    message = _error(lambda: encode(images=tf.zeros([1, 16, 32, 3], tf.uint8), iterations=two))
    assert "must have shape [N, 32, 32, 3]" in message
    assert "images" in _error(lambda: encode(images=tf.zeros([1, 32, 32, 3, 1], tf.uint8), iterations=two))
    assert "int32" in _error(lambda: encode(images=tf.zeros([1, 32, 32, 3], tf.uint8), iterations=tf.constant(2, tf.int64)))
    assert "iterations" in _error(lambda: encode(images=tf.zeros([1, 32, 32, 3], tf.uint8), iterations=tf.constant([2])))


@pytest.mark.parametrize("n", [0, -1, K + 1, 100])
def test_iterations_out_of_range(loaded, n):
    message = _error(
        lambda: loaded.signatures["encode"](images=tf.zeros([1, 32, 32, 3], tf.uint8), iterations=tf.constant(n))
    )
    assert f"`iterations` must be between 1 and {K}" in message


def test_bad_codes(loaded):
    decode = loaded.signatures["decode"]
    assert f"between 1 and {K}" in _error(lambda: decode(codes=tf.zeros([1, K + 1, 16], tf.uint8)))
    assert f"between 1 and {K}" in _error(lambda: decode(codes=tf.zeros([1, 0, 16], tf.uint8)))
    assert "must have shape [N, T, 16]" in _error(lambda: decode(codes=tf.zeros([1, 2, 15], tf.uint8)))
    assert "must have shape [N, T, 16]" in _error(lambda: decode(codes=tf.zeros([2, 32], tf.uint8)))
    assert "uint8" in _error(lambda: decode(codes=tf.zeros([1, 2, 16], tf.int32)))


def test_bad_streams(loaded, reference):
    good = reference["streams"][0][: HEADER + 32]
    decompress = loaded.signatures["decompress"]

    def err(*streams):
        return _error(lambda: decompress(stream_bytes=tf.constant(list(streams))))

    assert "another model" in err(bytes([0x52, 1, 0, 99]) + good[4:])
    assert "bad magic" in err(b"X" + good[1:])
    assert "bad magic" in err(good[:1] + b"\x02" + good[2:])
    assert "32x32" in err(good[:4] + bytes([0, 16, 0, 32]) + good[8:])
    assert "truncated mid-iteration" in err(good[:-1])
    assert "too short" in err(good[:HEADER])
    assert f"more than {K} iterations" in err(reference["streams"][0] + good[HEADER : HEADER + 16])
    assert "same length" in err(good, good[: HEADER + 16])


# -- self-contained: a fresh interpreter without Keras or this package ----------------------

_BLOCKER = """
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

_CLEAN_SCRIPT = """
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


def _clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env


def test_saved_model_runs_without_keras_or_this_package(exported, images, reference, tmp_path):
    (tmp_path / "sitecustomize.py").write_text(_BLOCKER)
    (tmp_path / "script.py").write_text(_CLEAN_SCRIPT)
    np.savez(tmp_path / "inputs.npz", images=images, k=K)
    env = _clean_env()
    env["PYTHONPATH"] = str(tmp_path)  # sitecustomize: the blocker is installed before anything else
    result = subprocess.run(
        [sys.executable, str(tmp_path / "script.py"), str(exported.saved_model), str(tmp_path / "inputs.npz"),
         str(tmp_path / "out.npz")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = np.load(tmp_path / "out.npz", allow_pickle=False)
    info = json.loads((tmp_path / "out.npz.json").read_text())
    assert info["leaked"] == []
    np.testing.assert_array_equal(out[f"codes{K}"], reference["codes"])
    np.testing.assert_array_equal(out["codes2"], reference["codes"][:, :2])
    np.testing.assert_array_equal(out["default"], reference["codes"])
    assert [bytes.fromhex(s) for s in info["streams"]] == reference["streams"]
    np.testing.assert_array_equal(out["recons"], reference["progressive"])
    np.testing.assert_array_equal(out["images"], reference["progressive"][:, -1])
    np.testing.assert_array_equal(out["decompressed"], reference["progressive"][:, -1])
    np.testing.assert_array_equal(out["decoded2"], reference["progressive"][:, 1])
    errors = info["errors"]
    assert set(errors) == {"iterations", "rank", "dtype", "codes"}
    assert f"between 1 and {K}" in errors["iterations"]
    assert "must have shape [N, 32, 32, 3]" in errors["rank"]
    assert "uint8" in errors["dtype"]
    assert "must have shape [N, T, 16]" in errors["codes"]


def _saved_model_cli():
    exe = pathlib.Path(sys.executable).with_name("saved_model_cli")
    if exe.is_file():
        return [str(exe)]
    return [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli"]


def test_saved_model_cli_show_and_run(exported, images, reference, tmp_path):
    sm = str(exported.saved_model)
    env = _clean_env()
    show = subprocess.run(_saved_model_cli() + ["show", "--dir", sm, "--all"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert show.returncode == 0, show.stderr[-3000:]
    text = show.stdout
    for name in ("encode", "decode", "decode_progressive", "decompress", "serving_default"):
        assert f"signature_def['{name}']" in text
    assert "DT_UINT8" in text and "(-1, 32, 32, 3)" in text and "(-1, -1, 16)" in text and "DT_STRING" in text

    np.save(tmp_path / "images.npy", images)
    run = subprocess.run(
        _saved_model_cli() + ["run", "--dir", sm, "--tag_set", "serve", "--signature_def", "encode",
                              "--inputs", f"images={tmp_path / 'images.npy'}", "--input_exprs", "iterations=3",
                              "--outdir", str(tmp_path / "enc"), "--overwrite"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    codes = np.load(tmp_path / "enc" / "codes.npy")
    np.testing.assert_array_equal(codes, reference["codes"][:, :3])

    run = subprocess.run(
        _saved_model_cli() + ["run", "--dir", sm, "--tag_set", "serve", "--signature_def", "decode_progressive",
                              "--inputs", f"codes={tmp_path / 'enc' / 'codes.npy'}",
                              "--outdir", str(tmp_path / "dec"), "--overwrite"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    np.testing.assert_array_equal(np.load(tmp_path / "dec" / "reconstructions.npy"), reference["progressive"][:, :3])

    bad = subprocess.run(
        _saved_model_cli() + ["run", "--dir", sm, "--tag_set", "serve", "--signature_def", "encode",
                              "--inputs", f"images={tmp_path / 'images.npy'}", "--input_exprs", f"iterations={K + 1}",
                              "--outdir", str(tmp_path / "bad"), "--overwrite"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert bad.returncode != 0
    assert f"between 1 and {K}" in bad.stderr + bad.stdout


# -- LiteRT -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lite(exported):
    pytest.importorskip("ai_edge_litert")
    from residual_compression.export import LiteRTCodec

    return LiteRTCodec(exported.out_dir, num_threads=1)


def test_litert_codes_identical_images_within_one_level(lite, images, reference):
    for n in (1, 3, K):
        np.testing.assert_array_equal(lite.encode(images, n), reference["codes"][:, :n])
    assert lite.compress(images, K) == reference["streams"]
    recons = lite.decode(reference["codes"], return_all=True)
    assert recons.shape == reference["progressive"].shape and recons.dtype == np.uint8
    assert np.abs(recons.astype(int) - reference["progressive"]).max() <= 1
    final = lite.decompress([s[: HEADER + 32] for s in reference["streams"]])
    assert np.abs(final.astype(int) - reference["progressive"][:, 1]).max() <= 1


def test_litert_models_hold_no_variables(exported):
    """Frozen weights only: no VAR_HANDLE / READ_VARIABLE ops (the keras#20095 trap)."""
    from ai_edge_litert import schema_py_generated as schema

    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    for path in (exported.encoder_tflite, exported.decoder_tflite):
        model = schema.ModelT.InitFromPackedBuf(path.read_bytes(), 0)
        ops = {names.get(max(c.builtinCode, c.deprecatedBuiltinCode)) for c in model.operatorCodes}
        assert not ops & {"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"}, ops
        assert "CUSTOM" not in ops and "DELEGATE" not in ops


def test_litert_bad_input(lite, exported, images, conv_lstm):
    with pytest.raises(ResidualCompressionError, match="uint8 of shape"):
        lite.encode(images.astype(np.float32), 2)
    with pytest.raises(ResidualCompressionError, match="uint8 of shape"):
        lite.encode(images[0], 2)
    with pytest.raises(ResidualCompressionError, match=f"between 1 and {K}"):
        lite.encode(images, K + 1)
    with pytest.raises(ResidualCompressionError, match=f"between 1 and {K}"):
        lite.decode(np.zeros((1, K + 1, 16), np.uint8))
    with pytest.raises(ResidualCompressionError, match=r"\(N, T, 16\)"):
        lite.decode(np.zeros((1, 2, 15), np.uint8))
    with pytest.raises(ResidualCompressionError, match="model id"):
        lite.decompress(bytes([0x52, 1, 0, 99, 0, 32, 0, 32]) + bytes(16))
    with pytest.raises(BitstreamError, match="format 2 stream; this export decodes format 1 only"):
        lite.decompress(conv_lstm.compress(images[:1], iterations=2))
    with pytest.raises(BitstreamError, match="truncated mid-iteration"):
        lite.decompress(conv_lstm.compress(images[:1], iterations=2, format=1)[0][:-1])
    # The raw models refuse too (their guard GATHER fails): no silent output.
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=str(exported.encoder_tflite)).get_signature_runner("encode")
    with pytest.raises(RuntimeError, match="gather index out of bounds"):
        runner(images=images, iterations=np.array(K + 1, np.int32))
    runner = Interpreter(model_path=str(exported.decoder_tflite)).get_signature_runner("decode")
    with pytest.raises(RuntimeError, match="gather index out of bounds"):
        runner(codes=np.zeros((1, K + 1, 16), np.uint8))


# -- other architectures and sizes ------------------------------------------------------------

OTHERS = {
    # stateless, fully-connected (8x8 patch tiling), shared weights: tf.while_loop
    "fc_residual_shared": dict(width=0.0625, iterations=8),
    # recurrent, fully-connected
    "fc_lstm": dict(width=0.0625, iterations=8),
    # stateless, distinct weights per iteration: unrolled tf.cond stages
    "conv_residual_distinct": dict(width=0.125, iterations=4),
}


def _session_run(saved_model, signature, **feeds):
    """Runs a signature the TF1 way, as TF Serving does: a Session on the MetaGraph."""
    graph = tf.Graph()
    with tf.compat.v1.Session(graph=graph) as session:
        meta = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(saved_model))
        sig = meta.signature_def[signature]
        fetches = {k: v.name for k, v in sig.outputs.items()}
        return session.run(fetches, {sig.inputs[k].name: v for k, v in feeds.items()})


@pytest.mark.parametrize("architecture", sorted(OTHERS))
def test_other_architectures(architecture, images, tmp_path):
    from residual_compression.export import export_model

    pytest.importorskip("ai_edge_litert")
    from residual_compression.export import LiteRTCodec

    codec = small_codec(architecture, **OTHERS[architecture])
    k = 4
    result = export_model(codec, tmp_path, format="both", max_iterations=k)
    assert result.metadata["verification"]["passed"]
    streams = codec.compress(images, iterations=k, format=1)
    codes = payload_codes(streams, k)
    progressive = np.stack([codec.progressive(s) for s in streams])
    model = tf.saved_model.load(str(result.saved_model))
    out = model.signatures["encode"](images=tf.constant(images), iterations=tf.constant(k))
    np.testing.assert_array_equal(out["codes"].numpy(), codes)
    assert [bytes(s) for s in out["stream_bytes"].numpy()] == streams
    recons = model.signatures["decode_progressive"](codes=tf.constant(codes))["reconstructions"].numpy()
    np.testing.assert_array_equal(recons, progressive)
    # The session path TF Serving and saved_model_cli take (grappler on the whole graph).
    session_out = _session_run(result.saved_model, "decode_progressive", codes=codes)
    np.testing.assert_array_equal(session_out["reconstructions"], progressive)
    lite = LiteRTCodec(tmp_path, num_threads=1)
    np.testing.assert_array_equal(lite.encode(images, 2), codes[:, :2])
    assert np.abs(lite.decode(codes, return_all=True).astype(int) - progressive).max() <= 1


def test_other_image_size_pads_like_the_codec(tmp_path):
    """30x22 is not a multiple of the conv block (4): edge-padded and cropped like the codec."""
    from residual_compression.export import export_model

    codec = small_codec("conv_lstm", width=0.125, iterations=4)
    result = export_model(codec, tmp_path, format="saved_model", max_iterations=3, image_size=(22, 30))
    meta = result.metadata
    assert meta["padded_size"] == {"height": 24, "width": 32}
    images = synthetic_images(3, height=22, width=30, seed=3)
    model = tf.saved_model.load(str(result.saved_model))
    out = model.signatures["encode"](images=tf.constant(images), iterations=tf.constant(3))
    streams = codec.compress(images, iterations=3, format=1)
    assert [bytes(s) for s in out["stream_bytes"].numpy()] == streams
    decoded = model.signatures["decompress"](stream_bytes=tf.constant(streams))["images"].numpy()
    np.testing.assert_array_equal(decoded, codec.decompress(streams))
    assert "32x32" not in meta["image_size"]["supported"] and "30x22" in meta["image_size"]["supported"]


def test_export_larger_than_a_tile_encodes_whole_and_decodes_tiled_streams(tmp_path):
    """The graphs encode in one piece; the codec tiles: both streams decode to the same image."""
    from residual_compression.export import export_model

    codec = small_codec("conv_lstm", width=0.125, iterations=4).replace(tile_size=32, tile_halo=4)
    assert codec.is_tiled(40, 48)
    result = export_model(codec, tmp_path, format="saved_model", max_iterations=3, image_size=(40, 48))
    images = synthetic_images(2, height=40, width=48, seed=4)
    model = tf.saved_model.load(str(result.saved_model))
    out = model.signatures["encode"](images=tf.constant(images), iterations=tf.constant(3))
    whole = codec.replace(tile_size=48)
    assert [bytes(s) for s in out["stream_bytes"].numpy()] == whole.compress(images, iterations=3, format=1)
    tiled_streams = codec.compress(images, iterations=3, format=1)
    decoded = model.signatures["decompress"](stream_bytes=tf.constant(tiled_streams))["images"].numpy()
    np.testing.assert_array_equal(decoded, codec.decompress(tiled_streams))


# -- arguments ------------------------------------------------------------------------------------


def test_bad_arguments(conv_lstm, tmp_path):
    from residual_compression.export import ExportError
    from residual_compression.export import export_model

    with pytest.raises(ExportError, match="format"):
        export_model(conv_lstm, tmp_path, format="onnx")
    with pytest.raises(ExportError, match="at most|more than"):
        export_model(conv_lstm, tmp_path, max_iterations=9)
    with pytest.raises(ExportError, match="positive integer"):
        export_model(conv_lstm, tmp_path, max_iterations=0)
    with pytest.raises(ExportError, match="preset name or a ProgressiveCodec"):
        export_model(42, tmp_path)
    with pytest.raises(ResidualCompressionError, match="unknown preset"):
        export_model("no_such_preset", tmp_path)
    with pytest.raises(ExportError, match="image_size"):
        export_model(conv_lstm, tmp_path, image_size=32)
    assert issubclass(ExportError, ResidualCompressionError)


def test_refuses_to_overwrite(exported, conv_lstm):
    from residual_compression.export import ExportError
    from residual_compression.export import export_model

    with pytest.raises(ExportError, match="overwrite"):
        export_model(conv_lstm, exported.out_dir, format="saved_model", max_iterations=K)


def test_importing_export_does_not_import_tensorflow():
    code = (
        "import sys; import residual_compression.export as e, residual_compression.export.cli; "
        "import residual_compression.export.litert; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, sorted(sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_jax_backend_is_refused(tmp_path):
    pytest.importorskip("jax")
    code = textwrap.dedent(
        f"""
        from residual_compression.export import export_model, ExportError
        from residual_compression.codec import ProgressiveCodec
        from residual_compression.models import build_model
        codec = ProgressiveCodec(build_model("conv_lstm", width=0.125, iterations=2), model_id=13)
        try:
            export_model(codec, {str(tmp_path)!r})
        except ExportError as e:
            print("REFUSED", e)
        """
    )
    env = dict(_clean_env(), KERAS_BACKEND="jax")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert "REFUSED" in result.stdout and "KERAS_BACKEND=tensorflow" in result.stdout, result.stderr[-2000:]
