"""Global max pooling of images, as Keras 3's `GlobalMaxPooling2D`."""

from .base_global_pooling import BaseGlobalMaxPooling


class GlobalMaxPooling2D(BaseGlobalMaxPooling):
    """Max over the rows and columns of an image batch; see `layer_global_max_pooling_2d()`."""

    pool_dimensions = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
