"""Evaluation of progressive image codecs: the protocol of paper sec. 4.2-4.3.

Submodules (imported on first use, so ``import residual_compression.evaluation``
loads neither numpy, Pillow, matplotlib, TensorFlow nor Keras):

* ``metrics``: patch SSIM (sec. 4.2), PSNR, bits per pixel, MS-SSIM.
* ``containers``: header-less sizes of JPEG, WebP, JPEG 2000 and AVIF files.
* ``baselines``: classical codecs through Pillow and the sec. 4.3 target search.
* ``protocol``: the interface of neural codecs.
* ``runner``: ``evaluate`` (Table 1 numbers).
* ``prefixes``: quality at every prefix of a stream (does each byte help?).
* ``assignment``: dynamic bit assignment (sec. 3.7) against uniform iterations.
* ``writers``: Table 1 Markdown, CSV, JSON; ``plots``: Figures 4, 5, 6.
* ``sources``: evaluation images (``images.load_images`` as 32x32 thumbnails
  or full size).
* ``cli``: the ``evaluate``, ``prefixes`` and ``assignment`` commands. The codec's speed and memory are measured
  by :mod:`residual_compression.benchmarks`, not here.

The most used names are re-exported lazily: ``evaluate``, ``patch_ssim``,
``psnr``, ``ms_ssim``, ``bits_per_pixel``, ``encode_at_target``,
``get_baseline``, ``available_baselines``, ``load_images``.
"""

import importlib

__all__ = [
    "evaluate",
    "patch_ssim",
    "psnr",
    "ms_ssim",
    "bits_per_pixel",
    "encode_at_target",
    "get_baseline",
    "available_baselines",
    "load_images",
    "prefix_quality",
    "quality_drops",
    "compare_assignment",
]

_LAZY = {
    "evaluate": "runner",
    "patch_ssim": "metrics",
    "psnr": "metrics",
    "ms_ssim": "metrics",
    "bits_per_pixel": "metrics",
    "encode_at_target": "baselines",
    "get_baseline": "baselines",
    "available_baselines": "baselines",
    "load_images": "sources",
    "prefix_quality": "prefixes",
    "quality_drops": "prefixes",
    "compare_assignment": "assignment",
}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
