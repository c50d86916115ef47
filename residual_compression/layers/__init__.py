"""Keras 3 layers of the paper: binarizer and the three recurrent cells."""

from residual_compression.layers.conv_lstm_2d import ConvLSTM2D
from residual_compression.layers.deconv_lstm_2d import DeconvLSTM2D
from residual_compression.layers.lstm_cell import LSTMCell
from residual_compression.layers.stochastic_binarizer import StochasticBinarizer

__all__ = ["ConvLSTM2D", "DeconvLSTM2D", "LSTMCell", "StochasticBinarizer"]
