"""Training of the progressive models.

``compile_for_training`` and ``train`` are imported on first use, so that the
command line can register ``train`` without importing Keras, and the
TensorFlow-only pieces (tf.data, tf.distribute) are imported only by the code
paths that need them: training runs under any Keras backend.
"""

__all__ = ["compile_for_training", "train"]


def __getattr__(name):
    if name == "compile_for_training":
        from residual_compression.training.compile import compile_for_training

        return compile_for_training
    if name == "train":
        from residual_compression.training.trainer import train

        return train
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
