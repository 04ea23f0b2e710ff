"""Upsampling of images, as Keras 3's `UpSampling2D`: rows and columns repeated ("nearest") or
interpolated (`jax.image.resize` to `size` times the input, as Keras on JAX: see
`rkeras.layers.preprocessing.resampling`)."""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..convolutional.conv_utils import standardize_data_format, standardize_tuple
from ..preprocessing.resampling import INTERPOLATIONS, Resampler
from .repeats import repeat_axes, sum_repeats
from .spatial_pairs import check_rank


class UpSampling2D(Layer):
    """Upsamples images by `size` along rows and columns; see `layer_upsampling_2d()`."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        conventions.check_kwargs(kwargs, where="layer_upsampling_2d()")
        self.size = standardize_tuple(size, 2, "size")
        self.data_format = standardize_data_format(data_format)
        if not isinstance(interpolation, str) or interpolation.lower() not in INTERPOLATIONS:
            raise ValueError(f"`interpolation` must be one of {', '.join(map(repr, INTERPOLATIONS))}; "
                             f"received {interpolation!r}.")
        self.interpolation = interpolation.lower()
        super().__init__(**kwargs)

    @property
    def _axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def compute_output_shape(self, input_shape):
        layout = ("(batch, rows, cols, channels)" if self.data_format == "channels_last"
                  else "(batch, channels, rows, cols)")
        out = list(check_rank(self, input_shape, 4, layout))
        for axis, s in zip(self._axes, self.size):
            if out[axis] is not None:
                out[axis] *= s
        return tuple(out)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)
        if self.interpolation == "nearest":
            return repeat_axes(x, self._axes, self.size), (None, x.shape, x.dtype)
        work = compute_dtype(x.dtype)
        in_hw = tuple(x.shape[a] for a in self._axes)
        out_hw = tuple(n * s for n, s in zip(in_hw, self.size))
        resampler = Resampler(in_hw, out_hw, self.interpolation, False, self._axes)
        y = resampler.forward(x.astype(work, copy=False))
        return y.astype(x.dtype, copy=False), (resampler, x.shape, x.dtype)

    def backward(self, cache, grad_outputs):
        resampler, shape, dtype = cache
        g = np.asarray(grad_outputs)
        if resampler is not None:
            return resampler.backward(g.astype(compute_dtype(dtype), copy=False)).astype(dtype, copy=False), {}
        return sum_repeats(g, shape, self._axes, self.size, dtype), {}

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format, "interpolation": self.interpolation})
        return config
