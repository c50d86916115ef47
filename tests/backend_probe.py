"""Run in a subprocess by test_backends.py under one Keras backend.

usage: python backend_probe.py WEIGHTS_DIR OUT_DIR ARCH [ARCH ...] [--save]

For each ARCH, builds a small model, saves (--save) or loads
WEIGHTS_DIR/ARCH.weights.h5, then records pre-binarizer activations, bits,
reconstructions, one training step's loss and a compress/decompress round trip
into OUT_DIR/ARCH.npz. All architectures run in one process, so the backend
is imported once.
"""

import pathlib
import sys

import numpy as np

from conftest import SMALL_CONFIGS
from conftest import architecture_of
from conftest import synthetic_images


def main(weights, out, case, save):
    import keras

    from residual_compression.codec import ProgressiveCodec
    from residual_compression.initialization import reinitialize
    from residual_compression.models import build_model
    from residual_compression.scaling import to_model_space
    from residual_compression.training import compile_for_training

    config = dict(SMALL_CONFIGS[case], iterations=3)  # short unroll: compile time dominates
    model = build_model(architecture_of(case), **config)
    if save:
        reinitialize(model, seed=11)
        model.save_weights(weights)
    else:
        model.load_weights(weights)
    images = synthetic_images(4, seed=21)
    x = to_model_space(images)
    acts = model.pre_binarizer_activations(x)
    codes, recons = model.encode(x)
    codec = ProgressiveCodec(model, model_id=3)
    streams = codec.compress(images, iterations=model.iterations)
    decoded = codec.decompress(streams)
    tiled = ProgressiveCodec(model, model_id=3, tile_size=48, tile_halo=8)  # 9 tiles for 100x90
    large = synthetic_images(1, 90, 100, seed=22)[0]
    tiled_stream = tiled.compress(large, iterations=model.iterations)
    tiled_decoded = tiled.decompress(tiled_stream)
    to_np = keras.ops.convert_to_numpy
    compile_for_training(model, learning_rate=1e-3)
    loss_before = model.evaluate(x, x, verbose=0)
    model.train_on_batch(x, x)
    loss_after_step = model.evaluate(x, x, verbose=0)
    np.savez(
        out,
        backend=keras.backend.backend(),
        activations=np.stack([to_np(a) for a in acts]),
        codes=np.stack([to_np(c) for c in codes]),
        recons=np.stack([to_np(r) for r in recons]),
        # Format-2 streams differ in length: stored end to end, with their lengths.
        streams=np.frombuffer(b"".join(streams), np.uint8),
        stream_lengths=np.array([len(s) for s in streams]),
        decoded=decoded,
        tiled_stream=np.frombuffer(tiled_stream, np.uint8),
        tiled_decoded=tiled_decoded,
        loss_before=loss_before,
        loss_after_step=loss_after_step,
    )


if __name__ == "__main__":
    weights_dir, out_dir, *cases = [a for a in sys.argv[1:] if a != "--save"]
    for case in cases:
        main(pathlib.Path(weights_dir) / f"{case}.weights.h5", pathlib.Path(out_dir) / f"{case}.npz", case,
             "--save" in sys.argv)
