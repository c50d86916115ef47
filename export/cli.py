"""The ``export`` subcommand: ``residual-compression export NAME OUT_DIR``.

The main CLI calls ``register(subparsers)``; the subcommand sets
``func=handler``, a function of the parsed arguments that returns an exit
code (0 ok, 1 error). Importing this module imports neither TensorFlow nor
Keras; they are imported when the command runs.
"""

import argparse
import sys

__all__ = ["handler", "register"]

PROG = "residual-compression"
FORMATS = ("saved_model", "tflite", "both")  # = _export.FORMATS, kept import-free


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


def _size(text):
    """``WIDTHxHEIGHT`` (as the CLI prints sizes) -> ``(height, width)``."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 32x32, received {text!r}") from None
    if w < 1 or h < 1:
        raise argparse.ArgumentTypeError(f"expected a positive WIDTHxHEIGHT, received {text!r}")
    return h, w


def register(subparsers):
    """Adds the ``export`` subcommand to an argparse ``subparsers`` object."""
    p = subparsers.add_parser(
        "export",
        help="export a preset as a TensorFlow SavedModel and/or LiteRT (TFLite) models",
        description=(
            "Export a zoo preset as a self-contained SavedModel (signatures encode, decode, "
            "decode_progressive, decompress; serving_default = encode) and/or "
            "encoder.tflite + decoder.tflite. The export is checked against the Keras codec "
            "before the command succeeds. See export/README.md."
        ),
    )
    p.add_argument("name", metavar="NAME", help="zoo preset, e.g. conv_lstm_64B (see `presets`)")
    p.add_argument("out_dir", metavar="OUT_DIR", help="output folder (created)")
    p.add_argument("--format", choices=FORMATS, default="saved_model", help="what to write (default saved_model)")
    p.add_argument(
        "--max-iterations", type=_positive, metavar="K",
        help="most iterations the export encodes/decodes (default: all the model has)",
    )
    p.add_argument(
        "--size", type=_size, default=(32, 32), metavar="WxH",
        help="fixed image size of the signatures (default 32x32)",
    )
    p.add_argument("--no-verify", action="store_true", help="skip the comparison with the Keras codec")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier export in OUT_DIR")
    p.set_defaults(func=handler)
    return p


def handler(args):
    """Runs ``export``; returns the exit code."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from residual_compression.errors import ResidualCompressionError

    try:
        from residual_compression import zoo

        preset = zoo.get_preset(args.name)
        if preset.weights is None:
            print(
                f"{PROG}: warning: preset {args.name} has no trained weights yet; exporting its "
                "UNTRAINED deterministic weights (not a real codec)",
                file=sys.stderr,
            )
        from residual_compression.export._export import export_model

        result = export_model(
            args.name,
            args.out_dir,
            format=args.format,
            max_iterations=args.max_iterations,
            image_size=args.size,
            verify=not args.no_verify,
            overwrite=args.overwrite,
        )
    except ResidualCompressionError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    m = result.metadata
    h, w = m["image_size"]["height"], m["image_size"]["width"]
    print(
        f"{m['model']} (id {m['model_id']}) -> {result.out_dir}: {w}x{h}, up to "
        f"{m['max_iterations']} iterations of {m['bytes_per_iteration']} bytes"
    )
    for name, size in m["files"].items():
        print(f"  {name:<16} {size:>10} bytes")
    verification = m["verification"]
    if verification is None:
        print("  not verified (--no-verify)")
    else:
        print(f"  verified against the Keras codec on {verification['images']} images: identical codes")
    return 0
