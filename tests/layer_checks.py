"""A shared test helper for Keras 3 layers, after keras-hub's ``run_layer_test``.

``check_layer(layer_factory, inputs, states=...)`` puts one layer through the
checks every layer of the package must pass:

1. it builds on ``inputs`` (and ``states`` for the explicitly stepped cells);
2. ``get_config`` is JSON-serialisable and ``from_config`` gives a layer with
   an equal config and, once the weights are copied, identical outputs;
3. ``keras.saving.serialize_keras_object`` / ``deserialize_keras_object``
   round trip, likewise;
4. a ``.keras`` save / ``keras.models.load_model`` round trip of a small
   functional model around the layer (the states are extra model inputs)
   gives identical outputs, and the symbolic output shapes match the eager
   ones;
5. eager and compiled calls agree (``tf.function(jit_compile=False)`` under
   TensorFlow, ``jax.jit`` of ``stateless_call`` under JAX);
6. gradients of a random projection of the outputs reach every trainable
   weight and every floating input: not ``None``, finite, not all zero. A
   layer whose ``call`` takes ``training`` is differentiated with
   ``training=True`` (e.g. the binarizer's straight-through estimator); every
   other check runs it with ``training=False`` so that it is deterministic.

Calls are ``layer(inputs, **call_kwargs)``, or ``layer(inputs, states,
**call_kwargs)`` when ``states`` is given.
"""

import inspect
import json
import pathlib
import tempfile

import keras
import numpy as np
from keras import ops

__all__ = ["check_layer", "rand", "randomize_weights", "to_numpy", "value_and_input_grads"]


# ------------------------------------------------------------------ utilities
def _numpy(t):
    if isinstance(t, keras.Variable):
        t = t.value
    return np.asarray(ops.convert_to_numpy(t))


def rand(*shape, seed=0, low=-1.0, high=1.0):
    """A float32 array of ``shape``, uniform in ``[low, high)``."""
    return np.random.default_rng(seed).uniform(low, high, shape).astype("float32")


def randomize_weights(layer, seed=1, scale=0.5):
    """Every weight of ``layer`` redrawn from a normal of std ``scale``."""
    rng = np.random.default_rng(seed)
    for w in layer.weights:
        w.assign(rng.normal(scale=scale, size=tuple(w.shape)).astype("float32"))


def to_numpy(x):
    """A backend tensor or Keras variable (or nested structure of them) as numpy."""
    return keras.tree.map_structure(_numpy, x)


def _flat(outputs):
    return [_numpy(t) for t in keras.tree.flatten(outputs)]


def _to_tensors(x):
    return keras.tree.map_structure(ops.convert_to_tensor, x)


def _takes_training(layer):
    return "training" in inspect.signature(layer.call).parameters


def _call(layer, inputs, states, kwargs):
    if states is None:
        return layer(inputs, **kwargs)
    return layer(inputs, states, **kwargs)


def _assert_same(actual, expected, what, atol=0.0):
    actual, expected = _flat(actual), _flat(expected)
    assert len(actual) == len(expected), f"{what}: {len(actual)} outputs, expected {len(expected)}"
    for k, (a, e) in enumerate(zip(actual, expected)):
        assert a.shape == e.shape, f"{what}: output {k} has shape {a.shape}, expected {e.shape}"
        if atol == 0.0:
            np.testing.assert_array_equal(a, e, err_msg=f"{what}: output {k} differs")
        else:
            np.testing.assert_allclose(a, e, rtol=0, atol=atol, err_msg=f"{what}: output {k} differs")


def _clone_with_weights(clone, layer, inputs, states, kwargs):
    _call(clone, inputs, states, kwargs)  # builds it
    assert len(clone.weights) == len(layer.weights), (
        f"clone has {len(clone.weights)} weights, the original {len(layer.weights)}"
    )
    for w_clone, w in zip(clone.weights, layer.weights):
        assert tuple(w_clone.shape) == tuple(w.shape), f"weight {w.path}: shape differs in clone"
    for w_clone, w in zip(clone.weights, layer.weights):
        w_clone.assign(w.value)
    return clone


# ------------------------------------------------------- backend-specific code
def _compiled_call(layer, inputs, states, kwargs):
    """Calls ``layer`` through the backend's graph compiler."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        fn = tf.function(lambda x, s: _call(layer, x, s, kwargs), jit_compile=False)
        return fn(inputs, states)
    if backend == "jax":
        import jax

        def fn(trainable, non_trainable, x, s):
            args = (x,) if s is None else (x, s)
            outputs, _ = layer.stateless_call(trainable, non_trainable, *args, **kwargs)
            return outputs

        trainable = [v.value for v in layer.trainable_variables]
        non_trainable = [v.value for v in layer.non_trainable_variables]
        return jax.jit(fn)(trainable, non_trainable, inputs, states)
    raise NotImplementedError(f"check_layer has no compiled path for the {backend!r} backend")


def value_and_input_grads(fn, weights, tensors):
    """Evaluates scalar ``fn(*tensors)`` and its gradients.

    Returns ``(value, weight_grads, tensor_grads)`` where ``weights`` are Keras
    variables read by ``fn`` and ``tensors`` are its tensor arguments.
    Under JAX the weights are mapped through ``keras.StatelessScope`` and the
    computation is jitted, so ``fn`` may be any traceable Keras computation
    (stateful updates inside it, e.g. of a seed generator, are dropped).
    """
    backend = keras.backend.backend()
    tensors = [ops.convert_to_tensor(t) for t in tensors]
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape(persistent=True) as tape:
            for t in tensors:
                tape.watch(t)
            value = fn(*tensors)
        weight_grads = tape.gradient(value, [w.value for w in weights]) if weights else []
        tensor_grads = tape.gradient(value, tensors) if tensors else []
        del tape
        return value, list(weight_grads), list(tensor_grads)
    if backend == "jax":
        import jax

        def pure(weight_values, tensor_values):
            mapping = list(zip(weights, weight_values))
            with keras.StatelessScope(state_mapping=mapping):
                return fn(*tensor_values)

        # Jitted: op-by-op differentiation would compile every primitive separately.
        value, (weight_grads, tensor_grads) = jax.jit(jax.value_and_grad(pure, argnums=(0, 1)))(
            [w.value for w in weights], tensors
        )
        return value, list(weight_grads), list(tensor_grads)
    raise NotImplementedError(f"check_layer has no gradient path for the {backend!r} backend")


def _check_gradients(layer, inputs, states, kwargs, seed):
    flat_in = keras.tree.flatten(inputs if states is None else [inputs, states])
    is_float = [np.issubdtype(_numpy(t).dtype, np.floating) for t in flat_in]
    float_in = [t for t, f in zip(flat_in, is_float) if f]
    rng = np.random.default_rng(seed)
    probe = [rng.normal(size=o.shape).astype("float32") for o in _flat(_call(layer, inputs, states, kwargs))]

    def loss(*tensors):
        it = iter(tensors)
        flat = [next(it) if f else t for t, f in zip(flat_in, is_float)]
        if states is None:
            x, s = keras.tree.pack_sequence_as(inputs, flat), None
        else:
            x, s = keras.tree.pack_sequence_as([inputs, states], flat)
        outs = keras.tree.flatten(_call(layer, x, s, kwargs))
        return sum(ops.sum(ops.cast(o, "float32") * p) for o, p in zip(outs, probe))

    weights = list(layer.trainable_variables)
    _, weight_grads, input_grads = value_and_input_grads(loss, weights, float_in)
    for w, g in zip(weights, weight_grads):
        assert g is not None, f"no gradient reaches weight {w.path}"
        g = _numpy(g)
        assert g.shape == tuple(w.shape), f"gradient of {w.path} has shape {g.shape}"
        assert np.all(np.isfinite(g)), f"gradient of {w.path} is not finite"
        assert np.any(g != 0), f"gradient of {w.path} is all zero"
    for k, g in enumerate(input_grads):
        assert g is not None, f"no gradient reaches input {k}"
        g = _numpy(g)
        assert np.all(np.isfinite(g)), f"gradient of input {k} is not finite"
        assert np.any(g != 0), f"gradient of input {k} is all zero"


# ---------------------------------------------------------------- the helper
def _functional_model(layer, inputs, states, kwargs):
    def spec(t):
        t = ops.convert_to_tensor(t)
        return keras.Input(shape=tuple(t.shape)[1:], dtype=str(keras.backend.standardize_dtype(t.dtype)))

    x_in = keras.tree.map_structure(spec, inputs)
    s_in = None if states is None else keras.tree.map_structure(spec, states)
    outputs = keras.tree.flatten(_call(layer, x_in, s_in, kwargs))
    model_inputs = keras.tree.flatten(x_in) + ([] if s_in is None else keras.tree.flatten(s_in))
    model = keras.Model(model_inputs, outputs)
    feed = keras.tree.flatten(inputs) + ([] if states is None else keras.tree.flatten(states))
    return model, outputs, feed


def check_layer(
    layer_factory,
    inputs,
    *,
    states=None,
    call_kwargs=None,
    expected_output_shape=None,
    expected_num_trainable_weights=None,
    tmp_path=None,
    compile_atol=1e-5,
    check_gradients=True,
    seed=0,
):
    """Runs the common layer checks (see the module docstring); returns the layer.

    Args:
        layer_factory: zero-argument callable returning a fresh, unbuilt layer.
        inputs: numpy array (or nested structure) of the first call argument.
        states: optional structure passed as the second call argument.
        call_kwargs: extra keyword arguments of every call (``training`` is
            set by the helper when the layer's ``call`` accepts it).
        expected_output_shape: shape of the first flattened output, if given.
        expected_num_trainable_weights: checked if given.
        tmp_path: folder for the ``.keras`` file (a temporary one if ``None``).
        compile_atol: tolerance of the eager vs compiled comparison.
        check_gradients: run the gradient check.
        seed: seed of the random output projection used for gradients.
    """
    call_kwargs = dict(call_kwargs or {})
    infer_kwargs, train_kwargs = dict(call_kwargs), dict(call_kwargs)
    inputs = _to_tensors(inputs)
    states = None if states is None else _to_tensors(states)

    # 1. build
    layer = layer_factory()
    assert not layer.built, "layer_factory must return an unbuilt layer"
    if _takes_training(layer):
        infer_kwargs["training"] = False
        train_kwargs["training"] = True
    outputs = _call(layer, inputs, states, infer_kwargs)
    assert layer.built, "layer is not built after its first call"
    flat = _flat(outputs)
    for k, o in enumerate(flat):
        assert np.all(np.isfinite(o)), f"output {k} is not finite"
    if expected_output_shape is not None:
        assert flat[0].shape == tuple(expected_output_shape), (
            f"output shape {flat[0].shape}, expected {tuple(expected_output_shape)}"
        )
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, (
            f"{len(layer.trainable_weights)} trainable weights, "
            f"expected {expected_num_trainable_weights}"
        )
    _assert_same(_call(layer, inputs, states, infer_kwargs), outputs, "second call")

    # 2. get_config / from_config
    config = layer.get_config()
    json.dumps(config)
    clone = type(layer).from_config(config)
    assert clone.get_config() == config, "from_config(get_config()) changes the config"
    _clone_with_weights(clone, layer, inputs, states, infer_kwargs)
    _assert_same(_call(clone, inputs, states, infer_kwargs), outputs, "from_config clone")

    # 3. serialize_keras_object / deserialize_keras_object
    serialized = keras.saving.serialize_keras_object(layer)
    json.dumps(serialized)
    revived = keras.saving.deserialize_keras_object(json.loads(json.dumps(serialized)))
    assert type(revived) is type(layer), f"deserialized to {type(revived)}"
    assert revived.get_config() == config, "deserialization changes the config"
    _clone_with_weights(revived, layer, inputs, states, infer_kwargs)
    _assert_same(_call(revived, inputs, states, infer_kwargs), outputs, "deserialized layer")

    # 4. .keras round trip of a functional model around the layer
    model, symbolic, feed = _functional_model(layer, inputs, states, infer_kwargs)
    for k, (sym, o) in enumerate(zip(symbolic, flat)):
        assert tuple(sym.shape)[1:] == o.shape[1:], (
            f"symbolic output {k} has shape {tuple(sym.shape)}, eager {o.shape}"
        )
    model_out = model(feed, training=False)
    _assert_same(model_out, outputs, "functional model", atol=compile_atol)
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp_path if tmp_path is not None else tmp) / "layer_check.keras"
        model.save(path)
        loaded = keras.models.load_model(path)
    inner = [l for l in loaded.layers if type(l) is type(layer)]
    assert len(inner) == 1, f"loaded model holds {len(inner)} layers of type {type(layer).__name__}"
    assert inner[0].get_config() == config, "saving changes the config"
    for w_new, w in zip(inner[0].weights, layer.weights):
        np.testing.assert_array_equal(to_numpy(w_new), to_numpy(w), err_msg=f"weight {w.path}")
    _assert_same(loaded(feed, training=False), model_out, ".keras round trip")

    # 5. eager vs compiled
    _assert_same(
        _compiled_call(layer, inputs, states, infer_kwargs), outputs, "compiled call", atol=compile_atol
    )
    if train_kwargs != infer_kwargs:  # stochastic in training: shapes and values only
        eager_t = _flat(_call(layer, inputs, states, train_kwargs))
        compiled_t = _flat(_compiled_call(layer, inputs, states, train_kwargs))
        for k, (e, c) in enumerate(zip(eager_t, compiled_t)):
            assert e.shape == c.shape, f"training output {k}: compiled shape {c.shape}, eager {e.shape}"
            assert np.all(np.isfinite(c)), f"compiled training output {k} is not finite"

    # 6. gradients
    if check_gradients:
        _check_gradients(layer, inputs, states, train_kwargs, seed)
    return layer
