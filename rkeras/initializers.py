"""Weight initializers, as R keras3's `initializer_*()` functions (Keras 3 formulas).

An initializer is a callable `f(shape, dtype)` that returns a new numpy array of that shape and dtype.
Random values are drawn in float64 and then cast to the requested dtype. A seeded initializer returns
the same values on every call (Keras 3 semantics); an unseeded one draws fresh values on each call from
the package-wide random state (`rkeras.random`), so its draws repeat after `set_random_seed()`.

`get()` turns whatever a layer argument received (None, a name, an initializer object, a config dict
or a plain callable) into an initializer; `serialize()` is its inverse for a layer's `get_config()`.
`configurable.resolve_identifier()` / `serialize_object()` do that work for the three families
(initializers, regularizers, constraints), so they accept and report identifiers the same way.
"""

import math

import numpy as np

from . import random as rk_random
from .configurable import Configurable, name_key, resolve_identifier, serialize_object
from .conventions import as_real, as_seed
from .core.config import config_floatx
from .docstrings import shared_doc

__all__ = [
    "initializer_constant", "initializer_glorot_normal", "initializer_glorot_uniform",
    "initializer_he_normal", "initializer_he_uniform", "initializer_identity", "initializer_lecun_normal",
    "initializer_lecun_uniform", "initializer_ones", "initializer_orthogonal", "initializer_random_normal",
    "initializer_random_uniform", "initializer_truncated_normal", "initializer_variance_scaling",
    "initializer_zeros",
]

# ------------------------------------------------------------------------------------------------
# Base classes


def compute_fans(shape) -> tuple:
    """`(fan_in, fan_out)` of a weight shape, as Keras computes them.

    Rank 0: (1, 1). Rank 1: both `shape[0]`. Rank 2: `shape` itself. Rank >= 3 (convolution kernels,
    input and output channels last): with `receptive = prod(shape[:-2])`,
    `fan_in = shape[-2] * receptive` and `fan_out = shape[-1] * receptive`.

    Parameters
    ----------
    shape : tuple of int
        The weight shape.

    Returns
    -------
    tuple of int
        `(fan_in, fan_out)`.
    """
    shape = tuple(int(d) for d in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _normalize_shape(shape) -> tuple:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"`shape` must be a tuple or list of non-negative integers; received {shape!r}.")
    out = []
    for d in dims:
        if isinstance(d, (float, np.floating)) and float(d).is_integer():
            d = int(d)
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 0:
            raise TypeError(f"`shape` must be a tuple or list of non-negative integers (known sizes, no "
                            f"None); received {shape!r}.")
        out.append(int(d))
    return tuple(out)


def _normalize_dtype(dtype) -> np.dtype:
    if dtype is None:
        dtype = config_floatx()
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"`dtype` must be a numpy dtype or its name (e.g. 'float32'); received {dtype!r}.")


class Initializer(Configurable):
    """Base class of the initializers: a callable `(shape, dtype=None) -> numpy array`.

    Subclasses override `__call__` (or `_draw` for the random ones) and `get_config`; `from_config`
    rebuilds an initializer from `get_config()`. Two initializers are equal when they have the same
    class and configuration.
    """

    def __call__(self, shape, dtype=None) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype).")


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None) -> np.ndarray:
        return np.zeros(_normalize_shape(shape), dtype=_normalize_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None) -> np.ndarray:
        return np.ones(_normalize_shape(shape), dtype=_normalize_dtype(dtype))


class Constant(Initializer):
    """A constant value (a scalar, or an array broadcast to the weight shape)."""

    def __init__(self, value=0):
        if isinstance(value, (np.generic,)):
            value = value.item()
        elif not isinstance(value, (int, float)):
            try:
                arr = np.asarray(value)
            except Exception:  # noqa: BLE001 - any unconvertible object is a type error for the user
                arr = None
            if arr is None or arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                                          or arr.dtype == np.bool_):
                raise TypeError(f"`value` must be a number or a numeric array; received {value!r}.")
            value = arr.tolist()
        if isinstance(value, bool):
            value = int(value)
        self.value = value

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape, dtype = _normalize_shape(shape), _normalize_dtype(dtype)
        value = np.asarray(self.value)
        try:
            out = np.broadcast_to(value, shape)
        except ValueError:
            raise ValueError(f"`value` of shape {value.shape} cannot be broadcast to the weight shape "
                             f"{shape}.") from None
        return np.array(out, dtype=dtype)

    def get_config(self) -> dict:
        return {"value": self.value}


class Identity(Initializer):
    """`gain` times the identity matrix (2D weights only)."""

    def __init__(self, gain=1.0):
        self.gain = as_real(gain, "gain")

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape, dtype = _normalize_shape(shape), _normalize_dtype(dtype)
        if len(shape) != 2:
            raise ValueError(f"The identity initializer needs a 2D weight shape; received shape {shape}.")
        return (self.gain * np.eye(*shape)).astype(dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain}


def _as_seed_or_none(seed):
    return None if seed is None else as_seed(seed)


def _truncated_standard_normal(rng: np.random.Generator, shape) -> np.ndarray:
    """Standard normal values, redrawing any beyond 2 (Keras' truncated normal, before scaling)."""
    z = np.array(rng.standard_normal(size=shape), dtype=np.float64)
    bad = np.abs(z) > 2.0
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2.0
    return z


class RandomInitializer(Initializer):
    """Base of the random initializers: seeded ones repeat, unseeded ones draw from `rkeras.random`."""

    def __init__(self, seed=None):
        self.seed = _as_seed_or_none(seed)

    def _generator(self) -> np.random.Generator:
        return rk_random.make_generator(self.seed)

    def _draw(self, shape: tuple, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape, dtype = _normalize_shape(shape), _normalize_dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            raise TypeError(f"{type(self).__name__} draws floating-point values: `dtype` must be a float "
                            f"type (e.g. 'float32'); received {dtype.name!r}.")
        return np.asarray(self._draw(shape, self._generator()), dtype=np.float64).astype(dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """Normal values with mean `mean` and standard deviation `stddev`."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = as_real(mean, "mean")
        self.stddev = as_real(stddev, "stddev", minimum=0.0)
        super().__init__(seed)

    def _draw(self, shape, rng):
        return self.mean + self.stddev * rng.standard_normal(size=shape)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(RandomInitializer):
    """Uniform values in `[minval, maxval)`."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = as_real(minval, "minval")
        self.maxval = as_real(maxval, "maxval")
        if self.maxval < self.minval:
            raise ValueError(f"`maxval` must be >= `minval`; received minval={self.minval!r}, "
                             f"maxval={self.maxval!r}.")
        super().__init__(seed)

    def _draw(self, shape, rng):
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(RandomInitializer):
    """Normal values, redrawn when more than two standard deviations from the mean."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = as_real(mean, "mean")
        self.stddev = as_real(stddev, "stddev", minimum=0.0)
        super().__init__(seed)

    def _draw(self, shape, rng):
        return self.mean + self.stddev * _truncated_standard_normal(rng, shape)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")
# Standard deviation of a standard normal truncated to [-2, 2]: dividing by it gives the truncated
# draw the requested variance (Keras' constant).
_TRUNCATION_CORRECTION = 0.87962566103423978


class VarianceScaling(RandomInitializer):
    """Keras' variance scaling: variance `scale / n`, `n` a fan (or their mean) of the weight shape."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        self.scale = as_real(scale, "scale", positive=True)
        if mode not in _MODES:
            raise ValueError(f"`mode` must be one of {', '.join(repr(m) for m in _MODES)}; "
                             f"received {mode!r}.")
        if not isinstance(distribution, str) or distribution.lower() not in _DISTRIBUTIONS + ("normal",):
            raise ValueError(f"`distribution` must be one of {', '.join(repr(d) for d in _DISTRIBUTIONS)}; "
                             f"received {distribution!r}.")
        distribution = distribution.lower()
        self.mode = mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution
        super().__init__(seed)

    def _scale_over_fan(self, shape) -> float:
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return self.scale / max(1.0, fan)

    def _draw(self, shape, rng):
        scale = self._scale_over_fan(shape)
        if self.distribution == "truncated_normal":
            return math.sqrt(scale) / _TRUNCATION_CORRECTION * _truncated_standard_normal(rng, shape)
        if self.distribution == "untruncated_normal":
            return math.sqrt(scale) * rng.standard_normal(size=shape)
        limit = math.sqrt(3.0 * scale)
        return rng.uniform(-limit, limit, size=shape)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class _FixedVarianceScaling(VarianceScaling):
    """A named variance scaling (Glorot, He, LeCun): only `seed` is configurable."""

    _settings = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None):
        super().__init__(*self._settings, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_FixedVarianceScaling):
    """Uniform in `[-limit, limit]`, `limit = sqrt(6 / (fan_in + fan_out))`."""

    _settings = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal with standard deviation `sqrt(2 / (fan_in + fan_out))` (after truncation)."""

    _settings = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_FixedVarianceScaling):
    """Truncated normal with standard deviation `sqrt(2 / fan_in)` (after truncation)."""

    _settings = (2.0, "fan_in", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """Uniform in `[-limit, limit]`, `limit = sqrt(6 / fan_in)`."""

    _settings = (2.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal with standard deviation `sqrt(1 / fan_in)` (after truncation)."""

    _settings = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """Uniform in `[-limit, limit]`, `limit = sqrt(3 / fan_in)`."""

    _settings = (1.0, "fan_in", "uniform")


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (QR of a normal matrix), reshaped; weights of rank >= 2."""

    def __init__(self, gain=1.0, seed=None):
        self.gain = as_real(gain, "gain")
        super().__init__(seed)

    def _draw(self, shape, rng):
        if len(shape) < 2:
            raise ValueError(f"The orthogonal initializer needs a weight of rank >= 2; "
                             f"received shape {shape}.")
        num_rows, num_cols = math.prod(shape[:-1]), shape[-1]
        if num_rows == 0 or num_cols == 0:
            return np.zeros(shape)
        a = rng.standard_normal(size=(max(num_rows, num_cols), min(num_rows, num_cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))  # makes the decomposition unique, hence the distribution uniform
        if num_rows < num_cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


# ------------------------------------------------------------------------------------------------
# R-style constructors


def initializer_zeros() -> Zeros:
    """Initializer that generates tensors initialized to 0.

    Returns
    -------
    Initializer
        A callable `f(shape, dtype=None)` returning an array of zeros.
    """
    return Zeros()


def initializer_ones() -> Ones:
    """Initializer that generates tensors initialized to 1.

    Returns
    -------
    Initializer
        A callable `f(shape, dtype=None)` returning an array of ones.
    """
    return Ones()


def initializer_constant(value=0) -> Constant:
    """Initializer that generates tensors with constant values.

    Parameters
    ----------
    value : number or numeric array
        The fill value. An array is broadcast to the weight shape (an error if it cannot be).

    Returns
    -------
    Initializer
    """
    return Constant(value)


def initializer_identity(gain=1.0) -> Identity:
    """Initializer that generates the identity matrix (only for 2D weights).

    Parameters
    ----------
    gain : float
        Multiplicative factor applied to the identity matrix.

    Returns
    -------
    Initializer
    """
    return Identity(gain)


@shared_doc
def initializer_random_normal(mean=0.0, stddev=0.05, seed=None) -> RandomNormal:
    """Random normal initializer: draws samples from a normal distribution.

    Parameters
    ----------
    mean : float
        Mean of the random values to generate.
    stddev : float
        Standard deviation of the random values to generate (>= 0).
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return RandomNormal(mean, stddev, seed)


@shared_doc
def initializer_random_uniform(minval=-0.05, maxval=0.05, seed=None) -> RandomUniform:
    """Random uniform initializer: draws samples uniformly in `[minval, maxval)`.

    Parameters
    ----------
    minval : float
        Lower bound of the range of random values to generate (inclusive).
    maxval : float
        Upper bound of the range of random values to generate (exclusive; >= `minval`).
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return RandomUniform(minval, maxval, seed)


@shared_doc
def initializer_truncated_normal(mean=0.0, stddev=0.05, seed=None) -> TruncatedNormal:
    """Truncated normal initializer: a normal distribution whose values beyond two standard deviations
    from the mean are discarded and redrawn.

    Parameters
    ----------
    mean : float
        Mean of the random values to generate.
    stddev : float
        Standard deviation of the normal distribution before truncation (>= 0).
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return TruncatedNormal(mean, stddev, seed)


@shared_doc
def initializer_variance_scaling(scale=1.0, mode="fan_in", distribution="truncated_normal",
                                 seed=None) -> VarianceScaling:
    """Initializer that adapts its scale to the shape of the weights.

    With `distribution="truncated_normal"` or `"untruncated_normal"`, samples have mean 0 and standard
    deviation (after truncation, if used) `sqrt(scale / n)`; with `"uniform"`, samples are uniform in
    `[-limit, limit]` with `limit = sqrt(3 * scale / n)`. `n` is `fan_in`, `fan_out` or their mean
    (`mode`), computed from the weight shape as in Keras (for convolution kernels, the receptive field
    size times the input or output channels).

    Parameters
    ----------
    scale : float
        Scaling factor (> 0).
    mode : str
        One of "fan_in", "fan_out", "fan_avg".
    distribution : str
        One of "truncated_normal" ("normal" is an alias), "untruncated_normal", "uniform".
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return VarianceScaling(scale, mode, distribution, seed)


@shared_doc
def initializer_glorot_uniform(seed=None) -> GlorotUniform:
    """The Glorot uniform initializer, also called Xavier uniform initializer.

    Draws samples uniformly in `[-limit, limit]`, where `limit = sqrt(6 / (fan_in + fan_out))`.

    Parameters
    ----------
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return GlorotUniform(seed)


@shared_doc
def initializer_glorot_normal(seed=None) -> GlorotNormal:
    """The Glorot normal initializer, also called Xavier normal initializer.

    Draws samples from a truncated normal distribution centred on 0 with
    `stddev = sqrt(2 / (fan_in + fan_out))` after truncation (the pre-truncation standard deviation is
    divided by 0.87962566103423978, as in Keras).

    Parameters
    ----------
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return GlorotNormal(seed)


@shared_doc
def initializer_he_normal(seed=None) -> HeNormal:
    """He normal initializer: truncated normal centred on 0 with `stddev = sqrt(2 / fan_in)`.

    Parameters
    ----------
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return HeNormal(seed)


@shared_doc
def initializer_he_uniform(seed=None) -> HeUniform:
    """He uniform variance scaling initializer: uniform in `[-limit, limit]`, `limit = sqrt(6 / fan_in)`.

    Parameters
    ----------
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return HeUniform(seed)


@shared_doc
def initializer_lecun_normal(seed=None) -> LecunNormal:
    """Lecun normal initializer: truncated normal centred on 0 with `stddev = sqrt(1 / fan_in)`.

    Parameters
    ----------
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return LecunNormal(seed)


@shared_doc
def initializer_lecun_uniform(seed=None) -> LecunUniform:
    """Lecun uniform initializer: uniform in `[-limit, limit]`, `limit = sqrt(3 / fan_in)`.

    Parameters
    ----------
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return LecunUniform(seed)


@shared_doc
def initializer_orthogonal(gain=1.0, seed=None) -> Orthogonal:
    """Initializer that generates an orthogonal matrix.

    A 2D weight is the orthogonal factor of the QR decomposition of a matrix of normal values (with
    orthonormal rows if it has fewer rows than columns, else orthonormal columns), times `gain`. A
    weight of higher rank is built as a `(prod(shape[:-1]), shape[-1])` matrix, then reshaped.

    Parameters
    ----------
    gain : float
        Multiplicative factor applied to the orthogonal matrix.
    {{initializer_seed}}

    Returns
    -------
    Initializer
    """
    return Orthogonal(gain, seed)



# ------------------------------------------------------------------------------------------------
# Identifiers

_CLASSES = (Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal)
_CLASS_BY_KEY = {name_key(c.__name__): c for c in _CLASSES}
_CLASS_BY_KEY.update({name_key(alias): cls for alias, cls in (
    ("uniform", RandomUniform), ("normal", RandomNormal), ("one", Ones), ("zero", Zeros),
    ("OrthogonalInitializer", Orthogonal))})
_ACCEPTED = ("zeros", "ones", "constant", "identity", "random_normal", "random_uniform", "truncated_normal",
             "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
             "lecun_uniform", "orthogonal")
_OBJECT_HINT = "an initializer object or a callable f(shape, dtype)"


def get(identifier, arg_name: str = "initializer"):
    """Resolve a layer's initializer argument into an initializer.

    Accepts None (returns None); a name, case-insensitive, snake_case or CamelCase ("glorot_uniform",
    "GlorotUniform", and Keras' aliases "uniform", "normal", "one", "zero"), giving the initializer with
    its default arguments; an `Initializer` instance (returned as is) or class (instantiated); a config
    dict `{"class_name": ..., "config": {...}}` as produced by `serialize()`; any other callable
    `f(shape, dtype)`, returned as is.

    Parameters
    ----------
    identifier : None, str, Initializer, dict or callable
        What the user passed.
    arg_name : str
        The argument's name, used in error messages (e.g. "gamma_initializer").

    Returns
    -------
    Initializer, callable or None

    Raises
    ------
    ValueError
        Unknown name, or invalid config.
    TypeError
        Any other kind of value.
    """
    return resolve_identifier(identifier, arg_name, base=Initializer,
                               names=_CLASS_BY_KEY, classes=_CLASS_BY_KEY,
                               accepted=_ACCEPTED, object_hint=_OBJECT_HINT)


def serialize(initializer):
    """The config value of an initializer, for a layer's `get_config()`; `get()` accepts it back.

    Initializer objects (built-in or subclasses) give `{"class_name": "GlorotUniform", "config":
    {"seed": None}}`-style dicts (a subclass is found again by its class name, so it must be defined
    when the config is read back); a plain callable is returned as is; None gives None.

    Parameters
    ----------
    initializer : None, Initializer or callable
        What `get()` returned.

    Returns
    -------
    dict, callable or None
    """
    return serialize_object(initializer, Initializer, "an initializer")
