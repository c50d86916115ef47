"""Throughput of neural and classical codecs on 32x32 thumbnails (``bench``).

Measures thumbnails (paper sec. 4.3) per second for encoding and decoding at
fixed byte targets, the neural models' multiply-accumulates per image per
iteration, the achieved FLOP/s = 2 * MACs * iterations * images/s (encoding:
less the last iteration's decoder step, which it skips), and the
utilisation = achieved FLOP/s / the forward peak of TensorFlow's own
convolution in the precision the model computes in (:mod:`.peak`, measured in
the same run). Timings are wall-clock (``time.perf_counter``); each
measurement runs one untimed warm-up call, then repeats calls until the time
budget is used (at least one timed call).

``macs_per_iteration`` counts one encode + decode iteration, which is what
encoding runs; decoding runs only the decoder, so decode FLOP/s are reported
only when the codec also offers ``decoder_macs_per_iteration(height, width)``
(otherwise "-"). A target a neural codec rejects with ValueError in
``compress`` is skipped and noted.

A second table, per neural codec and target, gives batch encode + decode
thumbnails/s (one image through both, batched), its FLOP/s and utilisation,
and the latency of compressing and decompressing one thumbnail in a warm
process.

Neural codecs are measured in each stream format asked for (2: entropy
coded, the default; 1: raw bits), and :func:`format_comparison` says how much
slower format 2 is than format 1 at the same byte target (its budget holds
more iterations, so part of the cost is more model work).

Classical codecs are timed at the quality setting ``encode_at_target`` picks
for each image (the search itself is not timed).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from residual_compression.evaluation.baselines import TargetSearch
from residual_compression.validation import positive_number

__all__ = [
    "BenchRow",
    "InferenceRow",
    "bench_baseline",
    "bench_neural",
    "codec_precision",
    "format_bench_header",
    "format_bench_notes",
    "format_bench_row",
    "format_comparison",
    "format_inference_header",
    "format_inference_row",
    "inference_row",
    "rate",
    "stream_formats",
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
    precision: str = None
    stream_format: int = None

    @staticmethod
    def _flops(macs, iterations, per_s):
        if macs is None or iterations is None:
            return None
        return 2.0 * macs * iterations * per_s

    @property
    def encode_flops(self):
        """2 * MACs * iterations * encoded images/s, or None; less the last
        iteration's decoder step when its MACs are known (encoding skips it)."""
        flops = self._flops(self.macs_per_iteration, self.iterations, self.encode_per_s)
        if flops is not None and self.decoder_macs_per_iteration is not None:
            flops -= 2.0 * self.decoder_macs_per_iteration * self.encode_per_s
        return flops

    @property
    def decode_flops(self):
        """2 * decoder MACs * iterations * decoded images/s, or None."""
        return self._flops(self.decoder_macs_per_iteration, self.iterations, self.decode_per_s)


@dataclasses.dataclass(frozen=True)
class InferenceRow:
    """A neural codec at one target: batch encode + decode, and one thumbnail's latency."""

    codec: str
    target: int
    precision: str
    per_s: float
    flops: float
    latency_s: float
    stream_format: int = None


def rate(fn, items_per_call, seconds, warm_up=None):
    """Items per second of ``fn``: one untimed warm-up call (of ``warm_up`` when
    given, else of ``fn``), then calls of ``fn`` until ``seconds`` pass."""
    seconds = positive_number("seconds", seconds)
    (warm_up or fn)()  # untimed
    calls = 0
    start = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return items_per_call * calls / elapsed


def stream_formats(codec, wanted):
    """The formats of ``wanted`` to measure ``codec`` in: all of them when its
    ``compress`` takes ``format``, else ``[None]`` (its only one)."""
    import inspect

    try:
        takes = "format" in inspect.signature(codec.compress).parameters
    except (TypeError, ValueError):  # a builtin or C-level callable: no signature to read
        takes = False
    return list(dict.fromkeys(wanted)) if takes else [None]


def codec_precision(codec):
    """The compute dtype of a codec's model (``"float32"`` when it does not say)."""
    policy = getattr(getattr(codec, "model", None), "dtype_policy", None)
    return str(getattr(policy, "compute_dtype", None) or "float32")


def bench_neural(key, codec, images, targets, seconds, notes=None, on_row=None, stream_format=None):
    """``BenchRow`` per target for a neural codec on a uint8 batch (N, H, W, 3),
    compressed in ``stream_format`` (1 or 2; None: the codec's default, for
    codecs whose ``compress`` takes no ``format``).

    Targets the codec rejects (ValueError from ``compress``) are skipped; a
    message is appended to ``notes`` when a list is given. ``on_row(row)`` is
    called as each row finishes.
    """
    seconds = positive_number("seconds", seconds)
    n, h, w = images.shape[:3]
    macs = int(codec.macs_per_iteration(h, w))
    decoder = getattr(codec, "decoder_macs_per_iteration", None)
    decoder_macs = int(decoder(h, w)) if callable(decoder) else None
    precision = codec_precision(codec)
    kwargs = {} if stream_format is None else {"format": stream_format}
    rows = []
    for target in targets:
        try:
            streams = codec.compress(images, num_bytes=target, **kwargs)
        except ValueError as exc:
            if notes is not None:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                notes.append(f"{key} skipped at {target} B: {reason}")
            continue
        iterations = int(np.asarray(codec.progressive(streams[0])).shape[0])
        enc = rate(lambda: codec.compress(images, num_bytes=target, **kwargs), n, seconds)
        dec = rate(lambda: codec.decompress(streams), n, seconds)
        rows.append(BenchRow(key, target, enc, dec, macs, iterations, decoder_macs, precision, stream_format))
        if on_row is not None:
            on_row(rows[-1])
    return rows


def bench_baseline(key, codec, images, targets, seconds, on_row=None):
    """``BenchRow`` per target for a ``BaselineCodec``, at the searched settings."""
    seconds = positive_number("seconds", seconds)
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

        encode_rate = rate(encode_all, len(images), seconds)
        decode_rate = rate(decode_all, len(images), seconds)
        rows.append(BenchRow(key, target, encode_rate, decode_rate))
        if on_row is not None:
            on_row(rows[-1])
    return rows


def inference_row(codec, row, image, seconds):
    """``InferenceRow`` of a neural ``BenchRow``: its batch rates combined, and the
    measured latency of ``decompress(compress(image))`` for one thumbnail."""
    per_s = 1.0 / (1.0 / row.encode_per_s + 1.0 / row.decode_per_s)
    flops = None
    if row.encode_flops is not None and row.decode_flops is not None:
        flops = (row.encode_flops / row.encode_per_s + row.decode_flops / row.decode_per_s) * per_s
    one = image[None]  # a batch of one: the API every codec offers
    kwargs = {} if row.stream_format is None else {"format": row.stream_format}

    def round_trip():
        codec.decompress(codec.compress(one, num_bytes=row.target, **kwargs))

    calls_per_s = rate(round_trip, 1, seconds)
    return InferenceRow(row.codec, row.target, row.precision, per_s, flops, 1.0 / calls_per_s, row.stream_format)


def _num(value, unit=""):
    if value is None:
        return "-"
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}{unit}".rstrip()
    return f"{value:.3g} {unit}".rstrip()


def _util(flops, peak):
    return "-" if flops is None or peak is None else f"{flops / peak:.2%}"


def _forward_peak(peaks, precision):
    peak = peaks.get((precision, "forward")) if precision else None
    return None if peak is None else peak.flops


def format_bench_header(*, batch, image_size=32):
    """The lines before the throughput rows."""
    return "\n".join(
        [
            f"images: {image_size}x{image_size}, batch {batch}",
            "",
            "| codec | target (B) | encode img/s | decode img/s | MACs/img/iter | iterations "
            "| encode FLOP/s | decode FLOP/s | encode util. | decode util. | precision | format |",
            "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|---:|",
        ]
    )


def format_bench_row(row, peaks):
    """One Markdown row of a ``BenchRow``; ``peaks`` as from :func:`.peak.measure_peaks`."""
    enc_f, dec_f = row.encode_flops, row.decode_flops
    peak = _forward_peak(peaks, row.precision)
    return (
        f"| {row.codec} | {row.target} | {row.encode_per_s:.1f} | {row.decode_per_s:.1f} "
        f"| {_num(row.macs_per_iteration)} | {row.iterations if row.iterations is not None else '-'} "
        f"| {_num(enc_f)} | {_num(dec_f)} | {_util(enc_f, peak)} | {_util(dec_f, peak)} "
        f"| {row.precision or '-'} | {row.stream_format or '-'} |"
    )


def format_inference_header(batch):
    """The lines before the encode + decode rows."""
    return "\n".join(
        [
            f"| codec | target (B) | precision | encode+decode img/s (batch {batch}) | FLOP/s | util. "
            "| 1 thumbnail compress+decompress ms | format |",
            "|:---|---:|:---|---:|---:|---:|---:|---:|",
        ]
    )


def format_inference_row(row, peaks):
    """One Markdown row of an ``InferenceRow``."""
    return (
        f"| {row.codec} | {row.target} | {row.precision} | {row.per_s:.1f} | {_num(row.flops)} "
        f"| {_util(row.flops, _forward_peak(peaks, row.precision))} | {row.latency_s * 1e3:.1f} "
        f"| {row.stream_format or '-'} |"
    )


def format_comparison(rows, inference_rows=()):
    """Lines saying how format 2's speeds compare with format 1's, per codec
    and target measured in both: the ratio of encode and decode thumbnails/s
    (``BenchRow``) and of one thumbnail's round-trip latency (``InferenceRow``)."""
    by_key = {(r.codec, r.target, r.stream_format): r for r in rows}
    latency = {(r.codec, r.target, r.stream_format): r.latency_s for r in inference_rows}
    lines = []
    for (codec, target, fmt), two in by_key.items():
        one = by_key.get((codec, target, 1))
        if fmt != 2 or one is None:
            continue
        line = (
            f"format 2 vs 1, {codec} at {target} B: encode {two.encode_per_s / one.encode_per_s:.2f}x "
            f"and decode {two.decode_per_s / one.decode_per_s:.2f}x the img/s "
            f"({two.iterations} vs {one.iterations} iterations)"
        )
        if (codec, target, 1) in latency and (codec, target, 2) in latency:
            line += f"; one thumbnail {latency[codec, target, 2] / latency[codec, target, 1]:.2f}x the ms"
        lines.append(line)
    return lines


def format_bench_notes(notes=()):
    """The lines after the tables: what the columns mean, and notes."""
    lines = [
        "FLOP/s = 2 * MACs/img/iter * iterations * img/s (encode: less the last decoder step, which it "
        "skips); util. = FLOP/s / the forward conv peak above in the model's precision.",
        "MACs/img/iter count one encode + decode iteration; decode FLOP/s need "
        "decoder_macs_per_iteration.",
    ]
    lines.extend(f"note: {note}" for note in notes)
    return "\n".join(lines)
