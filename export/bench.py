"""Thumbnails per second of an export: SavedModel (TensorFlow) and LiteRT.

    python -m residual_compression.export.bench conv_lstm_64B            # exports to a temp folder first
    python -m residual_compression.export.bench exported/ --iterations 4 # an existing export folder

Prints the file sizes and, per runtime, signature and batch size, the
thumbnails per second (wall clock, after one warm-up call). Numbers depend
on the machine; tests never assert them.
"""

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

import numpy as np

from residual_compression.validation import int_in_range

__all__ = ["benchmark_export", "main"]


def _rate(fn, batch, seconds, min_calls=3):
    fn()  # warm-up (graph/interpreter set-up, allocation)
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if calls >= min_calls and elapsed >= seconds:
            return batch * calls / elapsed, 1000 * elapsed / calls


def benchmark_export(
    export_dir, *, iterations=None, batch_sizes=(1, 64), seconds=2.0, num_threads=None, out=None
):
    """Measures encode and decode throughput of the files in ``export_dir``.

    Args:
        export_dir: a folder written by :func:`~residual_compression.export.export_model`.
        iterations: iterations encoded / decoded (default: the export's
            ``max_iterations``).
        batch_sizes: images per call.
        seconds: minimum timed duration per measurement.
        num_threads: LiteRT interpreter threads (default: all CPUs).
        out: a text stream for the table (default ``sys.stdout``); None-safe.

    Returns:
        A list of dicts: runtime, signature, batch, iterations, thumbnails_per_s, ms_per_call.
    """
    out = out or sys.stdout
    export_dir = pathlib.Path(export_dir)
    meta = json.loads((export_dir / "export.json").read_text())
    k = meta["max_iterations"]
    n = k if iterations is None else int_in_range("iterations", int(iterations), 1, k)
    h, w = meta["image_size"]["height"], meta["image_size"]["width"]
    from residual_compression.export._verify import sample_images

    rows = []
    print(f"model {meta['model']} (id {meta['model_id']}, {'trained' if meta['trained'] else 'UNTRAINED'}), "
          f"{w}x{h}, {n} iterations = {n * meta['bytes_per_iteration']} bytes, K={k}", file=out)
    for name, size in meta["files"].items():
        print(f"  {name:<16} {size / 1e6:8.2f} MB", file=out)
    cpus = os.cpu_count() or 1
    runtimes = []
    if (export_dir / "saved_model").is_dir():
        import tensorflow as tf

        loaded = tf.saved_model.load(str(export_dir / "saved_model"))
        enc, dec = loaded.signatures["encode"], loaded.signatures["decode"]

        def sm_calls(images, codes):
            ti, tn, tc = tf.constant(images), tf.constant(n, tf.int32), tf.constant(codes)
            return (lambda: enc(images=ti, iterations=tn)["codes"].numpy(),
                    lambda: dec(codes=tc)["images"].numpy())

        runtimes.append((f"SavedModel (TF {tf.__version__}, {cpus} CPUs)", sm_calls))
    if (export_dir / "encoder.tflite").is_file():
        from residual_compression.export.litert import LiteRTCodec

        threads = num_threads or cpus
        lite = LiteRTCodec(export_dir, num_threads=threads)

        def lite_calls(images, codes):
            return (lambda: lite.encode(images, n), lambda: lite.decode(codes))

        runtimes.append((f"LiteRT ({threads} threads)", lite_calls))
    print(f"{'runtime':<34} {'signature':<8} {'batch':>5} {'thumbs/s':>10} {'ms/call':>9}", file=out)
    for label, make in runtimes:
        for batch in batch_sizes:
            images = sample_images(batch, h, w, seed=batch)
            rng = np.random.default_rng(batch)
            codes = rng.integers(0, 256, (batch, n, meta["bytes_per_iteration"]), dtype=np.uint8)
            for signature, fn in zip(("encode", "decode"), make(images, codes)):
                rate, ms = _rate(fn, batch, seconds)
                rows.append(
                    {"runtime": label, "signature": signature, "batch": batch, "iterations": n,
                     "thumbnails_per_s": rate, "ms_per_call": ms}
                )
                print(f"{label:<34} {signature:<8} {batch:>5} {rate:>10.1f} {ms:>9.2f}", file=out)
                out.flush()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m residual_compression.export.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("target", help="an export folder, or a zoo preset name to export first (format both)")
    parser.add_argument("--max-iterations", type=int, help="K when exporting a preset")
    parser.add_argument("--iterations", type=int, help="iterations to encode/decode (default: K)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 64])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threads", type=int, help="LiteRT threads (default: all CPUs)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    target = pathlib.Path(args.target)
    kwargs = dict(
        iterations=args.iterations, batch_sizes=args.batch_sizes, seconds=args.seconds, num_threads=args.threads
    )
    if (target / "export.json").is_file():
        benchmark_export(target, **kwargs)
        return 0
    from residual_compression.export._export import export_model

    with tempfile.TemporaryDirectory(prefix="rc_bench_") as tmp:
        export_model(args.target, tmp, format="both", max_iterations=args.max_iterations)
        benchmark_export(tmp, **kwargs)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
