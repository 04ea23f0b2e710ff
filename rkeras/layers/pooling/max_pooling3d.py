"""3-D max pooling, as Keras 3's `MaxPooling3D`; the math lives in `base_pooling.BasePooling`."""

from .base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """Max pooling over 3-D windows (e.g. of volumes); see `layer_max_pooling_3d()`.

    The gradient of each output goes to the first maximal cell of its window (depth, row, column order).
    """

    pool_dimensions = 3
    pool_mode = "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                         **kwargs)
