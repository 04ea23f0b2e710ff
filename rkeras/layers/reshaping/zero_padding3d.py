"""Zero padding of volumes, as Keras 3's `ZeroPadding3D`: planes, rows and columns of zeros around each
volume."""

from ... import conventions
from ..convolutional.conv_utils import standardize_data_format
from .spatial_pairs import normalize_pairs
from .zero_padding import BaseZeroPadding


class ZeroPadding3D(BaseZeroPadding):
    """Adds zeros before and after the depth, rows and columns of volumes; see `layer_zero_padding_3d()`."""

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_zero_padding_3d()")
        self.padding = normalize_pairs(padding, 3, "padding")
        self.data_format = standardize_data_format(data_format)
        super().__init__(**kwargs)
