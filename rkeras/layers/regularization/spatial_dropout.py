"""Spatial dropout, as Keras 3's `SpatialDropout1D/2D/3D`: drops whole feature maps (channels).

Each channel of each sample is dropped (set to 0) or kept (scaled by `1 / (1 - rate)`) as a whole,
across all its time steps or spatial positions: `Dropout` with a noise shape of size 1 on those
axes. In inference the layer is the identity.
"""

from ... import conventions
from ..core.dropout import Dropout

_FORMATS = ("channels_last", "channels_first")


class BaseSpatialDropout(Dropout):
    """Dropout of whole channels of rank `spatial_rank + 2` inputs."""

    spatial_rank = 1
    r_name = "layer_spatial_dropout_1d()"

    def __init__(self, rate=None, seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where=self.r_name)
        if data_format is None:
            data_format = "channels_last"
        if data_format not in _FORMATS:
            raise ValueError(f"`data_format` must be one of {', '.join(map(repr, _FORMATS))} or None; received "
                             f"{data_format!r}.")
        self.data_format = data_format
        rank = self.spatial_rank + 2
        if data_format == "channels_last":
            noise = (None,) + (1,) * self.spatial_rank + (None,)
        else:
            noise = (None, None) + (1,) * self.spatial_rank
        super().__init__(rate=rate, seed=seed, **kwargs)
        self.noise_shape = noise
        self._rank = rank

    def _check_rank(self, shape):
        if len(shape) != self._rank:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank {self._rank} (batch, "
                             f"{'steps' if self.spatial_rank == 1 else 'spatial dimensions'}, channels); "
                             f"received an input of shape {tuple(shape)}.")

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        self._check_rank(getattr(inputs, "shape", ()))
        return super().forward(inputs, training=training, mask=mask)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape")
        if self.spatial_rank > 1:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(BaseSpatialDropout):
    """Drops whole channels of `(batch, steps, channels)` inputs; see `layer_spatial_dropout_1d()`."""

    def __init__(self, rate=None, seed=None, **kwargs):
        super().__init__(rate=rate, seed=seed, **kwargs)


class SpatialDropout2D(BaseSpatialDropout):
    """Drops whole feature maps of 4D inputs; see `layer_spatial_dropout_2d()`."""

    spatial_rank = 2
    r_name = "layer_spatial_dropout_2d()"

    def __init__(self, rate=None, data_format=None, seed=None, **kwargs):
        super().__init__(rate=rate, seed=seed, data_format=data_format, **kwargs)


class SpatialDropout3D(BaseSpatialDropout):
    """Drops whole feature volumes of 5D inputs; see `layer_spatial_dropout_3d()`."""

    spatial_rank = 3
    r_name = "layer_spatial_dropout_3d()"

    def __init__(self, rate=None, data_format=None, seed=None, **kwargs):
        super().__init__(rate=rate, seed=seed, data_format=data_format, **kwargs)
