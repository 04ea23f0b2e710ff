"""Sequential models: a chain of layers, each fed the previous one's output (and mask)."""

from .. import conventions
from ..core.config import config_floatx
from ..core.layer import Layer, run_forward
from .model import Model, add_grads


class Sequential(Model):
    """A linear stack of layers; `model | layer` and `layer_x(model, ...)` append in place."""

    def __init__(self, layers=None, input_shape=None, name=None, trainable=True, input_batch_size=None,
                 input_dtype=None):
        super().__init__(name=name, trainable=trainable)
        self._model_input_shape = (conventions.normalize_shape(input_shape, "input_shape")
                                   if input_shape is not None else None)
        self._input_batch_size = (conventions.as_integer(input_batch_size, "input_batch_size", minimum=1)
                                  if input_batch_size is not None else None)
        self.input_dtype = input_dtype or config_floatx()
        for layer in layers or []:
            self.add(layer)

    @classmethod
    def _default_name(cls) -> str:
        return "sequential"

    @property
    def input_shape(self):
        """Full input shape (batch first) if known, else None."""
        if self._model_input_shape is None:
            return None
        return (self._input_batch_size,) + self._model_input_shape

    def add(self, layer) -> "Sequential":
        """Append `layer`; when the input shape is known the layer is built now (shape errors raise here)."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Only layers and models can be added to a sequential model; received "
                            f"{type(layer).__name__}.")
        if layer is self:
            raise ValueError("A model cannot be added to itself.")
        if not self._layers and self._model_input_shape is None and layer._input_shape_arg is not None:
            self._model_input_shape = layer._input_shape_arg
            self._input_batch_size = layer._batch_size_arg
        shape = self.output_shape
        if shape is not None:
            layer._maybe_build(shape)
            layer.compute_output_shape(shape)  # raises now, before the layer is appended
        self._track_layer(layer)
        self.built = shape is not None
        return self

    def pop(self):
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError("There is no layer to pop from an empty sequential model.")
        return self._layers.pop()

    def compose_layer(self, layer, inputs, call_kwargs):
        """Composition by `object` (see `compose()`): a sequential model takes the layer as its last one."""
        if inputs is not self:  # a list starting with a model is not a sequential model
            return NotImplemented
        if call_kwargs:
            raise TypeError("Call arguments (training, mask) cannot be given when adding a layer to a "
                            "sequential model.")
        return self.add(layer)

    def __or__(self, other):
        if isinstance(other, Layer):
            self.add(other)
            return self
        return NotImplemented

    @property
    def output_shape(self):
        shape = self.input_shape
        if shape is None:
            return None
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def layer_output_shapes(self) -> list:
        """Each layer's output shape (batch first), for `summary()`; None entries when unknown."""
        shape, out = self.input_shape, []
        for layer in self._layers:
            shape = layer.compute_output_shape(shape) if shape is not None else None
            out.append(shape)
        return out

    def build(self, input_shape):
        shape = tuple(input_shape)
        if self._model_input_shape is None:
            self._model_input_shape = shape[1:]
        for layer in self._layers:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def forward(self, inputs, training=False, mask=None, trainable_of=None):
        if not self._layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers.")
        if not self.built:
            self._maybe_build(inputs.shape if hasattr(inputs, "shape") else [x.shape for x in inputs])
        expected = self._model_input_shape
        if expected is not None and hasattr(inputs, "shape") and (inputs.ndim != len(expected) + 1 or any(
                e is not None and e != s for e, s in zip(expected, inputs.shape[1:]))):
            raise ValueError(f"Input of model '{self.name}' has shape {inputs.shape}; expected "
                             f"{(None,) + tuple(expected)} (None = any size).")
        x, caches = inputs, []
        for layer in self._layers:
            out, cache = run_forward(layer, x, training, mask, trainable_of)
            mask = layer.compute_mask(x, mask)
            caches.append(cache)
            x = out
        self._last_output_masks = [mask]
        return x, caches

    def output_masks(self):
        return getattr(self, "_last_output_masks", [None])

    def backward(self, cache, grad_outputs, input_gradients=True):
        """(input gradient, weight gradients); with `input_gradients=False` the first layer skips its input
        gradient (None is returned for it)."""
        g, weight_grads = grad_outputs, {}
        last = len(self._layers) - 1
        for i, (layer, layer_cache) in enumerate(zip(reversed(self._layers), reversed(cache))):
            if i == last and not input_gradients:
                add_grads(weight_grads, layer.backward_weights(layer_cache, g))
                return None, weight_grads
            g, w_grads = layer.backward(layer_cache, g)
            add_grads(weight_grads, w_grads)
        return g, weight_grads

    def backward_weights(self, cache, grad_outputs) -> dict:
        return self.backward(cache, grad_outputs, input_gradients=False)[1]

    def get_config(self):
        """Keras 3's layout: `layers` (an `InputLayer` first when the input shape is known), each in
        Keras' dict form with R-style config values."""
        from ..saving.serialization import serialize_keras_object
        layers = [serialize_keras_object(l) for l in self._layers]
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self.input_shape is not None:
            batch_shape = list(self.input_shape)
            layers.insert(0, {"module": "keras.layers", "class_name": "InputLayer",
                              "config": {"batch_shape": batch_shape, "dtype": self.input_dtype, "sparse": False,
                                         "ragged": False, "name": f"{self.name}_input", "optional": False},
                              "registered_name": None})
            config["build_input_shape"] = batch_shape
        config["layers"] = layers
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the model (new layers) from `get_config()` output or a Keras 3 file's config."""
        from ..saving.serialization import UnsafeFileError, check_shape, deserialize_keras_object
        entries = config.get("layers") or []
        if not isinstance(entries, list):
            raise UnsafeFileError("A sequential model config needs a list `layers`.")
        input_shape = batch_size = input_dtype = None
        if entries and isinstance(entries[0], dict) and entries[0].get("class_name") == "InputLayer":
            inner = entries[0].get("config") or {}
            shape = check_shape(inner.get("batch_shape"), "InputLayer batch_shape")
            if shape is None:
                raise UnsafeFileError("An InputLayer config needs `batch_shape`.")
            batch_size, input_shape, input_dtype = shape[0], shape[1:], inner.get("dtype")
            entries = entries[1:]
        elif config.get("build_input_shape") is not None:
            shape = check_shape(config["build_input_shape"], "build_input_shape")
            batch_size, input_shape = shape[0], shape[1:]
        layers = [deserialize_keras_object(e, custom_objects) for e in entries]
        return cls(layers=layers, input_shape=input_shape, name=config.get("name"),
                   trainable=config.get("trainable", True), input_batch_size=batch_size,
                   input_dtype=input_dtype if isinstance(input_dtype, str) else None)


def keras_model_sequential(input_shape=None, name=None, input_dtype=None, input_batch_size=None,
                           input_name=None, trainable=True, layers=None, **kwargs):
    """An empty (or pre-filled) sequential model to pipe layers into (R: `keras_model_sequential()`).

    Parameters
    ----------
    input_shape : tuple of int, optional
        Shape of one sample without the batch dimension; with it, layers are built as they are added
        and `summary()` shows output shapes at once.
    name : str, optional
        The model's name (default `sequential`, `sequential_1`, ...).
    input_dtype : str, optional
        dtype of the input (default `config_floatx()`).
    input_batch_size : int, optional
        A fixed batch size, or None.
    input_name : str, optional
        Name of the model's input (the key of `x` when it is given as a dict by input name).
    trainable : bool
        Whether the model's weights are trainable (sets every inner layer).
    layers : list of Layer, optional
        Layers to add at once, in order.
    **kwargs
        Not accepted: any other name is a TypeError.
    """
    conventions.check_kwargs(kwargs, allowed=(), where="keras_model_sequential()")
    if input_name is not None and not isinstance(input_name, str):
        raise TypeError(f"`input_name` must be a string or None; received {input_name!r}.")
    model = Sequential(layers=layers, input_shape=input_shape, name=name, trainable=trainable,
                       input_batch_size=input_batch_size, input_dtype=input_dtype)
    model.input_name = input_name
    return model
