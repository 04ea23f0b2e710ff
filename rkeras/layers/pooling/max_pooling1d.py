"""1-D max pooling, as Keras 3's `MaxPooling1D`; the math lives in `base_pooling.BasePooling` (as 2-D
pooling of height 1)."""

from .base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """Max pooling over windows of steps; see `layer_max_pooling_1d()`.

    The gradient of each output goes to the first maximal step of its window.
    """

    pool_dimensions = 1
    pool_mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                         **kwargs)
