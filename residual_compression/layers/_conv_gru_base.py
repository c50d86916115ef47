"""Common machinery of the convolutional GRU cells (private).

The GRU of Toderici et al. (2017), "Full Resolution Image Compression with
Recurrent Neural Networks", with convolutions in place of the matrix products,
the input operation strided or transposed as in eq. (13)/(14) of the 2016
paper and the state convolutions of stride 1::

    z_t = sigmoid(W_z x_t + U_z h_{t-1} + b_z)
    r_t = sigmoid(W_r x_t + U_r h_{t-1} + b_r)
    h_t = (1 - z_t) h_{t-1} + z_t tanh(W x_t + U (r_t h_{t-1}) + b)

One state, ``h``, against the LSTM's two; three gate maps per unit against
four.
"""

from keras import ops

from residual_compression.layers._conv_cell_base import ConvCellBase

__all__ = []


class ConvGRUBase(ConvCellBase):
    """A convolutional GRU step. Subclasses supply ``_make_input_op`` (``3 n``
    outputs, no bias) and ``_state_spatial``, as for ``ConvLSTMBase``."""

    num_states = 1  # [h]

    def __init__(self, filters, kernel_size=3, strides=1, hidden_kernel_size=None, **kwargs):
        super().__init__(filters, kernel_size, strides, hidden_kernel_size, **kwargs)
        self.hidden_conv = self._state_conv(2 * self.filters, "hidden_conv")  # U_z, U_r
        self.candidate_conv = self._state_conv(self.filters, "candidate_conv")  # U, on r_t h_{t-1}

    def _build_cell(self, state_shape):
        self.hidden_conv.build(state_shape)
        self.candidate_conv.build(state_shape)
        self.bias = self.add_weight(name="bias", shape=(3 * self.filters,), initializer="zeros")

    def call(self, inputs, states):
        (h_prev,) = states
        x_z, x_r, x_h = ops.split(self.input_conv(inputs) + self.bias, 3, axis=-1)
        u_z, u_r = ops.split(self.hidden_conv(h_prev), 2, axis=-1)
        z = ops.sigmoid(x_z + u_z)
        r = ops.sigmoid(x_r + u_r)
        candidate = ops.tanh(x_h + self.candidate_conv(r * h_prev))
        h = (1.0 - z) * h_prev + z * candidate
        return h, [h]
