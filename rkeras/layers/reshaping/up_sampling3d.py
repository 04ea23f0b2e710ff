"""Upsampling of volumes, as Keras 3's `UpSampling3D`: depth, rows and columns repeated."""

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input
from ..convolutional.conv_utils import standardize_data_format, standardize_tuple
from .repeats import repeat_axes, sum_repeats
from .spatial_pairs import check_rank


class UpSampling3D(Layer):
    """Repeats the depth planes, rows and columns of volumes `size` times; see `layer_upsampling_3d()`.

    The gradient of a cell is the sum of the gradients of its copies."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_upsampling_3d()")
        self.size = standardize_tuple(size, 3, "size")
        self.data_format = standardize_data_format(data_format)
        super().__init__(**kwargs)

    @property
    def _axes(self):
        return (1, 2, 3) if self.data_format == "channels_last" else (2, 3, 4)

    def compute_output_shape(self, input_shape):
        layout = ("(batch, depth, rows, cols, channels)" if self.data_format == "channels_last"
                  else "(batch, channels, depth, rows, cols)")
        out = list(check_rank(self, input_shape, 5, layout))
        for axis, s in zip(self._axes, self.size):
            if out[axis] is not None:
                out[axis] *= s
        return tuple(out)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)
        return repeat_axes(x, self._axes, self.size), (x.shape, x.dtype)

    def backward(self, cache, grad_outputs):
        shape, dtype = cache
        return sum_repeats(grad_outputs, shape, self._axes, self.size, dtype), {}

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config
