"""Fuzz the stream decoder: random, mutated and truncated byte strings.

The decoder must only ever return an image or raise ``BitstreamError``, and
return quickly. Seeds are streams of both formats (1: raw bits, 2: entropy
coded, where a cut anywhere decodes and the header holds varints). Used by ``test_fuzz.py`` (a short run in the default suite)
and on its own for long runs:

    python tests/fuzz_decoder.py --inputs 1000000 --seed 1

Streams are decoded with a small conv LSTM codec (``--full`` also runs the
neural decoder on every stream that parses, which is much slower; by default
only the bitstream layer runs for inputs beyond the first 2,000).
"""

import argparse
import resource
import sys
import time

import numpy as np


def mutations(rng, seeds, n):
    """Yields ``n`` fuzz inputs derived from valid ``seeds``."""
    for i in range(n):
        kind = i % 6
        base = bytearray(seeds[rng.integers(len(seeds))])
        if kind == 0:  # pure garbage of any length
            yield bytes(rng.integers(0, 256, rng.integers(0, 300), dtype=np.uint8))
        elif kind == 1:  # truncation anywhere
            yield bytes(base[: rng.integers(0, len(base) + 1)])
        elif kind == 2:  # bit flips
            for _ in range(rng.integers(1, 8)):
                pos = rng.integers(len(base))
                base[pos] ^= 1 << int(rng.integers(8))
            yield bytes(base)
        elif kind == 3:  # header fields set to extremes
            field = rng.integers(2, 8)
            base[field] = int(rng.choice([0, 1, 0x7F, 0x80, 0xFF]))
            yield bytes(base)
        elif kind == 4:  # appended or inserted bytes
            pos = rng.integers(len(base) + 1)
            extra = bytes(rng.integers(0, 256, rng.integers(1, 40), dtype=np.uint8))
            yield bytes(base[:pos]) + extra + bytes(base[pos:])
        elif base[1] == 1:  # valid header, huge claimed size, short payload
            w, h = rng.integers(1, 65536, 2)
            yield bytes(base[:4]) + int(w).to_bytes(2, "big") + int(h).to_bytes(2, "big") + bytes(base[8:])
        else:  # a format-2 header of any size, flags and count, before a real payload
            from residual_compression import bitstream

            size = bitstream.read_header(bytes(base)).size
            w, h = (int(v) for v in rng.choice([1, 31, 32, 33, 4096, 65535], 2))
            count = int(rng.choice([0, 1, 511, 512, 8 * 128, 10**6, 2**35 - 1]))
            header = bitstream.pack_header(13, w, h, version=2, count=count, context=int(rng.integers(0, 2)))
            flags = bytes([header[2] | int(rng.choice([0, 0, 1, 2, 4, 0x20])) ])
            yield header[:2] + flags + header[3:] + bytes(base[size:])


def run(inputs, seed=0, full=False, neural_limit=2000, budget_s=None, model=None):
    """Returns counts of outcomes; raises AssertionError on any other exception.

    ``model``: the conv LSTM to decode with (width 0.125, 8 iterations), e.g. one a test
    session already holds with its compiled graphs; by default a new one.
    """
    from residual_compression import BitstreamError
    from residual_compression import bitstream
    from residual_compression.codec import ProgressiveCodec
    from residual_compression.initialization import reinitialize
    from residual_compression.models import build_model

    codec = ProgressiveCodec(
        model or reinitialize(build_model("conv_lstm", width=0.125, iterations=8)),
        model_id=13,
        max_pixels=256 * 256,
        tile_size=64,  # streams of more than 64x64 pixels take the tiled decoder
        tile_halo=16,
    )
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    seeds = []
    for fmt in (1, 2):
        seeds += codec.compress(list(images[:2]), iterations=8, format=fmt)
        seeds += codec.compress([images[2, :9, :13]], iterations=3, format=fmt)
        seeds.append(codec.compress(images[3], num_bytes=50, format=fmt))  # a partial iteration
        seeds.append(codec.compress(images[3, ..., 0], iterations=2, format=fmt))  # grey
        tiled = rng.integers(0, 256, (72, 100, 3), dtype=np.uint8)
        seeds.append(codec.compress(tiled, iterations=2, format=fmt))
    counts = {"decoded": 0, "rejected": 0, "format 2 decoded": 0}
    slowest = 0.0
    started = time.time()
    for i, data in enumerate(mutations(rng, seeds, inputs)):
        t = time.perf_counter()
        try:
            if full or i < neural_limit:
                image = codec.decompress(data)
                if image.dtype != np.uint8 or image.ndim != 3 or image.shape[-1] != 3:
                    raise AssertionError(f"decoder returned {image.dtype} {image.shape}")
            else:
                bitstream.decode_stream(
                    data, code_shape_fn=codec.code_shape, max_iterations=codec.max_iterations,
                    expected_model_id=codec.model_id,
                )
            counts["decoded"] += 1
            counts["format 2 decoded"] += data[1] == 2
        except BitstreamError:
            counts["rejected"] += 1
        except Exception as e:  # anything else is a bug
            raise AssertionError(f"input {i} ({data[:16].hex()}... {len(data)} bytes): {type(e).__name__}: {e}")
        slowest = max(slowest, time.perf_counter() - t)
        if budget_s is not None and time.time() - started > budget_s:
            break
    counts["inputs"] = counts["decoded"] + counts["rejected"]
    counts["slowest_s"] = round(slowest, 4)
    counts["seconds"] = round(time.time() - started, 1)
    counts["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full", action="store_true", help="neural-decode every stream that parses")
    args = parser.parse_args(argv)
    print(run(args.inputs, args.seed, args.full))
    return 0


if __name__ == "__main__":
    sys.exit(main())
