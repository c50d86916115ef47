"""Hidden-state priming (Johnston et al. 2018, sec. 3.2), the runs it adds.

A primed model runs its first iteration's encoder step and decoder step
``1 + k`` times on the same input, so that the recurrent states are populated
before the first bits and the first image are taken; later iterations run
once. :class:`~residual_compression.models.ConvLSTMCompressor` takes ``k`` as
its ``priming`` argument.
"""

from keras import ops

__all__ = ["prime", "rerun"]


def rerun(step, step_input, states, times, training):
    """``(output, states)`` after ``times`` more runs of the functional ``step``
    model on the same ``step_input``, starting from ``states`` (a recurrent
    step, so its outputs are a list: the output, then the states)."""
    for _ in range(times):
        out, *states = step([step_input, *states], training=training)
    return out, tuple(states)


def prime(step, step_input, t, unprimed, times, training):
    """``rerun(...)`` from ``unprimed = (output, states)`` at the first iteration
    (``t == 0``), else ``unprimed`` itself.

    ``t`` is a Python int in the eager and training loops; the export's
    ``tf.while_loop`` passes a tensor, which takes ``ops.cond``.
    """
    out, states = unprimed
    primed = lambda: rerun(step, step_input, states, times, training)  # noqa: E731
    if isinstance(t, int):
        return primed() if t == 0 else unprimed
    return ops.cond(ops.equal(t, 0), primed, lambda: (out, tuple(states)))
