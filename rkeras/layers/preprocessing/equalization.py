"""Histogram equalization, as Keras 3's `Equalization`: each channel's values are remapped through
the cumulative histogram (`bins` bins over `value_range`) so that they spread over the range.

As Keras 3 computes it, the histogram of a channel is taken over the whole batch (not image by
image), and the layer acts only in training (`training = TRUE`); in inference it is the identity.
The remapping is a lookup, so the input gradient is zero, except for a channel with a single
occupied bin, which passes unchanged."""

import numpy as np

from ... import conventions
from .color_ops import value_range_arg
from .image_layer import RandomImageLayer


def _scale(values, source, target):
    scale = (target[1] - target[0]) / (source[1] - source[0])
    offset = target[0] - source[0] * scale
    return values * scale + offset


class Equalization(RandomImageLayer):
    """Equalizes the histogram of each channel; see `layer_equalization()`."""

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_equalization()")
        self.value_range = value_range_arg(value_range)
        self.bins = conventions.as_integer(bins, "bins", minimum=1)
        self.seed = None  # deterministic: no generator
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        return None

    def _equalize(self, channel):
        dtype = channel.dtype
        channel = _scale(channel, self.value_range, (0.0, 255.0)).astype(dtype, copy=False)
        bins = self.bins
        scaled = (channel.astype(np.float32) - np.float32(0.0)) * np.float32(bins - 1) / np.float32(255.0)
        indices = np.clip(np.trunc(scaled).astype(np.int64), 0, bins - 1)
        hist = np.bincount(indices.ravel(), minlength=bins)
        if np.count_nonzero(hist) <= 1:
            return _scale(channel, (0.0, 255.0), self.value_range).astype(dtype, copy=False), True
        cdf = np.cumsum(hist)
        cdf_min = cdf[np.argmax(cdf > 0)]
        denominator = cdf[-1] - cdf_min
        denominator = 1 if denominator == 0 else denominator
        # int32 / int32 is a float32 division in JAX
        ratio = ((cdf - cdf_min) * 255).astype(np.float32) / np.float32(denominator)
        lookup = np.clip(np.round(ratio), 0, 255).astype(dtype)
        position = (channel / dtype.type(255.0)) * dtype.type(bins - 1)
        taken = lookup[np.clip(position, 0, bins - 1).astype(np.int64)]
        return _scale(taken, (0.0, 255.0), self.value_range).astype(dtype, copy=False), False

    def _transform(self, x, transformation):
        y = np.empty_like(x)
        passes = np.zeros(x.shape[-1], dtype=bool)
        for c in range(x.shape[-1]):
            y[..., c], passes[c] = self._equalize(x[..., c])

        def back(g):
            return (g * passes).astype(g.dtype, copy=False)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        config.update({"value_range": self.value_range, "bins": self.bins, "data_format": self.data_format})
        return config
