"""Compile a model for training: Adam, and a loss of :mod:`residual_compression.loss`."""

import keras

from residual_compression.loss import get_loss
from residual_compression.validation import positive_int
from residual_compression.validation import positive_number

__all__ = ["compile_for_training"]


def compile_for_training(
    model, learning_rate=1e-3, *, loss="l2", decay_steps=None, iteration_weights=None, **compile_kwargs
):
    """Compiles a ``ProgressiveAutoencoder`` with Adam and ``loss``.

    ``loss`` is ``"l2"`` (the paper's residual L2 of section 4.1, the
    default) or ``"ssim_l1"`` (1 - patch SSIM + 0.1 L1). With
    ``decay_steps``, the learning rate follows a cosine decay to 5% of
    ``learning_rate`` over that many steps (what :func:`.trainer.train`
    uses); without, it is constant. ``iteration_weights`` weigh the
    iterations in the loss (:mod:`residual_compression.loss`; None: the
    plain mean). Other keyword arguments go to
    ``model.compile`` (e.g. ``metrics``).

    The model is then trained with ``model.fit(x, x)`` on scaled images: the
    stochastic binarizer is active only in training mode (``fit``), the
    deterministic one everywhere else.
    """
    positive_number("learning_rate", learning_rate)
    schedule = learning_rate
    if decay_steps is not None:
        positive_int("decay_steps", decay_steps)
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=decay_steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=get_loss(loss, iteration_weights),
                  **compile_kwargs)
    return model
