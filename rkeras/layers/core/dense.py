"""Densely connected layer, as Keras 3's `Dense`: `activation(inputs @ kernel + bias)`.

The kernel acts on the last axis of an input of any rank >= 2 (a (batch, steps, features) input
gives (batch, steps, units)): the leading axes are folded into one so that a single BLAS matrix
product does the work, forward and backward. The activation is fused: its backward runs on the
cached pre-activation or output, whichever it needs.
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ...kernels.reductions import column_sums
from ..kernel_and_bias import KernelAndBias


class Dense(KernelAndBias, Layer):
    """Just your regular densely connected layer; see `layer_dense()` for the full story."""

    supports_masking = True

    def __init__(self, units=None, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_dense()")
        if units is None:
            raise ValueError("`units` must be given: the dimensionality of the output space, a positive "
                             "integer (e.g. `layer_dense(units=32)`); received None.")
        self.units = conventions.as_integer(units, "units", minimum=1)
        self._set_kernel_and_bias_options(activation, use_bias, kernel_initializer, bias_initializer,
                                          kernel_regularizer, bias_regularizer, activity_regularizer,
                                          kernel_constraint, bias_constraint)
        super().__init__(**kwargs)

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Layer '{self.name}': the last dimension of the input (shape {input_shape}) "
                             f"must be known to build a dense layer.")
        self._add_kernel_and_bias((input_dim, self.units), (self.units,))
        self.built = True

    def _check_input_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 2:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank >= 2 (batch, ..., features); "
                             f"received an input of shape {input_shape}.")
        last = input_shape[-1]
        if self.kernel is not None and last is not None and last != self.kernel.shape[0]:
            raise ValueError(f"Layer '{self.name}' was built for inputs with last dimension "
                             f"{self.kernel.shape[0]}; received an input of shape {input_shape}.")
        return input_shape

    def compute_output_shape(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        return input_shape[:-1] + (self.units,)

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self._check_input_shape(x.shape)
        work = compute_dtype(x.dtype)
        rows = int(np.prod(x.shape[:-1], dtype=np.int64))
        x2 = x.reshape(rows, x.shape[-1]) if x.ndim != 2 else x
        x2 = x2.astype(work, copy=False)
        z = x2 @ self.kernel.value.astype(work, copy=False)
        if self.use_bias:
            z += self.bias.value.astype(work, copy=False)
        act = self.activation
        y = act.forward(z)
        out = y.reshape(x.shape[:-1] + (self.units,))
        cache = (x2, z if act.needs_input else None, y if act.needs_output else None, x.shape, x.dtype)
        return out.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        x2, z, y, shape, in_dtype = cache
        work = x2.dtype
        g = np.asarray(grad_outputs).reshape(x2.shape[0], self.units).astype(work, copy=False)
        gz = self.activation.backward(z, y, g)
        grads = {}
        if self.kernel.trainable:
            grads[self.kernel] = (x2.T @ gz).astype(self.kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = column_sums(gz, self.bias.dtype)  # float64 accumulation (issue 17)
        dx = gz @ self.kernel.value.astype(work, copy=False).T
        return dx.reshape(shape).astype(in_dtype, copy=False), grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            **self._kernel_and_bias_config(),
        })
        return config
