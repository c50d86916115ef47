"""What every convolutional recurrent cell shares (private): its arguments, its
input operation (``_make_input_op``, strided or transposed, eq. 13 / 14), the
check of its input and the shapes of its states."""

import keras
from keras import ops

from residual_compression.errors import InvalidValueError
from residual_compression.layers._validation import positive_int
from residual_compression.layers._validation import positive_int_pair

__all__ = []


class ConvCellBase(keras.layers.Layer):
    """Base of ``ConvLSTMBase`` and ``ConvGRUBase``.

    Subclasses set ``num_states`` (the states ``call`` takes and returns, each
    ``(batch, *state_spatial, filters)``), supply ``_make_input_op`` and
    ``_state_spatial``, build their own weights in ``_build_cell`` and step in
    ``call(inputs, states) -> (h_t, new_states)``.
    """

    num_states = None

    def __init__(self, filters, kernel_size=3, strides=1, hidden_kernel_size=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = positive_int("filters", filters)
        self.kernel_size = positive_int_pair("kernel_size", kernel_size)
        self.strides = positive_int_pair("strides", strides)
        self.hidden_kernel_size = positive_int_pair(
            "hidden_kernel_size",
            self.kernel_size if hidden_kernel_size is None else hidden_kernel_size,
        )
        self.input_conv = self._make_input_op()

    def _state_conv(self, channels, name):
        """A state convolution: ``hidden_kernel_size``, stride 1, no bias."""
        return keras.layers.Conv2D(channels, self.hidden_kernel_size, strides=1, padding="same", use_bias=False, name=name)

    def build(self, inputs_shape, states_shape=None):
        if len(inputs_shape) != 4 or inputs_shape[-1] is None:
            raise InvalidValueError(
                "`inputs` must be a 4-D (batch, height, width, channels) tensor with "
                f"known channels, received shape {inputs_shape}"
            )
        self.input_conv.build(inputs_shape)
        self._build_cell((inputs_shape[0], None, None, self.filters))

    def state_shape(self, height, width):
        """Per-example shape of each state for an input of ``height x width``."""
        return self._state_spatial(height, width) + (self.filters,)

    def get_initial_state(self, inputs):
        """Zero states matching a batch of ``inputs``."""
        shape = ops.shape(inputs)
        full = (shape[0],) + self.state_shape(shape[1], shape[2])
        return [ops.zeros(full, self.compute_dtype) for _ in range(self.num_states)]

    def compute_output_spec(self, inputs, states):
        batch, height, width = tuple(inputs.shape)[:3]
        out_h = None if height is None else self._state_spatial(height, 1)[0]
        out_w = None if width is None else self._state_spatial(1, width)[1]
        shape = (batch, out_h, out_w, self.filters)

        def spec():
            return keras.KerasTensor(shape, dtype=self.compute_dtype)

        return spec(), [spec() for _ in range(self.num_states)]

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            strides=self.strides,
            hidden_kernel_size=self.hidden_kernel_size,
        )
        return config
