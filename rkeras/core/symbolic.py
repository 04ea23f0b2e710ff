"""Symbolic tensors and the graph of layer calls they record (for functional models).

`keras_input()` makes a `KerasTensor` (shape without a known batch size); calling a layer on it
records a `Node` (layer, input tensors, output tensors, fixed call arguments such as
`training=False`) and returns the output tensors, whose shapes come from the layer's
`compute_output_shape()`.
"""

import numpy as np

from .. import conventions
from .config import config_floatx
from .layer import Layer


class KerasTensor:
    """A placeholder for an array in a functional model: shape (batch first, None = unknown), dtype."""

    __array_ufunc__ = None

    def __init__(self, shape, dtype, node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype).name
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def compose_layer(self, layer, inputs, call_kwargs):
        """Composition by `object` (see `compose()`): a layer called on this tensor, or on a list of symbolic
        tensors starting with it, records a node and returns the symbolic outputs."""
        if isinstance(inputs, (list, tuple)):
            if not all(isinstance(t, KerasTensor) for t in inputs):
                return NotImplemented  # a mixed list is not a symbolic call
            inputs = list(inputs) if isinstance(inputs, tuple) else inputs
        return symbolic_call(layer, inputs, call_kwargs)


class Node:
    """One call of `layer` on symbolic `inputs` producing `outputs` (tensor or list of tensors)."""

    def __init__(self, layer, inputs, outputs, call_kwargs):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.call_kwargs = dict(call_kwargs)
        layer._inbound_nodes.append(self)

    @property
    def input_tensors(self) -> list:
        return list(self.inputs) if isinstance(self.inputs, (list, tuple)) else [self.inputs]

    @property
    def output_tensors(self) -> list:
        return list(self.outputs) if isinstance(self.outputs, (list, tuple)) else [self.outputs]


class InputLayer(Layer):
    """The layer behind `keras_input()`: it only names and shapes the model's input."""

    def __init__(self, shape, batch_size=None, dtype=None, name=None, sparse=None):
        super().__init__(name=name, dtype=None)
        self.input_shape = conventions.normalize_shape(shape, "shape")
        self.batch_size = (conventions.as_integer(batch_size, "batch_size", minimum=1)
                           if batch_size is not None else None)
        self.input_dtype = np.dtype(dtype or config_floatx()).name
        self.built = True
        tensor = KerasTensor((self.batch_size,) + self.input_shape, self.input_dtype, name=self.name)
        tensor.node = Node(self, [], tensor, {})
        self.output = tensor

    @classmethod
    def _default_name(cls) -> str:
        return "input_layer"

    def compute_output_shape(self, input_shape):
        return (self.batch_size,) + self.input_shape

    def forward(self, inputs, training=False, mask=None):
        return inputs, None

    def backward(self, cache, grad_outputs):
        return grad_outputs, {}

    def get_config(self):
        """Keras 3's keys (`batch_shape` = batch size, then `shape`)."""
        return {"batch_shape": [self.batch_size, *self.input_shape], "dtype": self.input_dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("sparse", "ragged", "optional"):
            if config.pop(key, False):
                raise ValueError(f"InputLayer: `{key}` = TRUE is not supported by rkeras.")
        if "batch_shape" in config:
            batch_shape = config.pop("batch_shape")
            if not isinstance(batch_shape, (list, tuple)) or not batch_shape:
                raise ValueError(f"InputLayer: `batch_shape` must be a non-empty list; received {batch_shape!r}.")
            config["batch_size"], config["shape"] = batch_shape[0], tuple(batch_shape[1:])
        config.pop("input_shape", None)
        return cls(**config)


def keras_input(shape=None, batch_size=None, dtype=None, name=None, **kwargs) -> KerasTensor:
    """A symbolic input tensor, the start of a functional model (R: `keras_input()`).

    Parameters
    ----------
    shape : tuple of int or None
        Shape of one sample, without the batch dimension; None marks an unknown size.
    batch_size : int, optional
        A fixed batch size, or None (unknown).
    dtype : str, optional
        The input dtype (default `config_floatx()`); "int32" for embedding indices.
    name : str, optional
        Name of the input layer (unique default `input_layer`, `input_layer_1`, ...).
    **kwargs
        Not accepted: any other name is a TypeError.
    """
    conventions.check_kwargs(kwargs, allowed=(), where="keras_input()")
    return InputLayer(shape, batch_size=batch_size, dtype=dtype, name=name).output


def symbolic_call(layer: Layer, inputs, call_kwargs: dict):
    """Record a call of `layer` on symbolic `inputs` and return the symbolic outputs."""
    tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for t in tensors:
        if not isinstance(t, KerasTensor):
            raise TypeError(f"A list passed to layer '{layer.name}' must hold only symbolic tensors when "
                            f"one of them is symbolic; received {type(t).__name__}.")
    shapes = [t.shape for t in tensors] if isinstance(inputs, (list, tuple)) else inputs.shape
    layer._maybe_build(shapes)
    extra = {k: v for k, v in call_kwargs.items() if k in layer.extra_call_kwargs}
    out_shape = layer.compute_output_shape(shapes, **extra) if extra else layer.compute_output_shape(shapes)
    dtype = _output_dtype(layer, tensors)
    if isinstance(out_shape, list):
        outputs = [KerasTensor(s, dtype, index=i) for i, s in enumerate(out_shape)]
    else:
        outputs = KerasTensor(out_shape, dtype)
    node = Node(layer, inputs, outputs, call_kwargs)
    for t in node.output_tensors:
        t.node = node
    return outputs


def _output_dtype(layer, tensors) -> str:
    """Eager calls return the (promoted) float dtype of their inputs; integer inputs take the layer's."""
    fixed = getattr(layer, "symbolic_output_dtype", None)  # e.g. discretization's int32 bucket indices
    if fixed is not None:
        return fixed
    float_dtypes = [np.dtype(t.dtype) for t in tensors if np.dtype(t.dtype).kind == "f"]
    if getattr(layer, "output_dtype_follows_layer", False) or not float_dtypes:
        return layer.dtype
    return np.result_type(*float_dtypes).name
