"""SavedModel and LiteRT export (issue 5) of one conv LSTM codec, exported once for the
module: exactness against the Keras codec, a self-contained SavedModel (fresh interpreter
without Keras or this package), saved_model_cli, LiteRT, and clear errors for bad input.
The other architectures, sizes and arguments are in test_export_variants.py."""

import json
import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from export_helpers import BLOCKER  # noqa: E402
from export_helpers import CLEAN_SCRIPT  # noqa: E402
from export_helpers import HEADER  # noqa: E402
from export_helpers import MODEL_ID  # noqa: E402
from export_helpers import clean_env  # noqa: E402
from export_helpers import images  # noqa: E402,F401 (a fixture)
from export_helpers import payload_codes  # noqa: E402
from export_helpers import saved_model_cli  # noqa: E402
from export_helpers import session_run  # noqa: E402
from export_helpers import small_codec  # noqa: E402
from residual_compression import BitstreamError  # noqa: E402
from residual_compression import ResidualCompressionError  # noqa: E402
from residual_compression.models import build_model  # noqa: E402

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow", reason="export needs the TensorFlow Keras backend"
)

K = 6  # max_iterations of the main export (the model has 8)


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


def test_files_and_metadata(exported, conv_lstm):
    out = exported.out_dir
    assert (out / "saved_model" / "saved_model.pb").is_file()
    assert (out / "encoder.tflite").stat().st_size > 0 and (out / "decoder.tflite").stat().st_size > 0
    meta = json.loads((out / "export.json").read_text())
    assert meta == json.loads((out / "saved_model" / "assets.extra" / "export.json").read_text())
    assert meta["model_id"] == MODEL_ID and meta["compatible_ids"] == [13, 14]
    assert meta["max_iterations"] == K and meta["bytes_per_iteration"] == 16
    assert meta["image_size"]["height"] == 32 and meta["image_size"]["width"] == 32
    rebuilt = build_model(meta["architecture"], **meta["config"])  # the config is complete
    assert meta["config"]["hidden_kernel_size"] == rebuilt.hidden_kernel_size
    assert rebuilt.count_params() == conv_lstm.model.count_params()
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


def test_saved_model_runs_without_keras_or_this_package(exported, images, reference, tmp_path):
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    (tmp_path / "script.py").write_text(CLEAN_SCRIPT)
    np.savez(tmp_path / "inputs.npz", images=images, k=K)
    env = clean_env()
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


def _cli_run(saved_model, signature, outdir, *inputs):
    """``saved_model_cli run`` of one signature; the outputs land in ``outdir`` as .npy files."""
    return subprocess.run(
        saved_model_cli() + ["run", "--dir", str(saved_model), "--tag_set", "serve", "--signature_def", signature,
                             *inputs, "--outdir", str(outdir), "--overwrite"],
        capture_output=True, text=True, env=clean_env(), timeout=300,
    )


def test_a_tf1_session_runs_the_signatures_bit_for_bit(exported, images, reference):
    """What saved_model_cli and TF Serving run: a TF1 Session on the MetaGraph (grappler on the
    whole graph), here in process. The tool itself (a TensorFlow start-up of ~10 s per call)
    runs in test_saved_model_cli_show_and_run (slow)."""
    out = session_run(exported.saved_model, "encode", images=images, iterations=np.int32(3))
    np.testing.assert_array_equal(out["codes"], reference["codes"][:, :3])
    out = session_run(exported.saved_model, "decode_progressive", codes=reference["codes"][:, :3])
    np.testing.assert_array_equal(out["reconstructions"], reference["progressive"][:, :3])


@pytest.mark.slow
def test_saved_model_cli_show_and_run(exported, images, reference, tmp_path):
    show = subprocess.run(saved_model_cli() + ["show", "--dir", str(exported.saved_model), "--all"],
                          capture_output=True, text=True, env=clean_env(), timeout=300)
    assert show.returncode == 0, show.stderr[-3000:]
    text = show.stdout
    for name in ("encode", "decode", "decode_progressive", "decompress", "serving_default"):
        assert f"signature_def['{name}']" in text
    assert "DT_UINT8" in text and "(-1, 32, 32, 3)" in text and "(-1, -1, 16)" in text and "DT_STRING" in text

    np.save(tmp_path / "images.npy", images)
    run = _cli_run(exported.saved_model, "encode", tmp_path / "enc",
                   "--inputs", f"images={tmp_path / 'images.npy'}", "--input_exprs", "iterations=3")
    assert run.returncode == 0, run.stderr[-3000:]
    codes = tmp_path / "enc" / "codes.npy"
    np.testing.assert_array_equal(np.load(codes), reference["codes"][:, :3])
    run = _cli_run(exported.saved_model, "decode_progressive", tmp_path / "dec", "--inputs", f"codes={codes}")
    assert run.returncode == 0, run.stderr[-3000:]
    np.testing.assert_array_equal(np.load(tmp_path / "dec" / "reconstructions.npy"), reference["progressive"][:, :3])

    bad = _cli_run(exported.saved_model, "encode", tmp_path / "bad", "--inputs", f"images={tmp_path / 'images.npy'}",
                   "--input_exprs", f"iterations={K + 1}")
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


def test_refuses_to_overwrite(exported, conv_lstm):
    from residual_compression.export import ExportError
    from residual_compression.export import export_model

    with pytest.raises(ExportError, match="overwrite"):
        export_model(conv_lstm, exported.out_dir, format="saved_model", max_iterations=K)
