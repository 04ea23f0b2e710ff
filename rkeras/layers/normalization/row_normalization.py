"""The shared base of layer, RMS and unit normalization: statistics over the normalized axes of each
position, computed by `rkeras.kernels.row_norm` on batch normalization's (outer, features, inner) view.

A subclass sets `_mode` (the kernel's MODE_*), creates its weights in `_create_weights(param_shape)` and
names them in `_scale_weight()` / `_offset_weight()` (None when absent).
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input
from ...kernels import row_norm as kernels
from .channel_view import ChannelViews, from_view, to_view


class RowNormalization(Layer):
    """Base class: normalize every position over the features on `axis` (R style, 1-based)."""

    _mode = kernels.MODE_LAYER

    def __init__(self, axis=-1, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon
        self._views = None  # (input shape, dtype) -> ChannelView, from the build on

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        axes = conventions.resolve_axes(self.axis, len(input_shape), "axis")
        param_shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in param_shape):
            raise ValueError(f"Layer '{self.name}': the normalized axis {self.axis!r} of input shape "
                             f"{input_shape} must have a known size.")
        self._views = ChannelViews(self.name, self.axis, axes, param_shape, len(input_shape))
        self._create_weights(param_shape)
        self.built = True

    def _create_weights(self, param_shape):
        pass

    def _scale_weight(self):
        return None

    def _offset_weight(self):
        return None

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._views is not None:
            self._views.check(input_shape)
        else:
            conventions.resolve_axes(self.axis, len(input_shape), "axis")
        return input_shape

    # ----------------------------------------------------------------------------- math
    def _weight_vector(self, var, work):
        if var is None:
            return None
        return np.ascontiguousarray(var.value.reshape(-1), dtype=work)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        if not self.built:
            self._maybe_build(x.shape)
        view = self._views.view(x.shape, x.dtype)  # float16 is computed in float32, as Keras does
        x3 = to_view(x, view)
        work = view.work
        O, _, I = view.shape
        center, inv, k3 = np.empty(O * I), np.empty(O * I), np.empty(O * I)
        out = np.empty(view.shape, work)
        kernels.row_norm_forward(x3, self._mode, self.epsilon, self._weight_vector(self._scale_weight(), work),
                                 self._weight_vector(self._offset_weight(), work), out, center, inv, k3)
        y = from_view(out, x.shape, view, x.dtype)
        return y, (x3, center, inv, k3, x.shape, view, x.dtype)

    def backward(self, cache, grad_outputs):
        x3, center, inv, k3, shape, view, in_dtype = cache
        work = x3.dtype
        g3 = to_view(as_numeric_array(grad_outputs, "grad_outputs"), view._replace(direct=False))
        dx3 = np.empty(x3.shape, work)
        scale, offset = self._scale_weight(), self._offset_weight()
        sum_g, sum_gxhat = kernels.row_norm_backward(g3, x3, self._mode, center, inv, k3,
                                                     self._weight_vector(scale, work), dx3)
        grads = {}
        if scale is not None and scale.trainable:
            grads[scale] = sum_gxhat.reshape(scale.shape).astype(scale.dtype)
        if offset is not None and offset.trainable:
            grads[offset] = sum_g.reshape(offset.shape).astype(offset.dtype)
        return from_view(dx3, shape, view, in_dtype), grads

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis})
        return config

