"""The tape: automatic gradients for layers written with `op_*` functions instead of a backward.

A layer that has no hand-written backward (it defines only `call()`) runs its `call()` under a
`Tape` when its `forward` is run for a backward pass (a training step, `vjp()`, a custom loop
calling `forward` then `backward`): every `op_*` applied to a watched array or a `Variable` appends
a node (its vector-Jacobian rule and the keys of its inputs) and returns a `TapeArray`, an ndarray
view that carries the node's identity. The layer's `backward` then replays the nodes in reverse.
Eager calls (`layer(x)`), `predict()` and `evaluate()` run inside `no_recording()`: no tape is
active there and an op costs one check of a module global.

Keys are `id()`s of the recorded objects; the tape keeps every recorded object alive, so an id
cannot be reused while the tape lives.
"""

import contextlib

import numpy as np

from .variable import Variable

_active = None          # the Tape recording now, or None
_no_record_depth = 0    # > 0 in eager calls, predict() and evaluate(): call()-only layers do not record
_with_losses = [False]  # whether losses added by add_loss() are part of what is differentiated
_training = [False]     # the `training` value of the innermost recorded call (for sublayer calls)
_collectors = []        # lists receiving the values of add_loss() (one per model step)


class TapeError(TypeError):
    """An array computed outside the recorded ops reached a recorded op (its gradient would be lost)."""


class TapeArray(np.ndarray):
    """An op's output while a tape records: a numpy array whose arithmetic is recorded too.

    Python operators and numpy ufuncs with a gradient rule (`+ - * / ** @`, `np.exp`, ...) and the
    methods `reshape`, `transpose`, `T`, `sum`, `mean`, `max`, `min`, `astype` and indexing go
    through the `op_*` functions. A numpy function without a rule raises a `TapeError` instead of
    silently dropping the gradient; comparisons and other bool/integer results are not
    differentiable and are returned as plain arrays.
    """

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if _active is not None:
            from ..ops import dispatch
            handled = dispatch.ufunc(ufunc, method, inputs, kwargs)
            if handled is not NotImplemented:
                return handled
        plain = [x.view(np.ndarray) if isinstance(x, TapeArray) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, TapeArray) else o for o in kwargs["out"])
        out = getattr(ufunc, method)(*plain, **kwargs)
        _refuse_float(out, inputs, f"numpy.{ufunc.__name__}")
        return out

    def __array_function__(self, func, types, args, kwargs):
        if _active is not None:
            from ..ops import dispatch
            handled = dispatch.function(func, args, kwargs)
            if handled is not NotImplemented:
                return handled
        plain_args = _plain(args)
        out = func(*plain_args, **_plain(kwargs))
        _refuse_float(out, _leaves(args), f"numpy.{getattr(func, '__name__', func)}")
        return out

    def __getitem__(self, key):
        if _active is not None and _active.knows(self):
            from ..ops.shape import get_item
            return get_item(self, key)
        return self.view(np.ndarray)[key]

    def reshape(self, *shape, **kwargs):
        if _active is not None and _active.knows(self) and not kwargs:
            from ..ops.shape import op_reshape
            return op_reshape(self, shape[0] if len(shape) == 1 else shape)
        return self.view(np.ndarray).reshape(*shape, **kwargs)

    def transpose(self, *axes):
        if _active is not None and _active.knows(self):
            from ..ops.shape import transpose0
            return transpose0(self, (axes[0] if len(axes) == 1 else axes) or None)
        return self.view(np.ndarray).transpose(*axes)

    @property
    def T(self):
        return self.transpose()

    def _reduce_method(self, name, axis, keepdims, kwargs):
        if _active is not None and _active.knows(self) and not any(v is not None for v in kwargs.values()):
            from ..ops import reductions
            return getattr(reductions, name + "0")(self, axis, keepdims)
        return getattr(self.view(np.ndarray), name)(axis=axis, keepdims=keepdims, **kwargs)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce_method("sum", axis, keepdims, {"dtype": dtype, "out": out})

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return self._reduce_method("mean", axis, keepdims, {"dtype": dtype, "out": out})

    def max(self, axis=None, out=None, keepdims=False):
        return self._reduce_method("max", axis, keepdims, {"out": out})

    def min(self, axis=None, out=None, keepdims=False):
        return self._reduce_method("min", axis, keepdims, {"out": out})

    def astype(self, dtype, *args, **kwargs):
        if _active is not None and _active.knows(self):
            from ..ops.core import op_cast
            return op_cast(self, dtype)
        return self.view(np.ndarray).astype(dtype, *args, **kwargs)

    def __reduce__(self):  # pickling/copying gives a plain array
        return self.view(np.ndarray).__reduce__()


def _plain(obj):
    if isinstance(obj, TapeArray):
        return obj.view(np.ndarray)
    if isinstance(obj, Variable):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _leaves(obj):
    if isinstance(obj, (list, tuple)):
        return [x for o in obj for x in _leaves(o)]
    return [obj]


def _refuse_float(out, inputs, what):
    if _active is None:
        return
    outs = out if isinstance(out, tuple) else (out,)
    if any(isinstance(o, np.ndarray) and o.dtype.kind in "fc" for o in outs) and any(
            _active.knows(x) for x in inputs):
        raise TapeError(f"{what} has no gradient rule on the tape: inside a layer's call(), use the op_* "
                        f"functions (op_exp, op_sum, op_reshape, ...) or Python operators on arrays that "
                        f"ops return.")


class _Node:
    __slots__ = ("keys", "out", "out_key", "vals", "vjp")

    def __init__(self, vjp, keys, out_key, out, vals):
        self.vjp, self.keys, self.out_key, self.out, self.vals = vjp, keys, out_key, out, vals


class Tape:
    """The record of the ops run while it is active (`with tape:`), replayed by `gradients()`."""

    def __init__(self):
        self.nodes = []
        self.objects = {}    # key -> recorded object (keeps ids unique while the tape lives)
        self.seeds = []      # (key, weight): scalar losses added by add_loss(), seeded with `weight`
        self._outer = None

    def __enter__(self):
        global _active
        self._outer, _active = _active, self
        return self

    def __exit__(self, *exc):
        global _active
        _active = self._outer
        return False

    # ------------------------------------------------------------------------------------ recording
    def knows(self, x) -> bool:
        return id(x) in self.objects and self.objects[id(x)] is x

    def watch(self, array) -> "TapeArray":
        """A leaf: a view of `array` whose gradient `gradients()` returns under the view's id."""
        view = np.asarray(array).view(TapeArray)
        self.objects[id(view)] = view
        return view

    def key_of(self, x):
        """The key of an op argument on this tape, or None for a constant."""
        if isinstance(x, Variable):
            self.objects.setdefault(id(x), x)
            return id(x)
        if isinstance(x, TapeArray):
            if self.knows(x):
                return id(x)
            raise TapeError("An array derived from a recorded op by an operation the tape does not know "
                            "(a numpy view or function) was passed to an op: its gradient would be lost. "
                            "Use the op_* functions inside a layer's call().")
        return None

    def record(self, out, args, vals, vjp, keys=None):
        """Register `out` (computed from `vals`, the plain values of `args`) with its rule `vjp`.

        `vjp(g, out, *vals)` returns one gradient (or None) per argument. Returns the `TapeArray`
        view of `out`, or `out` itself when no argument is recorded or `out` is not a float array.
        """
        objects = self.objects
        if keys is None:
            keys, any_key = [], False
            for a in args:
                if type(a) is TapeArray:
                    if objects.get(id(a)) is not a:
                        self.key_of(a)  # raises: derived outside the recorded ops
                    keys.append(id(a))
                    any_key = True
                elif isinstance(a, Variable):
                    objects.setdefault(id(a), a)
                    keys.append(id(a))
                    any_key = True
                else:
                    keys.append(None)
        else:
            any_key = any(k is not None for k in keys)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        if not any_key or out.dtype.kind != "f":
            return out
        view = out.view(TapeArray)
        objects[id(view)] = view
        self.nodes.append(_Node(vjp, keys, id(view), out, vals))
        return view

    def add_seed(self, value, weight=1.0) -> None:
        """A scalar loss computed from recorded ops: the backward pass adds its gradient."""
        key = self.key_of(value) if isinstance(value, (TapeArray, Variable)) else None
        if key is not None:
            self.seeds.append((key, weight))

    # ------------------------------------------------------------------------------------ replay
    def gradients(self, seeds: dict, with_added_losses=False) -> dict:
        """Vector-Jacobian products: key -> gradient, from `seeds` (key -> gradient of the outputs),
        plus, with `with_added_losses`, the losses added with `add_seed()`."""
        grads = {}
        for key, g in seeds.items():
            if g is not None:
                _accumulate(grads, key, np.asarray(g))
        for key, w in (self.seeds if with_added_losses else ()):
            obj = self.objects[key]
            _accumulate(grads, key, np.full(np.shape(obj), w, dtype=np.asarray(obj).dtype))
        for node in reversed(self.nodes):
            g = grads.pop(node.out_key, None)
            if g is None:
                continue
            in_grads = node.vjp(g, node.out, *node.vals)
            for key, gi in zip(node.keys, in_grads):
                if key is not None and gi is not None:
                    _accumulate(grads, key, gi)
        return grads


def _accumulate(grads, key, g):
    grads[key] = grads[key] + g if key in grads else g


# ---------------------------------------------------------------------------------------- scopes
def active():
    """The tape recording now, or None."""
    return _active


def gradients_wanted() -> bool:
    """False in eager calls, `predict()` and `evaluate()`; elsewhere a call()-only layer's `forward`
    records its ops for `backward`."""
    return _no_record_depth == 0


@contextlib.contextmanager
def no_recording():
    """Within it, `forward` of a call()-only layer records nothing (no backward will follow)."""
    global _no_record_depth
    _no_record_depth += 1
    try:
        yield
    finally:
        _no_record_depth -= 1


@contextlib.contextmanager
def gradient_scope(with_losses=False):
    """Within it, layers without a hand-written backward record their ops for a backward pass;
    `with_losses`: the losses they add (`add_loss()`) are differentiated too (a training step)."""
    global _no_record_depth
    saved, _no_record_depth = _no_record_depth, 0
    _with_losses.append(bool(with_losses))
    try:
        yield
    finally:
        _no_record_depth = saved
        _with_losses.pop()


def losses_wanted() -> bool:
    return _with_losses[-1]


@contextlib.contextmanager
def loss_collector():
    """Collect the values of the losses added by `add_loss()` during one model step."""
    values = []
    _collectors.append(values)
    try:
        yield values
    finally:
        _collectors.pop()


def collect_loss(value: float) -> None:
    if _collectors:
        _collectors[-1].append(value)


@contextlib.contextmanager
def training_context(training: bool):
    """The `training` value sublayers called inside a `call()` inherit when they are not given one."""
    _training.append(bool(training))
    try:
        yield
    finally:
        _training.pop()


@contextlib.contextmanager
def paused():
    """No recording and no loss collection (a shape probe runs a layer's call() on zeros)."""
    global _active, _collectors
    saved = _active, _collectors
    _active, _collectors = None, []
    try:
        yield
    finally:
        _active, _collectors = saved


def current_training() -> bool:
    return _training[-1]


def plain(x):
    """The numpy value of an op argument (TapeArray view, Variable or array-like)."""
    t = type(x)
    if t is np.ndarray:
        return x
    if t is TapeArray:
        return x.view(np.ndarray)
    if isinstance(x, np.ndarray):
        return x.view(np.ndarray)
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, (bool, int, float)):  # Python scalars stay weakly typed (float32 + 2.0 is float32)
        return x
    return np.asarray(x)
