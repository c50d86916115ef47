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
import pathlib
import shutil
import tempfile

import numpy as np

from residual_compression import bitstream
from residual_compression.errors import ResidualCompressionError
from residual_compression.export._metadata import DECODER_TFLITE
from residual_compression.export._metadata import ENCODER_TFLITE
from residual_compression.export._metadata import METADATA_FILE
from residual_compression.export._metadata import SAVED_MODEL_DIR
from residual_compression.export._metadata import build_metadata
from residual_compression.export._metadata import write_metadata
from residual_compression.export._verify import check_export
from residual_compression.models.compiled import remapper_off

__all__ = ["ExportResult", "FORMATS", "export_model"]

FORMATS = ("saved_model", "tflite", "both")


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
    metadata = build_metadata(codec, graph, format)
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
    write_metadata(out_dir, result, metadata)
    if verify:
        report, failures = check_export(codec, graph, result)
        metadata["verification"] = report
        write_metadata(out_dir, result, metadata)
        if failures:
            raise ExportError("the exported model failed its verification: " + "; ".join(failures))
    return ExportResult(metadata=metadata, **result)
