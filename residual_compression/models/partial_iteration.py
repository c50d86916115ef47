"""Partial-iteration training ("bit dropout"): every byte of a stream helps.

A stream cut inside iteration ``t`` (stream format 2, ``docs/bitstream.md``)
leaves the decoder the first bits of that iteration in coding order; the
bits that did not arrive decode as 0, "no information" between the -1 and +1
the binarizer emits (section 3.2). A model trained on whole iterations only
has never seen a 0, so a few extra bytes can make the picture worse.

In training, :class:`PartialIteration` adds one decoder call per example: a
uniformly chosen iteration ``t`` whose bits are cut after a uniform fraction
of them in coding order, decoded from the decoder state after ``t - 1``
whole iterations. Its reconstruction joins the stacked outputs as one more
entry, so the loss, which averages over the stack, trains it like the
others. The extra call costs one decoder step per training step.

Only models with one shared step and one state row per image (the
convolutional ``conv_lstm`` and ``conv_residual_shared``) take it: the chosen
iteration differs per example, which one step model and per-image states
make a selection instead of a branch.
"""

import keras
import numpy as np
from keras import ops

from residual_compression.models.priming import rerun
from residual_compression.validation import InvalidValueError

__all__ = ["PartialIteration"]


class PartialIteration:
    """The extra partial-iteration output of one training step.

    Args:
        model: a :class:`~residual_compression.models.ProgressiveAutoencoder`
            with ``shared`` steps and one state row per image.
        coding_rank: ``(h, w, C) -> int array`` of each bit's position in
            coding order (:func:`residual_compression.entropy.coding_rank`);
            passed in so that models do not depend on the stream format.
        seed: seed of the choice of iteration and cut.
    """

    def __init__(self, model, coding_rank, seed=None):
        if not model.shared or model._state_batch(2, 2 * model.block_size, 2 * model.block_size) != 2:
            raise InvalidValueError(
                f"partial-iteration training needs a model with one shared step and per-image "
                f"states (conv_lstm, conv_residual_shared), received architecture={model.architecture!r}"
            )
        self.model = model
        self.coding_rank = coding_rank
        self.seed_generator = keras.random.SeedGenerator(seed)

    def __call__(self, trace, height, width):
        """The reconstruction after a partial iteration, ``(B, H, W, 3)``.

        ``trace`` holds, per whole iteration in order, ``(bits, decoder
        states before it, reconstruction before it or None)`` as the
        training loop produced them.
        """
        model = self.model
        n = len(trace)
        bits = [step_bits for step_bits, _, _ in trace]
        batch = ops.shape(bits[0])[0]
        dtype = bits[0].dtype
        choice = ops.one_hot(keras.random.randint((batch,), 0, n, seed=self.seed_generator), n, dtype=dtype)

        def pick(tensors):
            stacked = ops.stack(tensors, axis=1)
            weights = ops.reshape(choice, (batch, n) + (1,) * (len(stacked.shape) - 2))
            return ops.sum(stacked * weights, axis=1)

        rank = np.asarray(self.coding_rank(model.code_shape(height, width)), np.float32)
        fraction = keras.random.uniform((batch, 1, 1, 1), dtype=dtype, seed=self.seed_generator)
        keep = ops.cast(ops.convert_to_tensor(rank[None], dtype) < fraction * float(rank.size), dtype)
        states = [pick([s[i] for _, s, _ in trace]) for i in range(len(trace[0][1]))]
        recons = [recon for _, _, recon in trace]  # None before the first iteration
        before = None if n == 1 else pick([ops.zeros_like(recons[-1]), *recons[1:]])
        cut = pick(bits) * keep
        # t=1: one decoder run; an example whose chosen iteration is the first gets the priming runs below.
        recon, states = model.decode_iteration(1 if model.priming else 0, cut, before, states, height, width, training=True)
        if model.priming:
            primed, _ = rerun(model.decoder_step(0), cut, states, model.priming, training=True)
            first = ops.reshape(choice[:, 0], (batch, 1, 1, 1))
            primed = model._reconstruction(model._from_step(primed, height, width), before)
            recon = first * primed + (1.0 - first) * recon
        return recon
