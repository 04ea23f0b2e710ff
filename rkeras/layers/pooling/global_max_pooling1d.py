"""Global max pooling of sequences, as Keras 3's `GlobalMaxPooling1D`."""

from .base_global_pooling import BaseGlobalMaxPooling


class GlobalMaxPooling1D(BaseGlobalMaxPooling):
    """Max over the steps of `(batch, steps, features)` inputs; see `layer_global_max_pooling_1d()`."""

    pool_dimensions = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
