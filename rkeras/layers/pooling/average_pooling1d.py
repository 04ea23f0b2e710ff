"""1-D average pooling, as Keras 3's `AveragePooling1D`; the math lives in `base_pooling.BasePooling`
(as 2-D pooling of height 1)."""

from .base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """Average pooling over windows of steps; see `layer_average_pooling_1d()`.

    With `padding="same"`, windows hanging over the edges average their valid steps only.
    """

    pool_dimensions = 1
    pool_mode = "average"

    def __init__(self, pool_size=None, strides=None, padding="valid", data_format=None, **kwargs):
        if pool_size is None:
            raise ValueError("`pool_size` must be given: the size of the pooling window, a positive integer; "
                             "received None.")
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                         **kwargs)
