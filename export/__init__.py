"""SavedModel and LiteRT (TFLite) export of the progressive codecs.

``export_model("conv_lstm_64B", "out/", format="both")`` writes a
self-contained SavedModel (signatures ``encode``, ``decode``,
``decode_progressive``, ``decompress``; ``serving_default`` is ``encode``)
and ``encoder.tflite`` / ``decoder.tflite``; ``LiteRTCodec("out/")`` runs the
LiteRT pair with numpy only. See ``export/README.md``.

Importing this package imports neither TensorFlow nor Keras: the names below
load their modules on first use (TensorFlow only for ``export_model`` and
``benchmark_export``).
"""

import importlib

__all__ = ["ExportError", "ExportResult", "FORMATS", "LiteRTCodec", "benchmark_export", "export_model"]

_WHERE = {
    "ExportError": "_export",
    "ExportResult": "_export",
    "FORMATS": "_export",
    "export_model": "_export",
    "LiteRTCodec": "litert",
    "benchmark_export": "bench",
}


def __getattr__(name):
    if name in _WHERE:
        module = importlib.import_module(f"{__name__}.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
