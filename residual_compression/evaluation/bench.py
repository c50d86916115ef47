"""Moved to :mod:`residual_compression.benchmarks.throughput` (the codec's speed is
not the paper's protocol); this alias keeps ``evaluation.bench`` imports working."""

from residual_compression.benchmarks.throughput import BenchRow
from residual_compression.benchmarks.throughput import bench_baseline
from residual_compression.benchmarks.throughput import bench_neural

__all__ = ["BenchRow", "bench_baseline", "bench_neural"]
