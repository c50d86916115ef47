"""Keras 3 layers of the papers: binarizer, the three recurrent cells of the
2016 paper and the convolutional GRU cells of its 2017 follow-up."""

from residual_compression.layers.conv_gru_2d import ConvGRU2D
from residual_compression.layers.conv_lstm_2d import ConvLSTM2D
from residual_compression.layers.deconv_gru_2d import DeconvGRU2D
from residual_compression.layers.deconv_lstm_2d import DeconvLSTM2D
from residual_compression.layers.lstm_cell import LSTMCell
from residual_compression.layers.stochastic_binarizer import StochasticBinarizer

__all__ = ["ConvGRU2D", "ConvLSTM2D", "DeconvGRU2D", "DeconvLSTM2D", "LSTMCell", "StochasticBinarizer"]
