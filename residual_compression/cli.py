"""The ``residual-compression`` command line (also ``python -m residual_compression``).

Commands:
  roundtrip  compress and decompress images, print sizes and quality (the main job)
  encode     image file(s) -> stream file(s)
  decode     stream file -> PNG
  info       what a stream holds
  presets    the zoo presets
  evaluate   see residual_compression.evaluation (also `prefixes`: quality of every prefix;
             `assignment`: dynamic bit assignment against uniform)
  bench      see residual_compression.benchmarks
  train / zoo-entry / export   see residual_compression.training and .export

Errors print one line ``residual-compression: error: ...`` and exit non-zero.
``--help``, ``--version``, ``presets``, ``info`` and every argument or file
error answer without importing TensorFlow or Keras: the stream layout comes
from the zoo table (:mod:`residual_compression.stream_layout`), and a model is
loaded only when there is something valid to encode or decode. TensorFlow's
start-up log lines are silenced unless ``--verbose``
(:mod:`residual_compression.quiet_startup`).
"""

import argparse
import pathlib
import sys

from residual_compression import __version__
from residual_compression.argtypes import non_negative_int
from residual_compression.argtypes import positive_int
from residual_compression.errors import ResidualCompressionError

__all__ = ["DEFAULT_MODEL", "build_parser", "main"]

# The preset the README recommends: the conv LSTM fine-tuned on photo thumbnails (zoo/README.md).
DEFAULT_MODEL = "conv_lstm_photo5_64B"

PROG = "residual-compression"


class CommandError(Exception):
    """A one-line error message for the user."""


def _fail(message):
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _load_codec(name):
    from residual_compression import zoo

    codec = zoo.load(name)
    if not codec.trained:
        print(
            f"{PROG}: warning: preset {name} has no trained weights yet; using UNTRAINED "
            "deterministic weights (the output is not a real compression result)",
            file=sys.stderr,
        )
    return codec


def _read_bytes(path):
    path = pathlib.Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, expected a stream file") from None
    except OSError as e:
        raise CommandError(f"{path}: cannot read: {e.strerror or e}") from None


def _layout(preset):
    """The preset's stream layout, from the zoo table when it states it all, else from its model."""
    from residual_compression.stream_layout import StreamLayout

    return StreamLayout.of(preset) or StreamLayout.of_codec(_load_codec(preset.name))


def _parse_stream(data, source):
    """``(preset, header, bits)`` of a stream file, checked without loading a model."""
    from residual_compression import bitstream
    from residual_compression import zoo

    try:
        preset = zoo.preset_for_id(bitstream.read_header(data).model_id)
        header, bits = _layout(preset).parse(data)
    except ResidualCompressionError as e:
        raise CommandError(f"{source}: {e}") from None
    return preset, header, bits


def _check_iterations(iterations, preset):
    """Refuses ``--iterations`` over the preset's count before its model loads."""
    from residual_compression.stream_layout import StreamLayout

    layout = StreamLayout.of(preset)
    if iterations is not None and layout is not None and iterations > layout.max_iterations:
        raise CommandError(f"--iterations {iterations}: {preset.name} has at most {layout.max_iterations}")


def _check_writable(path):
    folder = path.parent
    if not folder.is_dir():
        raise CommandError(f"{path}: cannot write: no folder {folder}")


# -- commands -------------------------------------------------------------------


def _cmd_encode(args):
    from residual_compression import zoo
    from residual_compression.images import load_image

    inputs = [pathlib.Path(p) for p in args.inputs]
    out = pathlib.Path(args.output)
    if args.monotone and (args.iterations is not None or args.search_steps):
        raise CommandError("--monotone needs a byte budget (--bytes, or the preset's), not --iterations or --search-steps")
    if len(inputs) > 1 and not out.is_dir():
        raise CommandError(f"-o {out}: with several inputs, -o must be an existing folder")
    if not out.is_dir():
        _check_writable(out)
    preset = zoo.get_preset(args.model)  # an unknown name fails here, before any image is read
    _check_iterations(args.iterations, preset)
    codec = None  # loaded at the first image there is to encode
    failures = 0
    for path in inputs:
        target = out / (path.stem + ".rc") if out.is_dir() else out
        try:
            image = load_image(path)
            codec = codec or _load_codec(args.model).replace(search_steps=args.search_steps)
            extra = {"monotone": True} if args.monotone else {}
            data = codec.compress(image, num_bytes=args.bytes, iterations=args.iterations, **extra)
        except ResidualCompressionError as e:
            message = str(e)
            _fail(message if str(path) in message else f"{path}: {message}")
            failures += 1
            continue
        try:
            target.write_bytes(data)
        except OSError as e:
            _fail(f"{target}: cannot write: {e.strerror or e}")
            failures += 1
            continue
        h, w = image.shape[:2]
        print(
            f"{path} -> {target}: {w}x{h}, {len(data) - codec.stream_header_size(data)} payload bytes "
            f"+ {codec.stream_header_size(data)} header, "
            f"{(len(data) - codec.stream_header_size(data)) * 8 / (h * w):.3f} bpp"
        )
    return 1 if failures else 0


def _cmd_decode(args):
    from residual_compression.images import save_image

    data = _read_bytes(args.input)
    preset, _, bits = _parse_stream(data, args.input)
    if args.iterations is not None and args.iterations > bits.shape[0]:
        raise CommandError(
            f"--iterations {args.iterations}: {args.input} holds only {bits.shape[0]} iterations"
        )
    output = pathlib.Path(args.output)
    _check_writable(output)
    codec = _load_codec(preset.name)
    try:
        image = codec.decompress(data, iterations=args.iterations)
        save_image(output, image)
    except ResidualCompressionError as e:
        raise CommandError(f"{args.input}: {e}") from None
    except OSError as e:
        raise CommandError(f"{args.output}: cannot write: {e.strerror or e}") from None
    print(f"{args.input} -> {args.output}: {image.shape[1]}x{image.shape[0]}")
    return 0


def _cmd_info(args):
    data = _read_bytes(args.input)
    preset, header, bits = _parse_stream(data, args.input)
    header_size = getattr(header, "size", 8)
    payload = len(data) - header_size
    h, w, c = bits.shape[1:]
    print(f"file:        {args.input}")
    print(f"model:       {preset.name} (id {header.model_id}){'' if preset.weights else ' UNTRAINED'}")
    print(f"format:      {getattr(header, 'version', 1)}")
    print(f"size:        {header.width}x{header.height}")
    print(f"iterations:  {bits.shape[0]} x {h * w * c} bits ({h}x{w}x{c} code)")
    print(f"bytes:       {len(data)} ({header_size} header + {payload} payload)")
    print(f"bpp:         {payload * 8 / (header.width * header.height):.4f}")
    return 0


def _cmd_demo(args):
    """`roundtrip` without files: the shipped photos beside JPEG and WebP (residual_compression.demo)."""
    from residual_compression import demo

    codec = _load_codec(args.model)
    targets = args.bytes or [64, 128]
    thumbs, results = demo.compare(codec, demo.sample_photos(), targets=targets)
    print(f"{len(thumbs)} public-domain photos as 32x32 thumbnails, header-less payloads, model {codec.name}")
    print(f"{'image':<10} {'method':<38} {'target':>6} {'bytes':>5} {'SSIM8x8':>8} {'PSNR':>6}")
    for r in results:
        print(f"{r.image:<10} {r.method:<38} {r.target:>6} {r.payload_bytes:>5} {r.ssim:>8.3f} {r.psnr_db:>6.2f}")
    for target in targets:
        means = {}
        for r in results:
            if r.target == target:
                means.setdefault(r.method, []).append(r.ssim)
        summary = ", ".join(f"{m} {sum(v) / len(v):.3f}" for m, v in means.items())
        print(f"mean patch SSIM at {target} B: {summary}")
    columns = demo.side_by_side(thumbs, results, args.out)
    print(f"wrote {args.out} (4x enlarged; left to right: {', '.join(columns)})")
    return 0


def _cmd_roundtrip(args):
    import numpy as np

    from residual_compression.evaluation.metrics import patch_ssim
    from residual_compression.evaluation.metrics import psnr
    from residual_compression.images import load_image

    if not args.images:
        return _cmd_demo(args)
    failures = 0
    names, images = [], []
    for path in args.images:
        try:
            images.append(load_image(path))
            names.append(str(path))
        except ResidualCompressionError as e:
            _fail(str(e))
            failures += 1
    if not images:
        raise CommandError("no readable images")
    codec = _load_codec(args.model)
    budgets = args.bytes or [codec.default_num_bytes]
    print(f"{'image':<24} {'size':>9} {'bytes':>6} {'file':>6} {'bpp':>6} {'PSNR':>7} {'SSIM8x8':>8}")
    for num_bytes in budgets:
        for name, image in zip(names, images):
            # One image at a time: a budget one image cannot meet (a 1x1
            # image at 64 B) is reported for that image, the rest go on.
            try:
                data = codec.compress(image, num_bytes=num_bytes)
            except ResidualCompressionError as e:
                _fail(f"{name}: {e}")
                failures += 1
                continue
            recon = codec.decompress(data)
            h, w = image.shape[:2]
            payload = len(data) - codec.stream_header_size(data)
            ssim = patch_ssim(image, recon) if h >= 8 and w >= 8 else float("nan")
            print(
                f"{name[-24:]:<24} {f'{w}x{h}':>9} {payload:>6} {len(data):>6} "
                f"{payload * 8 / (h * w):>6.3f} {float(np.ravel(psnr(image, recon))[0]):>7.2f} "
                f"{float(np.ravel(ssim)[0]):>8.4f}"
            )
    return 1 if failures else 0


# -- parser -----------------------------------------------------------------------


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description="Progressive neural image codecs (Toderici et al., ICLR 2016)."
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--verbose", action="store_true", help="show TensorFlow's start-up log lines (hidden by default)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("roundtrip", help="compress + decompress images, print sizes and quality")
    p.add_argument(
        "images", nargs="*",
        help="image files (default: the two sample photos as 32x32 thumbnails, beside JPEG and WebP)",
    )
    p.add_argument("--out", default="roundtrip.png", help="without files: the side-by-side picture to write")
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"zoo preset (default {DEFAULT_MODEL})")
    p.add_argument("--bytes", type=positive_int, nargs="+", help="payload budgets per image")
    p.set_defaults(func=_cmd_roundtrip)

    p = sub.add_parser("encode", help="compress image file(s) to stream file(s)")
    p.add_argument("inputs", nargs="+", metavar="IN", help="image file(s): any Pillow-readable format")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="stream file, or folder for several inputs")
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"zoo preset (default {DEFAULT_MODEL})")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--bytes", type=positive_int, help="payload budget in bytes (default: the preset's)")
    group.add_argument("--iterations", type=positive_int, help="number of iterations instead of --bytes")
    p.add_argument("--search-steps", type=non_negative_int, default=0, metavar="N",
                   help="encoder effort: search the bits for N steps (slower encoding, better pictures; 0: greedy)")
    p.add_argument("--monotone", action="store_true",
                   help="state the best cut of the budget's bytes (--bytes or the preset's), so quality never falls as it grows")
    p.set_defaults(func=_cmd_encode)

    p = sub.add_parser("decode", help="decompress a stream file to an image")
    p.add_argument("input", metavar="IN")
    p.add_argument("-o", "--output", required=True, metavar="OUT.png")
    p.add_argument("--iterations", type=positive_int, help="decode only the first k iterations")
    p.set_defaults(func=_cmd_decode)

    p = sub.add_parser("info", help="describe a stream file")
    p.add_argument("input", metavar="FILE")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("presets", help="list the zoo presets")
    p.set_defaults(func=_cmd_presets)

    from residual_compression.evaluation import cli as evaluation_cli
    from residual_compression.export import cli as export_cli
    from residual_compression.training import cli as training_cli

    evaluation_cli.register(sub)
    training_cli.register(sub)
    export_cli.register(sub)
    return parser


def _cmd_presets(args):
    from residual_compression import zoo

    for name in zoo.list_presets():
        preset = zoo.get_preset(name)
        state = "trained" if preset.weights else "untrained"
        print(f"{name:<28} id={preset.id:<3} {preset.architecture:<24} {preset.num_bytes:>4} B  {state}")
    return 0


def main(argv=None):
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    if not args.verbose:
        from residual_compression import quiet_startup

        quiet_startup.silence()
    try:
        return args.func(args)
    except CommandError as e:
        _fail(str(e))
        return 1
    except ResidualCompressionError as e:
        _fail(str(e))
        return 1
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
