"""The training engine behind `compile()`, `fit()`, `evaluate()`, `predict()` and the `*_on_batch` verbs,
and `Trainer`, the class that gives a model those verbs (`Model(Trainer, Layer)`, as Keras 3).

Every batch goes through one step (`step.py`): forward through the model in training mode (with the
trainable snapshot taken by `compile()`), loss and its gradient, backward through each layer's own
backward kernel, the strategy's reduction (identity for one process), regularization penalties and
their gradients, one optimizer update, then constraints. This module imports no model module: a model
is whatever implements the Layer protocol (`forward`, `backward`, weights) plus `Trainer`.
"""

import numpy as np

from ..core import tape as _tape
from ..core.layer import all_layers, run_forward
from ..distribute import IDENTITY, current_strategy
from ..kernels.array_cache import uses_array_cache
from ..user_warnings import warn
from . import batching
from . import losses as losses_mod
from . import metrics as metrics_mod
from . import optimizers as optimizers_mod
from .callbacks import CallbackList, as_callback_list
from .history import History
from .progress import ProgbarLogger, resolve_verbose
from .step import batch_step as _batch_step
from .step import loss_terms, regularization, trainable_snapshot


class Trainer:
    """The training verbs of a model: `compile()`, `fit()`, `evaluate()`, `predict()`, the
    `*_on_batch()` verbs, `train_step()` and `compute_loss()` (Keras 3's `Trainer`; `Model` is
    `Model(Trainer, Layer)`). The engine is the functions of this module."""

    _compiled = None  # set by compile(): optimizer, loss, metrics, trainable snapshot

    # ----------------------------------------------------------------------------- custom training
    def train_step(self, data):
        """One training step on `data = (x, y)`; returns the logs (a dict). Override it to customize
        `fit()` (R keras3's `train_step`): `value_and_grad()` gives gradients, `self.optimizer.apply()`
        updates, `self.compute_loss()` evaluates the compiled loss on the tape."""
        return default_train_step(self, data)

    @property
    def optimizer(self):
        """The optimizer given to `compile()` (None before)."""
        return self._compiled.optimizer if self._compiled is not None else None

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The compiled loss of `y_pred` against `y` plus the losses added in the last call; inside
        `value_and_grad()` it is differentiable with respect to `y_pred`."""
        return compute_loss(self, y, y_pred, sample_weight)

    # ----------------------------------------------------------------------------- verbs
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
        compile_model(self, optimizer=optimizer, loss=loss, metrics=metrics, loss_weights=loss_weights,
                      **kwargs)
        # as given, for the `compile_config` of a saved file (Keras keeps names such as "mse")
        self._compile_args = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights}
        return self

    def fit(self, x=None, y=None, **kwargs):
        return fit_model(self, x, y, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        return evaluate_model(self, x, y, **kwargs)

    def predict(self, x, batch_size=None, verbose=0, **kwargs):
        return predict_model(self, x, batch_size=batch_size, verbose=verbose, **kwargs)

    def train_on_batch(self, x, y=None, **kwargs):
        return train_on_batch(self, x, y, **kwargs)

    def test_on_batch(self, x, y=None, **kwargs):
        return test_on_batch(self, x, y, **kwargs)

    def predict_on_batch(self, x):
        return predict_on_batch(self, x)


def _custom_train_step(model) -> bool:
    return type(model).train_step is not Trainer.train_step


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


_output_names = batching.output_names


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


def _metrics_per_output(metrics, names):
    if metrics is None:
        return [[] for _ in names]
    if isinstance(metrics, dict):
        return [_as_list(m) if m is not None else [] for m in _per_output(metrics, names, "metrics")]
    if (isinstance(metrics, (list, tuple)) and len(names) > 1 and len(metrics) == len(names)
            and all(m is None or isinstance(m, (list, tuple)) for m in metrics)):
        return [list(m) if m is not None else [] for m in metrics]  # one list per output
    return [_as_list(metrics) for _ in names]


def compile_model(model, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
    """Configure `model` for training; returns the model. See `compile()`.

    Several outputs: `loss` (and `loss_weights`, `metrics`) may be a list in output order or a dict
    by output name; `None` for an output trains nothing on it (it needs no target).
    """
    if kwargs:
        raise TypeError(f"Unknown argument(s) for compile(): {', '.join(map(repr, kwargs))}. Accepted: "
                        f"optimizer, loss, metrics, loss_weights.")
    if not isinstance(model, Trainer):
        raise TypeError(f"`object` must be a model; received {type(model).__name__}.")
    if loss is None and not _custom_train_step(model):  # a custom train_step may need none
        raise ValueError("`loss` must be given to compile(), e.g. loss = 'mse' or "
                         "'sparse_categorical_crossentropy'.")
    names = _output_names(model)
    opt = optimizers_mod.get(optimizer)
    if loss is None:  # a custom train_step computes its own loss
        losses = []
    else:
        losses = [None if l is None else losses_mod.get(l) for l in _per_output(loss, names, "loss")]
        if all(l is None for l in losses):
            raise ValueError(f"`loss` must give a loss for at least one output; received {loss!r}.")
    weights = [1.0] * len(names) if loss_weights is None else [
        _check_loss_weight(w) for w in _per_output(loss_weights, names, "loss_weights")]
    metric_ids = _metrics_per_output(metrics, names)
    for ids, l in zip(metric_ids, losses):  # unknown names refused now, not after the first update
        for m in ids:
            metrics_mod.get(m, loss=l)
    model._compiled = CompiledState(model, opt, losses, weights, metric_ids)
    return model


def _check_loss_weight(w):
    if w is None:
        return 1.0
    if isinstance(w, bool) or not isinstance(w, (int, float, np.integer, np.floating)) or not np.isfinite(w):
        raise ValueError(f"`loss_weights` entries must be finite numbers; received {w!r}.")
    return float(w)


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


def _prepare_x(x):
    if isinstance(x, (list, tuple)):
        return [np.asarray(a) for a in x]
    return np.asarray(x)


_n_samples = batching.n_samples
_take = batching.take


def _build_from_data(model, x):
    """Build every layer, as Keras does before a custom `train_step()`: a call on zeros shaped like `x`."""
    shape = [(None,) + tuple(a.shape[1:]) for a in x] if isinstance(x, list) else (None,) + tuple(x.shape[1:])
    model.compute_output_shape(shape)


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
    reg = regularization(state.variables)
    return op_add(total, reg) if reg else total


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

    def update(self, total, parts, y_true, y_pred, sample_weight=None):
        n = len(y_pred[0])
        self.loss_sum += total * n
        self.part_sums = [s + p * n if p is not None else None for s, p in zip(self.part_sums, parts)]
        self.count += n
        _resolve_metrics(self.state, self.names, y_pred)
        for group, yt, yp in zip(self.state.metrics, y_true, y_pred):
            if yt is None:  # an output without loss and target
                continue
            for _, metric in group:
                if sample_weight is None:
                    metric.update_state(yt, yp)
                else:
                    metric.update_state(yt, yp, sample_weight=sample_weight)

    custom_logs = None  # set when a custom train_step() gives the logs

    def logs(self, prefix="") -> dict:
        if self.custom_logs is not None:
            return {f"{prefix}{k}": _as_float(v) for k, v in self.custom_logs.items()}
        out = {f"{prefix}loss": self.loss_sum / max(self.count, 1)}
        if len(self.names) > 1:
            for name, s in zip(self.names, self.part_sums):
                if s is not None:
                    out[f"{prefix}{name}_loss"] = s / max(self.count, 1)
        for group in self.state.metrics or []:
            for name, metric in group:
                value = metric.result()
                # a per-class result (e.g. f1_score(average = NULL)) stays an array, as in Keras' logs
                out[f"{prefix}{name}"] = float(value) if np.ndim(value) == 0 else np.asarray(value, np.float64)
        return out


def _as_float(v):
    return float(np.asarray(_tape.plain(v.result() if hasattr(v, "result") else v)))


def _check_batch_size(batch_size):
    return _check_positive_int(batch_size, "batch_size", default=32)


def _check_positive_int(value, arg, default=None):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)) or \
            value != int(value) or value < 1:
        raise ValueError(f"`{arg}` must be a positive integer; received {value!r}.")
    return int(value)


def _prepare_y(y, names, losses, arg="y"):
    """Targets in output order; an output compiled without a loss may have none (None)."""
    if isinstance(y, dict):
        unknown = [k for k in y if k not in names]
        if unknown:
            raise ValueError(f"`{arg}` names unknown outputs {unknown}; outputs are {names}.")
        y = [y.get(n) for n in names]
    if len(names) == 1:
        return batching.as_structure(y, names, arg)
    if not isinstance(y, (list, tuple)) or len(y) != len(names):
        got = f"a list of {len(y)}" if isinstance(y, (list, tuple)) else f"a {type(y).__name__}"
        raise ValueError(f"`{arg}` must give one target per model output ({len(names)}: {', '.join(names)}) "
                         f"as a list or a dict by output name; received {got}.")
    out = []
    for i, (target, loss) in enumerate(zip(y, losses)):
        if target is None:
            if loss is not None:
                raise ValueError(f"`{arg}` has no target for output '{names[i]}', which has a loss.")
            out.append(None)
        else:
            out.append(batching.as_structure(target, [names[i]], f"{arg}[[{i + 1}]]"))
    return out


def _count_of(y):
    """Samples of the targets (ignoring the None of outputs without loss)."""
    if isinstance(y, list):
        return next(len(t) for t in y if t is not None)
    return len(y)


def _prepare_arrays(model, state, x, y, sample_weight, arg_x="x", arg_y="y", arg_sw="sample_weight"):
    """Checked arrays: x per input, y per output, sample weights; all with the same number of samples."""
    x = batching.as_structure(x, batching._input_names(model), arg_x)
    if y is None:
        raise ValueError(f"`{arg_y}` must be given (targets for the loss) when `{arg_x}` is an array.")
    y = _prepare_y(y, _output_names(model), state.losses, arg_y)
    n = _n_samples(x)
    if n == 0:
        raise ValueError(f"`{arg_x}` has 0 samples: there is nothing to train on or evaluate.")
    counts = [len(a) for a in (x if isinstance(x, list) else [x])] + \
        [len(t) for t in (y if isinstance(y, list) else [y]) if t is not None]
    if len(set(counts)) > 1:
        raise ValueError(f"`{arg_x}` and `{arg_y}` must have the same number of samples; received "
                         f"{n} and {_count_of(y)}" + (f" (per array: {counts})" if len(counts) > 2 else "") + ".")
    return x, y, batching.check_sample_weight(sample_weight, n, arg_sw)


def _iterable_source(model, state, data, arg, with_targets=True):
    return batching.IterableBatches(data, arg, batching._input_names(model), _output_names(model),
                                    with_targets=with_targets)


def _weights_for(y, sw, class_weight):
    if class_weight is None:
        return sw
    return batching.class_weight_to_sample_weight(y, class_weight)


def _dry_run(model, state, x, y, sw, arg):
    """An inference pass of one small batch through the model and loss: shapes, labels and metrics are
    checked before training changes anything (inference changes no state)."""
    idx = slice(0, min(_n_samples(x), 8))
    xb, yb = _take(x, idx), _take(y, idx)
    try:
        outputs, _ = run_forward(model, xb, False, trainable_of=state.trainable_of)
        y_pred = _as_list(outputs) if isinstance(outputs, list) else [outputs]
        y_true = _as_list(yb) if len(y_pred) > 1 else [yb]
        loss_terms(state, y_true, y_pred, None if sw is None else sw[idx])
        _Tracker(state, _output_names(model)).update(0.0, [0.0] * len(y_pred), y_true, y_pred)
    except (ValueError, TypeError, IndexError) as err:
        raise type(err)(f"`{arg}` does not fit the model: {err}") from err


def _run_test(model, state, source, steps, cbl, prefix=""):
    """One pass of inference over `source` with the test hooks; returns the logs."""
    tracker = _Tracker(state, _output_names(model))
    cbl.call("on_test_begin", {})
    seen = 0
    for step, (xb, yb, swb) in batching.EpochBatches(source, steps, quiet=bool(prefix)).epoch():
        cbl.call("on_test_batch_begin", step + 1, {})
        total, parts, yt, yp = _batch_step(model, state, xb, yb, training=False, sample_weight=swb)
        tracker.update(total, parts, yt, yp, swb)
        seen += 1
        cbl.call("on_test_batch_end", step + 1, tracker.logs())
    if seen == 0:
        if prefix:  # fit(): a one-shot validation iterator used up
            warn("`validation_data` gave no batch (a generator used up?): this epoch has no validation.")
            return {}
        raise ValueError("The evaluation data gave no batch.")
    logs = tracker.logs()
    cbl.call("on_test_end", logs)
    return {f"{prefix}{k}": v for k, v in logs.items()}


def _validation_source(model, state, validation_data, batch_size):
    if batching.is_batch_iterable(validation_data):
        return _iterable_source(model, state, validation_data, "validation_data")
    if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
        raise ValueError(f"`validation_data` must be a pair (x_val, y_val), a triple (x_val, y_val, "
                         f"sample_weight_val) or an iterable of batches; received "
                         f"{type(validation_data).__name__}"
                         f"{f' of length {len(validation_data)}' if isinstance(validation_data, (list, tuple)) else ''}.")
    sw = validation_data[2] if len(validation_data) == 3 else None
    vx, vy, vsw = _prepare_arrays(model, state, validation_data[0], validation_data[1], sw,
                                  "validation_data[[1]]", "validation_data[[2]]", "validation_data[[3]]")
    _dry_run(model, state, vx, vy, vsw, "validation_data")
    return batching.ArrayBatches(vx, vy, vsw, batch_size)


def _default_callbacks(callbacks, verbose):
    """User callbacks, then a History and a progress logger unless given (Keras' CallbackList)."""
    history = next((cb for cb in callbacks if isinstance(cb, History)), None)
    out = list(callbacks)
    if history is None:
        history = History()
        out.append(history)
    if verbose and not any(isinstance(cb, ProgbarLogger) for cb in callbacks):
        out.append(ProgbarLogger())
    return out, history


@uses_array_cache
def fit_model(model, x=None, y=None, batch_size=None, epochs=1, callbacks=None, validation_split=0.0,
              validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=1,
              steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1,
              verbose="auto", **kwargs):
    """Train `model` on (x, y); returns a `History`. See `fit()`. Epoch numbers are 1-based (R)."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for fit(): {', '.join(map(repr, kwargs))}.")
    state = _require_compiled(model, "fit")
    verbose = resolve_verbose(verbose)
    batch_size = _check_batch_size(batch_size)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"`epochs` must be a non-negative integer; received {epochs!r}.")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer)) or initial_epoch < 1:
        raise ValueError(f"`initial_epoch` must be an integer >= 1 (1-based, as R keras3: training runs epochs "
                         f"initial_epoch..epochs); received {initial_epoch!r}.")
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float, np.number)) or \
            not 0.0 <= float(validation_split) < 1.0:
        raise ValueError(f"`validation_split` must be a number in [0, 1); received {validation_split!r}.")
    steps_per_epoch = _check_positive_int(steps_per_epoch, "steps_per_epoch")
    validation_steps = _check_positive_int(validation_steps, "validation_steps")
    validation_batch_size = _check_positive_int(validation_batch_size, "validation_batch_size", batch_size)
    validation_freq = _check_positive_int(validation_freq, "validation_freq")
    if shuffle not in (True, False):
        raise ValueError(f"`shuffle` must be TRUE or FALSE; received {shuffle!r}.")
    callbacks = as_callback_list(callbacks)
    names = _output_names(model)
    class_weight = batching.check_class_weight(class_weight, len(names))
    if class_weight is not None and sample_weight is not None:
        raise ValueError("`class_weight` and `sample_weight` cannot be given together (as in Keras): fold the "
                         "class weights into `sample_weight`.")

    if batching.is_batch_iterable(x):
        if y is not None or sample_weight is not None:
            raise ValueError("When `x` is a generator or iterable of batches, `y` and `sample_weight` must be "
                             "None: each batch gives (x, y) or (x, y, sample_weight).")
        if validation_split:
            raise ValueError("`validation_split` needs arrays; with a generator or iterable of batches pass "
                             "`validation_data`.")
        source = _iterable_source(model, state, x, "x")
    else:
        x, y, sample_weight = _prepare_arrays(model, state, x, y, sample_weight)
        n = _n_samples(x)
        if validation_split and validation_data is None:
            split = int(n * (1.0 - float(validation_split)))  # Keras: the last fraction, before shuffling
            if split == 0 or split == n:
                raise ValueError(f"`validation_split` = {validation_split} leaves no training or no validation "
                                 f"samples out of {n}.")
            idx_train, idx_val = np.arange(split), np.arange(split, n)
            validation_data = (_take(x, idx_val), _take(y, idx_val)) + (
                (sample_weight[idx_val],) if sample_weight is not None else ())
            x, y, sample_weight = _take(x, idx_train), _take(y, idx_train), _take(sample_weight, idx_train)
        sample_weight = _weights_for(y, sample_weight, class_weight)
        source = batching.ArrayBatches(x, y, sample_weight, batch_size, shuffle=bool(shuffle))
    val_source = None
    if validation_data is not None:  # checked now, not after an epoch of training
        val_source = _validation_source(model, state, validation_data, validation_batch_size)

    batches = batching.EpochBatches(source, steps_per_epoch)
    callbacks, history = _default_callbacks(callbacks, verbose)
    params = {"verbose": verbose, "epochs": int(epochs), "steps": batches.num_batches}
    if isinstance(source, batching.ArrayBatches):
        params.update(samples=source.n, batch_size=batch_size)
    cbl = CallbackList(callbacks, model, params)
    history.params = params
    model.history = history
    model.stop_training = False
    custom_step = _custom_train_step(model)
    if custom_step and isinstance(source, batching.ArrayBatches) and \
            not all(layer.built for layer in all_layers(model)):
        _build_from_data(model, x)  # a custom step reads model.trainable_weights before the first call
    # for callback_backup_and_restore: the shuffling generator, and the epochs done before this fit
    model._fit_generator = getattr(source, "_generator", None)
    model._fit_initial_epoch = int(initial_epoch) - 1
    cbl.call("on_train_begin", {})
    # a callback that restored a backup says how many epochs are done, as Keras
    if getattr(model, "_initial_epoch", None) is not None:
        initial_epoch = max(int(initial_epoch), int(model._initial_epoch) + 1)
    model._initial_epoch = None
    logs = {}
    for epoch in range(int(initial_epoch), int(epochs) + 1):
        cbl.call("on_epoch_begin", epoch, {})
        tracker = _Tracker(state, names)
        steps_run = 0
        for step, (xb, yb, swb) in batches.epoch():
            cbl.call("on_train_batch_begin", step + 1, {})
            if custom_step:  # a model that overrides train_step(): its logs are the batch's logs
                tracker.custom_logs = dict(model.train_step((xb, yb)))
            else:
                if class_weight is not None and not isinstance(source, batching.ArrayBatches):
                    swb = batching.class_weight_to_sample_weight(yb, class_weight)
                total, parts, yt, yp = _batch_step(model, state, xb, yb, training=True, sample_weight=swb)
                tracker.update(total, parts, yt, yp, swb)
            steps_run += 1
            cbl.call("on_train_batch_end", step + 1, tracker.logs())
            if model.stop_training:  # Keras: honoured after the batch that set it
                break
        if steps_run == 0:  # the data ran out (warned): no epoch to record
            break
        logs = tracker.logs()
        if val_source is not None and epoch % validation_freq == 0:
            logs.update(_run_test(model, state, val_source, validation_steps, cbl, prefix="val_"))
        cbl.call("on_epoch_end", epoch, logs)
        if model.stop_training:
            break
    cbl.call("on_train_end", logs)
    return history


def _evaluate_logs(model, state, x, y, batch_size, prefix=""):
    """Loss and metrics of arrays in inference mode (no callbacks)."""
    source = batching.ArrayBatches(x, y, None, batch_size)
    return _run_test(model, state, source, None, CallbackList([], model, {}), prefix)


@uses_array_cache
def evaluate_model(model, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                   callbacks=None, **kwargs):
    """Loss and metrics on (x, y) in inference mode, as a dict (R's named list). See `evaluate()`."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for evaluate(): {', '.join(map(repr, kwargs))}.")
    state = _require_compiled(model, "evaluate")
    verbose = resolve_verbose(verbose)
    batch_size = _check_batch_size(batch_size)
    steps = _check_positive_int(steps, "steps")
    callbacks = as_callback_list(callbacks)
    if batching.is_batch_iterable(x):
        if y is not None or sample_weight is not None:
            raise ValueError("When `x` is a generator or iterable of batches, `y` and `sample_weight` must be "
                             "None: each batch gives (x, y) or (x, y, sample_weight).")
        source = _iterable_source(model, state, x, "x")
    else:
        x, y, sample_weight = _prepare_arrays(model, state, x, y, sample_weight)
        source = batching.ArrayBatches(x, y, sample_weight, batch_size)
    if verbose and not any(isinstance(cb, ProgbarLogger) for cb in callbacks):
        callbacks = callbacks + [ProgbarLogger()]
    cbl = CallbackList(callbacks, model, {"verbose": verbose, "epochs": 1, "steps": steps or source.num_batches})
    return _run_test(model, state, source, steps, cbl)


def _forward_batches(x, batch_size, start, stop):
    if isinstance(x, batching.IterableBatches):
        for _, (xb, _, _) in batching.EpochBatches(x, None).epoch():
            yield xb
        return
    for i in range(start, stop, batch_size):
        yield _take(x, slice(i, min(i + batch_size, stop)))


def _predict_rows(model, x, batch_size, steps, trainable_of, cbl, start, stop) -> list:
    """The outputs of the rows [start, stop) of `x` (this replica's share), batch by batch."""
    pieces = []
    for i, xb in enumerate(_forward_batches(x, batch_size, start, stop)):
        if steps is not None and i >= steps:
            break
        if cbl is not None:
            cbl.call("on_predict_batch_begin", i + 1, {})
        with _tape.no_recording():  # no backward follows: layers defined by call() record nothing
            out, _ = run_forward(model, xb, False, trainable_of=trainable_of)
        pieces.append(out)
        if cbl is not None:
            cbl.call("on_predict_batch_end", i + 1, {"outputs": out})
    if not pieces and start == stop and not isinstance(x, batching.IterableBatches):
        # no rows for this replica (or an empty batch): an empty forward still gives the outputs' shapes
        with _tape.no_recording():
            out, _ = run_forward(model, _take(x, slice(0, 0)), False, trainable_of=trainable_of)
        pieces.append(out)
    return pieces


@uses_array_cache
def predict_model(model, x, batch_size=None, verbose=0, steps=None, callbacks=None, **kwargs):
    """Outputs for `x` in inference mode, computed batch by batch (last batch may be partial).

    Under a data-parallel strategy (arrays, no callbacks, no `steps`) each replica predicts its share and
    the outputs are gathered in order."""
    if kwargs:
        raise TypeError(f"Unknown argument(s) for predict(): {', '.join(map(repr, kwargs))}.")
    batch_size = _check_batch_size(batch_size)
    verbose = resolve_verbose(verbose)
    steps = _check_positive_int(steps, "steps")
    callbacks = as_callback_list(callbacks)
    state = model._compiled
    trainable_of = state.trainable_of if state is not None else None
    iterable = batching.is_batch_iterable(x)
    strategy = IDENTITY
    if iterable:
        x = batching.IterableBatches(x, "x", batching._input_names(model), None, with_targets=False)
        total = steps or x.num_batches
        start = stop = 0
    else:
        x = batching.as_structure(x, batching._input_names(model), "x")
        n = _n_samples(x)
        if n == 0:
            raise ValueError("`x` has no samples to predict.")
        if not callbacks and steps is None:
            strategy = current_strategy()
        start, stop = strategy.rows(n)
        total = (stop - start + batch_size - 1) // batch_size
        total = min(total, steps) if steps else total
    if verbose and not any(isinstance(cb, ProgbarLogger) for cb in callbacks):
        callbacks = callbacks + [ProgbarLogger()]
    cbl = CallbackList(callbacks, model, {"verbose": verbose, "epochs": 1, "steps": total})
    cbl.call("on_predict_begin", {})
    pieces = strategy.run_predict(_predict_rows, model, state, model, x, batch_size, steps, trainable_of, cbl,
                                  start, stop)
    cbl.call("on_predict_end", {})
    if not pieces:
        raise ValueError("`x` has no samples to predict.")
    multi = isinstance(pieces[0], list)
    outs = [np.concatenate([p[k] for p in pieces]) for k in range(len(pieces[0]))] if multi else \
        [np.concatenate(pieces)]
    outs = strategy.gather(outs)
    return outs if multi else outs[0]


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
    state = model._compiled
    trainable_of = state.trainable_of if state is not None else None
    x = _prepare_x(x)
    n = _n_samples(x)
    strategy = current_strategy() if n > 0 else IDENTITY
    start, stop = strategy.rows(n)
    out = strategy.run_predict(_predict_rows, model, state, model, x, max(stop - start, 1), None, trainable_of,
                               None, start, stop)[0]
    outs = strategy.gather(out if isinstance(out, list) else [out])
    return outs if isinstance(out, list) else outs[0]
