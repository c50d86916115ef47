"""The first run: real photo thumbnails, our codec beside JPEG and WebP at the same size.

:func:`compare` downsamples photos to 32x32 thumbnails (as the paper's
benchmark, section 4.3), compresses each with a zoo model at the given byte
budgets and with JPEG (optimised Huffman tables) and WebP at the smallest
quality whose header-less payload is not below the same budget (sec. 4.3),
and measures patch SSIM (sec. 4.2) and PSNR. :func:`side_by_side` makes one
picture of it all. Without files, the two public-domain photos shipped in
``residual_compression/samples`` are used (:func:`sample_photos`).
"""

import dataclasses
import pathlib

import numpy as np

__all__ = ["Result", "compare", "sample_photos", "side_by_side"]

SAMPLES = pathlib.Path(__file__).parent / "samples"
BASELINES = ("jpeg_optimized", "webp")


@dataclasses.dataclass(frozen=True)
class Result:
    """One image compressed by one method at one budget."""

    image: str
    method: str
    target: int
    payload_bytes: int
    ssim: float
    psnr_db: float
    reconstruction: np.ndarray = dataclasses.field(repr=False)


def sample_photos():
    """``{name: uint8 (H, W, 3)}``: the photos shipped with the package."""
    from residual_compression.images import load_image

    return {path.stem: load_image(path) for path in sorted(SAMPLES.glob("*.png"))}


def compare(codec, photos, targets=(64, 128), size=32, baselines=BASELINES):
    """Compresses ``size x size`` thumbnails of ``photos`` ({name: image}) at each target.

    Returns ``(thumbnails, results)``: the thumbnails by name and a list of
    :class:`Result`, for ``codec`` (a ``ProgressiveCodec``) and each baseline
    that this Pillow supports.
    """
    from residual_compression.evaluation.baselines import available_baselines
    from residual_compression.evaluation.baselines import encode_at_target
    from residual_compression.evaluation.baselines import get_baseline
    from residual_compression.evaluation.metrics import patch_ssim
    from residual_compression.evaluation.metrics import psnr
    from residual_compression.images import resize_to

    thumbs = {name: resize_to(photo, (size, size)) for name, photo in photos.items()}
    names = list(thumbs)
    batch = np.stack([thumbs[n] for n in names])
    others = [get_baseline(b) for b in baselines if b in available_baselines()]
    results = []

    def add(name, method, target, payload, recon):
        thumb = thumbs[name]
        results.append(
            Result(name, method, target, payload, float(patch_ssim(thumb, recon)),
                   float(psnr(thumb, recon, cap=100.0)), recon)
        )

    for target in targets:
        streams = codec.compress(batch, num_bytes=target)
        recons = codec.decompress(streams)
        for name, data, recon in zip(names, streams, recons):
            add(name, codec.name, target, len(data) - codec.stream_header_size(data), recon)
        for other in others:
            for name in names:
                data, _, payload = encode_at_target(other, thumbs[name], target)
                add(name, other.label, target, payload, other.decode(data))
    return thumbs, results


def side_by_side(thumbs, results, path, scale=4):
    """Writes a PNG: one row per image, the original then each method at each target.

    Pixels are enlarged ``scale`` times (nearest neighbour) so 32x32 detail is
    visible. Returns the column labels, left to right.
    """
    from PIL import Image

    columns = ["original"] + [f"{r.method} {r.target} B" for r in results if r.image == next(iter(thumbs))]
    rows = []
    for name, thumb in thumbs.items():
        tiles = [thumb] + [r.reconstruction for r in results if r.image == name]
        rows.append(np.concatenate([np.pad(t, ((2, 2), (2, 2), (0, 0)), constant_values=255) for t in tiles], 1))
    grid = np.concatenate(rows, 0)
    picture = Image.fromarray(grid).resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.Resampling.NEAREST)
    picture.save(path)
    return columns
