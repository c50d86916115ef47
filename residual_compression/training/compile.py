"""Compile a model for training with the section 4.1 objective."""

import keras

from residual_compression.loss import ResidualL2Loss

__all__ = ["compile_for_training"]


def compile_for_training(model, learning_rate=1e-3, **compile_kwargs):
    """Compiles a ``ProgressiveAutoencoder`` with Adam and the section 4.1 loss.

    The model is then trained with ``model.fit(x, x)`` on scaled images: the
    stochastic binarizer is active only in training mode (``fit``), the
    deterministic one everywhere else.
    """
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ValueError(f"`learning_rate` must be a positive number, received: {learning_rate!r}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss=ResidualL2Loss(), **compile_kwargs
    )
    return model
