"""Residual scaling for the conv LSTM (Toderici et al. 2017, "Full Resolution
Image Compression with Recurrent Neural Networks", its scaled-additive framework).

Residuals shrink with every iteration, so one shared encoder sees inputs
whose size falls by orders of magnitude between the first and the last
iteration. Toderici et al. (2017) scale each iteration's residual by a gain
``g`` that a small network ``G`` predicts from the reconstruction so far,
which both sides know, and divide the decoder's correction by it::

    g_{t-1} = G(x_hat_{t-1})                          (x_hat_0 = 0)
    b_t     = B(E_t(g_{t-1} * r_{t-1}))               (r_{t-1} = x - x_hat_{t-1})
    x_hat_t = x_hat_{t-1} + (D_t(b_t) - x_hat_{t-1}) / g_{t-1}

Our LSTM decoder predicts the whole image (eq. 3 of the 2016 paper), so its
correction is ``D_t - x_hat_{t-1}``: with ``g = 1`` the three lines are
exactly the unscaled model, which lets trained weights start a scaled run
(``G``'s last convolution starts at zero, so ``g`` starts at 1).

``G`` here sees one 4x4 block of the reconstruction per code position (a 4x4
convolution of stride 4, tanh, then a 1x1 convolution to one log-gain) and
its gain is held over the block's 16 pixels, the paper's zero-order hold. So
the gain of a block depends on that block alone, and the encoder's and
decoder's reach over the image (``encoder_context``, ``decoder_context``,
which make tiled coding exact) stays what it was. The gain is bounded to
``[2**-3, 2**3]``. The log-gain's pre-activation is multiplied by
``GAIN_RATE``: Adam moves every weight by about the learning rate per step,
whatever its scale, so this lets a gain network that starts at ``g = 1`` move
``GAIN_RATE`` times faster than the rest of a fine-tune run at 1e-5 (the
equalized learning rate of Karras et al. 2018).
"""

import keras
from keras import ops

__all__ = ["GAIN_LOG2_RANGE", "GAIN_RATE", "build_gain_step"]

GAIN_LOG2_RANGE = 3.0  # g = 2 ** (GAIN_LOG2_RANGE * tanh(GAIN_RATE * z)): within [1/8, 8]
GAIN_RATE = 20.0


def build_gain_step(block_size, filters, name="gain_step"):
    """The gain network ``G``: a functional model from a reconstruction
    ``(B, H, W, 3)`` (``H`` and ``W`` multiples of ``block_size``) to its
    per-pixel gain ``(B, H, W, 1)``, constant over each block."""
    recon = keras.Input((None, None, 3), name="reconstruction")
    z = keras.layers.Conv2D(
        filters, block_size, strides=block_size, padding="valid", activation="tanh", name="gain_features"
    )(recon)
    z = keras.layers.Conv2D(1, 1, kernel_initializer="zeros", name="log_gain")(z)
    gain = ops.power(2.0, GAIN_LOG2_RANGE * ops.tanh(GAIN_RATE * z))
    gain = keras.layers.UpSampling2D(block_size, interpolation="nearest", name="hold")(gain)
    return keras.Model(recon, gain, name=name)
