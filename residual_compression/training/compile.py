"""Compile a model for training with the section 4.1 objective."""

import keras

from residual_compression.loss import ResidualL2Loss
from residual_compression.validation import positive_number

__all__ = ["compile_for_training"]


def compile_for_training(model, learning_rate=1e-3, **compile_kwargs):
    """Compiles a ``ProgressiveAutoencoder`` with Adam and the section 4.1 loss.

    The model is then trained with ``model.fit(x, x)`` on scaled images: the
    stochastic binarizer is active only in training mode (``fit``), the
    deterministic one everywhere else.
    """
    positive_number("learning_rate", learning_rate)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss=ResidualL2Loss(), **compile_kwargs
    )
    return model
