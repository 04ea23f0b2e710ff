"""Group normalization (Wu & He, 2018), as Keras 3's `GroupNormalization`.

The channels on `axis` are divided into `groups` groups of consecutive channels; each sample is
normalized per group with the mean and biased variance over the group's channels and every other
non-batch axis, then scaled and shifted per channel by `gamma` and `beta`. `groups = 1` is layer
normalization over all non-batch axes, `groups = -1` (one group per channel) instance normalization.
The kernels (`rkeras.kernels.group_norm`) work on an (N, A, C, B) view of the input, no copy.
"""

import math

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ...conventions import check_float
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ...kernels import group_norm as kernels


class GroupNormalization(Layer):
    """Group normalization; see `layer_group_normalization()`."""

    supports_masking = True

    def __init__(self, groups=32, axis=-1, epsilon=0.001, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_group_normalization()")
        groups = conventions.as_integer(groups, "groups")
        if groups < 1 and groups != -1:
            raise ValueError(f"`groups` must be a positive integer (or -1 for instance normalization); "
                             f"received {groups}.")
        self.groups = groups
        axis = conventions.validate_r_axis(axis, "axis")
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(f"`axis` of group normalization must be a single axis (the channels); "
                                 f"received {axis!r}.")
            axis = int(axis[0])
        self.axis = axis
        self.epsilon = check_float(epsilon, "epsilon", lambda v: v > 0, "a number > 0")
        self.center = conventions.as_bool(center, "center")
        self.scale = conventions.as_bool(scale, "scale")
        self.beta_initializer = initializers.get(beta_initializer, arg_name="beta_initializer")
        self.gamma_initializer = initializers.get(gamma_initializer, arg_name="gamma_initializer")
        self.beta_regularizer = regularizers.get(beta_regularizer, arg_name="beta_regularizer")
        self.gamma_regularizer = regularizers.get(gamma_regularizer, arg_name="gamma_regularizer")
        self.beta_constraint = constraints.get(beta_constraint, arg_name="beta_constraint")
        self.gamma_constraint = constraints.get(gamma_constraint, arg_name="gamma_constraint")
        super().__init__(**kwargs)
        self.gamma = self.beta = None
        self._axis0 = self._channels = self._groups = self._input_rank = None

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        (axis0,) = conventions.resolve_axes(self.axis, len(input_shape), "axis")
        if axis0 == 0:
            raise ValueError(f"`axis` = {self.axis!r} names the batch dimension; group normalization needs the "
                             f"channels axis (2..{len(input_shape)} or negative).")
        dim = input_shape[axis0]
        if dim is None:
            raise ValueError(f"Layer '{self.name}': axis {self.axis!r} of input shape {input_shape} must have a "
                             f"known size.")
        groups = dim if self.groups == -1 else self.groups
        if dim < groups or dim % groups:
            raise ValueError(f"`groups` = {self.groups} must divide the number of channels, {dim} (input shape "
                             f"{input_shape}, axis {self.axis!r}).")
        self._axis0, self._channels, self._groups, self._input_rank = axis0, dim, groups, len(input_shape)
        if self.scale:
            self.gamma = self.add_weight("gamma", (dim,), self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", (dim,), self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._axis0 is not None:
            self._check_shape(input_shape)
        else:
            conventions.resolve_axes(self.axis, len(input_shape), "axis")
        return input_shape

    def _check_shape(self, shape):
        if len(shape) != self._input_rank or shape[self._axis0] != self._channels:
            raise ValueError(f"Layer '{self.name}' was built for inputs of rank {self._input_rank} with "
                             f"{self._channels} channels on axis {self.axis!r}; received an input of shape {shape}.")

    # ----------------------------------------------------------------------------- math
    def _vector(self, var, work):
        return None if var is None else np.ascontiguousarray(var.value, dtype=work)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        if not self.built:
            self._maybe_build(x.shape)
        self._check_shape(x.shape)
        k = self._axis0
        view = (x.shape[0], math.prod(x.shape[1:k]), self._channels, math.prod(x.shape[k + 1:]))
        work = compute_dtype(x.dtype)  # float16 is computed in float32, as Keras does
        x4 = np.ascontiguousarray(x, dtype=work).reshape(view)
        out = np.empty(view, work)
        mean, inv = np.empty((view[0], self._groups)), np.empty((view[0], self._groups))
        kernels.group_norm_forward(x4, self._groups, self.epsilon, self._vector(self.gamma, work),
                                   self._vector(self.beta, work), out, mean, inv)
        y = out.reshape(x.shape)
        return (y if y.dtype == x.dtype else y.astype(x.dtype)), (x4, mean, inv, x.shape, x.dtype)

    def backward(self, cache, grad_outputs):
        x4, mean, inv, shape, in_dtype = cache
        work = x4.dtype
        g4 = np.ascontiguousarray(as_numeric_array(grad_outputs, "grad_outputs"), dtype=work).reshape(x4.shape)
        dx = np.empty(x4.shape, work)
        dgamma, dbeta = kernels.group_norm_backward(g4, x4, self._groups, mean, inv, self._vector(self.gamma, work),
                                                    dx)
        grads = {}
        if self.scale and self.gamma.trainable:
            grads[self.gamma] = dgamma.astype(self.gamma.dtype)
        if self.center and self.beta.trainable:
            grads[self.beta] = dbeta.astype(self.beta.dtype)
        dx = dx.reshape(shape)
        return (dx if dx.dtype == in_dtype else dx.astype(in_dtype)), grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        })
        return config
