"""This machine's reference speed: TensorFlow's own convolution, measured in the run.

Utilisation figures divide an achieved FLOP/s by a peak measured here, in the
same process, with the framework that runs the models: a bare
``tf.nn.conv2d`` (3x3 kernel, 128 -> 128 channels, batch 128, 16x16, ``SAME``
padding) inside a ``tf.function``, in float32 and in bfloat16, forward and
forward + backward (the gradients with respect to the input and the kernel,
each a convolution of the forward's size, so the pass counts as 3x the
forward FLOPs). Nothing is assumed about the hardware: on a CPU without
native bf16 arithmetic the bf16 backward pass can be many times slower than
float32, and the table says so.

Each measurement traces the step on a batch of one (untimed), then times
full-batch calls until the time budget is used (at least one call).
``matmul_flops`` (numpy's float32 matrix product) is kept as a second,
labelled figure: it measures numpy's BLAS, not TensorFlow, and is never a
denominator.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from residual_compression.benchmarks.throughput import rate
from residual_compression.validation import one_of
from residual_compression.validation import positive_int

__all__ = [
    "PASSES",
    "PRECISIONS",
    "ConvPeak",
    "conv_flops_per_call",
    "conv_peak",
    "format_peak_header",
    "format_peak_row",
    "matmul_flops",
    "measure_peaks",
    "recommend_precision",
]

PRECISIONS = ("float32", "bfloat16")
PASSES = ("forward", "forward+backward")
# The reference convolution of issue 12: 3x3, 128 channels, batch 128, 16x16.
DEFAULT_SHAPE = {"batch": 128, "size": 16, "channels": 128, "kernel": 3}


@dataclasses.dataclass(frozen=True)
class ConvPeak:
    """FLOP/s of the reference convolution in one precision and pass."""

    precision: str
    mode: str
    flops: float
    seconds_per_call: float


def conv_flops_per_call(batch, size, channels, kernel=3, mode="forward"):
    """FLOPs of one call: 2 * MACs of the forward convolution, x3 with the backward pass."""
    forward = 2 * batch * size * size * channels * channels * kernel * kernel
    return forward * (3 if one_of("mode", mode, PASSES) != "forward" else 1)


def conv_peak(precision, mode, seconds=2.0, *, batch=128, size=16, channels=128, kernel=3):
    """Measures one ``ConvPeak`` (imports TensorFlow)."""
    import tensorflow as tf

    one_of("precision", precision, PRECISIONS)
    one_of("mode", mode, PASSES)
    for name, value in (("batch", batch), ("size", size), ("channels", channels), ("kernel", kernel)):
        positive_int(name, value)
    dtype = tf.as_dtype(precision)
    rng = np.random.default_rng(0)

    def tensor(shape, scale=1.0):
        return tf.cast(rng.standard_normal(shape, dtype=np.float32) * scale, dtype)

    x, dy = tensor((batch, size, size, channels)), tensor((batch, size, size, channels))
    w = tensor((kernel, kernel, channels, channels), 0.05)
    spec = [tf.TensorSpec((None, size, size, channels), dtype)] * 2

    if mode == "forward":

        @tf.function(input_signature=spec)
        def step(x, dy):
            y = tf.nn.conv2d(x, w, strides=1, padding="SAME")
            return tf.reduce_sum(tf.cast(y[:, 0, 0, 0], tf.float32))

    else:

        @tf.function(input_signature=spec)
        def step(x, dy):
            with tf.GradientTape() as tape:
                tape.watch([x, w])
                y = tf.nn.conv2d(x, w, strides=1, padding="SAME")
            dx, dw = tape.gradient(y, [x, w], output_gradients=dy)
            return tf.cast(dx[0, 0, 0, 0], tf.float32) + tf.cast(dw[0, 0, 0, 0], tf.float32)

    flops = conv_flops_per_call(batch, size, channels, kernel, mode)
    # The untimed warm-up traces the function on one example: a bf16 backward
    # pass at full batch can take many seconds on a CPU that emulates bf16.
    warm_up = lambda: step(x[:1], dy[:1]).numpy()  # noqa: E731
    calls_per_s = rate(lambda: step(x, dy).numpy(), 1, seconds, warm_up=warm_up)
    return ConvPeak(precision, mode, flops * calls_per_s, 1.0 / calls_per_s)


def measure_peaks(seconds=2.0, *, on_peak=None, **shape):
    """Every precision x pass of the reference convolution, as ``{(precision, mode): ConvPeak}``.

    ``on_peak(peak)`` is called as each one finishes (to print it at once).
    """
    peaks = {}
    for precision in PRECISIONS:
        for mode in PASSES:
            peak = conv_peak(precision, mode, seconds, **shape)
            peaks[precision, mode] = peak
            if on_peak is not None:
                on_peak(peak)
    return peaks


def recommend_precision(peaks, mode):
    """The precision with the higher measured peak for ``mode``, and the ratio bf16/float32."""
    f32, bf16 = peaks["float32", mode].flops, peaks["bfloat16", mode].flops
    return ("bfloat16" if bf16 > f32 else "float32"), bf16 / f32


def matmul_flops(seconds=1.0, n=1024):
    """float32 ``n x n`` matmul FLOP/s of numpy's BLAS (2 n^3 per product); a label, not a peak."""
    positive_int("n", n)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    return rate(lambda: a @ b, 2.0 * n**3, seconds)


def format_peak_header(*, batch, size, channels, kernel, matmul=None):
    """Lines printed before the peak rows."""
    import tensorflow as tf

    lines = []
    if matmul is not None:
        lines.append(
            f"machine: numpy float32 matmul {_gflops(matmul)} GFLOP/s (numpy's BLAS, a reference "
            "only: not TensorFlow's peak and not used for utilisation)"
        )
    lines += [
        f"peak: tf.nn.conv2d {kernel}x{kernel}, {channels}->{channels} channels, batch {batch}, "
        f"{size}x{size}, in a tf.function (TensorFlow {tf.__version__}, {_threads(tf)}); "
        "forward+backward counts 3x the forward FLOPs",
        "",
        "| precision | pass | GFLOP/s | ms/call |",
        "|:---|:---|---:|---:|",
    ]
    return "\n".join(lines)


def format_peak_row(peak):
    """One Markdown row of a ``ConvPeak``."""
    return f"| {peak.precision} | {peak.mode} | {_gflops(peak.flops)} | {peak.seconds_per_call * 1e3:.1f} |"


def _threads(tf):
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    intra = tf.config.threading.get_intra_op_parallelism_threads()
    return f"{cpus} CPUs available, intra-op threads {intra or 'default'}"


def _gflops(flops):
    return f"{flops / 1e9:.1f}"
