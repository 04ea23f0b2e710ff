"""Weight regularizers, as R keras3's `regularizer_*()` functions (Keras 3 formulas).

A regularizer maps a weight `w` to a scalar penalty that the trainer adds to the loss, and gives the
penalty's gradient with respect to `w` (`gradient(w)`), which the trainer adds to the weight's
gradient. Penalties are computed in float64 and returned as Python floats; gradients have the
weight's shape and dtype.

A plain function `f(w) -> scalar` is accepted too: `get()` wraps it in a `CallableRegularizer`, whose
gradient comes from central finite differences (two calls of `f` per weight element: fine for small
weights such as batch-normalization `gamma`, slow for big kernels; subclass `Regularizer` and write
`gradient()` for the fast path).
"""

import numpy as np

from .configurable import Configurable, name_key, resolve_identifier, serialize_object
from .conventions import as_real

__all__ = [
    "regularizer_l1", "regularizer_l1_l2", "regularizer_l2",
]


def _float_weight(w) -> np.ndarray:
    return np.asarray(w, dtype=np.float64)


def _gradient_dtype(w) -> np.dtype:
    dtype = np.asarray(w).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _finite_difference_gradient(penalty, w) -> np.ndarray:
    """Central finite differences of `penalty` at `w`, in float64, step 1e-6 * max(1, |w_i|)."""
    x = np.array(w, dtype=np.float64, copy=True)
    flat = x.reshape(-1)  # a view: perturbing `flat` perturbs `x`
    grad = np.empty(flat.size, dtype=np.float64)
    for i in range(flat.size):
        xi = flat[i]
        h = 1e-6 * max(1.0, abs(xi))
        flat[i] = xi + h
        up = penalty(x)
        flat[i] = xi - h
        down = penalty(x)
        flat[i] = xi
        grad[i] = (up - down) / ((xi + h) - (xi - h))
    return grad.reshape(np.shape(w)).astype(_gradient_dtype(w))


def _factor(value, name: str, default: float) -> float:
    """A regularization factor: None means the default (as Keras), else a finite number >= 0."""
    if value is None:
        return default
    return as_real(value, name, minimum=0.0)


class Regularizer(Configurable):
    """Base class of the regularizers: `__call__(w) -> float` penalty and `gradient(w)` its gradient.

    The default `gradient()` uses central finite differences of `__call__` in float64 (slow for big
    weights): subclasses should override it with the exact formula. `get_config()` returns the
    constructor arguments and `from_config()` rebuilds the regularizer. Two regularizers are equal
    when they have the same class and configuration.
    """

    def __call__(self, w) -> float:
        return 0.0

    def gradient(self, w) -> np.ndarray:
        """The gradient of the penalty with respect to `w` (same shape and dtype as `w`)."""
        return _finite_difference_gradient(lambda x: float(self(x)), w)


class L1L2(Regularizer):
    """Penalty `l1 * sum(|w|) + l2 * sum(w^2)`; gradient `l1 * sign(w) + 2 * l2 * w`."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(l1, "l1", 0.0)
        self.l2 = _factor(l2, "l2", 0.0)

    def __call__(self, w) -> float:
        w = _float_weight(w)
        return float(self.l1 * np.sum(np.abs(w)) + self.l2 * np.sum(np.square(w)))

    def gradient(self, w) -> np.ndarray:
        x = _float_weight(w)
        return (self.l1 * np.sign(x) + 2.0 * self.l2 * x).astype(_gradient_dtype(w))

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """Penalty `l1 * sum(|w|)`; gradient `l1 * sign(w)` (0 at w = 0)."""

    def __init__(self, l1=0.01):
        self.l1 = _factor(l1, "l1", 0.01)

    def __call__(self, w) -> float:
        return float(self.l1 * np.sum(np.abs(_float_weight(w))))

    def gradient(self, w) -> np.ndarray:
        return (self.l1 * np.sign(_float_weight(w))).astype(_gradient_dtype(w))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """Penalty `l2 * sum(w^2)`; gradient `2 * l2 * w`."""

    def __init__(self, l2=0.01):
        self.l2 = _factor(l2, "l2", 0.01)

    def __call__(self, w) -> float:
        return float(self.l2 * np.sum(np.square(_float_weight(w))))

    def gradient(self, w) -> np.ndarray:
        return (2.0 * self.l2 * _float_weight(w)).astype(_gradient_dtype(w))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class CallableRegularizer(Regularizer):
    """A plain function `f(w) -> scalar` used as a regularizer (what `get()` makes of a callable).

    The penalty is `float(f(w))`, with `w` as stored (e.g. float32). The gradient is computed by
    central finite differences in float64 (step `1e-6 * max(1, |w_i|)`, two calls of `f` per element,
    `f` then receives a float64 array): fine for small weights, slow for big ones. For speed, subclass
    `Regularizer` and implement `gradient()`.
    """

    def __init__(self, function, arg_name: str = "regularizer"):
        if not callable(function):
            raise TypeError(f"`{arg_name}` must be callable; received {function!r}.")
        self.function = function
        self.arg_name = arg_name

    def __call__(self, w) -> float:
        value = np.asarray(self.function(w))
        if value.size != 1 or not (np.issubdtype(value.dtype, np.number) or value.dtype == np.bool_):
            raise TypeError(f"`{self.arg_name}` must return a scalar penalty; {self.function!r} returned "
                            f"a value of shape {value.shape} and dtype {value.dtype}.")
        return float(value.reshape(()))

    def get_config(self) -> dict:
        return {"function": self.function, "arg_name": self.arg_name}


_CLASSES = (L1, L2, L1L2)
_CLASS_BY_KEY = {name_key(c.__name__): c for c in _CLASSES}
# Keras documents that the string "l1_l2" means l1 = l2 = 0.01 (the class defaults are 0).
_NAMES = {"l1": L1, "l2": L2, "l1l2": lambda: L1L2(l1=0.01, l2=0.01)}
_ACCEPTED = ("l1", "l2", "l1_l2")
_OBJECT_HINT = "a regularizer object or a callable f(w) returning a scalar penalty"


def regularizer_l1(l1=0.01) -> L1:
    """A regularizer that applies an L1 regularization penalty: `l1 * sum(abs(x))`.

    Parameters
    ----------
    l1 : float
        L1 regularization factor (a finite number >= 0; None means 0.01).

    Returns
    -------
    Regularizer
        A callable `f(w)` returning the penalty, with a `gradient(w)` method (`l1 * sign(w)`).
    """
    return L1(l1)


def regularizer_l2(l2=0.01) -> L2:
    """A regularizer that applies an L2 regularization penalty: `l2 * sum(square(x))`.

    Parameters
    ----------
    l2 : float
        L2 regularization factor (a finite number >= 0; None means 0.01).

    Returns
    -------
    Regularizer
        A callable `f(w)` returning the penalty, with a `gradient(w)` method (`2 * l2 * w`).
    """
    return L2(l2)


def regularizer_l1_l2(l1=0.0, l2=0.0) -> L1L2:
    """A regularizer that applies both L1 and L2 penalties: `l1 * sum(abs(x)) + l2 * sum(square(x))`.

    Passed as the string "l1_l2", the factors are `l1 = 0.01` and `l2 = 0.01` (as Keras documents).

    Parameters
    ----------
    l1 : float
        L1 regularization factor (a finite number >= 0; None means 0).
    l2 : float
        L2 regularization factor (a finite number >= 0; None means 0).

    Returns
    -------
    Regularizer
    """
    return L1L2(l1, l2)


def get(identifier, arg_name: str = "regularizer"):
    """Resolve a layer's regularizer argument into a regularizer.

    Accepts None (returns None); the names "l1", "l2", "l1_l2" (case-insensitive, CamelCase "L1L2" too)
    with Keras' default factors (0.01 each); a `Regularizer` instance (returned as is) or class
    (instantiated); a config dict `{"class_name": ..., "config": {...}}` as produced by `serialize()`;
    any other callable `f(w) -> scalar`, wrapped in a `CallableRegularizer` (finite-difference gradient).

    Parameters
    ----------
    identifier : None, str, Regularizer, dict or callable
        What the user passed.
    arg_name : str
        The argument's name, used in error messages (e.g. "gamma_regularizer").

    Returns
    -------
    Regularizer or None

    Raises
    ------
    ValueError
        Unknown name, invalid config (e.g. a negative factor).
    TypeError
        Any other kind of value.
    """
    return resolve_identifier(identifier, arg_name, base=Regularizer, names=_NAMES, classes=_CLASS_BY_KEY,
                               accepted=_ACCEPTED, object_hint=_OBJECT_HINT,
                               wrap_callable=lambda f: CallableRegularizer(f, arg_name))


def serialize(regularizer):
    """The config value of a regularizer, for a layer's `get_config()`; `get()` accepts it back.

    Regularizer objects give `{"class_name": "L2", "config": {"l2": 0.01}}`-style dicts (a subclass is
    found again by its class name); a `CallableRegularizer` gives back the user's function itself;
    None gives None.

    Parameters
    ----------
    regularizer : None, Regularizer or callable
        What `get()` returned.

    Returns
    -------
    dict, callable or None
    """
    if isinstance(regularizer, CallableRegularizer):
        return regularizer.function
    return serialize_object(regularizer, Regularizer, "a regularizer")
