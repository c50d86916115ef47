"""The progressive codec: images <-> bytes with any prefix of iterations.

A :class:`ProgressiveCodec` wraps one :class:`~residual_compression.models.ProgressiveAutoencoder`
(one model serves every rate) and the bitstream of ``docs/bitstream.md``:

* ``compress(images, num_bytes=...)`` picks the number of iterations that
  fits the budget; for a 32x32 image every model spends exactly 16 bytes per
  iteration, so 64 B is 4 iterations and 128 B is 8.
* ``decompress(data)`` decodes however many whole iterations the bytes hold:
  truncating a stream at an iteration boundary gives a valid lower-rate file,
  and decoding the first ``k`` iterations of an ``n``-iteration stream gives
  exactly what encoding with ``k`` iterations gives (the prefix property).
* Images of any size and mode are accepted (see :mod:`residual_compression.images`);
  sizes that are not multiples of the model's block are edge-padded and the
  reconstruction is cropped back. Conv models run fully convolutionally on the
  whole image; fully-connected models tile 8x8 patches.
"""

import numpy as np

from residual_compression import bitstream
from residual_compression.errors import BitstreamError
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError
from residual_compression.images import to_rgb_uint8
from residual_compression.scaling import from_model_space
from residual_compression.scaling import to_model_space

__all__ = ["DEFAULT_MAX_PIXELS", "ProgressiveCodec"]

# Largest image (in pixels) encoded or decoded in one piece; bounds memory.
DEFAULT_MAX_PIXELS = 4096 * 4096


def _padded(n, block):
    return -(-n // block) * block


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ResidualCompressionError(f"`{name}` must be a positive integer, received: {value!r}")
    return int(value)


class ProgressiveCodec:
    """Compresses images with one progressive model at any number of bytes.

    Args:
        model: a ``ProgressiveAutoencoder`` (trained or not).
        model_id: the id written into every stream's header (the zoo's id).
        name: a human-readable name (the zoo preset name).
        trained: False for models with untrained (random) weights; shown by
            ``info`` and the CLI so nobody mistakes them for a real codec.
        default_num_bytes: budget used when ``compress`` gets neither
            ``num_bytes`` nor ``iterations``, per 32x32 of image area.
        compatible_ids: other model ids whose streams this model decodes
            (presets of the same weights at other budgets).
        batch_size: images per model call.
        max_pixels: largest image (after padding) accepted.
    """

    header_size = bitstream.HEADER_SIZE

    def __init__(
        self,
        model,
        *,
        model_id,
        name=None,
        trained=True,
        default_num_bytes=None,
        compatible_ids=(),
        batch_size=64,
        max_pixels=DEFAULT_MAX_PIXELS,
    ):
        if isinstance(model_id, bool) or not isinstance(model_id, int) or not 0 <= model_id <= 0xFFFF:
            raise ResidualCompressionError(f"`model_id` must be an integer in [0, 65535], received: {model_id!r}")
        self.model = model
        self.model_id = model_id
        self.name = name or model.architecture
        self.trained = bool(trained)
        self.default_num_bytes = default_num_bytes
        self.compatible_ids = frozenset(compatible_ids) | {model_id}
        self.batch_size = _positive_int("batch_size", batch_size)
        self.max_pixels = _positive_int("max_pixels", max_pixels)

    def __repr__(self):
        state = "trained" if self.trained else "UNTRAINED"
        return f"<ProgressiveCodec {self.name} id={self.model_id} {state}>"

    # -- geometry -------------------------------------------------------------

    @property
    def max_iterations(self):
        """Most iterations a stream of this model can hold."""
        return self.model.iterations

    def padded_size(self, height, width):
        """The ``(height, width)`` the model actually sees (block multiple)."""
        block = self.model.block_size
        return _padded(height, block), _padded(width, block)

    def code_shape(self, height, width):
        """Bits ``(h, w, c)`` per iteration for an image of this size."""
        return self.model.code_shape(*self.padded_size(height, width))

    def bytes_per_iteration(self, height=32, width=32):
        """Payload bytes one iteration adds for an image of this size."""
        return bitstream.bytes_per_iteration(self.code_shape(height, width))

    def macs_per_iteration(self, height=32, width=32):
        """Multiply-accumulates of one encode + decode iteration."""
        return self.model.macs_per_iteration(*self.padded_size(height, width))

    def decoder_macs_per_iteration(self, height=32, width=32):
        """Multiply-accumulates of one decode iteration."""
        return self.model.macs_split(*self.padded_size(height, width))[1]

    def iterations_for(self, num_bytes, height=32, width=32):
        """Whole iterations that fit in ``num_bytes`` of payload."""
        num_bytes = _positive_int("num_bytes", num_bytes)
        per = self.bytes_per_iteration(height, width)
        iterations = num_bytes // per
        if iterations < 1:
            raise ResidualCompressionError(
                f"`num_bytes`={num_bytes} is less than one iteration ({per} bytes) "
                f"of {self.name} for a {width}x{height} image"
            )
        if iterations > self.max_iterations:
            raise ResidualCompressionError(
                f"`num_bytes`={num_bytes} needs {iterations} iterations for a "
                f"{width}x{height} image; {self.name} has at most {self.max_iterations} "
                f"({self.max_iterations * per} bytes)"
            )
        return iterations

    def _resolve_iterations(self, num_bytes, iterations, height, width):
        if num_bytes is not None and iterations is not None:
            raise ResidualCompressionError(
                f"pass `num_bytes` or `iterations`, not both (received num_bytes={num_bytes!r}, "
                f"iterations={iterations!r})"
            )
        if iterations is not None:
            iterations = _positive_int("iterations", iterations)
            if iterations > self.max_iterations:
                raise ResidualCompressionError(
                    f"`iterations` must be at most {self.max_iterations} for {self.name}, "
                    f"received: {iterations}"
                )
            return iterations
        if num_bytes is None:
            if self.default_num_bytes is None:
                return self.max_iterations
            per_32 = self.bytes_per_iteration(32, 32)
            return min(self.max_iterations, max(1, self.default_num_bytes // per_32))
        return self.iterations_for(num_bytes, height, width)

    # -- tensors --------------------------------------------------------------

    def _check_area(self, height, width, error):
        ph, pw = self.padded_size(height, width)
        if ph * pw > self.max_pixels:
            raise error(
                f"a {width}x{height} image exceeds this codec's limit of {self.max_pixels} "
                "pixels (max_pixels)"
            )

    def encode(self, images, iterations):
        """Encodes a batch of same-size uint8 images ``(N, H, W, 3)``.

        Returns the bits as an int8 array ``(N, iterations, h, w, c)`` of +-1.
        """
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
            raise ImageInputError(
                "`images` must be a uint8 array of shape (N, H, W, 3), received "
                f"{images.dtype} {images.shape}"
            )
        iterations = self._resolve_iterations(None, iterations, *images.shape[1:3])
        n, height, width, _ = images.shape
        self._check_area(height, width, ImageInputError)
        ph, pw = self.padded_size(height, width)
        if (ph, pw) != (height, width):
            images = np.pad(images, ((0, 0), (0, ph - height), (0, pw - width), (0, 0)), mode="edge")
        out = []
        for start in range(0, n, self.batch_size):
            x = to_model_space(images[start : start + self.batch_size])
            codes, _ = self.model.encode(x, iterations)
            out.append(np.stack([_to_numpy(c) for c in codes], axis=1))
        bits = np.concatenate(out, axis=0) if out else np.zeros((0, iterations) + self.code_shape(height, width))
        return np.where(bits < 0, -1, 1).astype(np.int8)

    def decode(self, bits, height, width, return_all=False):
        """Decodes bits ``(N, T, h, w, c)`` to uint8 images ``(N, H, W, 3)``.

        With ``return_all`` every intermediate reconstruction is returned:
        ``(N, T, H, W, 3)``.
        """
        bits = np.asarray(bits, dtype=np.float32)
        expected = self.code_shape(height, width)
        if bits.ndim != 5 or tuple(bits.shape[2:]) != expected or bits.shape[1] < 1:
            raise ResidualCompressionError(
                f"`bits` must have shape (N, T, {expected[0]}, {expected[1]}, {expected[2]}) "
                f"for a {width}x{height} image, received {bits.shape}"
            )
        self._resolve_iterations(None, bits.shape[1], height, width)
        out = []
        for start in range(0, bits.shape[0], self.batch_size):
            chunk = bits[start : start + self.batch_size]
            recons = self.model.decode([chunk[:, t] for t in range(chunk.shape[1])])
            if return_all:
                stacked = np.stack([_to_numpy(r) for r in recons], axis=1)
                out.append(from_model_space(stacked[:, :, :height, :width]))
            else:
                out.append(from_model_space(_to_numpy(recons[-1])[:, :height, :width]))
        return np.concatenate(out, axis=0)

    # -- bytes ----------------------------------------------------------------

    def compress(self, images, num_bytes=None, iterations=None):
        """Compresses one image or a batch.

        ``images``: one image (PIL image, or array (H, W), (H, W, 1|3|4)) or a
        batch (array (N, H, W, 3), or a list of images of any sizes). Alpha is
        dropped, greyscale and palette images are converted to RGB.
        ``num_bytes``: payload budget per image (the header's 8 bytes are
        extra); the payload is the largest whole number of iterations that
        fits, exactly ``num_bytes`` when it is a multiple of
        :meth:`bytes_per_iteration`. Or give ``iterations`` directly.

        Returns ``bytes`` for one image, ``list[bytes]`` for a batch.
        """
        batch, single = _as_image_list(images)
        streams = [None] * len(batch)
        for (height, width), indices in _group_by_size(batch).items():
            iters = self._resolve_iterations(num_bytes, iterations, height, width)
            bits = self.encode(np.stack([batch[i] for i in indices]), iters)
            for i, b in zip(indices, bits):
                streams[i] = bitstream.encode_stream(self.model_id, width, height, b)
        return streams[0] if single else streams

    def _parse(self, data, iterations):
        def code_shape_fn(height, width):
            self._check_area(height, width, BitstreamError)
            return self.code_shape(height, width)

        header, bits = bitstream.decode_stream(
            data,
            code_shape_fn=code_shape_fn,
            max_iterations=self.max_iterations,
            iterations=iterations,
        )
        if header.model_id not in self.compatible_ids:
            raise BitstreamError(
                f"stream was made by model id {header.model_id}, but this is {self.name} "
                f"(id {self.model_id}); decode it with the model it was made with"
            )
        return header, bits

    def decompress(self, data, iterations=None):
        """Decodes one stream (``bytes``) or a sequence of streams.

        ``iterations``: decode only the first ``k`` iterations (default: all
        the stream holds). Returns a uint8 ``(H, W, 3)`` array for one stream;
        for a sequence, an ``(N, H, W, 3)`` array when all images have the same
        size, else a list of arrays. Raises :class:`BitstreamError` for any
        bytes that are not a valid stream of this model.
        """
        single = isinstance(data, (bytes, bytearray, memoryview))
        streams = [data] if single else list(_as_stream_list(data))
        parsed = [self._parse(s, iterations) for s in streams]
        images = [None] * len(parsed)
        groups = {}
        for i, (header, bits) in enumerate(parsed):
            groups.setdefault((header.height, header.width, bits.shape[0]), []).append(i)
        for (height, width, _), indices in groups.items():
            decoded = self.decode(np.stack([parsed[i][1] for i in indices]), height, width)
            for i, image in zip(indices, decoded):
                images[i] = image
        if single:
            return images[0]
        if images and all(im.shape == images[0].shape for im in images):
            return np.stack(images)
        return images

    def progressive(self, data):
        """Every intermediate reconstruction of one stream: ``(T, H, W, 3)`` uint8."""
        header, bits = self._parse(data, None)
        return self.decode(bits[None], header.height, header.width, return_all=True)[0]


def _to_numpy(tensor):
    from keras import ops

    return np.asarray(ops.convert_to_numpy(tensor))


def _as_image_list(images):
    """Normalises the accepted image inputs to a list of uint8 (H, W, 3)."""
    if isinstance(images, np.ndarray) and images.ndim == 4:
        return [to_rgb_uint8(im, name=f"images[{i}]") for i, im in enumerate(images)], False
    if isinstance(images, (list, tuple)):
        if not images:
            raise ImageInputError("`images` is empty")
        return [to_rgb_uint8(im, name=f"images[{i}]") for i, im in enumerate(images)], False
    return [to_rgb_uint8(images, name="images")], True


def _as_stream_list(data):
    if isinstance(data, str) or not hasattr(data, "__iter__"):
        raise BitstreamError(
            f"`data` must be bytes or a sequence of bytes, received {type(data).__name__}"
        )
    return data


def _group_by_size(images):
    groups = {}
    for i, image in enumerate(images):
        groups.setdefault(image.shape[:2], []).append(i)
    return groups
