"""Parametric rectified linear unit, as Keras 3's `PReLU`: `f(x) = x` for `x >= 0`, `alpha * x` otherwise,
with a learned `alpha` per input position (shared along `shared_axes`)."""

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input


class PReLU(Layer):
    """Parametric ReLU with the weight `alpha`; see `layer_activation_parametric_relu()`.

    `shared_axes` are Keras' axis numbers of the input counted with the batch dimension as 0 (so 1 is the
    first non-batch axis); `alpha` has the input's shape without the batch dimension, with size 1 on
    the shared axes.
    """

    supports_masking = True

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_activation_parametric_relu()")
        self.alpha_initializer = initializers.get(alpha_initializer, arg_name="alpha_initializer")
        self.alpha_regularizer = regularizers.get(alpha_regularizer, arg_name="alpha_regularizer")
        self.alpha_constraint = constraints.get(alpha_constraint, arg_name="alpha_constraint")
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            self.shared_axes = [conventions.as_integer(a, "shared_axes", minimum=1) for a in axes]
        self.alpha = None
        super().__init__(**kwargs)

    def _alpha_shape(self, input_shape):
        shape = list(input_shape[1:])
        for a in self.shared_axes or ():
            if a > len(shape):
                raise ValueError(f"`shared_axes` = {self.shared_axes} of layer '{self.name}' is out of range for "
                                 f"inputs of shape {tuple(input_shape)} (axes 1..{len(shape)}).")
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"Layer '{self.name}': the non-shared dimensions of the input must be known to "
                             f"build `alpha`; received input shape {tuple(input_shape)}.")
        return tuple(shape)

    def build(self, input_shape):
        self.alpha = self.add_weight("alpha", self._alpha_shape(tuple(input_shape)), self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._alpha_shape(tuple(input_shape))
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        if self._alpha_shape(x.shape) != self.alpha.shape:
            raise ValueError(f"Layer '{self.name}' was built for inputs whose alpha has shape {self.alpha.shape}; "
                             f"received an input of shape {x.shape}.")
        xw = x.astype(compute_dtype(x.dtype), copy=False)
        alpha = self.alpha.value.astype(xw.dtype, copy=False)
        neg = np.minimum(xw, 0)
        y = np.maximum(xw, 0) + alpha * neg
        return y.astype(x.dtype, copy=False), (xw, neg, x.dtype)

    def backward(self, cache, grad_outputs):
        xw, neg, in_dtype = cache
        g = np.asarray(grad_outputs).astype(xw.dtype, copy=False)
        alpha = self.alpha.value.astype(xw.dtype, copy=False)
        dx = g * ((xw > 0) + alpha * (xw <= 0))
        grads = {}
        if self.alpha.trainable:
            ga = g * neg
            # sum over the batch and the shared axes, in float64
            axes = tuple(a for a in range(ga.ndim) if a == 0 or self.alpha.shape[a - 1] == 1 and ga.shape[a] != 1)
            grads[self.alpha] = ga.sum(axis=axes, dtype=np.float64).reshape(self.alpha.shape).astype(
                self.alpha.dtype)
        return dx.astype(in_dtype, copy=False), grads

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
