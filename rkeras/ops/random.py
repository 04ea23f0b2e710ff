"""Random draws (`random_*`), reproducible with `set_random_seed()`, an integer seed or a seed generator."""

import numpy as np

from .. import conventions
from .. import random as rk_random
from ..core.config import config_floatx
from ._base import apply, op_doc, plain, r_axis

__all__ = [
    "random_beta", "random_binomial", "random_categorical", "random_dropout", "random_gamma",
    "random_integer", "random_normal", "random_seed_generator", "random_shuffle", "random_truncated_normal",
    "random_uniform",
]


class SeedGenerator:
    """A stream of seeds: each draw that receives it advances it (Keras' `SeedGenerator`)."""

    def __init__(self, seed=None, name=None):
        self.generator = rk_random.make_generator(seed)
        self.name = name or "seed_generator"

    def __repr__(self):
        return f"<SeedGenerator name={self.name}>"


def _gen(seed):
    if isinstance(seed, SeedGenerator):
        return seed.generator
    return rk_random.make_generator(seed)


def _shape(shape):
    if conventions.is_int(shape):
        return (int(shape),)
    return tuple(conventions.as_integer(d, "shape", minimum=0) for d in shape)


def _float(dtype):
    dt = np.dtype(dtype or config_floatx())
    if dt.kind != "f":
        raise ValueError(f"`dtype` must be a float type; received {dtype!r}.")
    return dt


@op_doc("A seed generator to pass as `seed` to the `random_*` functions: successive draws differ, "
        "and the whole sequence repeats for the same `seed`.", returns="SeedGenerator",
        seed=("int or None", "Initial seed (None: from the global generator)."),
        name=("str or None", "A name."), kwargs="Not accepted.")
def random_seed_generator(seed=None, name=None, **kwargs):
    conventions.check_kwargs(kwargs, allowed=(), where="random_seed_generator()")
    return SeedGenerator(seed, name)


@op_doc("Draws from a normal distribution.", mean=("number", "Mean."), stddev=("number", "Standard deviation."))
def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _gen(seed).normal(mean, stddev, _shape(shape)).astype(_float(dtype))


@op_doc("Draws from a uniform distribution on `[minval, maxval)`.", minval=("number", "Lower bound."),
        maxval=("number", "Upper bound (excluded)."))
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _gen(seed).uniform(minval, maxval, _shape(shape)).astype(_float(dtype))


@op_doc("Random integers on `[minval, maxval)`.", minval=("int", "Lower bound."),
        maxval=("int", "Upper bound (excluded)."), dtype=("str", "Integer dtype of the result."))
def random_integer(shape, minval, maxval, dtype="int32", seed=None):
    return _gen(seed).integers(int(minval), int(maxval), _shape(shape)).astype(dtype)


@op_doc("Draws from a normal distribution truncated to two standard deviations around the mean.",
        mean=("number", "Mean."), stddev=("number", "Standard deviation (before truncation)."))
def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    g = _gen(seed)
    shp = _shape(shape)
    out = g.normal(0.0, 1.0, shp)
    bad = np.abs(out) > 2
    while np.any(bad):
        out[bad] = g.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2
    return (mean + stddev * out).astype(_float(dtype))


@op_doc("Draws from a gamma distribution (scale 1).", alpha=("number", "Shape parameter."))
def random_gamma(shape, alpha, dtype=None, seed=None):
    return _gen(seed).gamma(alpha, 1.0, _shape(shape)).astype(_float(dtype))


@op_doc("Draws from a beta distribution.", alpha=("number", "First shape parameter."),
        beta=("number", "Second shape parameter."))
def random_beta(shape, alpha, beta, dtype=None, seed=None):
    return _gen(seed).beta(alpha, beta, _shape(shape)).astype(_float(dtype))


@op_doc("Draws from a binomial distribution.", counts=("number or array", "Number of trials."),
        probabilities=("number or array", "Success probability."))
def random_binomial(shape, counts, probabilities, dtype=None, seed=None):
    return _gen(seed).binomial(plain(counts), plain(probabilities), _shape(shape)).astype(_float(dtype))


@op_doc("Draws class indices from categorical distributions given by `logits` (one row per batch entry).",
        returns="integer array of shape (batch, num_samples)",
        logits=("array", "Unnormalized log-probabilities, shape (batch, classes)."),
        num_samples=("int", "Draws per row."), dtype=("str", "Integer dtype of the result."))
def random_categorical(logits, num_samples, dtype="int32", seed=None, zero_indexed=False):
    z = np.asarray(plain(logits), dtype=np.float64)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    g = _gen(seed)
    u = g.random((z.shape[0], int(num_samples)))
    out = np.stack([np.searchsorted(np.cumsum(row), uu, side="right") for row, uu in zip(p, u)])
    out = np.minimum(out, z.shape[-1] - 1).astype(dtype)
    return out if zero_indexed else out + 1


@op_doc("Randomly set a fraction `rate` of `inputs` to 0 and scale the rest by `1 / (1 - rate)`.",
        inputs=("array", "The values."), rate=("float", "Fraction dropped, in [0, 1)."),
        noise_shape=("tuple or None", "Shape of the keep mask, broadcast to `inputs` (None: that of `inputs`)."))
def random_dropout(inputs, rate, noise_shape=None, seed=None):
    rate = float(rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"`rate` must be in [0, 1); received {rate!r}.")
    shp = np.shape(plain(inputs)) if noise_shape is None else tuple(
        s if d is None else int(d) for s, d in zip(np.shape(plain(inputs)), noise_shape))
    keep = (_gen(seed).random(shp) >= rate)
    scale = 1.0 / (1.0 - rate)
    return apply(lambda v: np.where(keep, v * scale, 0).astype(v.dtype),
                 lambda g, o, v: (np.where(keep, g * scale, 0).astype(g.dtype),), inputs)


@op_doc("Shuffle the elements of `x` along `axis` (default 1: the first).", axis=("int", "The axis, R style."))
def random_shuffle(x, axis=1, seed=None):
    from .shape import select_elements
    v = plain(x)
    ax = r_axis(axis, v.ndim)
    order = _gen(seed).permutation(v.shape[ax])
    return select_elements(lambda a: np.take(a, order, axis=ax), x)
