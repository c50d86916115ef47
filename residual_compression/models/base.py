"""The progressive autoencoder that every architecture of Table 1 specialises.

Section 3.1 of Toderici et al. (2016): copies of a residual autoencoder
``F_t(r_{t-1}) = D_t(B(E_t(r_{t-1})))`` are chained over iterations ``t``.
Each architecture supplies one *encode step* and one *decode step* as Keras
functional models (inputs: the residual or the bits plus the recurrent
states; outputs: the bits or the prediction plus the new states). The same
step models serve training (``call`` unrolls them), the codec and export.

Sign convention: ``r_0 = x`` and ``r_t = x - x_hat_t``, with

* eq. (2), stateless models: stage ``t`` predicts ``r_{t-1}`` and the
  reconstruction is the running sum ``x_hat_t = sum_{s <= t} F_s``;
* eq. (3), LSTM models: stage ``t`` predicts the whole image, ``x_hat_t = F_t``.

The paper writes ``r_t = F_t - r_{t-1}``; we flip the sign so that the
reconstruction is literally the sum of the stage outputs. Only the sign of the
encoder input changes; ``||r_t||`` and the loss are identical.
"""

import keras
from keras import ops

from residual_compression import validation
from residual_compression.errors import ImageInputError
from residual_compression.errors import InvalidValueError
from residual_compression.models.compiled import compile_inference
from residual_compression.models.compiled import is_eager_value
from residual_compression.models.partial_iteration import PartialIteration
from residual_compression.models.priming import prime
from residual_compression.models.priming import rerun

__all__ = ["ProgressiveAutoencoder", "scaled_width"]

_RESERVED = ("name", "trainable", "dtype")


def scaled_width(base, width):
    """``base`` channels scaled by the width multiplier, at least 1."""
    return max(1, int(round(base * width)))


def _as_list(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


class ProgressiveAutoencoder(keras.Model):
    """Base class: unrolls encode/decode step models over iterations.

    Subclasses set the class attributes below and implement
    ``_build_steps()``, ``code_shape()`` and ``state_shapes()``; the
    fully-connected families also override the patch conversions.

    Class attributes:
        architecture: registry name (also the zoo's architecture key).
        recurrent: True for eq. (3) (LSTM, predicts the image), False for eq. (2).
        shared: True when one step model serves every iteration.
        block_size: input height and width must be multiples of this.
        priming: how many extra times the first iteration runs its encoder
            and decoder steps on the same input before its bits and image are
            taken (0 here; ``ConvLSTMCompressor`` takes it as an argument).

    Args:
        bits: bits per code position (conv) or per 8x8 patch (FC) per iteration.
        iterations: number of iterations unrolled in training, and the most a
            code may have. Distinct-weight models have one stage per iteration.
        width: multiplier on every layer width (1.0 is the documented size).
        seed: seed of the binarizer noise.

    ``call(x, training)`` maps scaled images ``(B, H, W, 3)`` in [-0.9, 0.9]
    to the stacked reconstructions ``(B, iterations, H, W, 3)``.
    """

    architecture = None
    recurrent = False
    shared = True
    block_size = 1
    priming = 0  # extra runs of the first iteration's steps; recurrent subclasses take it as an argument

    def __init__(self, bits=2, iterations=16, width=1.0, seed=None, **kwargs):
        kwargs.setdefault("name", self.architecture)
        super().__init__(**{k: v for k, v in kwargs.items() if k in _RESERVED})
        unknown = sorted(set(kwargs) - set(_RESERVED))
        if unknown:
            raise InvalidValueError(
                f"unknown argument(s) for {type(self).__name__}: {unknown}"
            )
        self.bits = validation.positive_int("bits", bits)
        self.iterations = validation.positive_int("iterations", iterations)
        self.width = validation.positive_number("width", width)
        self.seed = seed
        self._encoders, self._decoders = self._build_steps()
        self.built = True  # the step models are functional, so all weights exist

    # -- subclass interface -------------------------------------------------

    def _build_steps(self):
        """Returns ``(encoders, decoders)``: lists of functional step models."""
        raise NotImplementedError

    def code_shape(self, height, width):
        """Shape ``(h, w, c)`` of one iteration's bits for an image size."""
        raise NotImplementedError

    def macs_split(self, height, width):
        """``(encoder, decoder)`` multiply-accumulates of one iteration."""
        raise NotImplementedError

    def macs_per_iteration(self, height, width):
        """Multiply-accumulates of one encode + decode iteration (the encoder
        runs the decoder too, closed loop); ``macs_split`` separates them."""
        return sum(self.macs_split(height, width))

    def state_shapes(self, height, width):
        """Per-example state shapes ``(encoder_states, decoder_states)``."""
        return [], []

    def decoder_context(self, iterations):
        """Code positions of context the decoder needs on each side of a region.

        The reconstruction of the pixels of code positions ``[a, b)`` (in each
        spatial dimension) after ``iterations`` steps depends only on the code
        positions ``[a - k, b + k)``, ``k = decoder_context(iterations)``. The
        codec decodes large images in tiles with this much overlap, which gives
        the same reconstruction as decoding the whole image. Patch-based models
        (no spatial mixing between 8x8 patches) return 0.
        """
        self._iterations_arg(iterations)
        return 0

    def encoder_context(self, iterations):
        """Code positions of image context the codes of a region depend on.

        The codes of code positions ``[a, b)`` after ``iterations``
        closed-loop steps depend only on the image pixels of code positions
        ``[a - k, b + k)``, ``k = encoder_context(iterations)``. For conv
        models ``k`` grows with every iteration (the residual fed to step
        ``t`` depends on the decoder's output, which depends on its
        neighbours' codes); patch-based models return 0.
        """
        self._iterations_arg(iterations)
        return 0

    def _state_batch(self, batch, height, width):
        """Leading dimension of the recurrent states for a batch of images."""
        return batch

    def _to_step(self, images):
        """Image-shaped residual -> encoder step input."""
        return images

    def _from_step(self, outputs, height, width):
        """Decoder step output -> image-shaped tensor."""
        return outputs

    def _code_from_step(self, bits, height, width):
        """Encoder step bits -> ``(B, h, w, c)`` code."""
        return bits

    def _code_to_step(self, code):
        """``(B, h, w, c)`` code -> decoder step input."""
        return code

    # -- steps ----------------------------------------------------------------

    def _check_iteration(self, t):
        t = validation.int_in_range(
            "t", t, 0, self.iterations - 1, what=f"an iteration index in [0, {self.iterations})"
        )
        return 0 if self.shared else t

    def encoder_step(self, t):
        """The functional encoder step model used at iteration ``t`` (0-based)."""
        return self._encoders[self._check_iteration(t)]

    def decoder_step(self, t):
        """The functional decoder step model used at iteration ``t`` (0-based)."""
        return self._decoders[self._check_iteration(t)]

    @property
    def binarizers(self):
        """The binarizer layer of each encoder stage."""
        return [enc.get_layer("binarizer") for enc in self._encoders]

    def bits_per_iteration(self, height, width):
        """Number of bits one iteration spends on an image of this size."""
        h, w, c = self.code_shape(height, width)
        return h * w * c

    def _check_images(self, x):
        shape = tuple(x.shape)
        if len(shape) != 4 or shape[-1] != 3:
            raise ImageInputError(f"`images` must have shape (batch, height, width, 3), received {shape}")
        for name, n in (("height", shape[1]), ("width", shape[2])):
            if n is not None and n % self.block_size:
                raise ImageInputError(f"image {name} must be a multiple of {self.block_size} for "
                                      f"{self.architecture}, received {n} (the codec pads for you)")
        return shape

    def _zeros(self, batch, shapes):
        return [ops.zeros((batch,) + tuple(s), self.compute_dtype) for s in shapes]

    def _iterations_arg(self, iterations):
        return self.iterations if iterations is None else validation.int_in_range("iterations", iterations, 1, self.iterations)

    # -- the unrolled chain -------------------------------------------------

    def encode(self, x, iterations=None, training=False, images=True):
        """Closed-loop encoding of scaled images.

        Returns ``(codes, reconstructions)``: two lists, one entry per
        iteration, of the ``(B, h, w, c)`` bits (+-1) and the ``(B, H, W, 3)``
        reconstruction the decoder will have after that iteration. With
        ``images=False`` compiled inference returns no reconstructions and
        skips what only they need (the last iteration's decoder step).
        """
        x = ops.convert_to_tensor(x, self.compute_dtype)
        self._check_images(x)
        iterations = self._iterations_arg(iterations)
        if not training and is_eager_value(x):
            if not images:
                return list(self._compiled("codes", iterations)(x)), []
            codes, recons = self._compiled("encode", iterations)(x)
            return list(codes), list(recons)
        return self._encode_loop(x, iterations, training)

    def _compiled(self, kind, iterations):
        """The compiled ``_encode_loop`` / ``_decode_loop`` for ``iterations`` (cached)."""
        cache = self.__dict__.setdefault("_compiled_inference", {})
        key = (kind, iterations, keras.config.dtype_policy().name)
        if key not in cache:
            keep = slice(None) if kind == "encode" else 0  # "codes": the graph keeps only what they need
            if kind == "decode":
                cache[key] = compile_inference(lambda *codes: self._decode_loop(list(codes)))
            else:
                cache[key] = compile_inference(lambda x: self._encode_loop(x, iterations, False)[keep])
        return cache[key]

    def _encode_loop(self, x, iterations, training, trace=None, forced=()):  # forced: encode_iteration's, per t
        _, height, width, _ = tuple(x.shape)
        batch = self._state_batch(ops.shape(x)[0], height, width)
        enc_shapes, dec_shapes = self.state_shapes(height, width)
        enc_states, dec_states = self._zeros(batch, enc_shapes), self._zeros(batch, dec_shapes)
        recon = None
        codes, recons = [], []
        for t in range(iterations):
            before = (list(dec_states), recon)
            bits, recon, enc_states, dec_states = self.encode_iteration(
                t, x, recon, enc_states, dec_states, height, width, training, forced[t] if t < len(forced) else None
            )
            if trace is not None:
                trace.append((bits, *before))
            codes.append(self._code_from_step(bits, height, width))
            recons.append(recon)
        return tuple(codes), tuple(recons)

    # -- one iteration: the one definition the loops here and the export share --

    def _step_model(self, steps, t):
        # A shared model takes any t, also a graph tensor (the export's tf.while_loop).
        return steps[0] if self.shared else steps[self._check_iteration(t)]

    def encode_iteration(self, t, x, recon, enc_states, dec_states, height, width, training=False, forced=None):
        """One closed-loop iteration ``t`` (section 3.1).

        The encoder reads the residual ``r_{t-1} = x - x_hat_{t-1}`` (``x``
        itself when ``recon`` is None, before the first iteration), the
        binarizer gives the bits, and :meth:`decode_iteration` the new
        reconstruction. Returns ``(step_bits, recon, enc_states,
        dec_states)``. ``t`` is a Python int, or anything for shared models.
        ``forced`` step bits replace the binarizer's, the encoder still
        updating its states (an encoder that chose its bits by search).
        """
        residual = self._to_step(self._residual(x, recon))
        encoder = self._step_model(self._encoders, t)
        bits, *enc_states = _as_list(encoder([residual, *enc_states], training=training))
        if self.priming:
            bits, enc_states = prime(encoder, residual, t, (bits, enc_states), self.priming, training)
        bits = bits if forced is None else forced
        recon, dec_states = self.decode_iteration(t, bits, recon, dec_states, height, width, training)
        return bits, recon, enc_states, dec_states

    def decode_iteration(self, t, step_bits, recon, dec_states, height, width, training=False):
        """The decoder's half of iteration ``t``: the reconstruction after it,
        by eq. (3) (LSTM models predict the image) or eq. (2) (the others add
        their prediction of the residual to ``recon``), and the new states."""
        decoder = self._step_model(self._decoders, t)
        out, *dec_states = _as_list(decoder([step_bits, *dec_states], training=training))
        if self.priming:
            out, dec_states = prime(decoder, step_bits, t, (out, dec_states), self.priming, training)
        return self._reconstruction(self._from_step(out, height, width), recon), dec_states

    def _residual(self, x, recon):
        """The encoder's input: ``r_{t-1} = x - x_hat_{t-1}`` (``x`` before the first iteration)."""
        return x if recon is None else x - recon

    def _reconstruction(self, out, recon):
        """``x_hat_t`` from the decoder step's image-shaped output: eq. (3) or eq. (2)."""
        return out if (self.recurrent or recon is None) else recon + out

    def decode(self, codes):
        """Decodes a list of per-iteration ``(B, h, w, c)`` codes.

        Returns the list of reconstructions after each iteration.
        """
        codes = [ops.convert_to_tensor(c, self.compute_dtype) for c in codes]
        if not codes:
            raise InvalidValueError("`codes` must hold at least one iteration, received none")
        self._iterations_arg(len(codes))
        if is_eager_value(codes[0]):
            return list(self._compiled("decode", len(codes))(*codes))
        return self._decode_loop(codes)

    def _decode_loop(self, codes):
        h, w, _ = tuple(codes[0].shape)[1:]
        height, width = self._image_size_from_code(h, w)
        batch = self._state_batch(ops.shape(codes[0])[0], height, width)
        _, dec_shapes = self.state_shapes(height, width)
        dec_states = self._zeros(batch, dec_shapes)
        recon = None
        recons = []
        for t, code in enumerate(codes):
            recon, dec_states = self.decode_iteration(t, self._code_to_step(code), recon, dec_states, height, width)
            recons.append(recon)
        return tuple(recons)

    def _image_size_from_code(self, h, w):
        return h * self.block_size, w * self.block_size

    def pre_binarizer_activations(self, x, iterations=None):
        """The tanh activations in [-1, 1] fed to the binarizer at each iteration.

        Diagnostic (backend comparisons, bit-flip margins): runs the same closed
        loop as :meth:`encode` with the deterministic binarizer.
        """
        x = ops.convert_to_tensor(x, self.compute_dtype)
        _, recons = self.encode(x, iterations)
        _, height, width, _ = tuple(x.shape)
        enc_shapes, _ = self.state_shapes(height, width)
        enc_states = self._zeros(self._state_batch(ops.shape(x)[0], height, width), enc_shapes)
        activations, residual = [], self._to_step(self._residual(x, None))
        for t, recon in enumerate(recons):
            enc = self.encoder_step(t)
            binarizer = enc.get_layer("binarizer")
            features = keras.Model(enc.inputs, [binarizer.input] + enc.outputs[1:])
            feat, *enc_states = _as_list(features([residual, *enc_states]))
            if self.priming and t == 0:
                feat, enc_states = rerun(features, residual, enc_states, self.priming, False)
            activations.append(self._code_from_step(binarizer.activations(feat), height, width))
            residual = self._to_step(self._residual(x, recon))
        return activations

    def train_on_partial_iterations(self, coding_rank, seed=None):
        """Adds a partial iteration to every training output (bit dropout).

        From now on ``call(x, training=True)`` returns ``iterations + 1``
        reconstructions: the last is a random iteration cut after a random
        share of its bits in coding order (:mod:`.partial_iteration`), so
        that a stream cut anywhere decodes at least as well as its whole
        iterations. ``coding_rank`` is
        :func:`residual_compression.entropy.coding_rank`. Not part of the
        config: a training choice, not an architecture.
        """
        self.__dict__["_partial_iteration"] = PartialIteration(self, coding_rank, seed)

    def call(self, x, training=None):
        partial = self.__dict__.get("_partial_iteration")
        if not training or partial is None:
            _, recons = self.encode(x, self.iterations, training=bool(training))
            return ops.stack(recons, axis=1)
        x = ops.convert_to_tensor(x, self.compute_dtype)
        self._check_images(x)
        trace = []
        _, recons = self._encode_loop(x, self.iterations, True, trace)
        _, height, width, _ = tuple(x.shape)
        return ops.stack([*recons, partial(trace, height, width)], axis=1)

    def get_config(self):
        config = super().get_config()
        config.update(bits=self.bits, iterations=self.iterations, width=self.width, seed=self.seed)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
