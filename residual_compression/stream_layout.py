"""A zoo preset's stream layout without building its model (no Keras import).

The command line answers ``info`` and refuses malformed streams before it
imports a deep-learning framework: for that it needs, per preset,
the block size the images are padded to, the code shape of one iteration and
the most iterations, which follow from the architecture's family and the
preset's config:

* fully-connected families (``fc_*``) code 8x8 patches: ``(H/8, W/8, bits)``;
* convolutional families (``conv_*``) code 4x4 blocks: ``(H/4, W/4, bits)``;
* ``conv_autoencoder`` has exactly one iteration.

A preset whose config leaves ``bits`` or ``iterations`` to the model's
defaults has no layout here; the command line then loads the model.

``tests/test_stream_layout.py`` checks these against the built models of
every preset, so the two cannot drift apart unnoticed.
"""

import dataclasses

from residual_compression import bitstream
from residual_compression.codec import DEFAULT_MAX_PIXELS
from residual_compression.errors import BitstreamError
from residual_compression.errors import ResidualCompressionError

__all__ = ["StreamLayout"]


def _block_size(architecture):
    if architecture.startswith("fc_"):
        return 8
    if architecture.startswith("conv_"):
        return 4
    raise ResidualCompressionError(f"unknown architecture family of {architecture!r}")


@dataclasses.dataclass(frozen=True)
class StreamLayout:
    """Block size, bits per code position and most iterations of one preset."""

    name: str
    block_size: int
    bits: int
    max_iterations: int
    max_pixels: int = DEFAULT_MAX_PIXELS

    @classmethod
    def of(cls, preset):
        """The layout of a ``residual_compression.zoo.Preset``, or None when its
        config leaves ``bits`` or ``iterations`` to the model's defaults."""
        config = preset.config
        iterations = 1 if preset.architecture == "conv_autoencoder" else config.get("iterations")
        if iterations is None or "bits" not in config:
            return None
        return cls(preset.name, _block_size(preset.architecture), config["bits"], iterations)

    @classmethod
    def of_codec(cls, codec):
        """The layout of a loaded ``ProgressiveCodec``."""
        model = codec.model
        return cls(codec.name, model.block_size, model.bits, codec.max_iterations, codec.max_pixels)

    def padded_size(self, height, width):
        """``(height, width)`` rounded up to whole blocks."""
        block = self.block_size
        return -(-height // block) * block, -(-width // block) * block

    def code_shape(self, height, width):
        """Bits ``(h, w, c)`` per iteration for an image of this size."""
        ph, pw = self.padded_size(height, width)
        return ph // self.block_size, pw // self.block_size, self.bits

    def parse(self, data):
        """``(header, bits)`` of a stream, checked as the codec checks it (``BitstreamError``)."""

        def code_shape_fn(height, width):
            ph, pw = self.padded_size(height, width)
            if ph * pw > self.max_pixels:
                raise BitstreamError(
                    f"a {width}x{height} image exceeds the limit of {self.max_pixels} pixels (max_pixels)"
                )
            return self.code_shape(height, width)

        return bitstream.decode_stream(data, code_shape_fn=code_shape_fn, max_iterations=self.max_iterations)
