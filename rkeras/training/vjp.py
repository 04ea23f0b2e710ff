"""`vjp()`: outputs and vector-Jacobian products of a layer or model — the entry for custom loops."""

import numpy as np

from ..core import tape as _tape
from ..core.layer import Layer, run_forward
from ..core.state_transaction import state_transaction
from ..core.variable import Variable
from ..kernels.array_cache import uses_array_cache


@uses_array_cache
def vjp(layer_or_model, inputs, upstream, training=True, mask=None):
    """Forward then backward: outputs, gradients w.r.t. the inputs and the trainable weights.

    With `training=True` this is exactly a training step's forward (batch statistics are used and
    batch normalization's moving statistics are updated) followed by the backward pass, as one
    transaction: if anything fails (or is interrupted), the moving statistics are unchanged. Nothing
    is updated but the moving statistics: apply `weight_grads` with an optimizer yourself
    (`optimizer.apply(grads, variables)`), which makes this the entry for custom training loops.

    Parameters
    ----------
    layer_or_model : Layer or Model
        What to differentiate. A layer that is not built yet is built from `inputs`.
    inputs : array or list of arrays
        Concrete inputs.
    upstream : array, list of arrays, or callable
        Gradient of the loss with respect to the outputs (same shapes as the outputs), or a function
        `f(outputs) -> gradient` called after the forward pass — the form a training loop needs, since
        the loss gradient depends on the outputs: `lambda out: loss.value_and_grad(y, out)[1]`.
    training : bool
        Run in training mode (subject to the trainable rule of batch normalization).
    mask : bool array, optional
        Mask passed to the layer's call.

    Returns
    -------
    tuple
        `(outputs, input_grads, weight_grads)`: `weight_grads` maps each trainable variable's `path`
        (e.g. `"batch_normalization/gamma"`) to its gradient.
    """
    if not isinstance(layer_or_model, Layer):
        raise TypeError(f"`layer_or_model` must be a layer or a model; received {type(layer_or_model).__name__}.")
    x = layer_or_model._convert_inputs(inputs)
    shape = [tuple(a.shape) for a in x] if isinstance(x, list) else tuple(x.shape)
    layer_or_model._maybe_build(shape)
    expected = layer_or_model.compute_output_shape(shape)
    if not callable(upstream):
        up = _as_arrays(upstream)
        _check_upstream(expected, up)  # before any state changes
    trainable = layer_or_model.trainable_weights
    paths = [v.path for v in trainable]
    if len(set(paths)) != len(paths):
        clash = sorted({p for p in paths if paths.count(p) > 1})
        raise ValueError(f"Two trainable variables share the path(s) {clash}: give the layers distinct names "
                         f"so that `weight_grads` can be keyed by path.")
    if training and (len(x[0]) if isinstance(x, list) else len(x)) == 0:
        raise ValueError("`inputs` of a training-mode vjp() must hold at least one sample; received 0 (an "
                         "empty batch has no batch statistics).")
    # a transaction: the moving statistics change only if the whole forward and backward succeed;
    # layers defined by call() record their ops for the backward pass
    with state_transaction(), _tape.gradient_scope():
        outputs, cache = run_forward(layer_or_model, x, training, mask)
        if callable(upstream):  # the loss gradient is known only once the outputs are
            up = _as_arrays(upstream(outputs))
            _check_upstream(expected, up)
        input_grads, grads = layer_or_model.backward(cache, up)
    weight_grads = {v.path: grads[v] for v in trainable if v in grads}
    for v in trainable:  # a trainable weight that did not take part gets a zero gradient
        weight_grads.setdefault(v.path, np.zeros(v.shape, v.dtype))
    return outputs, input_grads, weight_grads


def _as_arrays(upstream):
    return [np.asarray(u) for u in upstream] if isinstance(upstream, (list, tuple)) else np.asarray(upstream)


def _check_upstream(expected, upstream):
    shapes = expected if isinstance(expected, list) else [expected]
    ups = upstream if isinstance(upstream, list) else [upstream]
    bad = [str(u.dtype) for u in ups if u.dtype.kind not in "biuf"]
    if bad:
        raise TypeError(f"`upstream` must hold numeric arrays (gradients of the outputs); received dtype(s) "
                        f"{bad}.")
    ok = len(shapes) == len(ups) and all(
        len(e) == u.ndim and all(d is None or d == s for d, s in zip(e, u.shape)) for e, u in zip(shapes, ups))
    if not ok:
        raise ValueError(f"`upstream` must match the outputs' shapes {shapes} (None = any size); received "
                         f"{[u.shape for u in ups]}.")


@uses_array_cache
def value_and_grad(f, variables, *args, **kwargs):
    """The value of `f(*args, **kwargs)` and its gradient with respect to `variables`.

    `f` computes a scalar (or an array, whose sum is differentiated) from `op_*` functions, Python
    operators on variables and op results, and calls of layers and models (`model(x, training =
    TRUE)`): all of it is recorded on a tape while `f` runs, then replayed backward. This is the
    gradient tape of a custom training loop or of an overridden `train_step()`.

    Parameters
    ----------
    f : callable
        The function to differentiate.
    variables : Variable or list of Variable
        What to differentiate with respect to, e.g. `model.trainable_weights`. Arrays passed in
        `args` may be listed too (their gradient is then returned).
    *args, **kwargs
        Passed to `f`.

    Returns
    -------
    tuple
        `(value, grads)`: `value` as returned by `f` (a numpy array or float), `grads` a list of arrays
        in the order of `variables` (zeros for one that took no part); a single array when
        `variables` is a single Variable.

    Examples
    --------
    >>> w = Variable(np.ones((3, 1), "float32"), name="w")
    >>> loss, (g,) = value_and_grad(lambda: op_mean(op_square(x @ w - y)), [w])
    """
    single = isinstance(variables, (Variable, np.ndarray))
    targets = [variables] if single else list(variables)
    tape = _tape.Tape()
    alias, new_args = {}, []
    with _tape.gradient_scope(), tape:
        for a in args:
            if isinstance(a, np.ndarray) and any(a is t for t in targets):
                view = tape.watch(a)
                alias[id(a)] = id(view)
                a = view
            new_args.append(a)
        value = f(*new_args, **kwargs)
    seeds = {}
    if tape.knows(value):
        seeds[id(value)] = np.ones(np.shape(value), np.asarray(_tape.plain(value)).dtype)
    grads = tape.gradients(seeds)
    out = []
    for t in targets:
        g = grads.get(alias.get(id(t), id(t)))
        base = t.value if isinstance(t, Variable) else np.asarray(t)
        out.append(np.zeros(base.shape, base.dtype) if g is None else np.asarray(g, dtype=base.dtype).reshape(base.shape))
    plain = _tape.plain(value) if isinstance(value, np.ndarray) else value
    return plain, (out[0] if single else out)
