"""A corrupt or unreadable on-disk Numba cache entry of an rkeras kernel recompiles it, with one warning.

Numba loads a cached kernel in `Cache.load_overload` (numba/core/caching.py): it unpickles the index
file (`<function>-<line>.pyXY.nbi`), then the data file (`....nbc`), then rebuilds the compiled code.
Only a missing file counts as a miss there; a truncated or garbled one (a crash during a write, a full
disk, a copied tree) raises `UnpicklingError`, `EOFError`, ... at the first call of the kernel, every
time, until someone deletes the file. This guard wraps that method for rkeras' own functions only
(the module of the Python function starts with `rkeras.`; other libraries' caches are left to
numba): a failed load warns once per function, removes the unreadable index so that numba's save
after the recompilation writes a fresh one, and answers "not cached". A failed save warns the same
way and leaves the compiled kernel in use.
"""

import os
import warnings

from numba.core import caching

__all__ = ["install"]

_warned = set()  # functions already warned about (one warning each)


def _is_ours(cache) -> bool:
    return getattr(getattr(cache, "_py_func", None), "__module__", "").startswith("rkeras.")


def _warn(cache, what, error):
    name = getattr(cache, "_name", repr(cache))
    if name in _warned:
        return
    _warned.add(name)
    warnings.warn(f"rkeras: the on-disk Numba cache of {name} could not be {what} ({type(error).__name__}: "
                  f"{error}); the kernel is compiled again and the cache rewritten.", RuntimeWarning, stacklevel=4)


def _forget_index(cache) -> None:
    path = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
    if path:
        try:
            os.remove(path)
        except OSError:
            pass  # already gone, or read-only: numba's save will say so (and is guarded too)


def install() -> None:
    """Wrap numba's `Cache.load_overload` and `save_overload` (once per process)."""
    cls = caching.Cache
    if getattr(cls.load_overload, "_rkeras_guard", False):
        return
    load, save = cls.load_overload, cls.save_overload

    def load_overload(self, sig, target_context):
        if not _is_ours(self):
            return load(self, sig, target_context)
        try:
            return load(self, sig, target_context)
        except Exception as error:  # noqa: BLE001 - any unreadable entry is a cache miss, not a failure
            _warn(self, "read", error)
            _forget_index(self)
            return None

    def save_overload(self, sig, data):
        if not _is_ours(self):
            return save(self, sig, data)
        try:
            return save(self, sig, data)
        except Exception as error:  # noqa: BLE001 - the compiled kernel works without its cache file
            _warn(self, "written", error)
            _forget_index(self)
            return None

    load_overload._rkeras_guard = True
    cls.load_overload, cls.save_overload = load_overload, save_overload
