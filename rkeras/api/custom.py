"""R keras3's class constructors: `Layer()`, `Model()`, `Loss()`, `Metric()`, `Callback()`, their
`new_*_class()` forms, and `layer_lambda()`.

`Layer("Linear", initialize = ..., build = ..., call = ...)` returns a new class (a subclass of
`rkeras.Layer`); calling the class makes layers, which compose with `object` and the pipe like the
built-in ones. Methods receive `self` first. `initialize` runs after the base class has taken the base
keyword arguments (`name`, `dtype`, `trainable`, ...), so it holds only the layer's own set-up; its
arguments are the class's constructor arguments, and the default `get_config()` returns them. Python
subclasses of `rkeras.Layer` / `rkeras.Model` that define `call()` work the same way.
"""

import inspect

from ..compose import check_object, compose
from ..conventions import BASE_LAYER_KWARGS
from ..core.layer import Layer as _Layer
from ..layers.core.lambda_layer import Lambda
from ..models.model import Model as _Model
from ..training.callbacks import Callback as _Callback
from ..training.custom import CustomLoss, CustomMetric

__all__ = [
    "Callback", "Loss", "Metric", "layer_lambda", "new_callback_class", "new_layer_class", "new_loss_class",
    "new_metric_class", "new_model_class",
]

_MODEL_KWARGS = ("name", "trainable")


def _define(classname, base, default_base, initialize, members, public, private, inherit, base_kwargs):
    if not isinstance(classname, str) or not classname.isidentifier():
        raise TypeError(f"`classname` must be a class name (a string such as \"Linear\"); received {classname!r}.")
    parent = default_base if inherit is None else inherit
    if not (isinstance(parent, type) and issubclass(parent, base)):
        raise TypeError(f"`inherit` must be a subclass of {base.__name__}; received {inherit!r}.")
    ns = {}
    for source, what in ((public, "public"), (private, "private")):
        if source is None:
            continue
        if not isinstance(source, dict):
            raise TypeError(f"`{what}` must be a dict of members (R's named list); received {source!r}.")
        ns.update(source)
    for key, value in members.items():
        if value is not None:
            ns[key] = value
    if initialize is not None:
        if not callable(initialize):
            raise TypeError(f"`initialize` must be a function (self, ...); received {initialize!r}.")
        ns["__init__"] = _make_init(parent, initialize, base_kwargs)
        if "get_config" not in ns and issubclass(parent, _Layer):
            ns["get_config"] = _auto_get_config
    ns.setdefault("__doc__", f"{classname}: a class defined with rkeras' R-style constructor.")
    ns["__module__"] = "rkeras.custom"
    return type(classname, (parent,), ns)


def _make_init(parent, initialize, base_kwargs):
    sig = inspect.signature(initialize)
    params = list(sig.parameters.values())[1:]  # after self
    declared = {p.name: p for p in params}

    def __init__(self, *args, **kwargs):
        base = {}
        for key in base_kwargs:
            if key in kwargs:
                base[key] = kwargs[key] if key in declared else kwargs.pop(key)
            elif key in declared and declared[key].default is not inspect.Parameter.empty:
                base[key] = declared[key].default  # e.g. initialize(self, name = "my_metric")
        parent.__init__(self, **base)
        bound = sig.bind(self, *args, **kwargs)
        self._init_args = {k: v for k, v in list(bound.arguments.items())[1:] if k not in base_kwargs}
        initialize(self, *args, **kwargs)
    return __init__


def _auto_get_config(self):
    config = _Layer.get_config(self) if not isinstance(self, _Model) else {"name": self.name,
                                                                           "trainable": self.trainable}
    config.update(getattr(self, "_init_args", {}))
    return config


def new_layer_class(classname, initialize=None, call=None, build=None, get_config=None, *, public=None,
                    private=None, inherit=None, parent_env=None, **kwargs):
    """Define a custom layer class, as R keras3's `Layer()` / `new_layer_class()`.

    `Layer(classname, ...)` is the same function. Methods receive `self` first. Weights are made in
    `build(self, input_shape)` (or `initialize`) with `self.add_weight(shape, initializer, dtype,
    trainable, regularizer, constraint, name)`; `call(self, inputs, ...)` computes with the `op_*`
    functions and Python operators, and may call `self.add_loss()`. In training the ops are recorded
    and replayed for the gradients. A layer assigned to an attribute (`self.dense = layer_dense(units
    = 4)`) is tracked: its weights are this layer's.

    Parameters
    ----------
    classname : str
        The class name (its snake_case form is the default layer name).
    initialize : function or None
        `initialize(self, ...)`: the constructor, called after the base layer has taken `name`,
        `dtype`, `trainable`, `input_shape`, `batch_size`; its arguments are the class's.
    call : function or None
        `call(self, inputs)` (optionally with `training` and `mask` arguments): the layer's math.
    build : function or None
        `build(self, input_shape)`: creates the weights at the first call (batch dimension included).
    get_config : function or None
        `get_config(self)` returning a dict of constructor arguments (default: the base layer's config
        plus the arguments given to `initialize`).
    public, private : dict or None
        Further members (methods or attributes), R's named lists.
    inherit : class or None
        The class to subclass (default `Layer`; any layer class, e.g. one made by this function).
    parent_env : None
        R only (the enclosing environment); ignored.
    **kwargs
        Further methods or attributes of the class (R's `...`), e.g. `compute_output_shape`.

    Returns
    -------
    class
        A subclass of `rkeras.Layer`; `cls(...)` makes a layer, `cls(object, ...)` is not supported: use
        `layer = cls(...)` then `object | layer` or `layer(object)`.

    Examples
    --------
    >>> def init(self, units=32):
    ...     self.units = units
    >>> def build(self, input_shape):
    ...     self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
    ...     self.b = self.add_weight(shape=(self.units,), initializer="zeros")
    >>> Linear = Layer("Linear", initialize=init, build=build,
    ...                call=lambda self, inputs: op_matmul(inputs, self.w) + self.b)
    >>> y = np.ones((2, 3)) | Linear(units=4)
    """
    members = {"call": call, "build": build, "get_config": get_config, **kwargs}
    return _define(classname, _Layer, _Layer, initialize, members, public, private, inherit, BASE_LAYER_KWARGS)


def new_model_class(classname, initialize=None, call=None, train_step=None, predict_step=None, test_step=None,
                    compute_loss=None, compute_metrics=None, *, public=None, private=None, inherit=None,
                    parent_env=None, **kwargs):
    """Define a custom model class, as R keras3's `Model()` / `new_model_class()`.

    `Model(classname, ...)` is the same function. A model defined by `call()` trains with `fit()` like
    a sequential or functional one (layers assigned to attributes are tracked; their ops and calls
    are recorded in training). `train_step(self, data)` replaces `fit()`'s step: `data` is `(x, y)`;
    use `value_and_grad()`, `self.optimizer.apply(grads, variables)` and return a dict of logs.

    Parameters
    ----------
    classname : str
        The class name.
    initialize : function or None
        `initialize(self, ...)`, called after the base model has taken `name` and `trainable`.
    call : function or None
        `call(self, inputs)` (optionally with `training`, `mask`): the forward pass.
    train_step : function or None
        `train_step(self, data)`: one training step of `fit()`, returning the logs (a dict).
    predict_step, test_step, compute_loss, compute_metrics : function or None
        Further methods of the class (`fit()` honours `train_step` only; `evaluate()` and `predict()`
        run `call()`).
    public, private : dict or None
        Further members, R's named lists.
    inherit : class or None
        The class to subclass (default `Model`).
    parent_env : None
        R only; ignored.
    **kwargs
        Further methods or attributes (R's `...`).

    Returns
    -------
    class
        A subclass of `rkeras.Model`.
    """
    members = {"call": call, "train_step": train_step, "predict_step": predict_step, "test_step": test_step,
               "compute_loss": compute_loss, "compute_metrics": compute_metrics, **kwargs}
    return _define(classname, _Model, _Model, initialize, members, public, private, inherit, _MODEL_KWARGS)


def Loss(classname, call=None, *, public=None, private=None, inherit=None, parent_env=None, **kwargs):
    """Define a custom loss class, as R keras3's `Loss()` / `new_loss_class()`.

    `call(self, y_true, y_pred)` returns per-sample loss values computed with `op_*` functions; the
    reduction (mean by default) and the gradient with respect to `y_pred` (from the tape) are the
    base class's. Pass an instance (or the class) to `compile(loss = ...)`.

    Parameters
    ----------
    classname : str
        The class name (its snake_case form is the default loss name).
    call : function
        `call(self, y_true, y_pred)`: per-sample values.
    public, private : dict or None
        Further members, R's named lists.
    inherit : class or None
        The class to subclass (default: the base of op-defined losses).
    parent_env : None
        R only; ignored.
    **kwargs
        Further methods (R's `...`), e.g. `initialize(self, ...)` run after the base took `name`,
        `reduction`, `dtype`.

    Returns
    -------
    class
        Instances take `name`, `reduction` ("sum_over_batch_size", "mean", "sum", "none") and `dtype`.
    """
    initialize = kwargs.pop("initialize", None)
    return _define(classname, CustomLoss, CustomLoss, initialize, {"call": call, **kwargs}, public, private,
                   inherit, ("name", "reduction", "dtype"))


def Metric(classname, initialize=None, update_state=None, result=None, *, public=None, private=None,
           inherit=None, parent_env=None, **kwargs):
    """Define a custom metric class, as R keras3's `Metric()` / `new_metric_class()`.

    State lives in variables made with `self.add_variable(shape, initializer, dtype, aggregation,
    name)` (or `self.add_weight()`); `update_state(self, y_true, y_pred, sample_weight = NULL)`
    updates them (`v.assign_add(...)`), `result(self)` returns the value. The default `reset_state`
    puts every state variable back to its initial value; give `reset_state` to override it.

    Parameters
    ----------
    classname : str
        The class name (its snake_case form is the default metric name).
    initialize : function or None
        `initialize(self, ...)`, called after the base metric has taken `name` and `dtype`.
    update_state : function
        `update_state(self, y_true, y_pred, sample_weight = None)`.
    result : function
        `result(self)`: the metric's value.
    public, private : dict or None
        Further members, R's named lists.
    inherit : class or None
        The class to subclass.
    parent_env : None
        R only; ignored.
    **kwargs
        Further methods (R's `...`), e.g. `reset_state(self)`.

    Returns
    -------
    class
    """
    members = {"update_state": update_state, "result": result, **kwargs}
    return _define(classname, CustomMetric, CustomMetric, initialize, members, public, private, inherit,
                   ("name", "dtype"))


def Callback(classname, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
             on_train_batch_begin=None, on_train_batch_end=None, on_test_begin=None, on_test_end=None,
             on_test_batch_begin=None, on_test_batch_end=None, on_predict_begin=None, on_predict_end=None,
             on_predict_batch_begin=None, on_predict_batch_end=None, *, public=None, private=None,
             inherit=None, parent_env=None, **kwargs):
    """Define a custom callback class, as R keras3's `Callback()` / `new_callback_class()`.

    Each hook receives `self` first, then the epoch (or batch) number and the `logs` dict;
    `self.model` is the model being trained. `fit()` calls the epoch, train and train-batch hooks.

    Parameters
    ----------
    classname : str
        The class name.
    on_epoch_begin, on_epoch_end : function or None
        `f(self, epoch, logs = None)`.
    on_train_begin, on_train_end : function or None
        `f(self, logs = None)`.
    on_train_batch_begin, on_train_batch_end : function or None
        `f(self, batch, logs = None)`.
    on_test_begin, on_test_end, on_test_batch_begin, on_test_batch_end : function or None
        Test hooks (kept as methods; `evaluate()` does not call callbacks).
    on_predict_begin, on_predict_end, on_predict_batch_begin, on_predict_batch_end : function or None
        Predict hooks (kept as methods; `predict()` does not call callbacks).
    public, private : dict or None
        Further members, R's named lists.
    inherit : class or None
        The class to subclass (default the base `Callback`).
    parent_env : None
        R only; ignored.
    **kwargs
        Further methods (R's `...`), e.g. `initialize(self, ...)`.

    Returns
    -------
    class
        Instances go in `fit(callbacks = list(...))`.
    """
    hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, "on_test_begin": on_test_begin, "on_test_end": on_test_end,
                 "on_test_batch_begin": on_test_batch_begin, "on_test_batch_end": on_test_batch_end,
                 "on_predict_begin": on_predict_begin, "on_predict_end": on_predict_end,
                 "on_predict_batch_begin": on_predict_batch_begin, "on_predict_batch_end": on_predict_batch_end}
    initialize = kwargs.pop("initialize", None)
    return _define(classname, _Callback, _Callback, initialize, {**hooks, **kwargs}, public, private, inherit, ())


new_loss_class = Loss
new_metric_class = Metric
new_callback_class = Callback


def layer_lambda(object=None, f=None, output_shape=None, mask=None, arguments=None, **kwargs):
    """Wraps an arbitrary function of the inputs as a layer (R keras3's `layer_lambda()`).

    `f(inputs, ...)` computes with the `op_*` functions (and Python operators on what they return):
    in training its ops are recorded, so the layer has gradients and trains inside a model.

    Parameters
    ----------
    object : None, model, tensor or array
        What to compose the layer with (see `layer_dense()`).
    f : function
        The function, `f(inputs, **arguments)`.
    output_shape : tuple, function or None
        The output shape without the batch dimension, or a function of the input shape (batch
        included); None: found by running `f` on zeros.
    mask : None, array or function
        The output mask, or a function `mask(inputs, mask)`; None: no mask.
    arguments : dict or None
        Extra keyword arguments for `f`.
    **kwargs
        Base layer arguments: `name`, `dtype`, `trainable`, `input_shape`, `batch_size`.

    Returns
    -------
    The layer, a model with the layer added, or the layer's output (see SPEC §2).
    """
    check_object(object, "layer_lambda(f={!r})")
    layer = Lambda(f, output_shape=output_shape, mask=mask, arguments=arguments, **kwargs)
    return compose(layer, object)
