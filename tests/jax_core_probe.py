"""Run in one subprocess (KERAS_BACKEND=jax) by the ``jax_core_run`` fixture of conftest.py.

usage: python jax_core_probe.py SCRATCH_DIR

What the GPU machine sees: JAX, and ``import tensorflow`` failing. Prints one
``REFUSED <message>`` line (export_model refuses the JAX backend, before it
touches TensorFlow; test_export_variants.py reads it), then runs the core: a zoo
preset compresses and decompresses, and a model trains a step; ``CORE OK`` at
the end (test_backends.py reads it). Any failure exits non-zero.
"""

import sys

sys.modules["tensorflow"] = None  # any import of tensorflow now raises ImportError

import numpy as np  # noqa: E402
import keras  # noqa: E402


def export_refusal(scratch):
    from residual_compression.codec import ProgressiveCodec
    from residual_compression.export import ExportError
    from residual_compression.export import export_model
    from residual_compression.models import build_model

    codec = ProgressiveCodec(build_model("conv_lstm", width=0.125, iterations=2), model_id=13)
    try:
        export_model(codec, scratch)
    except ExportError as e:
        print("REFUSED", e, flush=True)


def core():
    import residual_compression.codec  # noqa: F401
    import residual_compression.layers  # noqa: F401
    import residual_compression.loss  # noqa: F401
    from residual_compression import zoo
    from residual_compression.models import build_model
    from residual_compression.training import compile_for_training

    assert keras.backend.backend() == "jax"
    codec = zoo.load("conv_lstm_64B")
    img = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    data = codec.compress(img)
    # 4 entropy-coded iterations (noise barely compresses)
    assert all(8 < len(d) <= 8 + 4 * 16 * 1.25 for d in data), [len(d) for d in data]
    assert [len(d) for d in codec.compress(img, num_bytes=64)] == [72, 72]  # filled to the byte
    assert codec.decompress(data).shape == (2, 32, 32, 3)
    searched = codec.replace(search_steps=1).compress(img[0], num_bytes=16)  # jax.value_and_grad
    assert len(searched) - codec.stream_header_size(searched) == 16 and codec.decompress(searched).shape == (32, 32, 3)
    monotone = codec.compress(img, num_bytes=20, monotone=True)  # every cut decoded on JAX
    assert [len(d) - codec.stream_header_size(d) for d in monotone] == [20, 20]
    assert codec.decompress(monotone, strict=True).shape == (2, 32, 32, 3)
    m = compile_for_training(build_model("conv_lstm", width=0.125, iterations=2))
    x = np.zeros((4, 32, 32, 3), "float32")
    m.fit(x, x, epochs=1, verbose=0)
    print("CORE OK", flush=True)


if __name__ == "__main__":
    export_refusal(sys.argv[1])
    core()
