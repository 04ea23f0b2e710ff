"""1-D convolutional LSTM, as Keras 3's `ConvLSTM1D`; the layer is `conv_lstm.ConvLSTM` of rank 1."""

from .conv_lstm import ConvLSTM


class ConvLSTM1D(ConvLSTM):
    """1D Convolutional LSTM; see `layer_conv_lstm_1d()`."""

    rank = 1
