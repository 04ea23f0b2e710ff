"""Cropping of volumes, as Keras 3's `Cropping3D`: drops planes, rows and columns at the six faces."""

from ... import conventions
from ..convolutional.conv_utils import standardize_data_format
from .cropping import BaseCropping
from .spatial_pairs import check_rank, normalize_pairs


class Cropping3D(BaseCropping):
    """Crops volumes along their depth, rows and columns; see `layer_cropping_3d()`."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_cropping_3d()")
        self.cropping = normalize_pairs(cropping, 3, "cropping")
        self.data_format = standardize_data_format(data_format)
        super().__init__(**kwargs)

    def _spatial_axes(self):
        return (1, 2, 3) if self.data_format == "channels_last" else (2, 3, 4)

    def _check_shape(self, input_shape):
        layout = ("(batch, depth, rows, cols, channels)" if self.data_format == "channels_last"
                  else "(batch, channels, depth, rows, cols)")
        return check_rank(self, input_shape, 5, layout)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
