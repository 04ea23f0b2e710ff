"""The Layer base class: weights, build-on-first-call, trainable, config, forward/backward.

Every layer implements two methods the training engine walks:

- ``forward(inputs, training=False, mask=None) -> (outputs, cache)``: the math, with ``training``
  already the *effective* mode (the caller has applied the layer's trainable rule); ``cache`` is
  whatever ``backward`` needs.
- ``backward(cache, grad_outputs) -> (grad_inputs, weight_grads)``: ``weight_grads`` maps each of
  the layer's trainable ``Variable`` objects to its gradient.

``__call__`` composes the layer with an object (SPEC §2): a concrete array is computed eagerly,
a symbolic tensor gives a symbolic tensor, a sequential model gets the layer appended.
"""

import numpy as np

from .. import conventions
from ..kernels.array_cache import uses_array_cache
from .config import compute_dtype, config_floatx
from .naming import to_snake_case, unique_name
from .state_transaction import state_transaction
from .variable import Variable

_CALL_KWARGS = frozenset(("training", "mask"))  # compose()'s accepted call arguments


class Layer:
    """Base class of all layers (and, through `Model`, of models)."""

    supports_masking = False
    #: batch normalization: `trainable = False` means inference mode whatever `training` says
    training_follows_trainable = False
    __array_ufunc__ = None  # so `numpy_array | layer` reaches `Layer.__ror__`

    def __init__(self, *, name=None, dtype=None, trainable=True, input_shape=None, batch_size=None,
                 input_dim=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a string or None; received {name!r}.")
        if dtype is not None:
            try:
                dt = np.dtype(dtype)
            except TypeError:
                raise TypeError(f"`dtype` must be a float type name such as 'float32'; received {dtype!r}.")
            if dt.kind != "f":
                raise ValueError(f"`dtype` must be one of 'float16', 'float32', 'float64'; received {dtype!r}.")
            dtype = dt.name
        if not isinstance(trainable, (bool, np.bool_)):
            raise TypeError(f"`trainable` must be True or False; received {trainable!r}.")
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        self._input_shape_arg = (conventions.normalize_shape(input_shape, "input_shape")
                                 if input_shape is not None else None)
        self._batch_size_arg = (conventions.as_integer(batch_size, "batch_size", minimum=1)
                                if batch_size is not None else None)
        self.name = name or unique_name(self._default_name())  # last: a failed constructor takes no name
        self._dtype = dtype
        self._trainable = bool(trainable)
        self.built = False
        self._variables: list[Variable] = []
        self._layers: list[Layer] = []
        self._inbound_nodes = []

    # ----------------------------------------------------------------------------- naming, dtype
    @classmethod
    def _default_name(cls) -> str:
        return to_snake_case(cls.__name__)

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (`config_floatx()` unless given)."""
        return self._dtype or config_floatx()

    @property
    def compute_dtype(self) -> str:
        return compute_dtype(self.dtype).name

    # ----------------------------------------------------------------------------- weights
    def add_weight(self, name, shape, initializer, *, trainable=True, regularizer=None, constraint=None,
                   dtype=None) -> Variable:
        """Create a weight of `shape` from `initializer` (a callable `f(shape, dtype)`)."""
        dtype = dtype or self.dtype
        if initializer is None:  # Keras: float weights default to glorot_uniform
            from .. import initializers
            initializer = initializers.get("glorot_uniform")
        value = initializer(tuple(shape), dtype)
        value = np.asarray(value, dtype=dtype)
        if value.shape != tuple(shape):
            raise ValueError(f"The initializer of '{self.name}/{name}' returned shape {value.shape}; "
                             f"expected {tuple(shape)}.")
        var = Variable(value, name=name, path=f"{self.name}/{name}", trainable=trainable, dtype=dtype,
                       constraint=constraint, regularizer=regularizer)
        self._variables.append(var)
        return var

    def _track_layer(self, layer: "Layer") -> None:
        self._layers.append(layer)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"`trainable` must be True or False; received {value!r}.")
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        own = [v for v in self._variables if v.trainable]
        return _unique(own + [w for layer in self._layers for w in layer.trainable_weights])

    @property
    def non_trainable_weights(self) -> list:
        if not self._trainable:
            return _unique(self._variables + [w for layer in self._layers for w in layer.weights])
        own = [v for v in self._variables if not v.trainable]
        return _unique(own + [w for layer in self._layers for w in layer.non_trainable_weights])

    @property
    def weights(self) -> list:
        """All weights, in an order that does not depend on `trainable` (so saved lists restore):
        own weights created trainable, own non-trainable ones, then each sublayer's, as Keras 3."""
        own = [v for v in self._variables if v.trainable] + [v for v in self._variables if not v.trainable]
        return _unique(own + [w for layer in self._layers for w in layer.weights])

    @property
    def variables(self) -> list:
        return self.weights

    def count_params(self) -> int:
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    def get_weights(self) -> list:
        """Copies of the weights' values, in `weights` order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Set the weights' values from a list in `weights` order: every array is checked (numeric, no
        None, the variable's shape) before any is written, and all are written together."""
        own = self.weights
        if weights is None or isinstance(weights, (str, bytes, np.ndarray)) or not hasattr(weights, "__iter__"):
            raise TypeError(f"`weights` must be a list of {len(own)} arrays for layer '{self.name}'; "
                            f"received {type(weights).__name__}.")
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(f"`weights` must be a list of {len(own)} arrays for layer '{self.name}'; "
                             f"received {len(weights)}.")
        staged = []
        for i, (var, w) in enumerate(zip(own, weights)):
            if w is None:
                raise TypeError(f"`weights[{i}]` (variable '{var.path}') must be a numeric array of shape "
                                f"{var.shape}; received None.")
            arr = var._checked(w, f"weights[{i}]")
            staged.append((var, np.array(arr, dtype=var.dtype, order="C")))
        with state_transaction() as transaction:
            for var, arr in staged:
                transaction.stage(var, arr)

    @property
    def losses(self) -> list:
        """Regularization penalties of the trainable weights, as floats (added to the training loss)."""
        return [float(v.regularizer(v.value)) for v in self.trainable_weights if v.regularizer is not None]

    def apply_constraints(self) -> None:
        """Project every trainable weight onto its constraint (run after each optimizer update)."""
        for v in self.trainable_weights:
            v.apply_constraint()

    # ----------------------------------------------------------------------------- build / call
    def build(self, input_shape) -> None:
        """Create the weights for inputs of `input_shape` (batch dimension included, may be None)."""
        self.built = True

    def _maybe_build(self, input_shape) -> None:
        if not self.built:
            self.build(input_shape)
            self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, mask):
        """The mask of the outputs: passed on by layers that support masking, dropped otherwise."""
        return mask if self.supports_masking else None

    def effective_training(self, training, trainable_of=None) -> bool:
        """The mode `forward` runs in: for batch normalization, `trainable = False` means inference.

        `trainable_of` (id(layer) -> bool) is the snapshot taken by `compile()`; without it the
        layer's current `trainable` decides.
        """
        training = bool(training)
        if not self.training_follows_trainable:
            return training
        trainable = self._trainable if trainable_of is None else trainable_of.get(id(self), self._trainable)
        return training and trainable

    def forward(self, inputs, training=False, mask=None):
        raise NotImplementedError(f"{type(self).__name__} does not implement forward().")

    def backward(self, cache, grad_outputs):
        raise NotImplementedError(f"{type(self).__name__} does not implement backward().")

    @uses_array_cache
    def call(self, inputs, training=False, mask=None):
        """Eager call on concrete arrays: builds if needed, runs `forward` in the effective mode."""
        inputs = self._convert_inputs(inputs)
        if not self.built:
            self._maybe_build(_shape_of(inputs))
        outputs, _ = self.forward(inputs, training=self.effective_training(training), mask=mask)
        return outputs

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple)):
            return [as_numeric_array(x, "inputs") for x in inputs]
        return as_numeric_array(inputs, "inputs")

    def __call__(self, object=None, **call_kwargs):
        # fast path, the same as compose() for a numeric numpy array: an eager call
        if type(object) is np.ndarray and object.dtype.kind in "biuf" and call_kwargs.keys() <= _CALL_KWARGS:
            return self.call(object, **call_kwargs)
        from ..compose import compose
        return compose(self, object, **call_kwargs)

    def __ror__(self, other):
        from ..compose import compose
        return compose(self, other)

    # ----------------------------------------------------------------------------- config
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self._trainable, "dtype": self._dtype}
        if self._input_shape_arg is not None:
            config["input_shape"] = self._input_shape_arg
        if self._batch_size_arg is not None:
            config["batch_size"] = self._batch_size_arg
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _unique(items: list) -> list:
    seen, out = set(), []
    for it in items:
        if id(it) not in seen:
            seen.add(id(it))
            out.append(it)
    return out


def _shape_of(inputs):
    if isinstance(inputs, (list, tuple)):
        return [tuple(x.shape) for x in inputs]
    return tuple(inputs.shape)


def as_numeric_array(x, arg_name: str = "inputs") -> np.ndarray:
    """A numpy array of numbers (bool and ints are kept; strings, objects are a TypeError)."""
    arr = x if isinstance(x, np.ndarray) else np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"`{arg_name}` must be numeric (bool, integer or float); received an array of "
                        f"dtype {arr.dtype}.")
    return arr


def float_input(x: np.ndarray, layer_dtype: str) -> np.ndarray:
    """Inputs as floats: float arrays keep their dtype, integers and bools take the layer's dtype."""
    if x.dtype.kind == "f":
        return x
    return x.astype(layer_dtype)
