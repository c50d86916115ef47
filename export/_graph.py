"""The TensorFlow computations behind the exported signatures (private).

Everything here is plain TensorFlow around the model's own iteration
(:meth:`ProgressiveAutoencoder.encode_iteration` /
:meth:`~ProgressiveAutoencoder.decode_iteration`, the one definition that
``encode`` / ``decode`` loop over too), so the exported graph is the same
closed loop,
plus the pixel scaling of :mod:`residual_compression.scaling` and the bit
packing of :mod:`residual_compression.bitstream`, re-implemented in TF ops
(a graph cannot call numpy). The graphs read and write stream format 1 only
(raw bits, whole iterations); format-2 streams fail the version check.

The iteration loop runs exactly the requested number of iterations (encode)
or the number of iterations in the codes (decode), so work is proportional
to the iterations actually run. Shared-weight models use one
``tf.while_loop`` (one copy of the step in the graph; a TFLite ``WHILE``);
models with distinct weights per iteration unroll their ``K`` stages, each
behind a ``tf.cond(t < n)`` (a TFLite ``IF``).
Per-iteration results go into a fixed ``[N, K, ...]`` buffer (one-hot
accumulation, no TensorArray) that is sliced to the iterations run.

Range checks come twice: ``tf.debugging`` assertions with readable messages
(TensorFlow / SavedModel), and an index-into-a-table guard whose
out-of-range ``gather`` fails in TFLite too, where the converter drops
assertions.
"""

import numpy as np
import tensorflow as tf

from residual_compression import bitstream
from residual_compression.scaling import SCALE

__all__ = []

_POWERS = np.array([128, 64, 32, 16, 8, 4, 2, 1], dtype=np.int32)


class CodecGraph:
    """The TF functions of one codec for one fixed image size.

    Args:
        codec: a :class:`~residual_compression.codec.ProgressiveCodec`.
        max_iterations: ``K``, the most iterations the exported functions run.
        height, width: the (fixed) image size of the exported signatures.
    """

    def __init__(self, codec, max_iterations, height, width):
        self.codec = codec
        self.model = model = codec.model
        self.max_iterations = int(max_iterations)
        self.height, self.width = int(height), int(width)
        self.padded = codec.padded_size(self.height, self.width)
        self.code_shape = tuple(int(d) for d in codec.code_shape(self.height, self.width))
        self.n_bits = int(np.prod(self.code_shape))
        self.bytes_per_iteration = bitstream.bytes_per_iteration(self.code_shape)
        self.enc_state_shapes, self.dec_state_shapes = (
            [tuple(int(d) for d in s) for s in shapes] for shapes in model.state_shapes(*self.padded)
        )
        self.header = bitstream.pack_header(codec.model_id, self.width, self.height)
        self.model_ids = sorted(int(i) for i in codec.compatible_ids)
        self.dtype = tf.as_dtype(model.compute_dtype)
        self.stages = 1 if model.shared else self.max_iterations

    # -- small pieces ----------------------------------------------------------

    def _to_model_space(self, images):
        """uint8 -> float in [-0.9, 0.9], the same float32 ops as ``scaling``."""
        x = tf.cast(images, tf.float32) * np.float32(2 * SCALE / 255.0) - np.float32(SCALE)
        return tf.cast(x, self.dtype)

    def _from_model_space(self, values):
        """Model output -> uint8 levels (int32), rounding half to even like ``np.rint``."""
        levels = (tf.cast(values, tf.float32) + np.float32(SCALE)) * np.float32(255.0 / (2 * SCALE))
        return tf.cast(tf.clip_by_value(tf.round(levels), 0.0, 255.0), tf.int32)

    def _pad(self, images):
        """Edge-pads to the model's block multiple (as the codec does)."""
        ph, pw = self.padded
        if (ph, pw) == (self.height, self.width):
            return images
        rows = np.minimum(np.arange(ph), self.height - 1).astype(np.int32)
        cols = np.minimum(np.arange(pw), self.width - 1).astype(np.int32)
        return tf.gather(tf.gather(images, rows, axis=1), cols, axis=2)

    def _crop(self, images):
        if self.padded == (self.height, self.width):
            return images
        return images[:, :, : self.height, : self.width]

    def _pack(self, code):
        """``(N, h, w, c)`` +-1 code -> ``(N, bytes_per_iteration)`` int32 bytes.

        C-order flattening, MSB-first, +1 -> bit 1, zero padding bits: exactly
        ``np.packbits`` in :func:`bitstream.encode_stream`.
        """
        positive = tf.cast(code >= 0, tf.int32)
        flat = tf.reshape(positive, (-1, self.n_bits))
        pad = 8 * self.bytes_per_iteration - self.n_bits
        if pad:
            flat = tf.pad(flat, [[0, 0], [0, pad]])
        octets = tf.reshape(flat, (-1, self.bytes_per_iteration, 8))
        return tf.reduce_sum(octets * _POWERS, axis=-1)

    def _unpack(self, codes):
        """``(N, T, bytes_per_iteration)`` uint8 -> ``(N, T, h, w, c)`` +-1 floats."""
        c = tf.expand_dims(tf.cast(codes, tf.int32), -1)
        bits = tf.math.floormod(tf.math.floordiv(c, _POWERS), 2)
        n, t = tf.shape(codes)[0], tf.shape(codes)[1]
        bits = tf.reshape(bits, tf.stack([n, t, 8 * self.bytes_per_iteration]))
        bits = bits[:, :, : self.n_bits]
        bits = tf.reshape(bits, tf.concat([tf.stack([n, t]), self.code_shape], axis=0))
        return tf.cast(bits * 2 - 1, self.dtype)

    def _check_shape(self, x, expected, what, batch=True):
        """Runtime check that ``x`` has rank ``len(expected)`` and those sizes.

        ``None`` in ``expected`` is any size. With ``batch`` the first axis
        must be at least 1: an empty batch is refused, because TensorFlow's
        oneDNN convolution fails on it with a misleading message.

        The check reads the runtime shape. The SavedModel bodies take
        shape-relaxed inputs, so nothing is constant-folded from the
        signature's static shape. A loaded signature checks dtypes but not
        shapes, and a wrong-rank image would otherwise reach the oneDNN
        convolution, which aborts the process. Returns ``x`` with its static
        shape set.
        """
        rank = len(expected)
        shape = tf.shape(x, out_type=tf.int32)
        padded = tf.concat([shape, tf.zeros([rank], tf.int32)], axis=0)[:rank]
        ok = tf.equal(tf.rank(x), rank)
        if batch:
            ok = tf.logical_and(ok, padded[0] >= 1)
        for axis, size in enumerate(expected):
            if size is not None:
                ok = tf.logical_and(ok, tf.equal(padded[axis], size))
        names = ["N", "T"]
        dims = ", ".join(names[i] if d is None else str(d) for i, d in enumerate(expected))
        at_least = " with N >= 1" if batch else ""
        check = tf.debugging.Assert(ok, [f"{what} must have shape [{dims}]{at_least}; received shape", shape])
        with tf.control_dependencies([check]):
            x = tf.identity(x)
        return tf.ensure_shape(x, expected)

    def checked_images(self, images):
        return self._check_shape(images, (None, self.height, self.width, 3), "`images` (uint8)")

    def checked_codes(self, codes):
        return self._check_shape(codes, (None, None, self.bytes_per_iteration), "`codes` (uint8)")

    def checked_streams(self, streams):
        return self._check_shape(streams, (None,), "`stream_bytes` (string)")

    def checked_iterations(self, iterations):
        return self._check_shape(iterations, (), "`iterations` (int32 scalar)", batch=False)

    def _check_count(self, count, what):
        """``count`` in [1, K], else an error (assert in TF, gather in TFLite)."""
        k = self.max_iterations
        message = (
            f"{what} must be between 1 and {k} (this model was exported with "
            f"max_iterations={k})"
        )
        checks = [
            tf.debugging.assert_greater_equal(count, 1, message=message),
            tf.debugging.assert_less_equal(count, k, message=message),
        ]
        with tf.control_dependencies(checks):
            # Identity on valid counts; an out-of-range gather fails in TFLite,
            # which strips the assertions above.
            return tf.gather(tf.range(1, k + 1, dtype=tf.int32), count - 1)

    def _zeros(self, batch, shapes):
        return [
            tf.zeros(tf.concat([[batch], tf.constant(s, tf.int32)], axis=0), self.dtype)
            for s in shapes
        ]

    def _loop(self, n_iter, body, loop_vars):
        """Runs ``loop_vars = body(t, *loop_vars)`` for ``t < n_iter``.

        Shared-weight models: one ``tf.while_loop`` (one copy of the step in
        the graph). Distinct-weight models: an unrolled chain of ``tf.cond``,
        one per stage (each stage has its own weights anyway, and TFLite cannot
        freeze variables captured by a ``tf.switch_case`` inside a loop).
        """
        if self.stages == 1:
            out = tf.while_loop(
                lambda t, *_: t < n_iter,
                lambda t, *v: (t + 1, *body(t, *v)),
                (tf.constant(0, tf.int32), *loop_vars),
                maximum_iterations=self.max_iterations,
            )
            return list(out[1:])
        loop_vars = list(loop_vars)
        for t in range(self.max_iterations):
            loop_vars = list(
                tf.cond(
                    t < n_iter,
                    lambda t=t, v=loop_vars: list(body(t, *v)),
                    lambda v=loop_vars: list(v),
                )
            )
        return loop_vars

    def _onehot(self, t, shape_tail):
        hot = tf.one_hot(t, self.max_iterations, dtype=tf.int32)
        return tf.reshape(hot, (1, self.max_iterations) + (1,) * shape_tail)

    # -- the closed loops --------------------------------------------------------

    def encode_codes(self, images, iterations):
        """uint8 ``(N, H, W, 3)`` and int32 scalar -> uint8 ``(N, iterations, B)``."""
        model = self.model
        ph, pw = self.padded
        images = self.checked_images(images)
        n_iter = self._check_count(self.checked_iterations(iterations), "`iterations`")
        x = self._to_model_space(self._pad(images))
        batch = tf.shape(x)[0]
        state_batch = model._state_batch(batch, ph, pw)
        enc_states = self._zeros(state_batch, self.enc_state_shapes)
        dec_states = self._zeros(state_batch, self.dec_state_shapes)
        buffer = tf.zeros(tf.stack([batch, self.max_iterations, self.bytes_per_iteration]), tf.int32)
        n_enc = len(enc_states)

        def body(t, recon, buffer, *states):
            enc, dec = list(states[:n_enc]), list(states[n_enc:])
            bits, recon, enc, dec = model.encode_iteration(t, x, recon, enc, dec, ph, pw)
            packed = self._pack(model._code_from_step(bits, ph, pw))
            buffer = buffer + tf.expand_dims(packed, 1) * self._onehot(t, 1)
            return (recon, buffer, *enc, *dec)

        loop = self._loop(n_iter, body, (tf.zeros_like(x), buffer, *enc_states, *dec_states))
        return tf.cast(loop[1][:, :n_iter], tf.uint8)

    def decode_levels(self, codes):
        """uint8 ``(N, T, B)`` -> int32 levels ``(N, T, H, W, 3)``, every iteration."""
        model = self.model
        ph, pw = self.padded
        codes = self.checked_codes(codes)
        n_iter = self._check_count(tf.shape(codes)[1], "the number of iterations T in `codes`")
        bits = self._unpack(codes)
        batch = tf.shape(codes)[0]
        dec_states = self._zeros(model._state_batch(batch, ph, pw), self.dec_state_shapes)
        recon = tf.zeros(tf.stack([batch, ph, pw, 3]), self.dtype)
        buffer = tf.zeros(tf.stack([batch, self.max_iterations, ph, pw, 3]), tf.int32)

        def body(t, recon, buffer, *dec):
            code = tf.ensure_shape(tf.gather(bits, t, axis=1), (None,) + self.code_shape)
            recon, dec = model.decode_iteration(t, model._code_to_step(code), recon, dec, ph, pw)
            levels = self._from_model_space(recon)
            buffer = buffer + tf.expand_dims(levels, 1) * self._onehot(t, 3)
            return (recon, buffer, *dec)

        loop = self._loop(n_iter, body, (recon, buffer, *dec_states))
        return self._crop(loop[1][:, :n_iter])

    # -- byte strings ------------------------------------------------------------

    def to_strings(self, codes):
        """uint8 ``(N, T, B)`` -> ``(payload, stream)`` tf.string ``(N,)`` each."""
        table = tf.constant([bytes([i]) for i in range(256)])
        flat = tf.reshape(tf.cast(codes, tf.int32), tf.stack([tf.shape(codes)[0], -1]))
        payload = tf.strings.reduce_join(tf.gather(table, flat), axis=-1)
        stream = tf.strings.join([tf.constant(self.header), payload])
        return payload, stream

    def parse_streams(self, streams):
        """tf.string ``(N,)`` streams -> uint8 codes ``(N, T, B)``, with checks.

        The checks mirror :func:`bitstream.decode_stream` for this model and
        image size: header (magic, version, model id, size), whole iterations,
        1..K iterations, zero padding bits; all streams of one call must hold
        the same number of iterations.
        """
        per = self.bytes_per_iteration
        hs = bitstream.HEADER_SIZE
        k = self.max_iterations
        streams = self.checked_streams(streams)
        lengths = tf.strings.length(streams)
        first = lengths[:1]
        checks = [
            tf.debugging.assert_equal(
                lengths, tf.broadcast_to(first, tf.shape(lengths)),
                message="all streams of one `decompress` call must have the same length "
                "(the same number of iterations)",
            ),
            tf.debugging.assert_greater_equal(
                lengths, hs + per,
                message=f"stream too short: a stream is the {hs}-byte header plus 1..{k} "
                f"iterations of {per} bytes",
            ),
            tf.debugging.assert_equal(
                tf.math.floormod(lengths - hs, per), 0,
                message=f"stream truncated mid-iteration: the payload must be a whole number "
                f"of {per}-byte iterations",
            ),
            tf.debugging.assert_less_equal(
                lengths, hs + k * per,
                message=f"stream holds more than {k} iterations, the most this export decodes",
            ),
        ]
        with tf.control_dependencies(checks):
            raw = tf.io.decode_raw(streams, tf.uint8)
        header = tf.cast(raw[:, :hs], tf.int32)
        expected = np.frombuffer(self.header, np.uint8).astype(np.int32)
        fixed = np.array([0, 1, 4, 5, 6, 7])
        model_id = header[:, 2] * 256 + header[:, 3]
        id_ok = tf.reduce_any(model_id[:, None] == tf.constant(self.model_ids, tf.int32)[None], axis=1)
        header_checks = [
            tf.debugging.assert_equal(
                tf.gather(header[:, :2], [0, 1], axis=1),
                tf.broadcast_to(expected[:2], tf.shape(header[:, :2])),
                message=f"not a residual-compression stream of format version "
                f"{bitstream.FORMAT_VERSION} (bad magic or version byte)",
            ),
            tf.debugging.Assert(
                tf.reduce_all(id_ok),
                [f"stream was made by another model; this export decodes model ids {self.model_ids}",
                 model_id],
            ),
            tf.debugging.assert_equal(
                tf.gather(header, fixed[2:], axis=1),
                tf.broadcast_to(expected[fixed[2:]], tf.shape(header[:, 2:6])),
                message=f"stream is not a {self.width}x{self.height} image, the only size "
                "this export decodes",
            ),
        ]
        pad_bits = 8 * per - self.n_bits
        with tf.control_dependencies(header_checks):
            payload = tf.reshape(raw[:, hs:], tf.stack([tf.shape(raw)[0], -1, per]))
        if pad_bits:
            last = tf.cast(payload[:, :, -1], tf.int32)
            with tf.control_dependencies(
                [
                    tf.debugging.assert_equal(
                        tf.math.floormod(last, 2**pad_bits), 0,
                        message="stream is corrupt: nonzero padding bits",
                    )
                ]
            ):
                payload = tf.identity(payload)
        return payload
