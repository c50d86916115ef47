"""Measures stream format 2 against format 1 on real photos (not a test).

    python tests/measure_stream2.py --preset conv_lstm_64B --photos PHOTOS_DIR --kodak KODAK_DIR

For each image set: the payload bytes of formats 1 and 2 for the same bits
at each number of iterations, the time the entropy coder takes beside the
model, and patch SSIM at 64 B and 128 B budgets per thumbnail. Photos are
the validation split (``is_validation_photo``) only; Kodak full size is
encoded in one piece (``tile_size`` large enough), which takes minutes per
image on a CPU, so ``--kodak-limit`` bounds it.
"""

import argparse
import hashlib
import pathlib
import time

import numpy as np

from residual_compression import bitstream
from residual_compression import zoo
from residual_compression.evaluation.metrics import patch_ssim
from residual_compression.evaluation.sources import to_thumbnail
from residual_compression.images import list_image_files
from residual_compression.images import load_image


def validation_photos(folder):
    files = list_image_files(pathlib.Path(folder))
    return [f for f in files if hashlib.sha256(f.name.encode("utf-8")).hexdigest()[0] in "01"]


def payload(stream):
    return len(stream) - bitstream.read_header(stream).size


def savings(codec, bits, height, width, label):
    """Format 1 vs 2 payload bytes of the same bits, per number of iterations."""
    for k in range(1, bits.shape[1] + 1):
        raw = np.mean([payload(bitstream.encode_stream(codec.model_id, width, height, b[:k])) for b in bits])
        start = time.perf_counter()
        coded = bitstream.encode_streams2(codec.model_id, width, height, bits[:, :k], context=codec.context_model)
        seconds = time.perf_counter() - start
        mean = np.mean([payload(s) for s in coded])
        print(f"{label} {k} iterations: format 1 {raw:.1f} B, format 2 {mean:.1f} B, "
              f"{100 * (1 - mean / raw):.1f}% fewer; entropy coding {1000 * seconds / len(bits):.1f} ms/image")


def kodak_totals(codec, whole, files, iterations):
    """Format 1 and 2 payload bytes of the same bits, summed over full-size photos."""
    raw, coded = dict.fromkeys(iterations, 0), dict.fromkeys(iterations, 0)
    for f in files:
        image = load_image(f)
        bits = whole.encode(image[None], max(iterations))[0]
        height, width = image.shape[:2]
        for k in iterations:
            raw[k] += payload(bitstream.encode_stream(codec.model_id, width, height, bits[:k]))
            stream = bitstream.encode_stream2(codec.model_id, width, height, bits[:k], context=codec.context_model)
            coded[k] += payload(stream)
        print(f"{f.name}: {', '.join(f'{k} it. {coded[k]} of {raw[k]} B so far' for k in iterations)}", flush=True)
    for k in iterations:
        print(f"Kodak full size ({len(files)} photos), {k} iterations: format 1 {raw[k]} B, format 2 {coded[k]} B, "
              f"{100 * (1 - coded[k] / raw[k]):.1f}% fewer")


def thumbnails(codec, images, label):
    for fmt in (1, 2):
        for budget in (64, 128):
            streams = codec.compress(images, num_bytes=budget, format=fmt)
            ssim = np.mean(patch_ssim(images, codec.decompress(streams)))
            print(f"{label} format {fmt} at {budget} B: patch SSIM {ssim:.4f}")
    start = time.perf_counter()
    bits = codec.encode(images, codec.max_iterations)
    model_seconds = time.perf_counter() - start
    savings(codec, bits, 32, 32, label)
    start = time.perf_counter()
    codec.decode(bits, 32, 32)
    decode_seconds = time.perf_counter() - start
    streams = codec.compress(images, iterations=codec.max_iterations)
    start = time.perf_counter()
    bitstream.decode_streams(streams, code_shape_fn=codec.code_shape, max_iterations=codec.max_iterations)
    together = time.perf_counter() - start
    start = time.perf_counter()
    for s in streams:
        bitstream.decode_stream(s, code_shape_fn=codec.code_shape, max_iterations=codec.max_iterations)
    one_by_one = time.perf_counter() - start
    print(f"{label} model: encode {1000 * model_seconds / len(images):.1f} ms/image, "
          f"decode {1000 * decode_seconds / len(images):.1f} ms/image; entropy decoding "
          f"{1000 * together / len(images):.1f} ms/image in one batch (as decompress does), "
          f"{1000 * one_by_one / len(images):.1f} ms/image one stream at a time")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="conv_lstm_64B")
    parser.add_argument("--photos")
    parser.add_argument("--kodak")
    parser.add_argument("--kodak-limit", type=int, default=24)
    parser.add_argument("--kodak-iterations", type=int, nargs="+", default=None, metavar="K",
                        help="Kodak full size: only these iterations, summed over the photos (default: each "
                             "photo, every iteration)")
    parser.add_argument("--no-thumbnails", action="store_true", help="skip the thumbnail measurements")
    args = parser.parse_args()
    codec = zoo.load(args.preset)
    if args.photos and not args.no_thumbnails:
        images = np.stack([to_thumbnail(load_image(f)) for f in validation_photos(args.photos)])
        thumbnails(codec, images, f"photo thumbnails (validation, {len(images)})")
    if args.kodak:
        files = list_image_files(pathlib.Path(args.kodak))
        if not args.no_thumbnails:
            thumbnails(codec, np.stack([to_thumbnail(load_image(f)) for f in files]), "Kodak thumbnails")
        whole = codec.replace(tile_size=1024)
        if args.kodak_iterations:
            kodak_totals(codec, whole, files[: args.kodak_limit], args.kodak_iterations)
            return
        for f in files[: args.kodak_limit]:
            image = load_image(f)
            start = time.perf_counter()
            bits = whole.encode(image[None], codec.max_iterations)
            model = time.perf_counter() - start
            print(f"{f.name}: model encode {model:.1f} s")
            savings(codec, bits, image.shape[0], image.shape[1], f.name)


if __name__ == "__main__":
    main()
