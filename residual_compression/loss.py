"""Training objectives: the paper's L2 residual (section 4.1) and a patch-SSIM + L1 mix.

Both take ``y_true``, the scaled image batch ``(B, H, W, 3)`` in [-0.9, 0.9],
and ``y_pred``, the stacked reconstructions ``(B, N, H, W, 3)`` after each of
the ``N`` iterations (what ``ProgressiveAutoencoder.call`` returns), and
average over the iterations, so every prefix of the code is trained.

``iteration_weights`` (both losses) makes that average weighted: one
non-negative weight per iteration ``1..T``, to favour the prefixes a
deployment serves (e.g. 64 and 128 B); a partial-iteration output (the
``T + 1``-th entry that ``train_on_partial_iterations`` adds) weighs 1. The
weights are normalised to sum 1, so ``None`` and all-equal weights give the
paper's plain mean.
"""

import keras
from keras import ops

from residual_compression import validation
from residual_compression.errors import InvalidValueError
from residual_compression.scaling import SCALE

__all__ = ["LOSSES", "PatchSSIML1Loss", "ResidualL2Loss", "get_loss"]

# Patch SSIM of section 4.2 (evaluation/metrics.py), on 0..255 levels.
_PATCH = 8
_C1 = (0.01 * 255.0) ** 2
_C2 = (0.03 * 255.0) ** 2


def _check_shapes(y_true, y_pred):
    if len(y_pred.shape) != 5 or len(y_true.shape) != 4:
        raise InvalidValueError(
            "`y_true` must be (batch, H, W, 3) and `y_pred` (batch, iterations, H, W, 3), "
            f"received {tuple(y_true.shape)} and {tuple(y_pred.shape)}"
        )


def _iteration_weights(weights):
    """``iteration_weights`` checked: None, or a tuple of non-negative floats, not all 0."""
    if weights is None:
        return None
    if isinstance(weights, str) or not hasattr(weights, "__len__") or not len(weights):
        raise InvalidValueError(f"`iteration_weights` must be a non-empty sequence of numbers, received: {weights!r}")
    weights = tuple(float(validation.non_negative_number("iteration_weights", w)) for w in weights)
    if not sum(weights):
        raise InvalidValueError(f"`iteration_weights` must not all be 0, received: {weights!r}")
    return weights


def _over_iterations(per_iteration, weights):
    """Per example, the (weighted) mean of ``(B, N)`` per-iteration losses."""
    if weights is None:
        return ops.mean(per_iteration, axis=1)
    n = per_iteration.shape[1]
    if n not in (len(weights), len(weights) + 1):
        raise InvalidValueError(
            f"`iteration_weights` has {len(weights)} entries but the model gives {n} outputs "
            f"(its iterations, plus 1 with partial iterations)"
        )
    w = ops.convert_to_tensor(weights + (1.0,) * (n - len(weights)), per_iteration.dtype)
    return ops.sum(per_iteration * w, axis=1) / ops.sum(w)


@keras.saving.register_keras_serializable(package="residual_compression")
class ResidualL2Loss(keras.losses.Loss):
    """Sum over iterations of the L2 residual, normalised by pixels and iterations.

    Sections 3.1 and 4.1: minimise ``||r_t||_2^2`` for ``t = 1..N`` where
    ``r_t = x - x_hat_t`` (eq. 2 and 3 differ only in how ``x_hat_t`` is
    formed, which the model does). Per example the loss is

        (1 / (N * H * W * 3)) * sum_t ||x - x_hat_t||^2

    i.e. normalised by the number of pixel values and of iterations.
    """

    def __init__(self, iteration_weights=None, name="residual_l2", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.iteration_weights = _iteration_weights(iteration_weights)

    def call(self, y_true, y_pred):
        y_pred = ops.cast(y_pred, "float32")
        y_true = ops.convert_to_tensor(y_true, dtype="float32")
        _check_shapes(y_true, y_pred)
        residual = y_pred - ops.expand_dims(y_true, 1)
        return _over_iterations(ops.mean(ops.square(residual), axis=(2, 3, 4)), self.iteration_weights)

    def get_config(self):
        return {"iteration_weights": self.iteration_weights, "name": self.name, "reduction": self.reduction}


def patch_ssim_map(a, b):
    """Differentiable patch SSIM of section 4.2 on 0..255 levels.

    ``a`` and ``b`` are ``(M, H, W, C)`` float tensors of levels with ``H``
    and ``W`` multiples of 8. Returns ``(M, H/8, W/8, C)``: the SSIM of each
    non-overlapping 8x8 patch and channel, from its 64 pixels without a
    window and with the unbiased variance, exactly as
    ``evaluation.metrics.patch_ssim`` (whose mean this is):
    ``(2 mu_a mu_b + C1)(2 cov + C2) / ((mu_a^2 + mu_b^2 + C1)(var_a + var_b + C2))``.
    """
    h, w, c = tuple(a.shape)[-3:]
    if h % _PATCH or w % _PATCH:
        raise InvalidValueError(f"image height and width of `a` and `b` must be multiples of 8, received {h}x{w}")
    new = (-1, h // _PATCH, _PATCH, w // _PATCH, _PATCH, c)

    def stats(x, y):
        return ops.mean(ops.reshape(x * y, new), axis=(2, 4))

    n = _PATCH * _PATCH
    mu_a, mu_b = stats(a, 1.0), stats(b, 1.0)
    var_a = (stats(a, a) - mu_a * mu_a) * (n / (n - 1))
    var_b = (stats(b, b) - mu_b * mu_b) * (n / (n - 1))
    cov = (stats(a, b) - mu_a * mu_b) * (n / (n - 1))
    return ((2 * mu_a * mu_b + _C1) * (2 * cov + _C2)) / (
        (mu_a * mu_a + mu_b * mu_b + _C1) * (var_a + var_b + _C2)
    )


@keras.saving.register_keras_serializable(package="residual_compression")
class PatchSSIML1Loss(keras.losses.Loss):
    """``(1 - patch SSIM) + l1_weight * L1``, averaged over iterations.

    The evaluation metric of section 4.2 made a training objective, as the
    follow-up work does for SSIM-judged quality (Johnston et al. 2018 weight
    the pixel loss by SSIM; Zhao et al. 2017 found SSIM/MS-SSIM + L1 mixes
    train better than L2 for perceptual quality). Per example::

        (1 / N) sum_t [ 1 - SSIM_8x8(x, x_hat_t) + l1_weight * mean |x - x_hat_t| / (2 * 0.9) ]

    SSIM is computed on 0..255 levels (the metric's constants); the L1 term
    on [0, 1] so that both terms have comparable scale. The L1 term keeps
    flat patches (where SSIM saturates) and colour right.

    Args:
        l1_weight: weight of the L1 term (0.1 by default).
        iteration_weights: see the module docstring.
    """

    def __init__(
        self, l1_weight=0.1, iteration_weights=None, name="patch_ssim_l1", reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.l1_weight = float(validation.non_negative_number("l1_weight", l1_weight))
        self.iteration_weights = _iteration_weights(iteration_weights)

    def call(self, y_true, y_pred):
        y_pred = ops.cast(y_pred, "float32")
        y_true = ops.convert_to_tensor(y_true, dtype="float32")
        _check_shapes(y_true, y_pred)
        to_levels = 255.0 / (2 * SCALE)
        target = ops.expand_dims(y_true, 1)
        iterations, image_shape = y_pred.shape[1], tuple(y_pred.shape[2:])
        flat_pred = ops.reshape(ops.clip(y_pred, -SCALE, SCALE), (-1,) + image_shape)
        flat_true = ops.reshape(ops.repeat(target, iterations, axis=1), (-1,) + image_shape)
        ssim = patch_ssim_map((flat_true + SCALE) * to_levels, (flat_pred + SCALE) * to_levels)
        loss = 1.0 - ops.mean(ops.reshape(ssim, (ops.shape(y_pred)[0], iterations, -1)), axis=2)
        if self.l1_weight:
            loss = loss + self.l1_weight * ops.mean(ops.abs(y_pred - target), axis=(2, 3, 4)) / (2 * SCALE)
        return _over_iterations(loss, self.iteration_weights)

    def get_config(self):
        return {
            "l1_weight": self.l1_weight, "iteration_weights": self.iteration_weights,
            "name": self.name, "reduction": self.reduction,
        }


LOSSES = {"l2": ResidualL2Loss, "ssim_l1": PatchSSIML1Loss}


def get_loss(name, iteration_weights=None):
    """The loss registered under ``name`` (``"l2"``: the paper's; ``"ssim_l1"``)."""
    return LOSSES[validation.one_of("loss", name, sorted(LOSSES))](iteration_weights=iteration_weights)
