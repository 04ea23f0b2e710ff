"""Cropping of images, as Keras 3's `Cropping2D`: drops rows and columns at the four edges."""

from ... import conventions
from ..convolutional.conv_utils import standardize_data_format
from .cropping import BaseCropping
from .spatial_pairs import check_rank, normalize_pairs


class Cropping2D(BaseCropping):
    """Crops images along their rows and columns; see `layer_cropping_2d()`."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_cropping_2d()")
        self.cropping = normalize_pairs(cropping, 2, "cropping")
        self.data_format = standardize_data_format(data_format)
        super().__init__(**kwargs)

    def _spatial_axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def _check_shape(self, input_shape):
        layout = ("(batch, rows, cols, channels)" if self.data_format == "channels_last"
                  else "(batch, channels, rows, cols)")
        return check_rank(self, input_shape, 4, layout)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
