"""What `Cropping1D` and `Cropping2D` share: drop `(before, after)` positions along each spatial axis;
the gradient goes back to the kept positions (zeros elsewhere)."""

import numpy as np

from ...core.layer import Layer, as_numeric_array, float_input


class BaseCropping(Layer):
    """Abstract cropping; subclasses set `self.cropping` (one pair per spatial axis) and `_spatial_axes()`."""

    def _spatial_axes(self) -> tuple:
        raise NotImplementedError

    def _check_shape(self, input_shape) -> tuple:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        input_shape = self._check_shape(input_shape)
        out = list(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.cropping):
            if out[axis] is None:
                continue
            if before + after >= out[axis]:
                raise ValueError(f"Layer '{self.name}': cropping {self.cropping} removes every position of "
                                 f"axis {axis} of an input of shape {input_shape}; the total cropping of an "
                                 f"axis must be smaller than its size.")
            out[axis] -= before + after
        return tuple(out)

    def _index(self, shape):
        index = [slice(None)] * len(shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.cropping):
            index[axis] = slice(before, shape[axis] - after)
        return tuple(index)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)
        return np.ascontiguousarray(x[self._index(x.shape)]), (x.shape, x.dtype)

    def backward(self, cache, grad_outputs):
        shape, dtype = cache
        dx = np.zeros(shape, dtype=dtype)
        dx[self._index(shape)] = np.asarray(grad_outputs)
        return dx, {}

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping[0] if len(self.cropping) == 1 else self.cropping
        return config
