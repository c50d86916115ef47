"""How much quality tiled encoding costs: whole-image vs tiled encoder halos.

Encodes each image whole (one tile) and with 256x256 tiles at several
``tile_halo`` values, decodes every stream the same way, and prints mean PSNR
and patch SSIM per iteration count. Used for the numbers in
``docs/reliability.md``:

    python tests/tile_seams.py --images ../shared/data/kodak --limit 4
"""

import argparse
import sys

import numpy as np


def run(images, preset, halos, iterations):
    from residual_compression import zoo
    from residual_compression.codec import ProgressiveCodec
    from residual_compression.evaluation.metrics import patch_ssim
    from residual_compression.evaluation.metrics import psnr

    base = zoo.load(preset)
    side = max(max(im.shape[:2]) for im in images)
    setups = [("whole", dict(tile_size=-(-side // 32) * 32))]
    setups += [(f"tile_halo={h}", dict(tile_size=256, tile_halo=h)) for h in halos]
    rows = []
    for t in iterations:
        for label, options in setups:
            codec = ProgressiveCodec(base.model, model_id=base.model_id, **options)
            scores = []
            for image in images:
                recon = codec.decompress(codec.compress(image, iterations=t))
                scores.append((psnr(image, recon), float(np.mean(patch_ssim(image[None], recon[None])))))
            mean = np.mean(scores, axis=0)
            rows.append(f"| {t} | {label} | {mean[0]:.3f} | {mean[1]:.4f} |")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", required=True, help="folder of images (used at full size)")
    parser.add_argument("--limit", type=int, default=4)
    parser.add_argument("--preset", default="conv_lstm_64B")
    parser.add_argument("--halos", type=int, nargs="+", default=[0, 16, 32, 64])
    parser.add_argument("--iterations", type=int, nargs="+", default=[4, 8])
    args = parser.parse_args(argv)
    from residual_compression.images import list_image_files
    from residual_compression.images import load_image

    images = [load_image(f) for f in list_image_files(args.images)[: args.limit]]
    print(f"{len(images)} images, {args.preset}")
    print("| iterations | encoding | PSNR dB | patch SSIM |")
    print("|---:|:---|---:|---:|")
    print("\n".join(run(images, args.preset, args.halos, args.iterations)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
