"""Global average pooling of images, as Keras 3's `GlobalAveragePooling2D`."""

from .base_global_pooling import BaseGlobalAveragePooling


class GlobalAveragePooling2D(BaseGlobalAveragePooling):
    """Average over the rows and columns of an image batch; see `layer_global_average_pooling_2d()`."""

    pool_dimensions = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
