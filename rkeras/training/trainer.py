"""The training engine behind `compile()`, `fit()`, `evaluate()`, `predict()` and the `*_on_batch` verbs.

A training step is: forward through the model in training mode (with the trainable snapshot taken
by `compile()`), loss and its gradient, backward through each layer's own backward kernel,
regularization penalties and their gradients, one optimizer update, then constraints.
"""

import warnings

import numpy as np

from .. import random as rk_random
from ..core import activity_losses
from ..core import tape as _tape
from ..core.state_transaction import state_transaction
from ..distribute import current_reducer, is_chief
from ..kernels.array_cache import uses_array_cache
from ..models.model import Model
from . import losses as losses_mod
from . import metrics as metrics_mod
from . import optimizers as optimizers_mod
from .callbacks import Callback
from .history import History
from .progress import ProgressBar, resolve_verbose


class CompiledState:
    """What `compile()` fixes for a model: optimizer, losses, metrics and the trainable snapshot."""

    def __init__(self, model, optimizer, losses, loss_weights, metric_ids):
        self.optimizer = optimizer
        self.losses = losses
        self.loss_weights = loss_weights
        self.metric_ids = metric_ids
        self.metrics = None  # resolved at the first batch, when output shapes are known
        self.trainable_of = trainable_snapshot(model)
        self.variables = list(model.trainable_weights)
        self.known = {id(v) for v in model.weights}  # weights a lazily built layer creates later join
        self.settled = False
        self.warned = False


def all_layers(layer) -> list:
    """The layer and every layer inside it, depth first."""
    out = [layer]
    for inner in layer._layers:
        out.extend(all_layers(inner))
    return out


def trainable_snapshot(model) -> dict:
    return {id(layer): layer.trainable for layer in all_layers(model)}


def _output_names(model) -> list:
    outputs = getattr(model, "outputs", None)
    if outputs is None:
        return [model.layers[-1].name if model.layers else "output"]
    return [t.node.layer.name for t in outputs]


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _per_output(value, names, arg_name):
    """A loss/metric spec given once, as a list per output, or as a dict by output name -> list."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"`{arg_name}` names unknown outputs {unknown}; outputs are {names}.")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"`{arg_name}` must give one entry per output ({len(names)}); received {len(value)}.")
        return list(value)
    return [value] * len(names)


def compile_model(model, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
    """Configure `model` for training; returns the model. See `compile()`."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for compile(): {', '.join(map(repr, kwargs))}. Accepted: "
                        f"optimizer, loss, metrics, loss_weights.")
    if not isinstance(model, Model):
        raise TypeError(f"`object` must be a model; received {type(model).__name__}.")
    if loss is None and type(model).train_step is Model.train_step:  # a custom train_step may need none
        raise ValueError("`loss` must be given to compile(), e.g. loss = 'mse' or "
                         "'sparse_categorical_crossentropy'.")
    names = _output_names(model)
    opt = optimizers_mod.get(optimizer)
    losses = [] if loss is None else [losses_mod.get(l) for l in _per_output(loss, names, "loss")]
    weights = [1.0] * len(names) if loss_weights is None else [
        float(w) for w in _per_output(loss_weights, names, "loss_weights")]
    if metrics is None:
        metric_ids = [[] for _ in names]
    elif isinstance(metrics, dict):
        metric_ids = [_as_list(m) if m is not None else [] for m in _per_output(metrics, names, "metrics")]
    else:
        metric_ids = [_as_list(metrics) for _ in names]
    model._compiled = CompiledState(model, opt, losses, weights, metric_ids)
    return model


def _require_compiled(model, verb):
    if getattr(model, "_compiled", None) is None:
        raise ValueError(f"The model must be compiled before {verb}(): `model | compile(optimizer = ..., "
                         f"loss = ...)`.")
    return model._compiled


def _resolve_metrics(state, names, y_pred):
    if state.metrics is not None:
        return
    state.metrics = []
    for i, ids in enumerate(state.metric_ids):
        out = []
        for m in ids:
            metric = metrics_mod.get(m, loss=state.losses[i], output_shape=y_pred[i].shape)
            prefix = f"{names[i]}_" if len(names) > 1 else ""
            out.append((prefix + metric.name, metric))
        state.metrics.append(out)


def _check_stale(model, state):
    if state.warned:
        return
    if trainable_snapshot(model) != state.trainable_of:
        state.warned = True
        warnings.warn(f"The `trainable` attribute of a layer of model '{model.name}' changed after compile(): "
                      f"training keeps using the compiled state (which weights update, and the "
                      f"normalization mode of batch normalization) until compile() is called again.",
                      UserWarning, stacklevel=4)


def _prepare_x(x):
    if isinstance(x, (list, tuple)):
        return [np.asarray(a) for a in x]
    return np.asarray(x)


def _n_samples(x) -> int:
    return len(x[0]) if isinstance(x, list) else len(x)


def _take(data, idx):
    if data is None:
        return None
    if isinstance(data, list):
        return [d[idx] for d in data]
    return data[idx]


def _loss_and_grads(state, y_true, y_pred):
    """Weighted sum of the per-output losses and the gradient with respect to each output."""
    total, grads, parts = 0.0, [], []
    for loss, w, yt, yp in zip(state.losses, state.loss_weights, y_true, y_pred):
        value, g = loss.value_and_grad(yt, yp)
        total += w * value
        parts.append(value)
        grads.append(g * w if w != 1.0 else g)
    return total, grads, parts


def _regularization(variables) -> float:
    return float(sum(v.regularizer(v.value) for v in variables if v.regularizer is not None))


def _batch_step(model, state, x, y, training: bool):
    """One batch through the model: returns (total loss, per-output losses, predictions list).

    A training step is a transaction (`core/state_transaction.py`): the inputs and targets are
    checked first, then every state change of the step (moving statistics, weights, optimizer slots
    and iterations, constraints) is staged and committed at its end, or not at all."""
    if not training:
        return _run_batch(model, state, x, y, False)
    reducer = current_reducer()
    if reducer is None or reducer.size <= 1:
        _check_training_batch(model, state, x, y)
    with state_transaction():
        return _run_batch(model, state, x, y, True)


def _check_training_batch(model, state, x, y):
    """The checks a training step can make before its forward pass: a non-empty batch, and targets the
    losses accept for the outputs' shapes, once a step has shown them for inputs of this shape (a
    layer's `compute_output_shape` may not be exact; the first step checks after its forward, and its
    transaction still changes nothing when the targets are refused)."""
    n = _n_samples(x)
    if n == 0:
        raise ValueError("A training step needs at least one sample; received `x` with 0 samples (an "
                         "empty batch has no batch statistics and no gradient).")
    if y is None:
        raise ValueError("`y` must be given for a training step (targets for the loss).")
    shapes = _output_shapes_seen(state).get(_shape_of(x))
    if shapes is None:
        return
    y_true = _as_list(y) if len(shapes) > 1 else [y]
    if len(y_true) != len(shapes):
        raise ValueError(f"`y` must give one target per output ({len(shapes)}); received {len(y_true)}.")
    for loss, yt, shape in zip(state.losses, y_true, shapes):
        loss.check_targets(yt, shape)


def _shape_of(x):
    return tuple(tuple(np.shape(a)) for a in x) if isinstance(x, list) else tuple(np.shape(x))


def _output_shapes_seen(state) -> dict:
    """Input shape -> the output shapes a training step produced for it (a few dozen kept)."""
    seen = getattr(state, "_output_shapes_seen", None)
    if seen is None:
        seen = state._output_shapes_seen = {}
    return seen


def _remember_output_shapes(state, x, y_pred) -> None:
    seen = _output_shapes_seen(state)
    if len(seen) >= 48:
        seen.clear()
    seen[_shape_of(x)] = [tuple(p.shape) for p in y_pred]


def _run_batch(model, state, x, y, training: bool):
    reducer = current_reducer()
    if reducer is not None and reducer.size > 1:  # data parallel: this rank's share, global results
        with _tape.gradient_scope() if training else _tape.no_recording():
            return reducer.batch_step(model, state, x, y, training)
    if training:
        _check_stale(model, state)
    # layers defined by call() record their ops for the backward pass; add_loss() values are collected,
    # and so are the penalties of activity regularization
    with _tape.gradient_scope(with_losses=True) if training else _tape.no_recording(), \
            _tape.loss_collector() as added, activity_losses.collect() as activity:
        outputs, cache = model.forward(x, training=training, trainable_of=state.trainable_of)
    if training and not state.settled:
        _adopt_new_weights(model, state)
    y_pred = _as_list(outputs) if isinstance(outputs, list) else [outputs]
    y_true = _as_list(y) if len(y_pred) > 1 else [y]
    if len(y_true) != len(y_pred):
        raise ValueError(f"`y` must give one target per output ({len(y_pred)}); received {len(y_true)}.")
    total, grads, parts = _loss_and_grads(state, y_true, y_pred)
    total += _regularization(state.variables) + sum(added) + sum(activity)
    if training:
        _remember_output_shapes(state, x, y_pred)
        upstream = grads if len(grads) > 1 else grads[0]
        _, weight_grads = model.backward(cache, upstream)
        apply_update(state, collect_gradients(state, weight_grads))
    return total, parts, y_true, y_pred


def _build_from_data(model, x):
    """Build every layer, as Keras does before a custom `train_step()`: a call on zeros shaped like `x`."""
    shape = [(None,) + tuple(a.shape[1:]) for a in x] if isinstance(x, list) else (None,) + tuple(x.shape[1:])
    model.compute_output_shape(shape)


def _adopt_new_weights(model, state):
    """Weights created at the first call of a lazily built layer (after compile()) are trained too."""
    for v in model.trainable_weights:
        if id(v) not in state.known:
            state.variables.append(v)
    state.known = {id(v) for v in model.weights}
    state.settled = True


def default_train_step(model, data):
    """The training step `fit()` runs on one batch `(x, y)`; returns that batch's logs."""
    x, y = (data[0], data[1]) if isinstance(data, (list, tuple)) else (data, None)
    state = _require_compiled(model, "train_step")
    tracker = _Tracker(state, _output_names(model))
    total, parts, yt, yp = _batch_step(model, state, _prepare_x(x), _prepare_x(y), training=True)
    tracker.update(total, parts, yt, yp)
    return tracker.logs()


def compute_loss(model, y, y_pred, sample_weight=None):
    """The compiled losses of `y_pred` (plus regularization and the losses added by `add_loss()` in
    the last call), differentiable with respect to `y_pred` on an active tape (`value_and_grad()`)."""
    from ..ops._base import apply
    if sample_weight is not None:
        raise ValueError("`sample_weight` is not supported by rkeras' compute_loss(); pass None.")
    state = _require_compiled(model, "compute_loss")
    preds = _as_list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]
    targets = _as_list(y) if len(preds) > 1 else [y]
    total = None
    from ..ops.math import op_add
    for loss, w, yt, yp in zip(state.losses, state.loss_weights, targets, preds):
        yt = _tape.plain(yt)

        def vjp(g, o, p, loss=loss, yt=yt, w=w):
            return (np.asarray(loss.value_and_grad(yt, p)[1] * (w * g), dtype=p.dtype),)
        term = apply(lambda p, loss=loss, yt=yt, w=w: np.asarray(w * loss(yt, p), dtype=p.dtype), vjp, yp)
        total = term if total is None else op_add(total, term)
    from ..ops.reductions import op_sum
    for layer in all_layers(model):  # losses added in the last call, differentiable on the tape
        for term in getattr(layer, "_added_loss_terms", ()):
            total = op_add(total, op_sum(term))
    reg = _regularization(state.variables)
    return op_add(total, reg) if reg else total


def collect_gradients(state, weight_grads: dict) -> list:
    """The loss gradient of each compiled variable, in order (zeros for one that took no part)."""
    return [weight_grads[v] if v in weight_grads else np.zeros(v.shape, v.dtype) for v in state.variables]


def apply_update(state, loss_grads: list) -> None:
    """Add the regularizers' gradients, take one optimizer step, then apply the constraints: one
    transaction (joined with the training step's), so a constraint that raises changes nothing."""
    with state_transaction():
        var_grads = []
        for v, g in zip(state.variables, loss_grads):
            if v.regularizer is not None:
                g = g + v.regularizer.gradient(v.value)
            var_grads.append(np.asarray(g).astype(v.dtype, copy=False))
        state.optimizer.apply(var_grads, state.variables)
        for v in state.variables:
            v.apply_constraint()


class _Tracker:
    """Running, sample-weighted means of the loss and metrics over an epoch."""

    def __init__(self, state, names):
        self.state, self.names = state, names
        self.loss_sum = 0.0
        self.part_sums = [0.0] * len(names)
        self.count = 0
        for group in state.metrics or []:
            for _, metric in group:
                metric.reset_state()

    def update(self, total, parts, y_true, y_pred):
        n = len(y_pred[0])
        self.loss_sum += total * n
        self.part_sums = [s + p * n for s, p in zip(self.part_sums, parts)]
        self.count += n
        _resolve_metrics(self.state, self.names, y_pred)
        for group, yt, yp in zip(self.state.metrics, y_true, y_pred):
            for _, metric in group:
                metric.update_state(yt, yp)

    custom_logs = None  # set when a custom train_step() gives the logs

    def logs(self, prefix="") -> dict:
        if self.custom_logs is not None:
            return {f"{prefix}{k}": _as_float(v) for k, v in self.custom_logs.items()}
        out = {f"{prefix}loss": self.loss_sum / max(self.count, 1)}
        if len(self.names) > 1:
            for name, s in zip(self.names, self.part_sums):
                out[f"{prefix}{name}_loss"] = s / max(self.count, 1)
        for group in self.state.metrics or []:
            for name, metric in group:
                out[f"{prefix}{name}"] = float(metric.result())
        return out


def _as_float(v):
    return float(np.asarray(_tape.plain(v.result() if hasattr(v, "result") else v)))


def _batches(n, batch_size, shuffle, generator):
    order = generator.permutation(n) if shuffle else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer; received {batch_size!r}.")
    return int(batch_size)


@uses_array_cache
def fit_model(model, x=None, y=None, batch_size=32, epochs=1, verbose="auto", validation_split=0.0,
              validation_data=None, shuffle=True, callbacks=None, initial_epoch=0, **kwargs):
    """Train `model` on (x, y); returns a `History`. See `fit()`."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for fit(): {', '.join(map(repr, kwargs))}.")
    state = _require_compiled(model, "fit")
    verbose = resolve_verbose(verbose)
    batch_size = _check_batch_size(batch_size)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"`epochs` must be a non-negative integer; received {epochs!r}.")
    if not 0.0 <= float(validation_split) < 1.0:
        raise ValueError(f"`validation_split` must be in [0, 1); received {validation_split!r}.")
    if y is None:
        raise ValueError("`y` must be given to fit() (targets for the loss).")
    x, y = _prepare_x(x), _prepare_x(y)
    n = _n_samples(x)
    if n != _n_samples(y):
        raise ValueError(f"`x` and `y` must have the same number of samples; received {n} and {_n_samples(y)}.")
    if validation_split and validation_data is None:
        split = int(n * (1.0 - float(validation_split)))  # Keras: the last fraction, before shuffling
        if split == 0 or split == n:
            raise ValueError(f"`validation_split` = {validation_split} leaves no training or no validation "
                             f"samples out of {n}.")
        idx_train, idx_val = np.arange(split), np.arange(split, n)
        validation_data = (_take(x, idx_val), _take(y, idx_val))
        x, y, n = _take(x, idx_train), _take(y, idx_train), split
    if validation_data is not None:
        if len(validation_data) != 2:
            raise ValueError("`validation_data` must be a pair (x_val, y_val).")
        val_x, val_y = _prepare_x(validation_data[0]), _prepare_x(validation_data[1])
    callbacks = list(callbacks or [])
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"`callbacks` must hold Callback objects; received {type(cb).__name__}.")
        cb.set_model(model)
    names = _output_names(model)
    steps = (n + batch_size - 1) // batch_size
    history = History({"verbose": verbose, "epochs": epochs, "steps": steps, "batch_size": batch_size,
                       "samples": n})
    model.history = history
    model.stop_training = False
    generator = rk_random.make_generator()
    custom_step = type(model).train_step is not Model.train_step
    if custom_step and not all(layer.built for layer in all_layers(model)):
        _build_from_data(model, x)  # a custom step reads model.trainable_weights before the first call
    model._fit_generator, model._fit_initial_epoch = generator, int(initial_epoch)  # for backup callbacks
    for cb in callbacks:
        cb.on_train_begin({})
    # a callback that restored a backup (callback_backup_and_restore) says where to resume, as Keras
    initial_epoch = max(int(initial_epoch), int(getattr(model, "_initial_epoch", None) or 0))
    model._initial_epoch = None
    for epoch in range(int(initial_epoch), int(epochs)):
        for cb in callbacks:
            cb.on_epoch_begin(epoch, {})
        chief = is_chief()  # data parallel: rank 0 prints
        if (verbose == 1 or verbose == 2) and chief:
            print(f"Epoch {epoch + 1}/{epochs}", flush=True)
        bar = ProgressBar(steps, verbose if chief else 0)
        tracker = _Tracker(state, names)
        for step, idx in enumerate(_batches(n, batch_size, shuffle, generator)):
            for cb in callbacks:
                cb.on_train_batch_begin(step, {})
            if custom_step:  # a model that overrides train_step(): its logs are the batch's logs
                logs = dict(model.train_step((_take(x, idx), _take(y, idx))))
                tracker.custom_logs = logs
            else:
                total, parts, yt, yp = _batch_step(model, state, _take(x, idx), _take(y, idx), training=True)
                tracker.update(total, parts, yt, yp)
                logs = tracker.logs()
            for cb in callbacks:
                cb.on_train_batch_end(step, logs)
            bar.update(step + 1, logs)
        logs = tracker.logs()
        if validation_data is not None:
            logs.update(_evaluate_logs(model, state, val_x, val_y, batch_size, prefix="val_"))
        bar.finish(logs)
        history.record(epoch, logs)
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    for cb in callbacks:
        cb.on_train_end({})
    return history


def _evaluate_logs(model, state, x, y, batch_size, prefix=""):
    tracker = _Tracker(state, _output_names(model))
    n = _n_samples(x)
    if n != _n_samples(y):
        raise ValueError(f"`x` and `y` must have the same number of samples; received {n} and {_n_samples(y)}.")
    for idx in _batches(n, batch_size, False, None):
        total, parts, yt, yp = _batch_step(model, state, _take(x, idx), _take(y, idx), training=False)
        tracker.update(total, parts, yt, yp)
    return tracker.logs(prefix)


@uses_array_cache
def evaluate_model(model, x=None, y=None, batch_size=32, verbose="auto", **kwargs):
    """Loss and metrics on (x, y) in inference mode, as a dict (R's named list). See `evaluate()`."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for evaluate(): {', '.join(map(repr, kwargs))}.")
    state = _require_compiled(model, "evaluate")
    verbose = resolve_verbose(verbose)
    batch_size = _check_batch_size(batch_size)
    if y is None:
        raise ValueError("`y` must be given to evaluate().")
    x, y = _prepare_x(x), _prepare_x(y)
    chief = is_chief()  # data parallel: rank 0 prints
    bar = ProgressBar((_n_samples(x) + batch_size - 1) // batch_size, verbose if chief else 0)
    logs = _evaluate_logs(model, state, x, y, batch_size)
    bar.finish(logs)
    return logs


@uses_array_cache
def predict_model(model, x, batch_size=None, verbose=0, **kwargs):
    """Outputs for `x` in inference mode, computed batch by batch (last batch may be partial)."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for predict(): {', '.join(map(repr, kwargs))}.")
    batch_size = _check_batch_size(batch_size)
    resolve_verbose(verbose)
    x = _prepare_x(x)
    n = _n_samples(x)
    state = getattr(model, "_compiled", None)
    trainable_of = state.trainable_of if state is not None else None
    reducer = current_reducer()
    if reducer is not None and reducer.size > 1:  # data parallel: each rank its share, gathered in order
        with _tape.no_recording():
            return reducer.predict(model, x, batch_size, trainable_of)
    pieces = []
    with _tape.no_recording():  # no backward follows: layers defined by call() record nothing
        for i in range(0, n, batch_size):
            out, _ = model.forward(_take(x, slice(i, i + batch_size)), training=False, trainable_of=trainable_of)
            pieces.append(out)
    if not pieces:
        raise ValueError("`x` has no samples to predict.")
    if isinstance(pieces[0], list):
        return [np.concatenate([p[k] for p in pieces]) for k in range(len(pieces[0]))]
    return np.concatenate(pieces)


@uses_array_cache
def train_on_batch(model, x, y=None, **kwargs):
    """One training step on one batch; returns the loss and metrics of that batch (dict)."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for train_on_batch(): {', '.join(map(repr, kwargs))}.")
    state = _require_compiled(model, "train_on_batch")
    tracker = _Tracker(state, _output_names(model))
    total, parts, yt, yp = _batch_step(model, state, _prepare_x(x), _prepare_x(y), training=True)
    tracker.update(total, parts, yt, yp)
    return tracker.logs()


@uses_array_cache
def test_on_batch(model, x, y=None, **kwargs):
    """Loss and metrics of one batch in inference mode (dict)."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for test_on_batch(): {', '.join(map(repr, kwargs))}.")
    state = _require_compiled(model, "test_on_batch")
    tracker = _Tracker(state, _output_names(model))
    total, parts, yt, yp = _batch_step(model, state, _prepare_x(x), _prepare_x(y), training=False)
    tracker.update(total, parts, yt, yp)
    return tracker.logs()


@uses_array_cache
def predict_on_batch(model, x):
    """Outputs of one batch in inference mode (data parallel: each rank its share, gathered in order)."""
    state = getattr(model, "_compiled", None)
    trainable_of = state.trainable_of if state is not None else None
    x = _prepare_x(x)
    reducer = current_reducer()
    with _tape.no_recording():
        if reducer is not None and reducer.size > 1 and _n_samples(x) > 0:
            return reducer.predict(model, x, _n_samples(x), trainable_of)
        out, _ = model.forward(x, training=False, trainable_of=trainable_of)
    return out
