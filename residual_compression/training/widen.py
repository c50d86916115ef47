"""Function-preserving widening of a trained model (Net2WiderNet).

Chen, Goodfellow and Shlens, "Net2Net: Accelerating learning via knowledge
transfer" (ICLR 2016), section 3.1: a layer with ``n`` units becomes one with
``k n`` by copying every unit ``k`` times, and the next layer divides the
weights it reads from the copies by ``k``, so the wider network computes the
same function. Here the copies are concatenated (new unit ``j`` is old unit
``j mod n``); an LSTM's ``4 n`` gate pre-activations are copied gate by gate
(eq. 8-10: ``[i, f, o, g]`` each become ``[i, i]`` ...), so its hidden and
cell states are copied the same way. Copies that stay equal get equal
gradients and never diverge, so a little noise (``noise`` times each
widened tensor's standard deviation) breaks the symmetry.

This lets a run at ``width=1.0`` start from weights trained at ``0.5``
(``train --init-weights ... --init-width 0.5``) instead of from scratch. It
widens the convolutional families and the fully-connected residual ones; the
fully-connected LSTM's kernel reads ``[bits, h]``, of which only ``h`` widens,
and is refused with an error naming the variable.

Kernels grow the same way in space: a ``k x k`` convolution kernel becomes a
``K x K`` one (``K - k`` even) with the old taps in the centre and zeros
around them, which with "same" padding computes the same function. So
weights trained with 1x1 hidden-state kernels start a run with the 3x3 ones
of Johnston et al. (2018) (``train --init-hidden-kernel-size 1
--hidden-kernel-size 3``). The new taps start at zero and get gradients of
their own, so they need no symmetry-breaking noise and get none.
"""

import warnings

import keras
import numpy as np

from residual_compression.errors import InvalidValueError
from residual_compression.layers._conv_gru_base import ConvGRUBase
from residual_compression.layers._conv_lstm_base import ConvLSTMBase
from residual_compression.layers.lstm_cell import LSTMCell

__all__ = ["warm_start", "widen_weights"]


def _gate_counts(model):
    """``{id(layer): gate blocks of its outputs}`` for the recurrent cells and their
    sublayers (LSTM: 4 throughout; GRU: 3 for the input convolution and the bias,
    2 for ``hidden_conv`` (z, r), 1 for ``candidate_conv``)."""
    counts = {}
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, (ConvLSTMBase, LSTMCell)):
            counts.update({id(sub): 4 for sub in layer._flatten_layers(include_self=True)})
        elif isinstance(layer, ConvGRUBase):
            counts.update({id(layer): 3, id(layer.input_conv): 3, id(layer.hidden_conv): 2, id(layer.candidate_conv): 1})
    return counts


def _roles(model):
    """``{id(variable): (in_axis, out_axis, gates)}`` of every variable of ``model``."""
    counts = _gate_counts(model)
    roles = {}
    for layer in model._flatten_layers(include_self=False):
        own = layer._trainable_variables + layer._non_trainable_variables
        gates = counts.get(id(layer), 1)
        transposed = isinstance(layer, keras.layers.Conv2DTranspose)
        for variable in own:
            if len(variable.shape) == 1:
                roles[id(variable)] = (None, 0, gates)
            elif transposed:
                roles[id(variable)] = (-1, -2, gates)
            else:
                roles[id(variable)] = (-2, -1, gates)
    return roles


def _expand(value, shape, role, path):
    """``value`` grown to ``shape`` (see the module): copied along its input
    and output axes, zero-padded around the centre along the spatial axes of
    a convolution kernel. Returns ``(value, widened)``, ``widened`` telling
    whether a channel axis grew."""
    in_axis, out_axis, gates = role
    in_axis = None if in_axis is None else in_axis % value.ndim
    out_axis %= value.ndim
    widened = False
    for axis, (old, new) in enumerate(zip(value.shape, shape)):
        if old == new:
            continue
        if value.ndim == 4 and axis < 2:  # (kh, kw, ...) of a convolution kernel
            if new < old or (new - old) % 2:
                raise InvalidValueError(
                    f"cannot grow {path}: kernel axis {axis} goes from {old} to {new}, not larger by an even number"
                )
            pad = [(0, 0)] * value.ndim
            pad[axis] = ((new - old) // 2, (new - old) // 2)
            value = np.pad(value, pad)
            continue
        widened = True
        if new % old:
            raise InvalidValueError(
                f"cannot widen {path}: axis {axis} grows from {old} to {new}, not an integer multiple"
            )
        k = new // old
        if axis == in_axis:
            value = np.concatenate([value] * k, axis=axis) / k
        elif axis == out_axis:
            if old % gates:
                raise InvalidValueError(f"cannot widen {path}: {old} outputs do not split into {gates} gates")
            moved = np.moveaxis(value, axis, -1)
            split = moved.reshape(moved.shape[:-1] + (gates, old // gates))
            tiled = np.concatenate([split] * k, axis=-1).reshape(moved.shape[:-1] + (new,))
            value = np.moveaxis(tiled, -1, axis)
        else:
            raise InvalidValueError(f"cannot widen {path}: axis {axis} ({old} -> {new}) is not a channel axis")
    return value, widened


def widen_weights(source, target, noise=0.01, seed=0):
    """Sets ``target``'s weights to a widened (or kernel-grown) copy of ``source``'s.

    Args:
        source: a built model.
        target: a built model of the same architecture and configuration but
            a width whose channel counts are integer multiples of
            ``source``'s, or convolution kernels larger by an even number of
            taps in each spatial dimension (e.g. ``hidden_kernel_size`` 1 ->
            3), or both.
        noise: standard deviation of the symmetry-breaking noise added to
            each widened tensor, relative to that tensor's own (0: exact
            copies, the same function as ``source``).
        seed: seed of the noise.
    """
    if type(source) is not type(target):
        raise InvalidValueError(
            f"`source` and `target` must be the same architecture, received "
            f"{type(source).__name__} and {type(target).__name__}"
        )
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise InvalidValueError(f"`noise` must be a number >= 0, received {noise!r}")
    roles = _roles(target)
    pairs = list(zip(source.weights, target.weights))  # the same order; paths may repeat (encoder, decoder)
    if len(source.weights) != len(target.weights) or any(a.path != b.path for a, b in pairs):
        raise InvalidValueError("`source` and `target` do not have the same variables")
    rng = np.random.default_rng(seed)
    for old, variable in pairs:
        value = keras.ops.convert_to_numpy(old).astype(np.float64)
        shape = tuple(variable.shape)
        if value.shape != shape:
            grown, widened = _expand(value, shape, roles[id(variable)], variable.path)
            if noise and widened:
                grown = grown + rng.normal(0.0, noise * value.std(), grown.shape)
            value = grown
        variable.assign(value.astype(keras.backend.standardize_dtype(variable.dtype)))


def warm_start(model, weights, width, architecture, config, hidden_kernel_size=None):
    """Loads the ``.weights.h5`` file ``weights`` into ``model``; when they were
    trained at another ``width`` or ``hidden_kernel_size`` (None: the same as
    ``config``'s), into a model of ``architecture`` and ``config`` with those
    first, then grown into ``model`` (:func:`widen_weights`). A model with
    ``residual_scaling`` also takes the weights of the same network without
    it: its gain network then starts at ``g = 1``, the same function."""
    changed = {}
    if width is not None and width != config["width"]:
        changed["width"] = width
    if hidden_kernel_size is not None and hidden_kernel_size != config.get("hidden_kernel_size"):
        changed["hidden_kernel_size"] = hidden_kernel_size
    if not changed:
        if not config.get("residual_scaling"):
            model.load_weights(weights)
            return
        try:
            with warnings.catch_warnings():  # Keras warns of each group it misses before it raises
                warnings.simplefilter("ignore")
                model.load_weights(weights)
        except ValueError:  # weights of the same network without the gain network
            _add_residual_scaling(model, weights, architecture, config)
        return
    from residual_compression.models import build_model

    source = build_model(architecture, **{**config, **changed})
    source.load_weights(weights)
    widen_weights(source, model, seed=config.get("seed") or 0)


def _add_residual_scaling(model, weights, architecture, config):
    """Loads unscaled ``weights`` into the step models of the scaled ``model``
    (``models.residual_scaling``: its untrained gain network gives ``g = 1``)."""
    from residual_compression.models import build_model

    source = build_model(architecture, **{**config, "residual_scaling": False})
    source.load_weights(weights)
    for old, new in zip(source._encoders + source._decoders, model._encoders + model._decoders):
        new.set_weights(old.get_weights())
    gain = model._gain.get_layer("log_gain")
    gain.set_weights([np.zeros_like(w) for w in gain.get_weights()])
