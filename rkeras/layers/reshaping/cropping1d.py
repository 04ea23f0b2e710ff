"""Cropping of sequences, as Keras 3's `Cropping1D`: drops steps at the start and the end."""

from ... import conventions
from .cropping import BaseCropping
from .spatial_pairs import check_rank, normalize_pairs


class Cropping1D(BaseCropping):
    """Crops `(batch, steps, features)` inputs along the steps; see `layer_cropping_1d()`."""

    def __init__(self, cropping=(1, 1), **kwargs):
        conventions.check_kwargs(kwargs, where="layer_cropping_1d()")
        self.cropping = normalize_pairs(cropping, 1, "cropping")
        super().__init__(**kwargs)

    def _spatial_axes(self):
        return (1,)

    def _check_shape(self, input_shape):
        return check_rank(self, input_shape, 3, "(batch, steps, features)")
