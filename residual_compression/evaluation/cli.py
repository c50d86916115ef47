"""``evaluate`` (paper sec. 4.2-4.3, Table 1) and, registered beside it, ``bench``.

``bench`` lives in :mod:`residual_compression.benchmarks.cli`; ``register``
adds it here too and ``run_bench`` is its handler, re-exported.

The main CLI calls ``register(subparsers)``; each subcommand sets
``func=handler``, a function of the parsed arguments that returns an exit
code (0 ok, 2 bad input). Importing this module imports nothing heavy: numpy,
Pillow, matplotlib and tqdm are imported when a command runs, and neural
models are loaded by name through ``residual_compression.zoo.load`` only when
``--models`` is given.

``python -m residual_compression.evaluation.cli`` runs the two commands
stand-alone (``main``).
"""

from __future__ import annotations

import argparse
import os
import sys

from residual_compression.argtypes import non_negative_int
from residual_compression.argtypes import positive_float
from residual_compression.argtypes import positive_int
from residual_compression.benchmarks import cli as bench_cli
from residual_compression.benchmarks.cli import run_bench

__all__ = ["register", "main", "run_evaluate", "run_bench", "DEFAULT_RD_TARGETS"]

DEFAULT_RD_TARGETS = (16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256)


class _InputError(Exception):
    """A problem with the command's input, reported in one line with exit code 2."""








def _add_codec_options(parser):
    parser.add_argument(
        "--models", nargs="*", default=[], metavar="NAME",
        help="neural models, loaded with residual_compression.zoo.load(NAME)",
    )
    parser.add_argument(
        "--baselines", nargs="*", default=None, metavar="NAME",
        help="classical codecs: jpeg jpeg_optimized jpeg2000 webp avif "
        "(default: all this Pillow supports; the flag alone: none)",
    )
    parser.add_argument(
        "--targets", nargs="+", type=positive_int, default=[64, 128], metavar="BYTES",
        help="header-less byte targets (default: 64 128)",
    )
    parser.add_argument(
        "--search-steps", nargs="+", type=non_negative_int, default=[0], metavar="N",
        help="neural encoder effort: 0 greedy bits (default); each N > 0 adds a row per model "
        "whose bits are searched for N steps (ProgressiveCodec search_steps)",
    )
    parser.add_argument(
        "--no-progress", action="store_true",
        help="no progress bar (it is also off when stderr is not a terminal)",
    )


def register(subparsers):
    """Add the ``evaluate`` and ``bench`` subcommands to an argparse subparsers object."""
    ev = subparsers.add_parser(
        "evaluate",
        help="Table 1 protocol: patch SSIM at header-less byte targets",
        description="Compress images to header-less byte targets with neural and classical "
        "codecs and report patch SSIM (Toderici et al. 2016, sec. 4.2-4.3, Table 1).",
    )
    ev.add_argument(
        "--images", required=True, metavar="PATH",
        help="folder of images, one image file, or .npz with a uint8 'images' array (N,H,W,3)",
    )
    _add_codec_options(ev)
    ev.add_argument("--limit", type=positive_int, default=None, metavar="N",
                    help="use only the first N images")
    ev.add_argument("--out", default=os.path.join("out", "evaluate"), metavar="DIR",
                    help="output folder (default: out/evaluate)")
    ev.add_argument("--size", choices=("thumb", "full"), default="thumb",
                    help="thumb: resize to 32x32 like the paper (default); full: keep the size")
    ev.add_argument("--rd-targets", nargs="*", type=positive_int, default=list(DEFAULT_RD_TARGETS),
                    metavar="BYTES", help="extra targets for the rate-distortion plot (default: 16..256)")
    ev.add_argument("--samples", type=non_negative_int, default=4, metavar="K",
                    help="thumbnails per rate in the sample grid (default 4, 0 for none)")
    ev.add_argument("--batch-size", type=positive_int, default=64, metavar="B",
                    help="images per neural compress call (default 64)")
    ev.add_argument("--ms-ssim", action="store_true",
                    help="also report MS-SSIM (full-size images over 160 px on the short side)")
    ev.add_argument("--no-plots", action="store_true", help="write tables only, no figures")
    ev.set_defaults(func=run_evaluate)

    pre = _one_model_command(
        subparsers, "prefixes", run_prefixes,
        "quality of every prefix of a stream: does each extra byte help?",
        "Compress each image once at --max-bytes and decode every --step-byte prefix of its stream "
        "(a partial download); print patch SSIM along the way and count the prefixes at which "
        "quality fell.",
    )
    pre.add_argument("--size", choices=("thumb", "full"), default="thumb")
    pre.add_argument("--max-bytes", type=positive_int, default=128, metavar="BYTES",
                     help="payload bytes of the whole stream (default 128)")
    pre.add_argument("--step", type=positive_int, default=1, metavar="BYTES", help="prefix step (default 1)")
    pre.add_argument("--tolerance", type=float, default=0.0, help="a fall larger than this counts")
    pre.add_argument("--monotone", action="store_true",
                     help="compress at every budget with compress(monotone=True) instead of cutting one stream")

    dyn = _one_model_command(
        subparsers, "assignment", run_assignment,
        "dynamic bit assignment (sec. 3.7) against uniform iterations at the same bytes",
        "Compress each image (full size) at each --bpp with uniform iterations and with "
        'compress(quality="max") (iterations per block); print mean patch SSIM, bytes and the '
        "spread of the blocks' patch SSIM.",
    )
    dyn.add_argument("--bpp", type=positive_float, nargs="+", default=[0.25, 0.5], help="budgets (default 0.25 0.5)")
    dyn.add_argument("--block", type=positive_int, default=32, metavar="PIXELS", help="block side (default 32)")

    bench = bench_cli.register(subparsers)
    return ev, bench


def _one_model_command(subparsers, name, handler, summary, description):
    """A subcommand measuring one zoo preset on images: ``--model``, ``--images``, ``--limit``."""
    parser = subparsers.add_parser(name, help=summary, description=description)
    parser.add_argument("--model", required=True, help="a zoo preset")
    parser.add_argument("--images", required=True, metavar="PATH", help="as for evaluate")
    parser.add_argument("--limit", type=positive_int, default=None, metavar="N")
    parser.set_defaults(func=handler)
    return parser


def run_prefixes(args):
    """Handler of ``prefixes``: mean patch SSIM per prefix and the drops."""
    try:
        loaded = _load(args.images, args.size, args.limit)
        codec = _neural_codecs([args.model])[args.model]
    except _InputError as exc:
        return _error(exc)
    from residual_compression.evaluation.prefixes import prefix_quality
    from residual_compression.evaluation.prefixes import quality_drops

    counts, ssim = prefix_quality(codec, loaded.images, args.max_bytes, args.step, args.monotone)
    mean = ssim.mean(axis=0)
    what = "budgets with monotone=True" if args.monotone else "prefixes"
    print(f"{args.model}: {len(loaded)} images, {what} of {args.step} B up to {args.max_bytes} B")
    shown = sorted({0, len(counts) - 1} | set(range(0, len(counts), max(1, len(counts) // 16))))
    print("payload B  " + " ".join(f"{counts[k]:>6d}" for k in shown))
    print("mean SSIM  " + " ".join(f"{mean[k]:6.3f}" for k in shown))
    drops = quality_drops(ssim, args.tolerance)
    print(
        f"drops (fall > {args.tolerance:g}): {drops.drops} of {drops.steps} steps, "
        f"{drops.images_with_drops} of {len(loaded)} images, worst {drops.worst:.4f}, "
        f"mean curve drops {drops.mean_drops} times"
    )
    return 0


def run_assignment(args):
    """Handler of ``assignment``: uniform against dynamic iterations per block."""
    try:
        loaded = _load(args.images, "full", args.limit)
        codec = _neural_codecs([args.model])[args.model]
    except _InputError as exc:
        return _error(exc)
    from residual_compression.evaluation.assignment import compare_assignment
    from residual_compression.errors import ResidualCompressionError

    try:
        rows = compare_assignment(codec, list(loaded.images), args.bpp, args.block)
    except ResidualCompressionError as exc:
        return _error(exc)
    print(f"{args.model}: {len(loaded)} images, blocks of {args.block} px")
    print("| bpp | mode | patch SSIM | payload B | block SSIM std | worst block |")
    print("|---:|:---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r.bpp:g} | {r.mode} | {r.ssim:.4f} | {r.payload_bytes:.1f} | {r.spread:.4f} | {r.worst_block:.4f} |")
    return 0


def _error(message):
    print(f"error: {message}", file=sys.stderr)
    return 2


def _baseline_codecs(names):
    from residual_compression.evaluation import baselines

    codecs = {}
    if names is None:
        for name in baselines.BASELINE_NAMES:
            if name in baselines.available_baselines():
                codecs[name] = baselines.get_baseline(name)
            else:
                print(f"note: skipping baseline {name!r}: not supported by this Pillow build", file=sys.stderr)
        return codecs
    for name in names:
        try:
            codecs[name] = baselines.get_baseline(name)
        except ValueError as exc:
            raise _InputError(str(exc)) from None
    return codecs


def _neural_codecs(names, search_steps=(0,)):
    """``{key: codec}``: a model's key is its name, ``NAME+searchN`` with ``N`` search steps."""
    if not names:
        return {}
    try:
        from residual_compression import zoo
    except ImportError as exc:
        raise _InputError(f"--models needs residual_compression.zoo, which cannot be imported: {exc}") from None
    codecs = {}
    for name in names:
        try:
            codec = zoo.load(name)
        except (KeyError, ValueError, OSError, ImportError) as exc:
            raise _InputError(f"cannot load model {name!r}: {exc}") from None
        for steps in dict.fromkeys(search_steps):
            key = name if steps == 0 else f"{name}+search{steps}"
            codecs[key] = codec if steps == 0 else codec.replace(search_steps=steps, name=f"{name} + search {steps}")
    return codecs


def _codecs(args):
    neural = _neural_codecs(args.models, args.search_steps)
    classical = _baseline_codecs(args.baselines)
    overlap = set(neural) & set(classical)
    if overlap:
        raise _InputError(f"names used both as model and baseline: {', '.join(sorted(overlap))}")
    codecs = {**neural, **classical}
    if not codecs:
        raise _InputError("nothing to run: give --models and/or --baselines")
    return codecs


def _load(path, size, limit):
    from residual_compression.errors import ImageInputError
    from residual_compression.evaluation.sources import load_images

    def report(name, reason):
        print(f"warning: skipping {name}: {reason}", file=sys.stderr)

    try:
        return load_images(path, size=size, limit=limit, on_skip=report)
    except ImageInputError as exc:
        raise _InputError(str(exc)) from None


def _metadata(args, loaded, codecs):
    from PIL import features

    import residual_compression
    from residual_compression.evaluation.baselines import BaselineCodec

    libs = {}
    for feature in ("jpg", "libjpeg_turbo", "jpg_2000", "webp", "avif"):
        try:
            libs[feature] = features.version(feature)
        except Exception:  # unknown feature names in other Pillow versions
            libs[feature] = None
    import PIL

    return {
        "protocol": "Toderici et al. 2016, sec. 4.2 (patch SSIM) and 4.3 (header-less target search)",
        "residual_compression": residual_compression.__version__,
        "pillow": PIL.__version__,
        "libraries": libs,
        "images": os.path.abspath(args.images),
        "size": args.size,
        "limit": args.limit,
        "table_targets": sorted(set(args.targets)),
        "ms_ssim": args.ms_ssim,
        "codecs": {k: repr(c) if isinstance(c, BaselineCodec) else type(c).__name__ for k, c in codecs.items()},
        "skipped_files": [list(s) for s in loaded.skipped],
    }


def run_evaluate(args):
    """Handler of ``evaluate``: print Table 1 and write table.md, results.csv/json, figures."""
    try:
        loaded = _load(args.images, args.size, args.limit)
        codecs = _codecs(args)
        os.makedirs(args.out, exist_ok=True)
    except _InputError as exc:
        return _error(exc)
    except OSError as exc:
        return _error(f"cannot create output folder {args.out!r}: {exc}")

    from residual_compression.errors import ImageInputError
    from residual_compression.evaluation import plots, writers
    from residual_compression.evaluation.runner import evaluate

    table_targets = sorted(set(args.targets))
    all_targets = table_targets if args.no_plots else sorted(set(table_targets) | set(args.rd_targets))
    try:
        results = evaluate(
            loaded.images,
            codecs,
            all_targets,
            batch_size=args.batch_size,
            num_samples=0 if args.no_plots else args.samples,
            ms_ssim=args.ms_ssim,
            progress=False if args.no_progress else None,
        )
    except ImageInputError as exc:
        return _error(exc)
    out = args.out
    for codec, target, reason in results.unsupported:
        print(f"note: {codec} does not support {target} B: {reason}", file=sys.stderr)
    print(writers.format_table1(results, table_targets), end="")
    title = "Evaluation (Table 1 layout)"
    writers.write_markdown(results, os.path.join(out, "table.md"), table_targets, title=title)
    writers.write_csv(results, os.path.join(out, "results.csv"))
    writers.write_json(results, os.path.join(out, "results.json"), metadata=_metadata(args, loaded, codecs))
    writers.write_per_image(results, os.path.join(out, "per_image.npz"))
    written = ["table.md", "results.csv", "results.json", "per_image.npz"]
    if not args.no_plots:
        plots.plot_rate_distortion(results, os.path.join(out, "rate_distortion.png"))
        written.append("rate_distortion.png")
        if args.samples > 0 and any(results.has(c, t) for c in results.codecs for t in table_targets):
            plots.plot_samples(results, loaded.images, os.path.join(out, "samples.png"), targets=table_targets)
            written.append("samples.png")
        budgets = {}
        for key in codecs:
            supported = [t for t in table_targets if key in set(args.models) and results.has(key, t)]
            if supported:
                budgets[key] = max(supported)
        if budgets:
            neural = {k: codecs[k] for k in budgets}
            plots.plot_progressive(neural, loaded.images[0], budgets, os.path.join(out, "progressive.png"))
            written.append("progressive.png")
    print(f"wrote {', '.join(written)} to {out}", file=sys.stderr)
    return 0


def main(argv=None):
    """Stand-alone entry point with just the two evaluation subcommands."""
    parser = argparse.ArgumentParser(prog="residual-compression-eval", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    register(subparsers)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
