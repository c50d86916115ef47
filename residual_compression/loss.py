"""Training objective of section 4.1."""

import keras
from keras import ops

__all__ = ["ResidualL2Loss"]


@keras.saving.register_keras_serializable(package="residual_compression")
class ResidualL2Loss(keras.losses.Loss):
    """Sum over iterations of the L2 residual, normalised by pixels and iterations.

    Sections 3.1 and 4.1: minimise ``||r_t||_2^2`` for ``t = 1..N`` where
    ``r_t = x - x_hat_t`` (eq. 2 and 3 differ only in how ``x_hat_t`` is
    formed, which the model does). ``y_true`` is the scaled image batch
    ``(B, H, W, 3)`` and ``y_pred`` the stacked reconstructions ``(B, N, H, W, 3)``
    that ``ProgressiveAutoencoder.call`` returns. Per example the loss is

        (1 / (N * H * W * 3)) * sum_t ||x - x_hat_t||^2

    i.e. normalised by the number of pixel values and of iterations.
    """

    def __init__(self, name="residual_l2", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
        if len(y_pred.shape) != 5 or len(y_true.shape) != 4:
            raise ValueError(
                "`y_true` must be (batch, H, W, 3) and `y_pred` (batch, iterations, H, W, 3), "
                f"received {tuple(y_true.shape)} and {tuple(y_pred.shape)}"
            )
        residual = y_pred - ops.expand_dims(y_true, 1)
        return ops.mean(ops.square(residual), axis=(1, 2, 3, 4))

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}
