"""Moved to :mod:`residual_compression.benchmarks.large_image`; this alias keeps
``evaluation.bench_large`` imports working."""

from residual_compression.benchmarks.large_image import LargeRow
from residual_compression.benchmarks.large_image import bench_large_image
from residual_compression.benchmarks.large_image import format_large

__all__ = ["LargeRow", "bench_large_image", "format_large", "smooth_image"]


def smooth_image(height, width, seed=0):
    """One ``images.synthetic_images`` image of ``height x width`` (the package's one generator)."""
    from residual_compression.images import synthetic_images

    return synthetic_images(1, height, width, seed)[0]
