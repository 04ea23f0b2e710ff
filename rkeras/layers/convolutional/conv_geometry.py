"""What the newer convolution layers (transposed, depthwise, separable) share with `BaseConv`: the
channel axis, the spatial sizes of a shape, the 4-D view of a 1-D or 2-D batch and the window
geometry that `rkeras.kernels.conv` reads.

A 1-D layer runs as a 2-D one of height 1, so the im2col / col2im kernels serve every rank-1 and
rank-2 layer. The mixin reads the layer's `rank`, `data_format`, `kernel_size`, `strides`,
`dilation_rate` and `padding`.
"""

import numpy as np

from .conv_utils import window_geometry


class ConvGeometry:
    """Mixin: shapes and 4-D views of a convolution of `rank` 1 or 2."""

    rank = None

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape) -> tuple:
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def _check_rank(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            dims = {1: "steps", 2: "rows, cols", 3: "depth, rows, cols"}[self.rank]
            layout = (f"(batch, {dims}, channels)" if self.data_format == "channels_last"
                      else f"(batch, channels, {dims})")
            raise ValueError(f"Layer '{self.name}' expects inputs of rank {self.rank + 2}, {layout} for "
                             f"data_format='{self.data_format}'; received an input of shape {input_shape}.")
        return input_shape

    def _with_spatial(self, input_shape, spatial, channels) -> tuple:
        """An output shape from the batch size, new spatial sizes and a channel count."""
        if self.data_format == "channels_last":
            return (input_shape[0],) + tuple(spatial) + (channels,)
        return (input_shape[0], channels) + tuple(spatial)

    def _as_4d(self, x, work):
        """`x` as a contiguous 4-D batch in `work` dtype: 1-D layers get a height of 1."""
        if self.rank == 1:
            x = x[:, None, :, :] if self.data_format == "channels_last" else x[:, :, None, :]
        return np.ascontiguousarray(x, dtype=work)

    def _to_4d_shape(self, shape) -> tuple:
        if self.rank == 1:
            return (shape[0], 1) + tuple(shape[1:]) if self.data_format == "channels_last" \
                else tuple(shape[:2]) + (1, shape[2])
        return tuple(shape)

    def _window_4d(self):
        """(kernel, strides, dilation) of the 4-D view, each a pair."""
        ks, ss, ds = self.kernel_size, self.strides, self.dilation_rate
        if self.rank == 1:
            ks, ss, ds = (1,) + ks, (1,) + ss, (1,) + ds
        return ks, ss, ds

    def _geometry(self, x4_shape):
        """(OH, OW, sh, sw, dh, dw, pt, pl) of a convolution reading the 4-D `x4_shape`."""
        cf = self.data_format == "channels_first"
        h, w = (x4_shape[2], x4_shape[3]) if cf else (x4_shape[1], x4_shape[2])
        ks, ss, ds = self._window_4d()
        oh, pt = window_geometry(h, ks[0], ss[0], ds[0], "valid" if self.rank == 1 else self.padding)
        ow, pl = window_geometry(w, ks[1], ss[1], ds[1], self.padding)
        return oh, ow, ss[0], ss[1], ds[0], ds[1], pt, pl


def channels_last_4d(x4, channels_first):
    """A 4-D batch as a contiguous channels-last array (a view when it already is one)."""
    return np.ascontiguousarray(x4.transpose(0, 2, 3, 1)) if channels_first else x4


def from_channels_last_4d(y4, channels_first):
    return np.ascontiguousarray(y4.transpose(0, 3, 1, 2)) if channels_first else y4
