"""3-D average pooling, as Keras 3's `AveragePooling3D`; the math lives in `base_pooling.BasePooling`."""

from .base_pooling import BasePooling


class AveragePooling3D(BasePooling):
    """Average pooling over 3-D windows (e.g. of volumes); see `layer_average_pooling_3d()`.

    With `padding="same"`, windows that hang over the edges average only their valid cells.
    """

    pool_dimensions = 3
    pool_mode = "average"

    def __init__(self, pool_size=None, strides=None, padding="valid", data_format=None, **kwargs):
        if pool_size is None:
            raise ValueError("`pool_size` must be given: the size of the pooling window, an integer or a list of "
                             "3 integers; received None.")
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                         **kwargs)
