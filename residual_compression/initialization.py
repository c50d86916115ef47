"""Backend-independent deterministic weights for untrained models.

Keras initializers draw from the backend's own random generator, so the same
seed gives different weights under TensorFlow and JAX. A codec whose decoder
must rebuild the encoder's exact weights (untrained presets, tests) uses
:func:`reinitialize` instead: every kernel gets Glorot-uniform values from a
numpy generator, biases and gate offsets keep their deterministic
initializers.
"""

import numpy as np

__all__ = ["reinitialize"]


def _fans(shape):
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return receptive * shape[-2], receptive * shape[-1]


def reinitialize(model, seed=0):
    """Overwrites every kernel of ``model`` with seeded Glorot-uniform values.

    The result depends only on ``seed`` and the architecture, not on the
    Keras backend. Returns ``model``.
    """
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        shape = tuple(variable.shape)
        if len(shape) < 2:
            continue
        fan_in, fan_out = _fans(shape)
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        variable.assign(rng.uniform(-limit, limit, size=shape).astype(np.float32))
    return model
