"""The progressive codec: images <-> bytes, any budget, any prefix.

A :class:`ProgressiveCodec` wraps one :class:`~residual_compression.models.ProgressiveAutoencoder`
(one model serves every rate) and the bitstream of ``docs/bitstream.md``:

* ``compress(images, num_bytes=...)`` (or ``bpp=``) fills the budget to the
  byte: whole iterations, then part of the next one. Format 2 (the default)
  entropy-codes the bits (:mod:`residual_compression.entropy`), so the same
  bytes hold more iterations; format 1 stores them raw (16 bytes per
  iteration of a 32x32 image for every model).
* ``decompress(data)`` decodes any prefix of a stream: the whole iterations
  and whatever part of the next the bytes determine, with missing bits read
  as 0 ("no information"); decoding the first ``k`` iterations of an
  ``n``-iteration stream gives exactly what encoding with ``k`` iterations
  gives (the prefix property).
* Images of any size and mode are accepted (see :mod:`residual_compression.images`);
  sizes that are not multiples of the model's block are edge-padded and the
  reconstruction is cropped back. Conv models run fully convolutionally;
  fully-connected models tile 8x8 patches.
* Memory is bounded by ``tile_size``: an image larger than ``tile_size**2``
  pixels is processed in tiles (:mod:`residual_compression.tiling`), so a
  6000x4000 photo never has its activations held whole. Decoding overlaps the
  tiles by the decoder's exact context (:meth:`ProgressiveAutoencoder.decoder_context`):
  a tiled decode is the whole-image decode, up to float rounding. Encoding
  overlaps them by ``tile_halo`` pixels: each tile runs the closed loop on its
  core plus halo, so near seams the encoder's view of the reconstruction can
  differ slightly from the decoder's (a small loss of quality, never an invalid
  stream); with ``tile_halo`` at least ``block_size * encoder_context(iterations)``
  pixels the bits are the whole-image encoding's (always so for the FC models).
"""

import numpy as np

from residual_compression import bitstream
from residual_compression import codec_streams
from residual_compression import entropy
from residual_compression import validation
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError
from residual_compression.scaling import from_model_space
from residual_compression.scaling import to_model_space
from residual_compression.tiling import decode_tiled
from residual_compression.tiling import encode_tiled
from residual_compression.tiling import signs
from residual_compression.tiling import to_numpy

__all__ = ["DEFAULT_MAX_PIXELS", "DEFAULT_TILE_HALO", "DEFAULT_TILE_SIZE", "ProgressiveCodec"]

# Largest image (in pixels, after padding) encoded or decoded: 192 MiB as
# uint8 RGB. Larger claims in a stream header are refused before decoding.
DEFAULT_MAX_PIXELS = 8192 * 8192
# Side of the largest square region the model sees in one call (memory bound),
# and the overlap of encoder tiles (quality near tile seams).
DEFAULT_TILE_SIZE = 256
DEFAULT_TILE_HALO = 32


def _padded(n, block):
    return -(-n // block) * block


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
        batch_size: most images per model call; fewer when they would exceed
            ``tile_size**2`` pixels together.
        max_pixels: largest image (after padding) accepted.
        tile_size: images of more than ``tile_size**2`` pixels (after
            padding) are processed in tiles of at most ``tile_size`` x
            ``tile_size`` pixels; this bounds memory.
        tile_halo: pixels of overlap on each side of an encoder tile (rounded
            up to the model's block). The bytes of an image larger than one
            tile depend on ``tile_size`` and ``tile_halo``; decoding does not
            (any codec of the same model decodes them to the same image).
        context_model: the :class:`~residual_compression.entropy.ContextModel`
            format-2 streams are coded with (default: the fitted table for
            this model id, else the uniform model). Decoding uses the one the
            stream names, whatever this is.
        search_steps: encoder effort. 0 (default): the paper's greedy bits.
            ``N``: ``compress`` searches the bits of the whole iterations a
            stream holds for ``N`` gradient steps (:mod:`.code_search`) and
            keeps them where they decode better; images larger than one tile
            and ``quality=`` streams stay greedy. Same decoder and format;
            at ``N = 100`` encoding takes about 0.4 s per thumbnail and iteration.
    """

    # A format-1 header, and the most a format-2 header of a thumbnail takes
    # (read_header(stream).size is the exact size of any stream's header).
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
        tile_size=DEFAULT_TILE_SIZE,
        tile_halo=DEFAULT_TILE_HALO,
        context_model=None,
        search_steps=0,
    ):
        if isinstance(model_id, bool) or not isinstance(model_id, int) or not 0 <= model_id <= 0xFFFF:
            raise ResidualCompressionError(f"`model_id` must be an integer in [0, 65535], received: {model_id!r}")
        self.model = model
        self.model_id = model_id
        self.name = name or model.architecture
        self.trained = bool(trained)
        self.default_num_bytes = default_num_bytes
        self.compatible_ids = frozenset(compatible_ids) | {model_id}
        self.batch_size = validation.positive_int("batch_size", batch_size)
        self.max_pixels = validation.positive_int("max_pixels", max_pixels)
        self.tile_size = validation.positive_int("tile_size", tile_size)
        self.tile_halo = validation.non_negative_int("tile_halo", tile_halo)
        self.search_steps = validation.non_negative_int("search_steps", search_steps)
        if context_model is None:
            context_model = entropy.context_model(model_ids=self.compatible_ids)
        if not isinstance(context_model, entropy.ContextModel):
            raise ResidualCompressionError(
                f"`context_model` must be an entropy.ContextModel or None, received: {context_model!r}"
            )
        self.context_model = context_model
        block = model.block_size
        longest = max(self.encoder_halo(model.iterations), block * model.decoder_context(model.iterations))
        if self.tile_size < 2 * longest + block:
            raise ResidualCompressionError(
                f"`tile_size`={tile_size} leaves no room for a tile: it must be at least "
                f"{2 * longest + block} for {self.name} with tile_halo={tile_halo}"
            )

    @staticmethod
    def stream_header_size(data):
        """The length of ``data``'s header (format 1: 8; format 2: 8 for a thumbnail, more for
        large images); ``len(data) - stream_header_size(data)`` is its header-less size."""
        return bitstream.read_header(data).size

    def replace(self, **changes):
        """A codec of the same model with some constructor arguments changed.

        For example ``codec.replace(tile_size=1024)`` encodes images of up to
        1024x1024 pixels in one piece.
        """
        arguments = dict(
            model_id=self.model_id,
            name=self.name,
            trained=self.trained,
            default_num_bytes=self.default_num_bytes,
            compatible_ids=self.compatible_ids - {self.model_id},
            batch_size=self.batch_size,
            max_pixels=self.max_pixels,
            tile_size=self.tile_size,
            tile_halo=self.tile_halo,
            context_model=self.context_model,
            search_steps=self.search_steps,
        )
        unknown = sorted(set(changes) - set(arguments))
        if unknown:
            raise ResidualCompressionError(f"unknown ProgressiveCodec argument(s): {unknown}")
        arguments.update(changes)
        return type(self)(self.model, **arguments)

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

    def encoder_halo(self, iterations):
        """Pixels of overlap of encoder tiles: ``tile_halo`` rounded up to the
        block, and no more than the encoder's whole context."""
        block = self.model.block_size
        exact = block * self.model.encoder_context(iterations)
        return min(exact, _padded(self.tile_halo, block))

    def is_tiled(self, height, width):
        """Whether an image of this size is processed in tiles."""
        ph, pw = self.padded_size(height, width)
        return ph * pw > self.tile_size**2

    def _images_per_call(self, height, width):
        """Images of this size per model call: ``batch_size``, fewer when
        that many would exceed one tile's area (at least one)."""
        ph, pw = self.padded_size(height, width)
        return max(1, min(self.batch_size, self.tile_size**2 // (ph * pw)))

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
        num_bytes = validation.positive_int("num_bytes", num_bytes)
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
            iterations = validation.positive_int("iterations", iterations)
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
        bits = np.zeros((n, iterations) + self.code_shape(height, width), np.int8)
        if self.is_tiled(height, width):
            for i in range(n):
                encode_tiled(self, images[i], iterations, bits[i])
            return bits
        ph, pw = self.padded_size(height, width)
        step = self._images_per_call(height, width)
        for start in range(0, n, step):
            chunk = images[start : start + step]
            if (ph, pw) != (height, width):
                chunk = np.pad(chunk, ((0, 0), (0, ph - height), (0, pw - width), (0, 0)), mode="edge")
            codes, _ = self.model.encode(to_model_space(chunk), iterations, images=False)
            bits[start : start + len(chunk)] = np.stack([signs(c) for c in codes], axis=1)
        return bits

    def decode(self, bits, height, width, return_all=False):
        """Decodes bits ``(N, T, h, w, c)`` to uint8 images ``(N, H, W, 3)``.

        With ``return_all`` every intermediate reconstruction is returned:
        ``(N, T, H, W, 3)``.
        """
        bits = np.asarray(bits)
        expected = self.code_shape(height, width)
        if bits.ndim != 5 or tuple(bits.shape[2:]) != expected or bits.shape[1] < 1:
            raise ResidualCompressionError(
                f"`bits` must have shape (N, T, {expected[0]}, {expected[1]}, {expected[2]}) "
                f"for a {width}x{height} image, received {bits.shape}"
            )
        n, iterations = bits.shape[:2]
        self._resolve_iterations(None, iterations, height, width)
        shape = (n, iterations, height, width, 3) if return_all else (n, height, width, 3)
        out = np.zeros(shape, np.uint8)
        if self.is_tiled(height, width):
            for i in range(n):
                decode_tiled(self, bits[i], out[i], return_all)
            return out
        step = self._images_per_call(height, width)
        for start in range(0, n, step):
            chunk = np.asarray(bits[start : start + step], np.float32)
            recons = self.model.decode([chunk[:, t] for t in range(iterations)])
            if return_all:
                stacked = np.stack([to_numpy(r) for r in recons], axis=1)
                out[start : start + len(chunk)] = from_model_space(stacked[:, :, :height, :width])
            else:
                out[start : start + len(chunk)] = from_model_space(to_numpy(recons[-1])[:, :height, :width])
        return out

    # -- bytes ----------------------------------------------------------------

    def compress(
        self, images, num_bytes=None, iterations=None, *, bpp=None, format=2, quality=None,
        quality_metric="ssim", block=32, monotone=False,
    ):
        """Compresses one image or a batch.

        ``images``: one image (PIL image, or array (H, W), (H, W, 1|3|4)) or a
        batch (array (N, H, W, 3), or a list of images of any sizes). Alpha is
        dropped; greyscale images (also RGB ones with R = G = B) are flagged
        in format 2 and decode grey.

        Budget, one of:

        * ``num_bytes``: payload bytes per image (the header is extra). The
          payload is exactly ``num_bytes`` long, spending what whole iterations
          leave on part of the next one, or the whole stream when shorter.
        * ``bpp``: bits per pixel, so the budget scales with the image:
          ``max(1, floor(bpp * H * W / 8))`` payload bytes.
        * ``iterations``: that many whole iterations.
        * ``quality``: dynamic bit assignment (paper sec. 3.7): each ``block``
          x ``block`` pixel block gets the fewest iterations whose
          reconstruction reaches ``quality`` (``quality_metric`` "ssim", the
          patch SSIM of sec. 4.2 over the block, which must then be a
          multiple of 8 pixels; or "psnr" in dB), signalled in a block map; the
          decoder shows each block at its own last iteration. Encodes every
          iteration and decodes them once to measure (about twice the time).
          With ``num_bytes`` or ``bpp`` too, pass ``quality="max"``: the
          iterations per block maximise the summed block quality within the
          budget (Lagrangian allocation; the payload is at most the budget,
          unless one iteration of every block already takes more).

        With none, ``default_num_bytes`` per 32x32 of area, filled to the byte like ``num_bytes``.
        ``monotone=True`` (format 2, ``num_bytes`` or ``bpp``): the stream states the best cut of
        its bytes, so quality never falls as the budget grows (one decode per byte; see
        :mod:`residual_compression.monotone_budget`).
        ``format``: 2 (default) entropy-codes the bits (a colour image whose coded budget would hold
        fewer whole iterations than raw bits gets format 1); 1 writes them raw.
        See ``docs/bitstream.md``.

        Returns ``bytes`` for one image, ``list[bytes]`` for a batch.
        """
        return codec_streams.compress(
            self, images, num_bytes, iterations, bpp, format, quality, quality_metric, block, monotone
        )

    def decompress(self, data, iterations=None, *, strict=False):
        """Decodes one stream (``bytes``) or a sequence of streams.

        Any prefix of a stream after its header decodes: to its whole
        iterations plus the bits a partial one determines (missing bits are
        0, "no information"). ``strict=True`` raises instead for a cut stream.
        ``iterations``: decode only the first ``k`` iterations (default: all
        the stream holds). Returns a uint8 ``(H, W, 3)`` array for one stream;
        for a sequence, an ``(N, H, W, 3)`` array when all images have the same
        size, else a list of arrays. Raises :class:`BitstreamError` for any
        bytes that are not a stream of this model.
        """
        return codec_streams.decompress(self, data, iterations, strict)

    def progressive(self, data):
        """Every intermediate reconstruction of one stream: ``(T, H, W, 3)`` uint8."""
        return codec_streams.decompress(self, data, return_all=True)
