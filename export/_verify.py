"""Every export is run on sample images and compared with the Keras codec before it is
reported done (private; ``export_model(verify=True)``): never trust a successful conversion."""

import numpy as np

from residual_compression import bitstream

__all__ = ["check_export", "reference_outputs", "sample_images"]


def sample_images(n, height, width, seed=0):
    """Deterministic thumbnail-like uint8 images (gradients plus texture)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    out = []
    for _ in range(n):
        fx, fy, phase = rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0, 6.3)
        base = np.stack([np.sin(fx * x + phase), np.cos(fy * y - phase), np.sin(fx * x + fy * y)], -1)
        image = 127.5 + 90 * base + rng.normal(0, 12, (height, width, 3))
        out.append(np.clip(np.rint(image), 0, 255).astype(np.uint8))
    return np.stack(out)


def reference_outputs(codec, images, iterations):
    """What the Keras codec gives: payload codes, streams and reconstructions."""
    streams = codec.compress(images, iterations=iterations, format=1)  # the exports' format
    codes = np.stack(
        [np.frombuffer(s[bitstream.HEADER_SIZE :], np.uint8).reshape(iterations, -1) for s in streams]
    )
    bits = codec.encode(images, iterations)
    recons = codec.decode(bits, images.shape[1], images.shape[2], return_all=True)
    return {"codes": codes, "streams": streams, "reconstructions": recons}


def check_export(codec, graph, result, n_images=4):
    """Runs the exported files on sample images and compares with the codec."""
    k = graph.max_iterations
    images = sample_images(n_images, graph.height, graph.width, seed=12345)
    # The graphs encode the whole image in one piece: compare with a codec that
    # does too (the default codec tiles images over 256x256 pixels).
    whole = codec.replace(tile_size=max(codec.tile_size, *codec.padded_size(graph.height, graph.width)))
    ref = reference_outputs(whole, images, k)
    counts = sorted({1, max(1, k // 2), k})
    report = {"images": n_images, "iterations": counts}
    failures = []
    if result["saved_model"] is not None:
        import tensorflow as tf

        loaded = tf.saved_model.load(str(result["saved_model"]))
        for n in counts:
            out = loaded.signatures["encode"](images=tf.constant(images), iterations=tf.constant(n, tf.int32))
            if not np.array_equal(out["codes"].numpy(), ref["codes"][:, :n]):
                failures.append(f"SavedModel encode codes differ from the codec at {n} iterations")
            length = bitstream.HEADER_SIZE + n * graph.bytes_per_iteration
            if [bytes(s) for s in out["stream_bytes"].numpy()] != [s[:length] for s in ref["streams"]]:
                failures.append(f"SavedModel encode streams differ from codec.compress at {n} iterations")
        dec = loaded.signatures["decode_progressive"](codes=tf.constant(ref["codes"]))
        diff = np.abs(dec["reconstructions"].numpy().astype(np.int16) - ref["reconstructions"])
        report["saved_model_max_level_diff"] = int(diff.max())
        if diff.max() != 0:
            failures.append(
                f"SavedModel decode differs from the codec in {int((diff != 0).sum())} values "
                f"(max {int(diff.max())} grey levels)"
            )
    if result["encoder_tflite"] is not None:
        from residual_compression.export.litert import LiteRTCodec

        try:
            lite = LiteRTCodec(result["out_dir"])
        except ImportError as e:  # pragma: no cover - ai-edge-litert is not installed
            report["litert"] = f"not verified (pip install ai-edge-litert): {e}"
        else:
            for n in counts:
                if not np.array_equal(lite.encode(images, n), ref["codes"][:, :n]):
                    failures.append(f"LiteRT encoder codes differ from the codec at {n} iterations")
            recons = lite.decode(ref["codes"], return_all=True)
            diff = np.abs(recons.astype(np.int16) - ref["reconstructions"])
            report["litert_max_level_diff"] = int(diff.max())
            report["litert_values_off"] = int((diff != 0).sum())
            if diff.max() > 1:
                failures.append(f"LiteRT decoder is off by up to {int(diff.max())} grey levels (allowed: 1)")
    report["passed"] = not failures
    return report, failures
