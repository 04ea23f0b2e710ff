"""Keras 3 (on JAX) outputs and gradients, the reference of the parity tests of issue 22's layers."""

import jax
import numpy as np


def keras_vjp(layer, inputs, upstream, args=None, **call_kwargs):
    """Outputs of `layer` and the gradients of `sum(outputs * upstream)` w.r.t. the inputs (a list of
    arrays) and the trainable variables (in `layer.trainable_variables` order).

    `args(xs)` turns the list of inputs into the positional call arguments (default: the list itself
    for a list, the array for one input)."""
    if args is None:
        args = (lambda xs: (xs,)) if isinstance(inputs, list) else (lambda xs: (xs[0],))
    xs = inputs if isinstance(inputs, list) else [inputs]
    ups = upstream if isinstance(upstream, list) else [upstream]
    if not layer.built:
        layer(*args(xs), **call_kwargs)
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def f(tv, xs):
        y, _ = layer.stateless_call(tv, ntv, *args(xs), **call_kwargs)
        ys = list(y) if isinstance(y, (list, tuple)) else [y]
        return sum((yi * u).sum() for yi, u in zip(ys, ups)), y

    # one compiled graph: op-by-op eager differentiation of an attention layer costs tens of seconds
    (_, y), (dtv, dxs) = jax.jit(jax.value_and_grad(f, argnums=(0, 1), has_aux=True))(tv, xs)
    ys = [np.asarray(a) for a in y] if isinstance(y, (list, tuple)) else np.asarray(y)
    return ys, [np.asarray(d) for d in dxs], [np.asarray(d) for d in dtv]


def rel(a, b, floor=1e-3) -> float:
    """max |a - b| / max(max |b|, floor)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), floor)) if b.size else 0.0
