"""Global max pooling of volumes, as Keras 3's `GlobalMaxPooling3D`."""

from .base_global_pooling import BaseGlobalMaxPooling


class GlobalMaxPooling3D(BaseGlobalMaxPooling):
    """Max over the depth, rows and columns of a volume batch; see `layer_global_max_pooling_3d()`."""

    pool_dimensions = 3

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
