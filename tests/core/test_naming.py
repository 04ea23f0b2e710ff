"""Default layer names follow Keras' rule, so weight paths line up with files Keras writes."""

import pytest

from rkeras.core.naming import to_snake_case


@pytest.mark.parametrize("cls,name", [
    ("BatchNormalization", "batch_normalization"),
    ("Conv2D", "conv2d"),
    ("Conv1D", "conv1d"),
    ("MaxPooling2D", "max_pooling2d"),
    ("GlobalAveragePooling1D", "global_average_pooling1d"),
    ("ZeroPadding2D", "zero_padding2d"),
    ("Dense", "dense"),
    ("LSTM", "lstm"),
    ("GRU", "gru"),
    ("SimpleRNN", "simple_rnn"),
    ("Conv2DTranspose", "conv2d_transpose"),
])
def test_default_names_follow_keras(cls, name):
    assert to_snake_case(cls) == name
