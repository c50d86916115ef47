"""``export.json``: what an export holds, its signatures and how it was verified (private).

See ``export/README.md`` for the fields. The file is written next to the
exported files and copied into the SavedModel's ``assets.extra`` (TF Serving
keeps it with the model).
"""

import json

from residual_compression import bitstream

__all__ = [
    "DECODER_TFLITE", "ENCODER_TFLITE", "METADATA_FILE", "METADATA_VERSION", "SAVED_MODEL_DIR",
    "build_metadata", "write_metadata",
]

METADATA_FILE = "export.json"
SAVED_MODEL_DIR = "saved_model"
ENCODER_TFLITE = "encoder.tflite"
DECODER_TFLITE = "decoder.tflite"
METADATA_VERSION = 1


def build_metadata(codec, graph, fmt):
    """``export.json``'s content for an export of ``codec`` through ``graph`` in format ``fmt``."""
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
        # The constructor arguments (hidden_kernel_size, priming, ...), without Keras's bookkeeping.
        "config": {k: v for k, v in model.get_config().items() if k not in ("name", "trainable", "dtype")},
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


def _file_sizes(result):
    """Bytes of each exported file (the SavedModel's folder summed, without its metadata copy)."""
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


def write_metadata(out_dir, result, metadata):
    """Writes ``export.json`` to ``out_dir`` and into the SavedModel's ``assets.extra``."""
    metadata["files"] = _file_sizes(result)
    text = json.dumps(metadata, indent=2) + "\n"
    (out_dir / METADATA_FILE).write_text(text)
    if result["saved_model"] is not None:
        extra = result["saved_model"] / "assets.extra"
        extra.mkdir(exist_ok=True)
        (extra / METADATA_FILE).write_text(text)
