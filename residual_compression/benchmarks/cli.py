"""The ``bench`` subcommand: how fast the codecs and training run on this machine.

Three modes, each printing every row as soon as it is measured:

* default: thumbnails/s of neural and classical codecs at byte targets, then
  batch encode + decode and one-thumbnail latency of the neural ones, in each
  stream format of ``--formats`` with format 2's cost against format 1
  (:mod:`.throughput`);
* ``--train``: steady-state training images/s in float32 and bf16, each in a
  fresh process (:mod:`.training_speed`);
* ``--large WxH``: seconds and peak memory of one large image (:mod:`.large_image`).

The first two begin with this machine's reference: TensorFlow's convolution
forward and forward + backward in float32 and bf16 (:mod:`.peak`), against
which utilisation is reported in the precision actually used. Importing this
module imports nothing heavy.
"""

from __future__ import annotations

import argparse
import os

from residual_compression.architectures import ARCHITECTURE_NAMES
from residual_compression.argtypes import positive_float
from residual_compression.argtypes import positive_int

__all__ = ["register", "run_bench"]


def register(subparsers):
    """Adds the ``bench`` subcommand; returns its parser."""
    from residual_compression.evaluation.cli import _add_codec_options

    bench = subparsers.add_parser(
        "bench",
        help="throughput, training speed and utilisation on this machine",
        description="Thumbnails/s of neural and classical codecs at byte targets (or, with --train, "
        "training images/s in float32 and bf16), with utilisation against TensorFlow's own "
        "convolution peak measured in the same run.",
    )
    _add_codec_options(bench)
    bench.add_argument("--batch", type=positive_int, default=64, metavar="B",
                       help="thumbnails per batch, or training batch with --train (default 64)")
    bench.add_argument("--seconds", type=positive_float, default=None, metavar="S",
                       help="time budget per measurement (default 2; with --train, 10 per precision)")
    bench.add_argument("--images", default=None, metavar="PATH",
                       help="images to use (default: synthetic 32x32 images); with --large, "
                       "one image file, resized to WxH if it is another size")
    bench.add_argument("--formats", type=int, nargs="+", choices=(1, 2), default=[2, 1], metavar="F",
                       help="stream formats of the neural codecs: 2 entropy coded, 1 raw (default: 2 1, "
                       "and format 2's speed as a multiple of format 1's)")
    bench.add_argument("--peak-batch", type=positive_int, default=128, metavar="B",
                       help="batch of the reference convolution (default 128, the reference shape)")
    bench.add_argument("--large", type=_size_arg, default=None, metavar="WxH",
                       help="instead of thumbnails, encode and decode one WxH image (synthetic "
                       "unless --images names a file) and report seconds and peak memory; "
                       "targets are bytes per 32x32 of area")
    train = bench.add_argument_group("training (--train)")
    train.add_argument("--train", action="store_true",
                       help="measure steady-state training speed instead of codecs")
    train.add_argument("--arch", choices=ARCHITECTURE_NAMES, default="conv_lstm", metavar="ARCH",
                       help=f"architecture: {', '.join(ARCHITECTURE_NAMES)} (default conv_lstm)")
    train.add_argument("--width", type=positive_float, default=1.0, help="width multiplier (default 1.0)")
    train.add_argument("--iterations", type=positive_int, default=8, help="iterations unrolled (default 8)")
    train.add_argument("--precisions", nargs="+", choices=("float32", "bfloat16"),
                       default=["float32", "bfloat16"], help="precisions to train in (default both)")
    bench.set_defaults(func=run_bench)
    return bench


def _size_arg(text):
    """``WIDTHxHEIGHT`` -> (width, height), for ``bench --large``."""
    parts = text.lower().split("x")
    if len(parts) == 2 and all(p.isdigit() and 0 < int(p) <= 65535 for p in parts):
        return int(parts[0]), int(parts[1])
    raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 6000x4000, received {text!r}")


def _emit(text):
    print(text, flush=True)


def _peaks(args, matmul=False):
    """Measures and prints the reference table; returns the peaks."""
    from residual_compression.benchmarks import peak

    shape = dict(peak.DEFAULT_SHAPE, batch=args.peak_batch)
    seconds = args.seconds or 2.0
    machine = peak.matmul_flops(seconds) if matmul else None
    _emit(peak.format_peak_header(matmul=machine, **shape))
    peaks = peak.measure_peaks(seconds, on_peak=lambda p: _emit(peak.format_peak_row(p)), **shape)
    lines = []
    for mode, use in (("forward", "inference"), ("forward+backward", "training")):
        best, ratio = peak.recommend_precision(peaks, mode)
        lines.append(f"peak recommends {best} for {use}: bf16 {mode} runs at {ratio:.2f}x float32 here")
    _emit("\n" + "\n".join(lines) + "\n")
    return peaks


def run_bench(args):
    """Handler of ``bench``."""
    from residual_compression.evaluation import cli as evaluation_cli

    if args.large is not None and args.train:
        return evaluation_cli._error("give --large or --train, not both")
    if args.large is not None:
        return _run_large(args)
    if args.train:
        return _run_train(args)
    seconds = args.seconds or 2.0
    try:
        codecs = evaluation_cli._codecs(args)
        loaded = evaluation_cli._load(args.images, "thumb", args.batch) if args.images else None
    except evaluation_cli._InputError as exc:
        return evaluation_cli._error(exc)

    import numpy as np

    from residual_compression.benchmarks import throughput
    from residual_compression.evaluation.baselines import BaselineCodec
    from residual_compression.images import synthetic_images

    images = np.asarray(loaded.images) if loaded is not None else synthetic_images(args.batch)
    targets = sorted(set(args.targets))
    peaks = _peaks(args, matmul=True)
    _emit(throughput.format_bench_header(batch=len(images)))
    show = lambda row: _emit(throughput.format_bench_row(row, peaks))  # noqa: E731
    neural, notes = [], []
    for key, codec in codecs.items():
        if isinstance(codec, BaselineCodec):
            throughput.bench_baseline(key, codec, images, targets, seconds, on_row=show)
            continue
        for fmt in throughput.stream_formats(codec, args.formats):
            rows = throughput.bench_neural(key, codec, images, targets, seconds, notes, on_row=show, stream_format=fmt)
            neural += [(codec, row) for row in rows]
    inference = []
    if neural:
        _emit("\n" + throughput.format_inference_header(len(images)))
        for codec, row in neural:
            inference.append(throughput.inference_row(codec, row, images[0], seconds))
            _emit(throughput.format_inference_row(inference[-1], peaks))
    notes[:0] = throughput.format_comparison([row for _, row in neural], inference)
    _emit("\n" + throughput.format_bench_notes(notes))
    return 0


def _run_train(args):
    """``bench --train``: training images/s per precision, each in a fresh process."""
    from residual_compression.benchmarks import training_speed
    from residual_compression.evaluation.cli import _error

    if args.models or args.baselines:
        return _error("bench --train measures training only; drop --models and --baselines")
    peaks = _peaks(args)
    _emit(training_speed.format_train_header())
    rows, notes = {}, []
    for precision in dict.fromkeys(args.precisions):
        row, failure = training_speed.measure_in_subprocess(
            args.arch, precision=precision, width=args.width, iterations=args.iterations, batch=args.batch,
            seconds=args.seconds or 10.0, verbose=getattr(args, "verbose", False),
        )
        if row is None:
            notes.append(failure)
            continue
        rows[precision] = row
        _emit(training_speed.format_train_row(row, peaks))
    _emit("")
    if len(rows) == 2:
        f32, bf16 = rows["float32"].per_s, rows["bfloat16"].per_s
        best = "bfloat16" if bf16 > f32 else "float32"
        notes.append(f"recommended precision for training: {best} (bf16 trains at {bf16 / f32:.2f}x float32, "
                     "measured above); residual-compression train --mixed-precision selects bf16")
    notes.append("train FLOP/s = 3 x forward (2 x MACs/img/iter x iterations) x img/s; first step "
                 "(tracing and graph building) is excluded from img/s")
    _emit("\n".join(f"note: {note}" for note in notes))
    return 0


def _run_large(args):
    """``bench --large WxH``: one large image, seconds and peak memory per codec."""
    from residual_compression.evaluation import cli as evaluation_cli

    try:
        codecs = evaluation_cli._neural_codecs(args.models)
        if not codecs:
            raise evaluation_cli._InputError("bench --large needs --models (classical codecs are not measured there)")
        if args.images:
            from residual_compression.errors import ImageInputError
            from residual_compression.images import load_image
            from residual_compression.images import resize_to

            try:
                image = resize_to(load_image(args.images), args.large[::-1])
            except ImageInputError as exc:
                raise evaluation_cli._InputError(str(exc)) from None
            source = os.path.basename(args.images)
        else:
            from residual_compression.images import synthetic_images

            image = synthetic_images(1, args.large[1], args.large[0])[0]
            source = "synthetic"
    except evaluation_cli._InputError as exc:
        return evaluation_cli._error(exc)

    from residual_compression.benchmarks import large_image

    notes = []
    if args.baselines:
        notes.append("classical codecs are not measured with --large")
    tile = min(getattr(c, "tile_size", 0) for c in codecs.values())
    _emit(large_image.format_large_header(height=image.shape[0], width=image.shape[1], source=source, tile_size=tile))
    show = lambda row: _emit(large_image.format_large_row(row))  # noqa: E731
    for key, codec in codecs.items():
        large_image.bench_large_image(key, codec, image, sorted(set(args.targets)), notes, on_row=show)
    _emit(large_image.format_large_notes(notes))
    return 0
