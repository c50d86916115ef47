"""Compiled inference: the unrolled encode / decode loops as one backend graph each.

Eager Keras dispatches every operation of every step from Python, which for a
32x32 thumbnail costs far more than the arithmetic. :func:`compile_inference`
turns a Python function of tensors into the backend's compiled form:

* TensorFlow: a ``tf.function`` traced with grappler's remapper off, so the
  graph computes what eager TensorFlow computes, bit for bit (the remapper
  fuses ``MatMul + BiasAdd + tanh`` into a oneDNN kernel whose tanh differs in
  the last bits, which can flip a code bit near 0; the SavedModel export
  does the same). ``reduce_retracing`` keeps one graph per rank and dtype
  rather than one per image size.
* any other backend: the function itself (under JAX, ``jax.jit`` would
  capture the weights as constants at trace time, so a later
  ``load_weights`` would be ignored; the codec runs eagerly there).

The backend is imported only when a function is first called, so the core
stays importable without TensorFlow. Only inference uses this path: training
runs inside ``fit``'s own compiled step.
"""

import contextlib

import keras

__all__ = ["compile_inference", "is_eager_value", "remapper_off"]


@contextlib.contextmanager
def remapper_off():
    """Traces TensorFlow functions with grappler's remapper off (see the module docstring)."""
    import tensorflow as tf

    before = tf.config.optimizer.get_experimental_options().get("remapping")
    tf.config.optimizer.set_experimental_options({"remapping": False})
    try:
        yield
    finally:
        tf.config.optimizer.set_experimental_options({"remapping": True if before is None else before})


class _TFCompiled:
    """A ``tf.function`` whose traces are made with the remapper off."""

    def __init__(self, fn):
        import tensorflow as tf

        self._function = tf.function(fn, autograph=False)
        self._concrete = {}

    def __call__(self, *args):
        import tensorflow as tf

        # One graph per per-example shape: the batch dimension stays dynamic.
        specs = tf.nest.map_structure(
            lambda a: tf.TensorSpec((None,) + tuple(a.shape[1:]), a.dtype), list(args)
        )
        key = tuple((s.shape[1:].as_list(), s.dtype) for s in tf.nest.flatten(specs))
        key = repr(key)
        concrete = self._concrete.get(key)
        if concrete is None:
            with remapper_off():
                concrete = self._function.get_concrete_function(*specs)
            self._concrete[key] = concrete
        return concrete(*args)


def compile_inference(fn):
    """``fn`` (tensors in, a nest of tensors out) compiled for the current backend."""
    if keras.backend.backend() == "tensorflow":
        return _TFCompiled(fn)
    return fn


def is_eager_value(x):
    """True when ``x`` is a concrete value (not a symbolic or traced tensor).

    Compiled inference is used only from eager TensorFlow code: inside a
    ``tf.function`` or a functional model the caller is already compiled.
    """
    if isinstance(x, keras.KerasTensor) or keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return tf.executing_eagerly()
