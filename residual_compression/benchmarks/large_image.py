"""Time and peak memory of encoding and decoding one large image (``bench --large``).

For each neural codec and byte target (bytes per 32x32 of image area, so
``--targets 64`` is 4 iterations for the conv models) one image is compressed
and decompressed once. Memory is the process's peak resident set size
(``VmHWM`` on Linux, reset before each measurement through
``/proc/self/clear_refs``; elsewhere ``ru_maxrss``, which cannot be reset),
reported in total and above the resident size just before the call (the
interpreter, the framework, the model and the image itself).
"""

from __future__ import annotations

import dataclasses
import resource
import sys
import time

import numpy as np

from residual_compression.errors import ResidualCompressionError

__all__ = [
    "LargeRow",
    "bench_large_image",
    "format_large",
    "format_large_header",
    "format_large_notes",
    "format_large_row",
]

_MIB = 2**20


@dataclasses.dataclass(frozen=True)
class LargeRow:
    """One codec at one target on one large image."""

    codec: str
    target: int
    iterations: int
    stream_bytes: int
    encode_s: float
    decode_s: float
    start_mib: float
    encode_peak_mib: float
    encode_above_mib: float
    decode_peak_mib: float
    decode_above_mib: float
    psnr_db: float


def _psnr(a, b, rows=256):
    """PSNR of two large uint8 images, accumulated a band of rows at a time."""
    total = 0.0
    for start in range(0, a.shape[0], rows):
        diff = a[start : start + rows].astype(np.float32) - b[start : start + rows]
        total += float(np.square(diff, dtype=np.float64).sum())
    mse = total / a.size
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _status_mib(field):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak():
    """Resets the peak RSS to the current RSS; returns the current RSS (MiB)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass
    current = _status_mib("VmRSS")
    return current if current is not None else _ru_maxrss_mib()


def _ru_maxrss_mib():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / _MIB if sys.platform == "darwin" else peak / 1024


def _peak():
    peak = _status_mib("VmHWM")
    return peak if peak is not None else _ru_maxrss_mib()


def _measured(fn):
    before = _reset_peak()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = _peak()
    return result, seconds, before, peak, peak - before


def bench_large_image(key, codec, image, targets, notes=None, on_row=None):
    """``LargeRow`` per target (bytes per 32x32) for a neural codec on one image.

    ``on_row(row)`` is called as each row finishes.
    """
    rows = []
    for target in targets:
        try:
            iterations = codec.iterations_for(target)
            data, enc_s, start, enc_peak, enc_above = _measured(lambda: codec.compress(image, iterations=iterations))
        except ResidualCompressionError as exc:  # a target or an image (over max_pixels) it refuses
            if notes is not None:
                notes.append(f"{key} skipped at {target} B: {str(exc).splitlines()[0]}")
            continue
        recon, dec_s, _, dec_peak, dec_above = _measured(lambda: codec.decompress(data))
        rows.append(
            LargeRow(key, target, iterations, len(data), enc_s, dec_s, start, enc_peak, enc_above,
                     dec_peak, dec_above, _psnr(image, recon))
        )
        if on_row is not None:
            on_row(rows[-1])
    return rows


def format_large_header(*, height, width, source, tile_size):
    """The lines before the ``LargeRow``s."""
    return "\n".join(
        [
            f"image: {width}x{height} ({source}); tiles of at most {tile_size}x{tile_size} pixels",
            "",
            "| codec | target (B/32x32) | iterations | stream bytes | encode s | decode s "
            "| resident before MiB | encode peak MiB (above before) | decode peak MiB (above before) | PSNR dB |",
            "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
    )


def format_large_row(r):
    """One Markdown row of a ``LargeRow``."""
    return (
        f"| {r.codec} | {r.target} | {r.iterations} | {r.stream_bytes} | {r.encode_s:.1f} "
        f"| {r.decode_s:.1f} | {r.start_mib:.0f} | {r.encode_peak_mib:.0f} ({r.encode_above_mib:+.0f}) "
        f"| {r.decode_peak_mib:.0f} ({r.decode_above_mib:+.0f}) | {r.psnr_db:.2f} |"
    )


def format_large_notes(notes=()):
    """The lines after the rows: what the memory columns mean, and notes."""
    lines = [
        "",
        "resident before = the process before encoding (interpreter, framework, model, image); "
        "peak = its peak resident memory during the call; above before = peak minus the "
        "resident memory just before that call. Memory the allocator keeps after the "
        "first call is counted in later rows' 'before'.",
    ]
    lines.extend(f"note: {note}" for note in notes)
    return "\n".join(lines)


def format_large(rows, *, height, width, source, tile_size, notes=()):
    """Markdown report of ``LargeRow``s (header, rows and notes in one string)."""
    parts = [format_large_header(height=height, width=width, source=source, tile_size=tile_size)]
    parts += [format_large_row(r) for r in rows]
    parts.append(format_large_notes(notes))
    return "\n".join(parts) + "\n"
