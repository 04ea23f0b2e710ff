"""2-D average pooling, as Keras 3's `AveragePooling2D`; the math lives in `base_pooling.BasePooling`."""

from .base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """Average pooling over 2-D windows (e.g. of images); see `layer_average_pooling_2d()`.

    With `padding="same"`, windows that hang over the edges average only their valid cells.
    """

    pool_dimensions = 2
    pool_mode = "average"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                         **kwargs)
