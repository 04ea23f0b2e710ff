"""Global average pooling of volumes, as Keras 3's `GlobalAveragePooling3D`."""

from .base_global_pooling import BaseGlobalAveragePooling


class GlobalAveragePooling3D(BaseGlobalAveragePooling):
    """Average over the depth, rows and columns of a volume batch; see `layer_global_average_pooling_3d()`."""

    pool_dimensions = 3

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
