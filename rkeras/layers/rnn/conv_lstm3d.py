"""3-D convolutional LSTM, as Keras 3's `ConvLSTM3D`; the layer is `conv_lstm.ConvLSTM` of rank 3."""

from .conv_lstm import ConvLSTM


class ConvLSTM3D(ConvLSTM):
    """3D Convolutional LSTM; see `layer_conv_lstm_3d()`."""

    rank = 3
