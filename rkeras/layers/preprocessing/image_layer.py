"""What the image preprocessing and augmentation layers share: batches of images `(batch, rows, cols,
channels)` (or channels-first) or single images `(rows, cols, channels)`, a data format, and, for
the augmentation layers, a seeded random generator and the training-only switch.

An augmentation layer draws a *transformation* (the random parameters of one call, in the layout
Keras 3's `get_random_transformation()` returns) and applies it with a deterministic `_transform`
whose backward is the adjoint of that linear map; in inference (`training = FALSE`, the default of
an eager call and of `predict()`) it is the identity.
"""

import numpy as np

from ... import conventions
from ... import random as rk_random
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..convolutional.conv_utils import standardize_data_format


class ImageLayer(Layer):
    """Base of the image layers: shape checks and the channels-last view of a batch."""

    def _init_data_format(self, data_format):
        self.data_format = standardize_data_format(data_format)

    @property
    def _hw_axes(self):
        """The (rows, cols) axes of a batched input."""
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def _check_image_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) not in (3, 4):
            layout = ("(batch, rows, cols, channels)" if self.data_format == "channels_last"
                      else "(batch, channels, rows, cols)")
            raise ValueError(f"Layer '{self.name}' expects images of rank 4, {layout}, or a single image of "
                             f"rank 3; received an input of shape {input_shape}.")
        return input_shape

    def _batched(self, x):
        """(4-D view of `x`, whether it was a single image)."""
        return (x[None], True) if x.ndim == 3 else (x, False)

    def _to_cl(self, x4):
        return np.ascontiguousarray(x4.transpose(0, 2, 3, 1)) if self.data_format == "channels_first" else x4

    def _from_cl(self, y4):
        return np.ascontiguousarray(y4.transpose(0, 3, 1, 2)) if self.data_format == "channels_first" else y4

    def _prepare(self, inputs):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self._check_image_shape(x.shape)
        return x, compute_dtype(x.dtype)


class RandomImageLayer(ImageLayer):
    """Base of the augmentation layers: identity in inference, a random transformation in training.

    Subclasses implement `_random_transformation(shape_cl)` (shape of the channels-last batch) and
    `_transform(x_cl, transformation) -> (y_cl, backward_fn)`."""

    def _init_seed(self, seed):
        self.seed = None if seed is None else conventions.as_seed(seed)
        self._generator = rk_random.make_generator(self.seed)

    def compute_output_shape(self, input_shape):
        return self._check_image_shape(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x, work = self._prepare(inputs)
        if not training:
            return x, None
        x4, single = self._batched(x)
        x_cl = self._to_cl(x4.astype(work, copy=False))
        transformation = self._random_transformation(x_cl.shape)
        y_cl, back = self._transform(x_cl, transformation)
        y = self._from_cl(y_cl)
        y = y[0] if single else y
        return y.astype(x.dtype, copy=False), (back, single, x.dtype, work)

    def backward(self, cache, grad_outputs):
        g = np.asarray(grad_outputs)
        if cache is None:
            return g, {}
        back, single, dtype, work = cache
        g4 = g[None] if single else g
        dx = self._from_cl(back(self._to_cl(g4.astype(work, copy=False))))
        dx = dx[0] if single else dx
        return dx.astype(dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config["seed"] = self.seed
        return config


def factor_range(factor, arg_name, bounds, accepted):
    """Keras' `factor` rule: a number `f` gives `(-|f|, |f|)` clipped below at `bounds[0]`, a pair
    gives its sorted values; every value must lie in `bounds` (`accepted` names the rule)."""
    lo, hi = bounds
    if isinstance(factor, (list, tuple, np.ndarray)):
        if len(factor) != 2:
            raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
        values = [conventions.check_float(v, arg_name) for v in factor]
        if any(v < lo or v > hi for v in values):
            raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
        return tuple(sorted(values))
    f = conventions.check_float(factor, arg_name)
    if f < lo or f > hi:
        raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
    return (max(-abs(f), lo), abs(f))
