"""Figures in the style of the paper's Figures 4, 5 and 6 (matplotlib, Agg).

* ``plot_rate_distortion`` (Figure 5): mean patch SSIM against mean
  header-less bits per pixel, one curve per codec over all evaluated targets.
* ``plot_samples`` (Figure 4): a grid of thumbnails, the originals in the first
  column, then one column per (codec, target) with its reconstruction.
* ``plot_progressive`` (Figure 6): for each neural codec, the reconstructions
  after 1..T iterations of one stream (``codec.progressive``).

matplotlib is imported lazily and always with the non-interactive Agg
backend, so plotting works without a display.
"""

from __future__ import annotations

import numpy as np

from residual_compression.errors import ImageInputError
from residual_compression.errors import InvalidValueError

__all__ = ["plot_rate_distortion", "plot_samples", "plot_progressive"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


_MARKERS = "osD^v"


def plot_rate_distortion(results, path, *, title="Patch SSIM vs. rate (header-less)"):
    """Figure-5 style plot: one SSIM-vs-bpp curve per codec; saved to ``path``."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9.6, 4.8), dpi=100)
    colors = plt.get_cmap("tab10").colors
    try:
        curves = 0
        for codec in results.codecs:
            rows = [results.get(codec, t) for t in results.targets if results.has(codec, t)]
            if not rows:
                continue
            bpp = [r.mean_bpp for r in rows]
            ssim = [r.mean_ssim for r in rows]
            style = "--" if rows[0].kind == "baseline" else "-"  # classical codecs dashed
            # Ten colours, then the next marker: no two curves look alike.
            color, marker = colors[curves % len(colors)], _MARKERS[(curves // len(colors)) % len(_MARKERS)]
            ax.plot(bpp, ssim, style, color=color, marker=marker, ms=4, label=results.label(codec))
            curves += 1
        ax.set_xlabel("bits per pixel (header-less, mean)")
        ax.set_ylabel("patch SSIM (mean)")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))  # beside the curves
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)


def plot_samples(results, images, path, *, targets=None, num_samples=None):
    """Figure-4 style grid of originals and reconstructions; saved to ``path``.

    ``results`` must come from ``evaluate(..., num_samples=k)`` with k > 0;
    ``images`` are the evaluated images (the first k are shown).
    """
    plt = _pyplot()
    targets = results.targets if targets is None else tuple(targets)
    columns = [(codec, t) for t in targets for codec in results.codecs if results.has(codec, t)]
    if not columns:
        raise InvalidValueError(f"no results to show for these targets: `targets`={list(targets)!r}")
    available = min(len(results.get(c, t).samples) for c, t in columns)
    count = available if num_samples is None else min(num_samples, available)
    if count <= 0:
        raise InvalidValueError(
            "`results` hold no sample reconstructions: call evaluate with num_samples > 0"
        )
    size = (1.2 * (len(columns) + 1), 1.3 * count + 0.6)
    fig, axes = plt.subplots(count, len(columns) + 1, figsize=size, squeeze=False)
    try:
        for row in range(count):
            axes[row, 0].imshow(np.asarray(images[row]), interpolation="nearest")
            for col, (codec, t) in enumerate(columns, start=1):
                r = results.get(codec, t)
                axes[row, col].imshow(r.samples[row], interpolation="nearest")
                if row == 0:
                    axes[row, col].set_title(f"{codec}\n{t} B", fontsize=6)
            if row == 0:
                axes[row, 0].set_title("original", fontsize=6)
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
        fig.tight_layout()
        fig.savefig(path, dpi=150)
    finally:
        plt.close(fig)


def plot_progressive(codecs, image, num_bytes, path):
    """Figure-6 style strips: reconstruction after each iteration, per codec.

    Args:
      codecs: dict name -> neural codec (``compress`` and ``progressive``).
      image: one uint8 (H, W, 3) image.
      num_bytes: byte budget passed to ``compress``: one int for all codecs,
        or a dict name -> int.
      path: output image file.
    """
    if not isinstance(codecs, dict) or not codecs:
        raise InvalidValueError(f"codecs must be a non-empty dict of neural codecs, got {codecs!r}")
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[-1] != 3:
        raise ImageInputError(f"image must be a uint8 (H, W, 3) array, got {image.dtype} {image.shape}")
    strips = {}
    budgets = num_bytes if isinstance(num_bytes, dict) else {key: num_bytes for key in codecs}
    for key, codec in codecs.items():
        stream = codec.compress(image[np.newaxis], num_bytes=budgets[key])[0]
        frames = np.asarray(codec.progressive(stream))
        if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[1:] != image.shape:
            # not an input error: the codec broke its `progressive` output contract (a codec bug)
            raise ValueError(
                f"codec {key!r}: progressive must return uint8 (T, H, W, 3), "
                f"got {frames.dtype} {frames.shape}"
            )
        strips[key] = frames
    plt = _pyplot()
    width = max(len(f) for f in strips.values()) + 1
    fig, axes = plt.subplots(len(strips), width, figsize=(1.1 * width, 1.3 * len(strips) + 0.4), squeeze=False)
    try:
        for row, (key, frames) in enumerate(strips.items()):
            axes[row, 0].imshow(image, interpolation="nearest")
            axes[row, 0].set_title("original", fontsize=6)
            axes[row, 0].set_ylabel(f"{key}\n{budgets[key]} B", fontsize=6)
            for t, frame in enumerate(frames, start=1):
                axes[row, t].imshow(frame, interpolation="nearest")
                axes[row, t].set_title(f"iter {t}", fontsize=6)
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
            if not ax.images:
                ax.axis("off")
        fig.tight_layout()
        fig.savefig(path, dpi=150)
    finally:
        plt.close(fig)
