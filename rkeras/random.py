"""The package-wide random state: `set_random_seed()` as in R keras3, and generators derived from it.

Everything random in rkeras (unseeded initializers, dropout, shuffling in `fit()`) asks this module
for a `numpy.random.Generator` through `make_generator()`. Unseeded requests draw a fresh seed from
one global generator, so after `set_random_seed(s)` the whole sequence of unseeded draws repeats
exactly, run after run; a seeded request ignores the global state altogether.
"""

import random as _py_random
import threading

import numpy as np

from .conventions import as_seed

__all__ = [
    "set_random_seed",
]

_lock = threading.Lock()
_global_generator = np.random.default_rng()
# Seeds drawn for derived generators stay below 2**63 so they are plain non-negative Python ints.
_SEED_BOUND = 2**63 - 1


def set_random_seed(seed: int) -> None:
    """Set all random seeds needed to make an rkeras program reproducible.

    Seeds the package-wide generator used by unseeded initializers, dropout and shuffling, and, as
    R keras3's `set_random_seed()` (Keras' `keras.utils.set_random_seed()`) does, Python's `random`
    module and numpy's legacy global state (`np.random.seed`), so that data simulated with
    `np.random` repeats too. After `set_random_seed(s)`, the same program gives the same weights,
    batch orders and dropout masks, run after run.

    Parameters
    ----------
    seed : int
        A non-negative integer (a whole float such as `42.0` is accepted, as R's `42`).

    Returns
    -------
    None, invisibly (R style).
    """
    seed = as_seed(seed)
    global _global_generator
    with _lock:
        _global_generator = np.random.default_rng(seed)
    _py_random.seed(seed)
    np.random.seed(seed % 2**32)  # the legacy seeder only takes 32-bit seeds


def global_generator() -> np.random.Generator:
    """The package-wide generator that `set_random_seed()` seeds.

    Prefer `make_generator()`, which derives an independent generator from it; drawing from the
    global generator directly shifts every later unseeded draw.

    Returns
    -------
    numpy.random.Generator
        The current global generator (replaced by each `set_random_seed()` call).
    """
    return _global_generator


def make_generator(seed=None) -> np.random.Generator:
    """A fresh random generator: seeded if `seed` is given, else derived from the global one.

    Without a seed, a new seed is drawn from the global generator, so the sequence of generators
    (and of everything drawn from them) is reproducible after `set_random_seed()`.

    Parameters
    ----------
    seed : None, int, or numpy seed object
        None: derive from the global generator. A non-negative integer (whole floats accepted):
        `np.random.default_rng(seed)`, the same stream on every call. A `numpy.random.SeedSequence`,
        `BitGenerator` or `Generator` is passed to `np.random.default_rng()` as is.

    Returns
    -------
    numpy.random.Generator
    """
    if seed is None:
        with _lock:
            seed = int(_global_generator.integers(0, _SEED_BOUND))
        return np.random.default_rng(seed)
    if isinstance(seed, (np.random.SeedSequence, np.random.BitGenerator, np.random.Generator)):
        return np.random.default_rng(seed)
    return np.random.default_rng(as_seed(seed))
