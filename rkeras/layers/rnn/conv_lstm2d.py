"""2-D convolutional LSTM, as Keras 3's `ConvLSTM2D`; the layer is `conv_lstm.ConvLSTM` of rank 2."""

from .conv_lstm import ConvLSTM


class ConvLSTM2D(ConvLSTM):
    """2D Convolutional LSTM; see `layer_conv_lstm_2d()`."""

    rank = 2
