"""Composition by `object` (SPEC §2) and the `|` pipe (SPEC §3), in one place.

`compose(layer, object, **call_kwargs)` is what every `layer_*()` function, `layer(object)` and
`object | layer` end in. Model verbs (`compile`, `fit`, ...) called without their model return a
`Deferred` call that `model | deferred` applies; `pipe(f, ...)` wraps any function the same way.
"""

import functools
from numbers import Number

import numpy as np

from .conventions import check_kwargs

_CALL_KWARGS = ("training", "mask")
_ACCEPTED = ("None (returns the layer), a sequential model (adds the layer), a symbolic tensor from "
             "keras_input() or a layer call, a numpy array or array-like (calls the layer), or a list "
             "of tensors/arrays (for merge layers)")


def compose(layer, object=None, **call_kwargs):
    """Compose `layer` with `object` as R keras3 does: see the module docstring and SPEC §2."""
    accepted = _CALL_KWARGS + tuple(getattr(layer, "extra_call_kwargs", ()))
    check_kwargs(call_kwargs, accepted, f"layer '{layer.name}'", what="call argument(s)")
    if object is None:
        return layer
    # the composition protocol: an object that composes with layers itself (a sequential model appends the
    # layer, a symbolic tensor, or a list of them, records a layer call) implements
    # `compose_layer(layer, object, call_kwargs)`; NotImplemented declines
    head = object[0] if isinstance(object, (list, tuple)) and object else object
    composer = getattr(head, "compose_layer", None)
    if composer is not None and callable(composer):
        out = composer(layer, object, call_kwargs)
        if out is not NotImplemented:
            return out
    check_object(object, "layer_dense(units={!r})")
    from .core.layer import Layer
    if isinstance(object, Layer):
        raise TypeError(f"`object` must be {_ACCEPTED}; received a {type(object).__name__} ('{object.name}'), "
                        f"which is not a sequential model.")
    if isinstance(object, (list, tuple)) and object and all(isinstance(a, np.ndarray) for a in object):
        return layer._call_eager(list(object), **call_kwargs)  # several arrays: a multi-input (merge) call
    try:
        array = np.asarray(object)
    except Exception:  # noqa: BLE001 - anything numpy cannot take is the wrong kind of object
        array = None
    if array is not None and array.dtype.kind in "USO" and getattr(layer, "accepts_strings", False):
        return layer._call_eager(array, **call_kwargs)  # text preprocessing layers take strings (eager only)
    if array is None or array.dtype.kind == "O":
        raise TypeError(f"`object` must be {_ACCEPTED}; received {type(object).__name__}.")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"`object` must be numeric (bool, integer or float) when it is an array; received "
                        f"an array of dtype {array.dtype}.")
    return layer._call_eager(array, **call_kwargs)


def check_object(object, example: str) -> None:
    """Reject a scalar `object` before a wrapper builds its layer, suggesting the keyword form.

    R's `model |> layer_dense(32)` becomes `layer_dense(32)` in Python, which binds 32 to `object`;
    `example` is the call to suggest, e.g. "layer_dense(units={!r})" (formatted with the scalar).
    """
    if isinstance(object, (bool, Number, str, bytes, np.generic)):
        raise TypeError(
            f"`object` must be {_ACCEPTED}; received the scalar {object!r}. In R the pipe fills `object`; in "
            f"Python the first positional argument is `object`: pass the layer's arguments by name, e.g. "
            f"`{example.format(object)}`.")


class Deferred:
    """A call waiting for its first argument: `x | deferred` is `fn(x, *args, **kwargs)`."""

    __array_ufunc__ = None

    def __init__(self, fn, args, kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def __ror__(self, obj):
        return self.fn(obj, *self.args, **self.kwargs)

    def __call__(self, obj):
        return self.fn(obj, *self.args, **self.kwargs)

    def __repr__(self):
        return f"<deferred {getattr(self.fn, '__name__', self.fn)}(...)>"


def pipe(f, *args, **kwargs) -> Deferred:
    """Wrap any function for the pipe: `x | pipe(f, a, b=1)` is `f(x, a, b=1)`.

    Parameters
    ----------
    f : callable
        The function to call with the piped value as its first argument.
    *args, **kwargs
        Further arguments passed to `f` after the piped value.
    """
    if not callable(f):
        raise TypeError(f"`f` must be callable; received {f!r}.")
    return Deferred(f, args, kwargs)


def model_verb(fn):
    """Make a model verb pipeable: called with a model first it runs; otherwise it is deferred."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .models.model import Model
        target = args[0] if args else kwargs.get("object", kwargs.get("model"))
        if isinstance(target, Model):
            return fn(*args, **kwargs)
        return Deferred(fn, args, kwargs)
    return wrapper
