"""SavedModel and LiteRT export (issue 5) beyond the main conv LSTM export of
test_export.py: the other graph shapes (while loop, recurrent FC, unrolled stages),
other image sizes and tiles, bad arguments, and what the export imports."""

import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from conftest import synthetic_images  # noqa: E402
from export_helpers import images  # noqa: E402,F401 (a fixture)
from export_helpers import payload_codes  # noqa: E402
from export_helpers import session_run  # noqa: E402
from export_helpers import small_codec  # noqa: E402
from residual_compression import ResidualCompressionError  # noqa: E402

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow", reason="export needs the TensorFlow Keras backend"
)


@pytest.fixture(scope="module")
def small_lstm():
    return small_codec("conv_lstm", width=0.125, iterations=4)


# case -> (architecture, model config, max_iterations of the export)
OTHERS = {
    # stateless, fully-connected (8x8 patch tiling), shared weights: tf.while_loop
    "fc_residual_shared": ("fc_residual_shared", dict(width=0.0625, iterations=8), 4),
    # recurrent, fully-connected
    "fc_lstm": ("fc_lstm", dict(width=0.0625, iterations=8), 4),
    # stateless, distinct weights per iteration: unrolled tf.cond stages, one per exported
    # iteration (so fewer than the model has, and only two: each stage is traced anew)
    "conv_residual_distinct": ("conv_residual_distinct", dict(width=0.125, iterations=3), 2),
    # hidden-state priming: the while loop's first iteration reruns its steps (ops.cond on t)
    "conv_lstm_primed": ("conv_lstm", dict(width=0.125, iterations=3, priming=2), 3),
    # residual scaling: the gain network runs inside the while loop on both sides
    "conv_lstm_scaled": ("conv_lstm", dict(width=0.125, iterations=3, residual_scaling=True), 3),
    # GRU cells: one state per layer in the while loop
    "conv_lstm_gru": ("conv_lstm", dict(width=0.125, iterations=3, cell="gru"), 3),
}


# fc_residual_shared shares its graph (a while loop, 8x8 patches) with fc_lstm and the main
# export's conv LSTM, and its stateless sum with conv_residual_distinct: slow (~10 s). The primed
# conv LSTM (~50 s) differs from the main export only by the ops.cond of its first iteration, the
# scaled one only by its gain network, the GRU one by its cells.
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(a, marks=[pytest.mark.slow] if a in ("fc_residual_shared", "conv_lstm_primed", "conv_lstm_scaled", "conv_lstm_gru") else [])
        for a in sorted(OTHERS)
    ],
)
def test_other_architectures(case, images, tmp_path):
    from residual_compression.export import export_model

    pytest.importorskip("ai_edge_litert")
    from residual_compression.export import LiteRTCodec

    architecture, config, k = OTHERS[case]
    codec = small_codec(architecture, **config)
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
    session_out = session_run(result.saved_model, "decode_progressive", codes=codes)
    np.testing.assert_array_equal(session_out["reconstructions"], progressive)
    lite = LiteRTCodec(tmp_path, num_threads=1)
    np.testing.assert_array_equal(lite.encode(images, k - 1), codes[:, : k - 1])
    assert np.abs(lite.decode(codes, return_all=True).astype(int) - progressive).max() <= 1


@pytest.fixture(scope="module")
def odd_size_export(small_lstm, tmp_path_factory):
    """``small_lstm`` exported once for 46x38 images, loaded: a size that is not a multiple of
    the conv block (4), and larger than a tile of 32 pixels."""
    from residual_compression.export import export_model

    out = tmp_path_factory.mktemp("export_46x38")
    result = export_model(small_lstm, out, format="saved_model", max_iterations=3, image_size=(38, 46))
    return result, tf.saved_model.load(str(result.saved_model))


def test_other_image_size_pads_like_the_codec(small_lstm, odd_size_export):
    """46x38 is not a multiple of the conv block (4): edge-padded and cropped like the codec."""
    codec = small_lstm
    result, model = odd_size_export
    meta = result.metadata
    assert meta["padded_size"] == {"height": 40, "width": 48}
    images = synthetic_images(3, height=38, width=46, seed=3)
    assert not codec.is_tiled(38, 46)
    out = model.signatures["encode"](images=tf.constant(images), iterations=tf.constant(3))
    streams = codec.compress(images, iterations=3, format=1)
    assert [bytes(s) for s in out["stream_bytes"].numpy()] == streams
    decoded = model.signatures["decompress"](stream_bytes=tf.constant(streams))["images"].numpy()
    np.testing.assert_array_equal(decoded, codec.decompress(streams))
    assert "32x32" not in meta["image_size"]["supported"] and "46x38" in meta["image_size"]["supported"]


def test_export_larger_than_a_tile_encodes_whole_and_decodes_tiled_streams(small_lstm, odd_size_export):
    """The graphs encode in one piece; the codec tiles: both streams decode to the same image."""
    _, model = odd_size_export
    codec = small_lstm.replace(tile_size=32, tile_halo=4)
    assert codec.is_tiled(38, 46)
    images = synthetic_images(2, height=38, width=46, seed=4)
    out = model.signatures["encode"](images=tf.constant(images), iterations=tf.constant(3))
    whole = small_lstm  # tiles of 256 pixels: one tile
    assert [bytes(s) for s in out["stream_bytes"].numpy()] == whole.compress(images, iterations=3, format=1)
    tiled_streams = codec.compress(images, iterations=3, format=1)
    decoded = model.signatures["decompress"](stream_bytes=tf.constant(tiled_streams))["images"].numpy()
    np.testing.assert_array_equal(decoded, codec.decompress(tiled_streams))


# -- arguments ------------------------------------------------------------------------------------


def test_bad_arguments(small_lstm, tmp_path):
    from residual_compression.export import ExportError
    from residual_compression.export import export_model

    with pytest.raises(ExportError, match="format"):
        export_model(small_lstm, tmp_path, format="onnx")
    with pytest.raises(ExportError, match="at most|more than"):
        export_model(small_lstm, tmp_path, max_iterations=5)
    with pytest.raises(ExportError, match="positive integer"):
        export_model(small_lstm, tmp_path, max_iterations=0)
    with pytest.raises(ExportError, match="preset name or a ProgressiveCodec"):
        export_model(42, tmp_path)
    with pytest.raises(ResidualCompressionError, match="unknown preset"):
        export_model("no_such_preset", tmp_path)
    with pytest.raises(ExportError, match="image_size"):
        export_model(small_lstm, tmp_path, image_size=32)
    assert issubclass(ExportError, ResidualCompressionError)


def test_importing_export_does_not_import_tensorflow():
    code = (
        "import sys; import residual_compression.export as e, residual_compression.export.cli; "
        "import residual_compression.export.litert; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, sorted(sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_jax_backend_is_refused(jax_core_run):
    """Under KERAS_BACKEND=jax (TensorFlow unimportable), export_model refuses with an
    ExportError naming the fix, before it touches TensorFlow (jax_core_probe.py, one
    JAX process shared with test_backends.py)."""
    refused = [line for line in jax_core_run.stdout.splitlines() if line.startswith("REFUSED")]
    assert refused and "KERAS_BACKEND=tensorflow" in refused[0], jax_core_run.stderr[-2000:]
