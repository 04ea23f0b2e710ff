"""The shared base of layer, RMS and unit normalization: statistics over the normalized axes of each
position, computed by `rkeras.kernels.row_norm` on batch normalization's (outer, features, inner) view.

A subclass sets `_mode` (the kernel's MODE_*), creates its weights in `_create_weights(param_shape)` and
names them in `_scale_weight()` / `_offset_weight()` (None when absent).
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ...kernels import row_norm as kernels
from .batch_normalization import channel_view


class RowNormalization(Layer):
    """Base class: normalize every position over the features on `axis` (R style, 1-based)."""

    _mode = kernels.MODE_LAYER

    def __init__(self, axis=-1, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon
        self._axes = None  # 0-based normalized axes, fixed at build
        self._param_shape = None
        self._input_rank = None
        self._views = {}  # input shape -> (perm, (O, C, I))

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        axes = conventions.resolve_axes(self.axis, len(input_shape), "axis")
        param_shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in param_shape):
            raise ValueError(f"Layer '{self.name}': the normalized axis {self.axis!r} of input shape "
                             f"{input_shape} must have a known size.")
        self._axes, self._param_shape, self._input_rank = axes, param_shape, len(input_shape)
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
        if self._axes is not None:
            self._check_shape(input_shape)
        else:
            conventions.resolve_axes(self.axis, len(input_shape), "axis")
        return input_shape

    def _check_shape(self, shape):
        if len(shape) != self._input_rank:
            raise ValueError(f"Layer '{self.name}' was built for inputs of rank {self._input_rank}; "
                             f"received an input of shape {shape}.")
        got = tuple(shape[a] for a in self._axes)
        if got != self._param_shape:
            raise ValueError(f"Layer '{self.name}': the normalized axis {self.axis!r} of the input has size "
                             f"{got}, but the layer was built for {self._param_shape} (input shape {shape}).")

    def _view(self, shape):
        view = self._views.get(shape)
        if view is None:
            self._check_shape(shape)
            view = self._views[shape] = channel_view(shape, self._axes)
        return view

    # ----------------------------------------------------------------------------- math
    def _weight_vector(self, var, work):
        if var is None:
            return None
        return np.ascontiguousarray(var.value.reshape(-1), dtype=work)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        if not self.built:
            self._maybe_build(x.shape)
        perm, view_shape = self._view(x.shape)
        work = compute_dtype(x.dtype)  # float16 is computed in float32, as Keras does
        x3 = _to_view(x, perm, view_shape, work)
        O, _, I = view_shape
        center, inv, k3 = np.empty(O * I), np.empty(O * I), np.empty(O * I)
        out = np.empty(view_shape, work)
        kernels.row_norm_forward(x3, self._mode, self.epsilon, self._weight_vector(self._scale_weight(), work),
                                 self._weight_vector(self._offset_weight(), work), out, center, inv, k3)
        y = _from_view(out, x.shape, perm, x.dtype)
        return y, (x3, center, inv, k3, x.shape, perm, x.dtype)

    def backward(self, cache, grad_outputs):
        x3, center, inv, k3, shape, perm, in_dtype = cache
        work = x3.dtype
        g3 = _to_view(as_numeric_array(grad_outputs, "grad_outputs"), perm, x3.shape, work)
        dx3 = np.empty(x3.shape, work)
        scale, offset = self._scale_weight(), self._offset_weight()
        sum_g, sum_gxhat = kernels.row_norm_backward(g3, x3, self._mode, center, inv, k3,
                                                     self._weight_vector(scale, work), dx3)
        grads = {}
        if scale is not None and scale.trainable:
            grads[scale] = sum_gxhat.reshape(scale.shape).astype(scale.dtype)
        if offset is not None and offset.trainable:
            grads[offset] = sum_g.reshape(offset.shape).astype(offset.dtype)
        return _from_view(dx3, shape, perm, in_dtype), grads

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis})
        return config


def _to_view(x, perm, view_shape, dtype):
    if perm is not None:
        x = np.transpose(x, perm)
    return np.ascontiguousarray(x, dtype=dtype).reshape(view_shape)


def _from_view(y3, shape, perm, dtype):
    if perm is None:
        y = y3.reshape(shape)
    else:
        y = y3.reshape(tuple(shape[a] for a in perm)).transpose(np.argsort(perm))
    return y if y.dtype == dtype else y.astype(dtype)
