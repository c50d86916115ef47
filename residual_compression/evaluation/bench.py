"""Throughput benchmark of neural and classical codecs on this machine.

Measures thumbnails (32x32 images, paper sec. 4.3) per second for encoding and
decoding at fixed byte targets, the neural models' multiply-accumulates per
image per iteration, the achieved FLOP/s = 2 * MACs * iterations * images/s,
and, in the same run, this machine's float32 matrix-multiply FLOP/s with
numpy, so that "utilisation" = achieved / matmul FLOP/s is a ratio of two
numbers measured here. Timings are wall-clock (``time.perf_counter``); each
measurement runs one untimed warm-up call, then repeats calls until the time
budget is used (at least one timed call).

``macs_per_iteration`` counts one encode + decode iteration, which is what
encoding runs; decoding runs only the decoder, so decode FLOP/s are reported
only when the codec also offers ``decoder_macs_per_iteration(height, width)``
(otherwise "-"). A target a neural codec rejects with ValueError in
``compress`` is skipped and noted.

Classical codecs are timed at the quality setting ``encode_at_target`` picks
for each image (the search itself is not timed).
"""

from __future__ import annotations

import dataclasses
import numbers
import time

import numpy as np

from residual_compression.evaluation.baselines import TargetSearch

__all__ = [
    "BenchRow",
    "synthetic_images",
    "matmul_flops",
    "bench_neural",
    "bench_baseline",
    "format_bench",
]


@dataclasses.dataclass(frozen=True)
class BenchRow:
    """One codec at one target: throughputs and (neural) compute figures."""

    codec: str
    target: int
    encode_per_s: float
    decode_per_s: float
    macs_per_iteration: int = None
    iterations: int = None
    decoder_macs_per_iteration: int = None

    @staticmethod
    def _flops(macs, iterations, per_s):
        if macs is None or iterations is None:
            return None
        return 2.0 * macs * iterations * per_s

    @property
    def encode_flops(self):
        """2 * MACs * iterations * encoded images/s, or None."""
        return self._flops(self.macs_per_iteration, self.iterations, self.encode_per_s)

    @property
    def decode_flops(self):
        """2 * decoder MACs * iterations * decoded images/s, or None."""
        return self._flops(self.decoder_macs_per_iteration, self.iterations, self.decode_per_s)


def _check_seconds(seconds):
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or not seconds > 0:
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    return float(seconds)


def synthetic_images(count, size=32, seed=0):
    """Deterministic test images: smooth colour gradients plus noise, uint8."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / max(1, size - 1)
    out = np.empty((count, size, size, 3), dtype=np.uint8)
    for i in range(count):
        a, b, c = rng.uniform(0.2, 1.0, 3)
        base = np.stack([a * x, b * y, c * (1 - x) * y + 0.3 * np.sin(6 * (x + y) + i)], axis=-1)
        noisy = 255 * (0.15 + 0.7 * base) + rng.normal(0, 12, (size, size, 3))
        out[i] = np.clip(np.round(noisy), 0, 255).astype(np.uint8)
    return out


def _rate(fn, items_per_call, seconds):
    fn()  # warm-up, untimed
    calls = 0
    start = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return items_per_call * calls / elapsed


def matmul_flops(seconds=1.0, n=1024):
    """float32 ``n x n`` matmul FLOP/s of numpy on this machine (2 n^3 per product)."""
    seconds = _check_seconds(seconds)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    return _rate(lambda: a @ b, 2.0 * n**3, seconds)


def bench_neural(key, codec, images, targets, seconds, notes=None):
    """``BenchRow`` per target for a neural codec on a uint8 batch (N, H, W, 3).

    Targets the codec rejects (ValueError from ``compress``) are skipped; a
    message is appended to ``notes`` when a list is given.
    """
    seconds = _check_seconds(seconds)
    n, h, w = images.shape[:3]
    macs = int(codec.macs_per_iteration(h, w))
    decoder = getattr(codec, "decoder_macs_per_iteration", None)
    decoder_macs = int(decoder(h, w)) if callable(decoder) else None
    rows = []
    for target in targets:
        try:
            streams = codec.compress(images, num_bytes=target)
        except ValueError as exc:
            if notes is not None:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                notes.append(f"{key} skipped at {target} B: {reason}")
            continue
        iterations = int(np.asarray(codec.progressive(streams[0])).shape[0])
        enc = _rate(lambda: codec.compress(images, num_bytes=target), n, seconds)
        dec = _rate(lambda: codec.decompress(streams), n, seconds)
        rows.append(BenchRow(key, target, enc, dec, macs, iterations, decoder_macs))
    return rows


def bench_baseline(key, codec, images, targets, seconds):
    """``BenchRow`` per target for a ``BaselineCodec``, at the searched settings."""
    seconds = _check_seconds(seconds)
    rows = []
    for target in targets:
        chosen = [TargetSearch(codec, im).at(target) for im in images]
        settings = [setting for _, setting, _ in chosen]
        files = [data for data, _, _ in chosen]

        def encode_all():
            for im, setting in zip(images, settings):
                codec.encode(im, setting)

        def decode_all():
            for data in files:
                codec.decode(data)

        encode_rate = _rate(encode_all, len(images), seconds)
        decode_rate = _rate(decode_all, len(images), seconds)
        rows.append(BenchRow(key, target, encode_rate, decode_rate))
    return rows


def _num(value, unit=""):
    if value is None:
        return "-"
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}{unit}".rstrip()
    return f"{value:.3g} {unit}".rstrip()


def format_bench(rows, machine_flops, *, batch, image_size=32, notes=()):
    """Markdown report of ``BenchRow``s and the measured matmul FLOP/s."""
    lines = [
        f"machine: numpy float32 matmul {_num(machine_flops, 'FLOP/s')} (measured in this run)",
        f"images: {image_size}x{image_size}, batch {batch}",
        "",
        "| codec | target (B) | encode img/s | decode img/s | MACs/img/iter | iterations "
        "| encode FLOP/s | decode FLOP/s | encode util. | decode util. |",
        "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        enc_f, dec_f = r.encode_flops, r.decode_flops
        util = lambda f: "-" if f is None else f"{f / machine_flops:.2%}"  # noqa: E731
        lines.append(
            f"| {r.codec} | {r.target} | {r.encode_per_s:.1f} | {r.decode_per_s:.1f} "
            f"| {_num(r.macs_per_iteration)} | {r.iterations if r.iterations is not None else '-'} "
            f"| {_num(enc_f)} | {_num(dec_f)} | {util(enc_f)} | {util(dec_f)} |"
        )
    lines.append("")
    lines.append("FLOP/s = 2 * MACs/img/iter * iterations * img/s; util. = FLOP/s / matmul FLOP/s.")
    lines.append(
        "MACs/img/iter count one encode + decode iteration; decode FLOP/s need "
        "decoder_macs_per_iteration."
    )
    lines.extend(f"note: {note}" for note in notes)
    return "\n".join(lines) + "\n"
