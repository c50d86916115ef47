"""``export_model``: a codec -> SavedModel and/or LiteRT (TFLite) files (private).

See ``export/README.md`` for the signatures. Layout of ``out_dir``::

    saved_model/                 the SavedModel (TF Serving: copy to MODEL/1/)
      assets.extra/export.json   the metadata below, inside the SavedModel
    encoder.tflite               LiteRT signature "encode"   (format tflite|both)
    decoder.tflite               LiteRT signature "decode"   (format tflite|both)
    export.json                  model id, sizes, signatures, verification

Two traps are avoided on purpose:

* The Keras model is never a tracked attribute of a ``tf.Module``
  (keras-team/keras#20095: such a module converts "successfully" to TFLite
  but keeps variable handles and gives wrong outputs). Endpoints go through
  ``keras.export.ExportArchive``, which holds the variables the endpoints
  use and nothing of the Keras model, and
  every export is checked against the Keras codec before it is reported
  done (``verify=True``): never trust a successful conversion.
* Grappler's remapper fuses ``MatMul + BiasAdd + tanh`` into one oneDNN
  kernel whose tanh differs from eager TensorFlow's in the last bits, which
  moves a few pixels of the fully-connected models by one grey level. The
  SavedModel endpoints therefore run their body as a ``_noinline`` function
  traced with the remapper off (the option is recorded in the function call's
  ``config_proto``), so the exported graph computes what eager Keras computes,
  bit for bit, under ``tf.saved_model.load``, ``saved_model_cli`` and TF
  Serving alike.
"""

import dataclasses
import json
import pathlib
import shutil
import tempfile

import numpy as np

from residual_compression import bitstream
from residual_compression.errors import ResidualCompressionError
from residual_compression.models.compiled import remapper_off

__all__ = ["ExportResult", "FORMATS", "export_model"]

FORMATS = ("saved_model", "tflite", "both")
METADATA_FILE = "export.json"
SAVED_MODEL_DIR = "saved_model"
ENCODER_TFLITE = "encoder.tflite"
DECODER_TFLITE = "decoder.tflite"
METADATA_VERSION = 1


class ExportError(ResidualCompressionError):
    """An export that cannot be made, or that fails its verification."""


@dataclasses.dataclass(frozen=True)
class ExportResult:
    """What :func:`export_model` wrote.

    Attributes:
        out_dir: the output folder.
        saved_model: path of the SavedModel folder, or None.
        encoder_tflite, decoder_tflite: paths of the LiteRT models, or None.
        metadata: the contents of ``export.json``.
    """

    out_dir: pathlib.Path
    saved_model: pathlib.Path | None
    encoder_tflite: pathlib.Path | None
    decoder_tflite: pathlib.Path | None
    metadata: dict


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ExportError(f"`{name}` must be a positive integer, received: {value!r}")
    return int(value)


def _resolve_codec(name_or_codec):
    from residual_compression.codec import ProgressiveCodec

    if isinstance(name_or_codec, ProgressiveCodec):
        return name_or_codec
    if isinstance(name_or_codec, str):
        from residual_compression import zoo

        return zoo.load(name_or_codec)
    raise ExportError(
        "`name_or_codec` must be a zoo preset name or a ProgressiveCodec, received "
        f"{type(name_or_codec).__name__}"
    )


def _check_backend():
    import keras

    backend = keras.config.backend()
    if backend != "tensorflow":
        raise ExportError(
            f"export needs the TensorFlow Keras backend, but KERAS_BACKEND is {backend!r}; "
            "run with KERAS_BACKEND=tensorflow (the exported files run without Keras)"
        )


# -- signatures ---------------------------------------------------------------------


def _specs(graph):
    import tensorflow as tf

    h, w, b = graph.height, graph.width, graph.bytes_per_iteration
    return {
        "images": tf.TensorSpec([None, h, w, 3], tf.uint8, name="images"),
        "iterations": tf.TensorSpec([], tf.int32, name="iterations"),
        "codes": tf.TensorSpec([None, None, b], tf.uint8, name="codes"),
        "stream_bytes": tf.TensorSpec([None], tf.string, name="stream_bytes"),
    }


def _saved_model_endpoints(graph):
    """``[(name, fn, input_signature)]`` of the SavedModel; ``encode`` first (serving_default)."""
    import tensorflow as tf

    def body(fn, *dtypes):
        # Shape-relaxed inputs: the checks in CodecGraph then run on the real
        # runtime shapes (see CodecGraph._check_shape).
        signature = [tf.TensorSpec(None, dtype) for dtype in dtypes]
        return tf.function(
            fn, input_signature=signature, autograph=False, experimental_attributes={"_noinline": True}
        )

    def encode_body(images, iterations):
        codes = graph.encode_codes(images, iterations)
        payload, stream = graph.to_strings(codes)
        return codes, payload, stream

    def decode_body(codes):
        levels = graph.decode_levels(codes)
        return tf.cast(levels[:, -1], tf.uint8), tf.cast(levels, tf.uint8)

    def decompress_body(stream_bytes):
        codes = graph.parse_streams(stream_bytes)
        levels = graph.decode_levels(codes)
        iterations = tf.fill(tf.shape(codes)[:1], tf.shape(codes)[1])
        return tf.cast(levels[:, -1], tf.uint8), iterations

    encode_fn = body(encode_body, tf.uint8, tf.int32)
    decode_fn = body(decode_body, tf.uint8)
    decompress_fn = body(decompress_body, tf.string)

    def encode(images, iterations):
        codes, payload, stream = encode_fn(images, iterations)
        return {"codes": codes, "payload_bytes": payload, "stream_bytes": stream}

    def decode(codes):
        images, _ = decode_fn(codes)
        return {"images": images}

    def decode_progressive(codes):
        images, recons = decode_fn(codes)
        return {"images": images, "reconstructions": recons}

    def decompress(stream_bytes):
        images, iterations = decompress_fn(stream_bytes)
        return {"images": images, "iterations": iterations}

    s = _specs(graph)
    return [
        ("encode", encode, [s["images"], s["iterations"]]),
        ("decode", decode, [s["codes"]]),
        ("decode_progressive", decode_progressive, [s["codes"]]),
        ("decompress", decompress, [s["stream_bytes"]]),
    ]


def _lite_endpoints(graph):
    """The TFLite-convertible (builtin ops only) encoder and decoder."""
    import tensorflow as tf

    def encode(images, iterations):
        return {"codes": graph.encode_codes(images, iterations)}

    def decode(codes):
        levels = graph.decode_levels(codes)
        return {"images": tf.cast(levels[:, -1], tf.uint8), "reconstructions": tf.cast(levels, tf.uint8)}

    s = _specs(graph)
    return [("encode", encode, [s["images"], s["iterations"]]), ("decode", decode, [s["codes"]])]


def _write_archive(endpoints, path):
    """Writes ``endpoints`` with ``keras.export.ExportArchive``.

    The archive collects exactly the variables the endpoints read (frozen
    into constants by the TFLite converter). ``archive.track(model)`` is
    deliberately not called: it would store every weight twice (the Keras
    variable and the ``tf.Variable`` behind it), doubling the SavedModel.
    """
    import keras

    archive = keras.export.ExportArchive()
    for name, fn, signature in endpoints:
        archive.add_endpoint(name, fn, input_signature=signature)
    archive.write_out(str(path), verbose=False)


def _convert(saved_model_dir, signature):
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model_dir), signature_keys=[signature])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    # Variables must be frozen into constants: resource variables would keep
    # VAR_HANDLE/READ_VARIABLE ops that need an initialiser the app never runs.
    converter.experimental_enable_resource_variables = False
    try:
        return converter.convert()
    except Exception as e:  # noqa: BLE001 - the converter raises many types
        raise ExportError(f"TFLite conversion of the {signature!r} signature failed: {e}") from e


# -- metadata -------------------------------------------------------------------------


def _metadata(codec, graph, fmt):
    import keras
    import tensorflow as tf

    h, w, b, k = graph.height, graph.width, graph.bytes_per_iteration, graph.max_iterations
    sizes = "fixed: only {w}x{h} images (re-export with image_size for other sizes)".format(w=w, h=h)
    signatures = {
        "encode": {
            "inputs": {"images": f"uint8 [N, {h}, {w}, 3]", "iterations": f"int32 [] in 1..{k}"},
            "outputs": {
                "codes": f"uint8 [N, iterations, {b}]",
                "payload_bytes": f"string [N] ({b} * iterations bytes)",
                "stream_bytes": f"string [N] ({bitstream.HEADER_SIZE}-byte header + payload)",
            },
        },
        "decode": {
            "inputs": {"codes": f"uint8 [N, T, {b}], T in 1..{k}"},
            "outputs": {"images": f"uint8 [N, {h}, {w}, 3]"},
        },
        "decode_progressive": {
            "inputs": {"codes": f"uint8 [N, T, {b}], T in 1..{k}"},
            "outputs": {"images": f"uint8 [N, {h}, {w}, 3]", "reconstructions": f"uint8 [N, T, {h}, {w}, 3]"},
        },
        "decompress": {
            "inputs": {"stream_bytes": "string [N], whole streams of one length"},
            "outputs": {"images": f"uint8 [N, {h}, {w}, 3]", "iterations": "int32 [N]"},
        },
        "serving_default": "encode",
    }
    model = codec.model
    return {
        "metadata_version": METADATA_VERSION,
        "model": codec.name,
        "model_id": codec.model_id,
        "compatible_ids": sorted(int(i) for i in codec.compatible_ids),
        "trained": codec.trained,
        "architecture": model.architecture,
        "config": {"bits": model.bits, "iterations": model.iterations, "width": model.width},
        "max_iterations": k,
        "image_size": {"height": h, "width": w, "supported": sizes},
        "padded_size": {"height": graph.padded[0], "width": graph.padded[1]},
        "code_shape": list(graph.code_shape),
        "bytes_per_iteration": b,
        "header_size": bitstream.HEADER_SIZE,
        "header_hex": graph.header.hex(),
        "format": fmt,
        "signatures": signatures,
        "tflite_signatures": {
            ENCODER_TFLITE: {
                "encode": {
                    "inputs": signatures["encode"]["inputs"],
                    "outputs": {"codes": signatures["encode"]["outputs"]["codes"]},
                }
            },
            DECODER_TFLITE: {"decode": signatures["decode_progressive"]},
        },
        "loop": "tf.while_loop" if graph.stages == 1 else f"{graph.stages} unrolled tf.cond stages",
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
        "files": {},
        "verification": None,
    }


# -- verification ---------------------------------------------------------------------


def sample_images(n, height, width, seed=0):
    """Deterministic thumbnail-like uint8 images (gradients plus texture)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    out = []
    for _ in range(n):
        fx, fy, phase = rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0, 6.3)
        base = np.stack([np.sin(fx * x + phase), np.cos(fy * y - phase), np.sin(fx * x + fy * y)], -1)
        image = 127.5 + 90 * base + rng.normal(0, 12, (height, width, 3))
        out.append(np.clip(np.rint(image), 0, 255).astype(np.uint8))
    return np.stack(out)


def reference_outputs(codec, images, iterations):
    """What the Keras codec gives: payload codes, streams and reconstructions."""
    streams = codec.compress(images, iterations=iterations, format=1)  # the exports' format
    codes = np.stack(
        [np.frombuffer(s[bitstream.HEADER_SIZE :], np.uint8).reshape(iterations, -1) for s in streams]
    )
    bits = codec.encode(images, iterations)
    recons = codec.decode(bits, images.shape[1], images.shape[2], return_all=True)
    return {"codes": codes, "streams": streams, "reconstructions": recons}


def _verify(codec, graph, result, n_images=4):
    """Runs the exported files on sample images and compares with the codec."""
    k = graph.max_iterations
    images = sample_images(n_images, graph.height, graph.width, seed=12345)
    # The graphs encode the whole image in one piece: compare with a codec that
    # does too (the default codec tiles images over 256x256 pixels).
    whole = codec.replace(tile_size=max(codec.tile_size, *codec.padded_size(graph.height, graph.width)))
    ref = reference_outputs(whole, images, k)
    counts = sorted({1, max(1, k // 2), k})
    report = {"images": n_images, "iterations": counts}
    failures = []
    if result["saved_model"] is not None:
        import tensorflow as tf

        loaded = tf.saved_model.load(str(result["saved_model"]))
        for n in counts:
            out = loaded.signatures["encode"](images=tf.constant(images), iterations=tf.constant(n, tf.int32))
            if not np.array_equal(out["codes"].numpy(), ref["codes"][:, :n]):
                failures.append(f"SavedModel encode codes differ from the codec at {n} iterations")
            length = bitstream.HEADER_SIZE + n * graph.bytes_per_iteration
            if [bytes(s) for s in out["stream_bytes"].numpy()] != [s[:length] for s in ref["streams"]]:
                failures.append(f"SavedModel encode streams differ from codec.compress at {n} iterations")
        dec = loaded.signatures["decode_progressive"](codes=tf.constant(ref["codes"]))
        diff = np.abs(dec["reconstructions"].numpy().astype(np.int16) - ref["reconstructions"])
        report["saved_model_max_level_diff"] = int(diff.max())
        if diff.max() != 0:
            failures.append(
                f"SavedModel decode differs from the codec in {int((diff != 0).sum())} values "
                f"(max {int(diff.max())} grey levels)"
            )
    if result["encoder_tflite"] is not None:
        from residual_compression.export.litert import LiteRTCodec

        try:
            lite = LiteRTCodec(result["out_dir"])
        except ImportError as e:  # pragma: no cover - ai-edge-litert is not installed
            report["litert"] = f"not verified (pip install ai-edge-litert): {e}"
        else:
            for n in counts:
                if not np.array_equal(lite.encode(images, n), ref["codes"][:, :n]):
                    failures.append(f"LiteRT encoder codes differ from the codec at {n} iterations")
            recons = lite.decode(ref["codes"], return_all=True)
            diff = np.abs(recons.astype(np.int16) - ref["reconstructions"])
            report["litert_max_level_diff"] = int(diff.max())
            report["litert_values_off"] = int((diff != 0).sum())
            if diff.max() > 1:
                failures.append(f"LiteRT decoder is off by up to {int(diff.max())} grey levels (allowed: 1)")
    report["passed"] = not failures
    return report, failures


# -- the entry point ------------------------------------------------------------------


def _prepare_out_dir(out_dir, targets, overwrite):
    out_dir = pathlib.Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: exists and is not a folder")
    existing = [t for t in targets if (out_dir / t).exists()]
    if existing and not overwrite:
        raise ExportError(
            f"{out_dir}: already holds {', '.join(existing)}; pass overwrite=True (--overwrite) to replace"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for t in existing:
        path = out_dir / t
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return out_dir


def export_model(
    name_or_codec,
    out_dir,
    format="saved_model",
    max_iterations=None,
    *,
    image_size=(32, 32),
    verify=True,
    overwrite=False,
):
    """Exports a codec as a self-contained SavedModel and/or LiteRT models.

    Args:
        name_or_codec: a zoo preset name (``"conv_lstm_64B"``) or a
            :class:`~residual_compression.codec.ProgressiveCodec`.
        out_dir: output folder (created); see the module docstring for the
            layout.
        format: ``"saved_model"``, ``"tflite"`` or ``"both"``.
        max_iterations: ``K``, the most iterations the exported functions
            encode or decode (default: all the model has). Smaller ``K``
            gives a smaller decoder buffer; the weights are the same.
        image_size: ``(height, width)`` of the fixed-size signatures
            (default 32x32 thumbnails). Sizes that are not a multiple of the
            model's block are edge-padded and cropped back, like the codec.
        verify: run the exported files on sample images and raise
            :class:`ExportError` unless the SavedModel gives exactly the
            codec's codes, streams and images and LiteRT gives the same codes
            and images within one grey level.
        overwrite: replace files of an earlier export in ``out_dir``.

    Returns:
        An :class:`ExportResult`.
    """
    if format not in FORMATS:
        raise ExportError(f"`format` must be one of {', '.join(FORMATS)}, received: {format!r}")
    codec = _resolve_codec(name_or_codec)
    if max_iterations is None:
        max_iterations = codec.max_iterations
    max_iterations = _positive_int("max_iterations", max_iterations)
    if max_iterations > codec.max_iterations:
        raise ExportError(
            f"`max_iterations`={max_iterations} is more than {codec.name} has "
            f"({codec.max_iterations})"
        )
    try:
        height, width = (int(v) for v in image_size)
    except (TypeError, ValueError):
        raise ExportError(f"`image_size` must be (height, width), received: {image_size!r}") from None
    _positive_int("image_size height", height)
    _positive_int("image_size width", width)
    if max(height, width) > bitstream.MAX_DIMENSION:
        raise ExportError(f"`image_size` must be at most {bitstream.MAX_DIMENSION} per side")
    codec._check_area(height, width, ExportError)
    _check_backend()

    from residual_compression.export._graph import CodecGraph

    want_sm = format in ("saved_model", "both")
    want_lite = format in ("tflite", "both")
    targets = [METADATA_FILE] + ([SAVED_MODEL_DIR] if want_sm else []) + (
        [ENCODER_TFLITE, DECODER_TFLITE] if want_lite else []
    )
    out_dir = _prepare_out_dir(out_dir, targets, overwrite)
    graph = CodecGraph(codec, max_iterations, height, width)
    metadata = _metadata(codec, graph, format)
    result = {"out_dir": out_dir, "saved_model": None, "encoder_tflite": None, "decoder_tflite": None}

    if want_sm:
        path = out_dir / SAVED_MODEL_DIR
        with remapper_off():
            _write_archive(_saved_model_endpoints(graph), path)
        result["saved_model"] = path
    if want_lite:
        with tempfile.TemporaryDirectory(prefix="rc_export_") as tmp:
            _write_archive(_lite_endpoints(graph), tmp)
            for key, signature, name in (
                ("encoder_tflite", "encode", ENCODER_TFLITE),
                ("decoder_tflite", "decode", DECODER_TFLITE),
            ):
                (out_dir / name).write_bytes(_convert(tmp, signature))
                result[key] = out_dir / name
    # The metadata is written before verification: the LiteRT runner reads it.
    _write_metadata(out_dir, result, metadata)
    if verify:
        report, failures = _verify(codec, graph, result)
        metadata["verification"] = report
        _write_metadata(out_dir, result, metadata)
        if failures:
            raise ExportError("the exported model failed its verification: " + "; ".join(failures))
    return ExportResult(metadata=metadata, **result)


def _file_sizes(result):
    sizes = {}
    if result["saved_model"] is not None:
        root = result["saved_model"]
        sizes[SAVED_MODEL_DIR] = sum(
            p.stat().st_size for p in root.rglob("*") if p.is_file() and "assets.extra" not in p.parts
        )
    for key in ("encoder_tflite", "decoder_tflite"):
        if result[key] is not None:
            sizes[result[key].name] = result[key].stat().st_size
    return sizes


def _write_metadata(out_dir, result, metadata):
    metadata["files"] = _file_sizes(result)
    text = json.dumps(metadata, indent=2) + "\n"
    (out_dir / METADATA_FILE).write_text(text)
    if result["saved_model"] is not None:
        extra = result["saved_model"] / "assets.extra"
        extra.mkdir(exist_ok=True)
        (extra / METADATA_FILE).write_text(text)
