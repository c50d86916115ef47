"""The LSTM gate arithmetic shared by every cell (private), eq. (8)-(10)."""

from keras import ops

__all__ = []


def lstm_gates(z, c_prev):
    """Applies eq. (8)-(10) to the pre-activations ``z = T_4n(...)``.

    ``z`` holds the gates in the order (i, f, o, g) along its last axis.
    Returns ``(h_t, c_t)``.
    """
    i, f, o, g = ops.split(z, 4, axis=-1)
    c = ops.sigmoid(f) * c_prev + ops.sigmoid(i) * ops.tanh(g)
    h = ops.sigmoid(o) * ops.tanh(c)
    return h, c


def gate_bias_initializer(units, unit_forget_bias):
    """Bias initializer for the 4*units gates: ones on the forget gate if asked."""

    def initializer(shape, dtype=None):
        parts = [ops.zeros((units,)), ops.ones((units,)) if unit_forget_bias else ops.zeros((units,)), ops.zeros((2 * units,))]
        return ops.cast(ops.concatenate(parts), dtype or "float32")

    return initializer
