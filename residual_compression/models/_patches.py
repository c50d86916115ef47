"""8x8 patch tiling shared by the fully-connected families (private)."""

from keras import ops

__all__ = []

PATCH = 8


class PatchTiling:
    """Mixin: the step models see flat 8x8x3 patches, the chain sees images.

    An image ``(B, H, W, 3)`` becomes ``(B * H/8 * W/8, 192)`` patch rows (row
    major over the patch grid); codes are ``(B, H/8, W/8, bits)``.
    """

    block_size = PATCH

    def _state_batch(self, batch, height, width):
        return batch * (height // PATCH) * (width // PATCH)

    def _to_step(self, images):
        _, height, width, _ = tuple(images.shape)
        nh, nw = height // PATCH, width // PATCH
        x = ops.reshape(images, (-1, nh, PATCH, nw, PATCH, 3))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (-1, PATCH * PATCH * 3))

    def _from_step(self, outputs, height, width):
        nh, nw = height // PATCH, width // PATCH
        x = ops.reshape(outputs, (-1, nh, nw, PATCH, PATCH, 3))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (-1, height, width, 3))

    def _code_from_step(self, bits, height, width):
        return ops.reshape(bits, (-1, height // PATCH, width // PATCH, tuple(bits.shape)[-1]))

    def _code_to_step(self, code):
        return ops.reshape(code, (-1, tuple(code.shape)[-1]))

    def code_shape(self, height, width):
        return (height // PATCH, width // PATCH, self.bits)
