"""The time-distributed wrapper, as Keras 3's `TimeDistributed`: one layer applied to every step.

An input (batch, steps, ...) is viewed as (batch * steps, ...) for one call of the wrapped layer (its
weights are shared by all steps) and the output is viewed back as (batch, steps, ...); backward the
same. A (batch, steps) mask is passed on unchanged to the next layers, and to the wrapped layer as a
(batch * steps) mask.
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array
from .nested_config import deserialize_layer, serialize_layer


class TimeDistributed(Layer):
    """This wrapper allows to apply a layer to every temporal slice of an input; see `layer_time_distributed()`."""

    supports_masking = True

    def __init__(self, layer=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_time_distributed()")
        if isinstance(layer, dict):
            layer = deserialize_layer(layer, "layer")
        if not isinstance(layer, Layer):
            raise TypeError(f"`layer` must be a layer (e.g. layer_dense(units = 8)); received "
                            f"{type(layer).__name__}.")
        super().__init__(**kwargs)
        if kwargs.get("dtype") and layer._dtype is None and not layer.built:
            layer._dtype = self._dtype  # an unbuilt layer without a dtype of its own takes the wrapper's
        self.layer = layer
        self._track_layer(layer)

    def _child_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank >= 3 (batch, timesteps, ...); "
                             f"received an input of shape {input_shape}.")
        batch, steps = input_shape[:2]
        rows = None if batch is None or steps is None else batch * steps
        return (rows,) + input_shape[2:]

    def build(self, input_shape):
        child = self._child_shape(input_shape)
        if not self.layer.built:
            self.layer._maybe_build(child)
            for v in self.layer.weights:
                v.path = f"{self.name}/{v.path}"
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child_out = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (input_shape[0], input_shape[1]) + tuple(child_out[1:])

    def forward(self, inputs, training=False, mask=None):
        x = as_numeric_array(inputs, "inputs")
        self._maybe_build(x.shape)
        batch, steps = x.shape[:2]
        rows = x.reshape((batch * steps,) + x.shape[2:])
        inner_mask = None
        if mask is not None:
            m = np.asarray(mask)
            if m.ndim < 2 or m.shape[:2] != (batch, steps):
                raise ValueError(f"The mask of layer '{self.name}' must have shape (batch, timesteps, ...) "
                                 f"starting with {(batch, steps)}; received {m.shape}.")
            inner_mask = m.reshape((batch * steps,) + m.shape[2:])
        y, cache = self.layer.forward(rows, training=self.layer.effective_training(training), mask=inner_mask)
        return y.reshape((batch, steps) + y.shape[1:]), (cache, x.shape)

    def backward(self, cache, grad_outputs):
        inner_cache, shape = cache
        g = np.asarray(grad_outputs)
        g = g.reshape((shape[0] * shape[1],) + g.shape[2:])
        dx, grads = self.layer.backward(inner_cache, g)
        if dx is not None:
            dx = np.asarray(dx).reshape(shape)
        return dx, grads

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        return config
