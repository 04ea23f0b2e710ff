"""The Layer base class: weights, build-on-first-call, trainable, config, forward/backward.

Every layer implements two methods the training engine walks:

- ``forward(inputs, training=False, mask=None) -> (outputs, cache)``: the math, with ``training``
  already the *effective* mode (callers go through `run_forward`, the one place the layer's trainable
  rule is applied); ``cache`` is whatever ``backward`` needs.
- ``backward(cache, grad_outputs) -> (grad_inputs, weight_grads)``: ``weight_grads`` maps each of
  the layer's trainable ``Variable`` objects to its gradient.

``__call__`` composes the layer with an object (SPEC §2): a concrete array is computed eagerly,
a symbolic tensor gives a symbolic tensor, a sequential model gets the layer appended.

A user layer (R keras3 style) defines only ``call(self, inputs, ...)`` with `op_*` functions: the
base ``forward`` runs ``call()`` (recording its ops on a tape when gradients are wanted) and the
base ``backward`` replays the tape. A layer with a fused kernel overrides ``backward`` (and
``forward``) and never touches the tape: `uses_tape(layer)` says which path a layer takes.
``Layer("Name", initialize=..., call=...)`` (a class name first) returns a new layer class, as
R keras3's ``Layer()``; see `rkeras.api.custom`.
"""

import numpy as np

from .. import conventions
from ..kernels.array_cache import uses_array_cache
from ..saving import registry as _registry
from . import tape as _tape
from .config import compute_dtype, config_floatx
from .naming import to_snake_case, unique_name
from .state_transaction import state_transaction
from .variable import Variable

_CALL_KWARGS = frozenset(("training", "mask"))  # compose()'s accepted call arguments


class Layer:
    """Base class of all layers (and, through `Model`, of models).

    Subclass it and define `call(self, inputs)` with `op_*` functions (and `build(self, input_shape)`
    for weights): such a layer trains, its gradients coming from the tape. Called with a class name
    first, as R keras3's `Layer(classname, initialize, call, build, get_config, ...)`, it returns a new
    layer class (see `new_layer_class()`); otherwise it makes a layer.
    """

    supports_masking = False
    #: batch normalization: `trainable = False` means inference mode whatever `training` says
    training_follows_trainable = False
    #: call arguments beyond `training` and `mask` that `forward` takes (attention: `attention_mask`, ...)
    extra_call_kwargs = ()
    __array_ufunc__ = None  # so `numpy_array | layer` reaches `Layer.__ror__`
    #: config keys holding R-style (1-based, batch included) axes: converted when a file is written/read
    r_axis_config_keys = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _registry.record_layer_class(cls)  # so files can name every rkeras layer, with no import by name

    def __new__(cls, *args, **kwargs):
        # R keras3: `Layer(classname, initialize = ..., call = ...)` defines a class
        if cls is Layer and args and isinstance(args[0], str):
            from ..api.custom import new_layer_class
            return new_layer_class(*args, **kwargs)
        return super().__new__(cls)

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
        self._added_losses = []       # values of the losses added by the last call (floats)
        self._added_loss_terms = []   # the same as computed (recorded arrays inside a tape)

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
    def add_weight(self, *args, shape=None, initializer=None, dtype=None, trainable=True, regularizer=None,
                   constraint=None, name=None):
        """Create a weight: `add_weight(shape, initializer, dtype, trainable, regularizer, constraint, name)`.

        R keras3's order for user layers (`self.add_weight(shape = c(3, 4), initializer = "zeros")`); the
        built-in layers' form `add_weight("kernel", shape, initializer)` (name first) is accepted too.
        `initializer` is a name, an `initializer_*()` object or a callable `f(shape, dtype)` (None:
        glorot_uniform, as Keras); `name` defaults to `variable`, `variable_1`, ...
        """
        if args and isinstance(args[0], str):  # internal form: (name, shape, initializer)
            name, shape, initializer = (list(args) + [shape, initializer])[:3] if len(args) < 3 else args[:3]
            if len(args) > 3:
                raise TypeError("add_weight(name, shape, initializer) takes the other arguments by keyword.")
        elif args:
            names = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer", "constraint")
            if len(args) > len(names):
                raise TypeError(f"add_weight() takes at most {len(names)} positional arguments ({', '.join(names)}).")
            given = dict(zip(names, args))
            shape = given.get("shape", shape)
            initializer = given.get("initializer", initializer)
            dtype = given.get("dtype", dtype)
            trainable = given.get("trainable", trainable)
            regularizer = given.get("regularizer", regularizer)
            constraint = given.get("constraint", constraint)
        shape = () if shape is None else conventions.normalize_shape(shape, "shape")
        if any(d is None for d in shape):
            raise ValueError(f"`shape` of a weight must be fully known; received {shape!r}.")
        if name is None:  # Keras' automatic names: variable, variable_1, ...
            taken = {v.name for v in self._variables}
            name, k = "variable", 0
            while name in taken:
                k += 1
                name = f"variable_{k}"
        dtype = dtype or self.dtype
        _registry.check_weight_shape(f"{self.name}/{name}", shape)  # absurd shapes from a file
        from .. import constraints, initializers, regularizers
        initializer = initializers.get("glorot_uniform" if initializer is None else initializer)
        if regularizer is not None:
            regularizer = regularizers.get(regularizer)
        if constraint is not None:
            constraint = constraints.get(constraint)
        value = initializer(tuple(shape), dtype)
        value = np.asarray(value, dtype=dtype)
        if value.shape != tuple(shape):
            raise ValueError(f"The initializer of '{self.name}/{name}' returned shape {value.shape}; "
                             f"expected {tuple(shape)}.")
        var = Variable(value, name=name, path=f"{self.name}/{name}", trainable=trainable, dtype=dtype,
                       constraint=constraint, regularizer=regularizer)
        self._variables.append(var)
        return var

    def add_loss(self, loss) -> None:
        """Add a loss computed in `call()` (from ops) to the training loss, with its gradient.

        Within a training step the value (summed if not a scalar) is added to the loss that `fit()`
        minimizes and reports, and its gradient flows back through the ops that computed it.
        """
        t = _tape._active
        if t is not None:
            t.add_seed(loss)
        value = float(np.sum(_tape.plain(loss), dtype=np.float64))
        self._added_losses.append(value)
        self._added_loss_terms.append(loss)
        _tape.collect_loss(value)

    def __setattr__(self, name, value):
        # layers assigned to attributes (alone or in a list) are tracked: their weights are this layer's,
        # as in Keras
        tracked = self.__dict__.get("_layers")
        if tracked is not None and not name.startswith("_"):
            for item in (value if isinstance(value, (list, tuple)) else (value,)):
                if isinstance(item, Layer) and item is not self and not any(item is t for t in tracked):
                    tracked.append(item)
        object.__setattr__(self, name, value)

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
            self._build_input_shape = input_shape  # Keras' `build_config`, so a loaded layer builds alike

    def compute_output_shape(self, input_shape):
        """The output shape; a layer defined by `call()` finds it by running `call()` on zeros."""
        if uses_tape(self):
            return _probe_output_shape(self, input_shape)
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

    #: a container of layers (a model) takes `trainable_of` in `forward` and applies the trainable rule to
    #: each inner layer itself (through `run_forward`); a plain layer is run in its effective mode
    forwards_trainable_of = False

    def replica_statistics(self, training) -> list:
        """The non-trainable variables a training call of this layer updates from its replica's share of
        the batch alone: a data-parallel step averages them over the replicas after each step, so that
        the replicas stay identical. `training` is the layer's effective mode. None by default; batch
        normalization with `synchronized = FALSE` declares its moving statistics."""
        return []

    def forward(self, inputs, training=False, mask=None):
        """Run `call()`; when gradients are wanted, record its ops on a tape that `backward` replays."""
        if type(self).call is Layer.call:
            raise NotImplementedError(f"{type(self).__name__} implements neither call() nor forward().")
        return tape_forward(self, inputs, training, mask)

    def backward(self, cache, grad_outputs):
        """Replay the tape recorded by the base `forward` (layers with a fused kernel override this)."""
        if not isinstance(cache, _TapeCache):
            raise NotImplementedError(f"{type(self).__name__} does not implement backward(), and its forward "
                                      f"was not recorded: call it under vjp() or in a training step.")
        return cache.backward(grad_outputs)

    def backward_weights(self, cache, grad_outputs) -> dict:
        """The weight gradients of `backward` alone, for a layer whose input needs no gradient (the first
        layer of a model in a training step); layers whose input gradient costs work skip it here."""
        return self.backward(cache, grad_outputs)[1]

    def call(self, inputs, training=False, mask=None, **call_kwargs):
        """The layer's math on concrete arrays. User layers override it with `op_*` functions; the
        built-in layers run their `forward` (with their own call arguments, `extra_call_kwargs`)."""
        return self._call_eager(inputs, training=training, mask=mask, **call_kwargs)

    @uses_array_cache
    def _call_eager(self, inputs, training=None, mask=None, **call_kwargs):
        """The framework's eager call: builds if needed, runs `forward` in the effective mode; inside a
        recording `call()` of another layer, the call is recorded on that tape. `call_kwargs` are the
        layer's own call arguments (`extra_call_kwargs`, e.g. attention's `use_causal_mask`)."""
        if _tape._active is not None and not call_kwargs:
            return _record_call(self, _tape._active, inputs, training, mask)
        inputs = self._convert_inputs(inputs)
        if not self.built:
            self._maybe_build(_shape_of(inputs))
        with _tape.no_recording():
            outputs, _ = run_forward(self, inputs, bool(training), mask, **call_kwargs)
        return outputs

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple)):
            return [as_numeric_array(x, "inputs") for x in inputs]
        return as_numeric_array(inputs, "inputs")

    def __call__(self, object=None, **call_kwargs):
        # fast path, the same as compose() for a numeric numpy array: an eager call
        if type(object) is np.ndarray and object.dtype.kind in "biuf" and call_kwargs.keys() <= _CALL_KWARGS:
            return self._call_eager(object, **call_kwargs)
        if _tape._active is not None and isinstance(object, (np.ndarray, Variable, list, tuple)) \
                and call_kwargs.keys() <= _CALL_KWARGS:  # a sublayer inside a recording call()
            return self._call_eager(object, **call_kwargs)
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


def run_forward(layer, inputs, training, mask=None, trainable_of=None, **call_kwargs):
    """`layer.forward` in the layer's effective mode: the one place the rule "trainable = FALSE means
    inference" (batch normalization's `effective_training`) is applied.

    `trainable_of` is the snapshot `compile()` took (id(layer) -> trainable); a model passes it on to its
    inner layers, which it runs through this same function. `call_kwargs` are a layer's own call arguments
    (`extra_call_kwargs`, e.g. recorded by a symbolic call)."""
    if layer.forwards_trainable_of:
        return layer.forward(inputs, training=bool(training), mask=mask, trainable_of=trainable_of,
                             **call_kwargs)
    return layer.forward(inputs, training=layer.effective_training(training, trainable_of), mask=mask,
                         **call_kwargs)


def all_layers(layer) -> list:
    """The layer and every layer inside it (tracked sublayers, a model's layers), depth first."""
    out = [layer]
    for inner in layer._layers:
        out.extend(all_layers(inner))
    return out


# ------------------------------------------------------------------------------------ the tape path
def uses_tape(layer) -> bool:
    """True for a layer whose gradients come from the tape: it defines `call()` and not `backward`."""
    cls = type(layer)
    return cls.backward is Layer.backward and cls.call is not Layer.call


_CALL_ARGS = {}  # class -> (accepts training, accepts mask)


def _call_kwargs(layer, training, mask) -> dict:
    cls = type(layer)
    accepts = _CALL_ARGS.get(cls)
    if accepts is None:
        import inspect
        params = inspect.signature(cls.call).parameters
        var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
        accepts = _CALL_ARGS[cls] = (var_kw or "training" in params, var_kw or "mask" in params)
    kwargs = {}
    if accepts[0]:
        kwargs["training"] = bool(training)
    if accepts[1] and mask is not None:
        kwargs["mask"] = mask
    return kwargs


def _probe_output_shape(layer, input_shape):
    multi = isinstance(input_shape, list)
    shapes = input_shape if multi else [input_shape]
    key = tuple(tuple(s) for s in shapes)
    cache = layer.__dict__.setdefault("_probed_shapes", {})  # probe once per input shape
    if key not in cache:
        cache[key] = _probe(layer, input_shape, multi, shapes)
    return cache[key]


def _probe(layer, input_shape, multi, shapes):
    if not layer.built:
        layer._maybe_build(input_shape)
    results = []
    for fill in (1, 2):  # a dimension that follows an unknown input size is unknown
        ins = [np.zeros(tuple(fill if d is None else d for d in s), layer.compute_dtype) for s in shapes]
        saved = layer._added_losses, layer._added_loss_terms
        with _tape.paused(), _tape.training_context(False):
            out = layer.call(ins if multi else ins[0], **_call_kwargs(layer, False, None))
        layer._added_losses, layer._added_loss_terms = saved
        outs = out if isinstance(out, (list, tuple)) else [out]
        results.append([tuple(np.shape(_tape.plain(o))) for o in outs])
        if not any(d is None for s in shapes for d in s):
            break
    a, b = results[0], results[-1]
    merged = [tuple(x if x == y else None for x, y in zip(sa, sb)) for sa, sb in zip(a, b)]
    return merged if isinstance(out, (list, tuple)) else merged[0]


def _plain_outputs(out):
    if isinstance(out, (list, tuple)):
        return [_plain_outputs(o) for o in out]
    if isinstance(out, Variable):
        return out.numpy()
    return _tape.plain(out) if isinstance(out, np.ndarray) else np.asarray(out)


def tape_forward(layer, inputs, training, mask):
    """`forward` of a layer that defines `call()`: record its ops when gradients are wanted."""
    inputs = layer._convert_inputs(inputs)
    if not layer.built:
        layer._maybe_build(_shape_of(inputs))
    kwargs = _call_kwargs(layer, training, mask)
    layer._added_losses, layer._added_loss_terms = [], []
    items = inputs if isinstance(inputs, list) else [inputs]
    half = any(x.dtype == np.float16 for x in items)
    if half:  # float16 inputs compute in float32 and come back as float16 (SPEC §1)
        items = [x.astype(np.float32) if x.dtype == np.float16 else x for x in items]
        inputs = items if isinstance(inputs, list) else items[0]
    if not _tape.gradients_wanted():
        with _tape.training_context(training):
            return _half(_plain_outputs(layer.call(inputs, **kwargs)), half), None
    tape = _tape.Tape()
    with tape, _tape.training_context(training):
        watched = [tape.watch(x) for x in inputs] if isinstance(inputs, list) else tape.watch(inputs)
        out = layer.call(watched, **kwargs)
    return _half(_plain_outputs(out), half), _TapeCache(layer, tape, watched, out, _tape.losses_wanted(), half)


def _half(out, half):
    if not half:
        return out
    if isinstance(out, list):
        return [_half(o, True) for o in out]
    return out.astype(np.float16) if out.dtype.kind == "f" else out


class _TapeCache:
    """What the base `backward` needs: the tape, the watched inputs and the recorded outputs."""

    def __init__(self, layer, tape, watched, outputs, with_losses, half=False):
        self.layer, self.tape, self.watched, self.outputs = layer, tape, watched, outputs
        self.with_losses, self.half = with_losses, half

    def backward(self, grad_outputs):
        outs = self.outputs if isinstance(self.outputs, (list, tuple)) else [self.outputs]
        ups = grad_outputs if isinstance(self.outputs, (list, tuple)) else [grad_outputs]
        seeds = {}
        for o, g in zip(outs, ups):
            if g is not None and isinstance(o, (_tape.TapeArray, Variable)) and self.tape.knows(o):
                seeds[id(o)] = seeds[id(o)] + g if id(o) in seeds else np.asarray(g)
        grads = self.tape.gradients(seeds, with_added_losses=self.with_losses)
        ins = self.watched if isinstance(self.watched, list) else [self.watched]
        in_grads = [_half(_as_grad(grads.get(id(w)), w), self.half) for w in ins]
        weight_grads = {v: _as_grad(grads[id(v)], v.value) for v in self.layer.trainable_weights if id(v) in grads}
        return (in_grads if isinstance(self.watched, list) else in_grads[0]), weight_grads


def _as_grad(g, like):
    like = _tape.plain(like)
    if g is None:
        return np.zeros(like.shape, like.dtype if like.dtype.kind == "f" else np.float64)
    g = _tape.plain(g)
    if g.shape != like.shape:  # a gradient broadcast against a larger result
        g = np.broadcast_to(g, like.shape)
    return np.asarray(g, dtype=like.dtype if like.dtype.kind == "f" else g.dtype)


def _record_call(layer, tape, inputs, training, mask):
    """A layer called inside a recording `call()`: a `call()` layer records its own ops on the same
    tape; a layer with its own backward becomes one node (its fused forward and backward)."""
    training = _tape.current_training() if training is None else bool(training)
    multi = isinstance(inputs, (list, tuple))
    items = list(inputs) if multi else [inputs]
    vals = [as_numeric_array(_tape.plain(x), "inputs") for x in items]
    if not layer.built:
        layer._maybe_build(_shape_of(vals if multi else vals[0]))
    if uses_tape(layer):
        layer._added_losses, layer._added_loss_terms = [], []
        with _tape.training_context(training):
            return layer.call(list(items) if multi else items[0], **_call_kwargs(layer, training, mask))
    out, cache = run_forward(layer, vals if multi else vals[0], training, mask)
    if isinstance(out, list):
        raise _tape.TapeError(f"Layer '{layer.name}' returns several outputs: it cannot be called inside a "
                              f"recorded call() (only single-output layers can).")
    variables = layer.trainable_weights

    def vjp(g, o):
        g_in, w_grads = layer.backward(cache, g)
        g_in = list(g_in) if multi else [g_in]
        return tuple(g_in) + tuple(w_grads.get(v) for v in variables)
    args = items + variables
    return tape.record(out, args, (), vjp, keys=tuple(tape.key_of(a) for a in args))


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
