"""One step on one batch — forward, losses, backward, reduction, update — for every distribution strategy.

A step runs the replica's rows of the global batch (all of them for one process) forward through the
model in its training mode (the trainable snapshot taken by `compile()`), computes each output's loss
scaled by the replica's share of the global loss and its gradient, runs the backward pass, lets the
strategy reduce what the replicas must agree on (loss values, predictions, the gradient buffer, the
statistics layers declare), then takes one optimizer update. One process is the identity strategy
(`distribute.strategy.Strategy`): its rows are the batch, its share 1, its reduction gives back what it
is given, so the single-process and the data-parallel steps are this one function, `run_step`.

A training step is a transaction (`core/state_transaction.py`): the inputs and targets are checked
first, then every state change of the step (moving statistics, weights, optimizer slots and
iterations, constraints) is staged and committed at its end, or not at all.
"""

import numpy as np

from ..core import activity_losses
from ..core import tape as _tape
from ..core.layer import all_layers, run_forward
from ..core.state_transaction import state_transaction
from ..distribute import current_strategy
from ..distribute.strategy import StepValues
from ..user_warnings import warn
from . import batching

__all__ = ["apply_update", "batch_step", "collect_gradients", "loss_terms", "regularization", "run_step",
           "trainable_snapshot"]


def trainable_snapshot(model) -> dict:
    """id(layer) -> trainable, for the model and every layer inside it (what `compile()` fixes)."""
    return {id(layer): layer.trainable for layer in all_layers(model)}


def batch_step(model, state, x, y, training: bool, sample_weight=None):
    """One batch through the model under the current strategy: (total loss, per-output losses, targets
    list, predictions list) of the global batch; a training step also updates the weights."""
    strategy = current_strategy()
    strategy.check_supported(state.losses, sample_weight)
    if not training:
        return strategy.run_step(run_step, model, state, x, y, False, sample_weight)
    check_training_batch(state, x, y)
    with state_transaction():
        return strategy.run_step(run_step, model, state, x, y, True, sample_weight)


def run_step(model, state, x, y, training, sample_weight, strategy):
    """The step itself (see the module docstring); `strategy` is the identity for one process."""
    if training:
        check_stale(model, state)
    n = batching.n_samples(x)
    start, stop = strategy.rows(n)
    whole = start == 0 and stop == n
    rows = slice(start, stop)
    x_local = x if whole else batching.take(x, rows)
    # layers defined by call() record their ops for the backward pass; add_loss() values are collected,
    # and so are the penalties of activity regularization
    with _tape.gradient_scope(with_losses=True) if training else _tape.no_recording(), \
            _tape.loss_collector() as added, activity_losses.collect() as activity, \
            strategy.sharding(n, start, stop):
        outputs, cache = run_forward(model, x_local, training, trainable_of=state.trainable_of)
    if training and not state.settled:
        _adopt_new_weights(model, state)
    y_pred = _as_list(outputs) if isinstance(outputs, list) else [outputs]
    y_true = _as_list(y) if len(y_pred) > 1 else [y]
    if len(y_true) != len(y_pred):
        raise ValueError(f"`y` must give one target per output ({len(y_pred)}); received {len(y_true)}.")
    if whole:
        y_local, sw_local = y_true, sample_weight
    else:
        y_local = [None if t is None else batching.take(np.asarray(t), rows) for t in y_true]
        sw_local = None if sample_weight is None else sample_weight[rows]
    parts, grads = loss_terms(state, y_local, y_pred, sw_local,
                              lambda loss: strategy.loss_share(loss, stop - start, n))
    local = StepValues(parts, sum(added), sum(activity), y_pred)
    if training:
        remember_output_shapes(state, x, [tuple(p.shape) if whole else (n,) + tuple(p.shape[1:]) for p in y_pred])
        upstream = grads if len(grads) > 1 else grads[0]
        weight_grads = model.backward_weights(cache, upstream)  # the data need no gradient
        local.gradients = collect_gradients(state, weight_grads)
        local.statistics = lambda: replica_statistics(model, state)
    step = strategy.reduce_step(local, n, start, stop, training)
    total = 0.0
    for w, p in zip(state.loss_weights, step.parts):
        if p is not None:
            total += w * p
    total += regularization(state.variables) + step.added + step.activity
    if training:
        apply_update(state, step.gradients)
    return total, step.parts, y_true, step.predictions


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def loss_terms(state, y_true, y_pred, sample_weight=None, share=None):
    """Each output's loss times its `share(loss)` (None for an output compiled without a loss), and the
    gradient of the weighted sum with respect to each output (zeros for an output without a loss)."""
    parts, grads = [], []
    for loss, w, yt, yp in zip(state.losses, state.loss_weights, y_true, y_pred):
        if loss is None:
            parts.append(None)
            grads.append(np.zeros_like(yp))
            continue
        value, g = loss.weighted_value_and_grad(yt, yp, sample_weight)
        k = 1.0 if share is None else share(loss)
        parts.append(value * k)
        scale = w * k
        grads.append(g if scale == 1.0 else (g * scale).astype(g.dtype, copy=False))
    return parts, grads


def regularization(variables) -> float:
    return float(sum(v.regularizer(v.value) for v in variables if v.regularizer is not None))


def replica_statistics(model, state) -> list:
    """The variables the model's layers declare for averaging over replicas after a training step."""
    out = []
    for layer in all_layers(model):
        out.extend(layer.replica_statistics(layer.effective_training(True, state.trainable_of)))
    return out


def check_stale(model, state):
    if state.warned:
        return
    if trainable_snapshot(model) != state.trainable_of:
        state.warned = True
        warn(f"The `trainable` attribute of a layer of model '{model.name}' changed after compile(): "
             f"training keeps using the compiled state (which weights update, and the "
             f"normalization mode of batch normalization) until compile() is called again.")


def check_training_batch(state, x, y):
    """The checks a training step can make before its forward pass: a non-empty batch, and targets the
    losses accept for the outputs' shapes, once a step has shown them for inputs of this shape (a
    layer's `compute_output_shape` may not be exact; the first step checks after its forward, and its
    transaction still changes nothing when the targets are refused)."""
    n = batching.n_samples(x)
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
        if loss is not None:  # an output without a loss takes no target
            loss.check_targets(yt, shape)


def _shape_of(x):
    return tuple(tuple(np.shape(a)) for a in x) if isinstance(x, list) else tuple(np.shape(x))


def _output_shapes_seen(state) -> dict:
    """Input shape -> the output shapes a training step produced for it (a few dozen kept)."""
    seen = getattr(state, "_output_shapes_seen", None)
    if seen is None:
        seen = state._output_shapes_seen = {}
    return seen


def remember_output_shapes(state, x, shapes) -> None:
    seen = _output_shapes_seen(state)
    if len(seen) >= 48:
        seen.clear()
    seen[_shape_of(x)] = shapes


def _adopt_new_weights(model, state):
    """Weights created at the first call of a lazily built layer (after compile()) are trained too."""
    for v in model.trainable_weights:
        if id(v) not in state.known:
            state.variables.append(v)
    state.known = {id(v) for v in model.weights}
    state.settled = True


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
        state.optimizer.apply_in_step(var_grads, state.variables)  # nothing below reads an unconstrained weight
        for v in state.variables:
            v.apply_constraint()
