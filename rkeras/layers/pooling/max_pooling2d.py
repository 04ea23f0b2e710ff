"""2-D max pooling, as Keras 3's `MaxPooling2D`; the math lives in `base_pooling.BasePooling`."""

from .base_pooling import BasePooling


class MaxPooling2D(BasePooling):
    """Max pooling over 2-D windows (e.g. of images); see `layer_max_pooling_2d()`.

    The gradient of each output goes to the first maximal cell of its window (row-major order).
    """

    pool_dimensions = 2
    pool_mode = "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                         **kwargs)
