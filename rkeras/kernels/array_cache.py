"""rkeras' arrays reuse recently freed memory instead of page-faulting fresh memory on every step.

Why: a training step frees its activations and gradients and the next step allocates the same sizes again.
glibc hands large blocks back to the kernel (`munmap`, heap trimming) and the next step page-faults them
afresh: measured on a (512, 1024) float32 batch-normalization output (2 MiB), 480 page faults and 0.5 ms
per call instead of 0.07 ms; a fresh 32 MiB copy takes 3.1 ms instead of 1.4 ms; the digits example
page-faults 634 000 times in 12 epochs without this cache, 37 000 times with it. Earlier versions fixed
glibc's thresholds with `mallopt`, which changed every library's allocations in the process (PyTorch's
too). This cache changes only the allocations numpy makes while rkeras works.

How: numpy lets a program choose the allocator of new arrays (NEP 49: a "mem_handler" capsule, set per
context). `array_cache()` makes this module's allocator current for the duration of a `with` block;
rkeras opens one around its layer calls, `vjp()` and the model verbs (a custom loop that calls layers'
`forward` and `backward` itself can open one too). Arrays allocated inside keep the allocator for their
whole life, so freeing one anywhere returns its memory here. Blocks of at least `MIN_BLOCK` bytes are
kept when freed, up to `capacity_bytes()` in all, and handed out again for a request that fills at least
7/8 of one; the least recently freed go back to the C library first. Smaller blocks go straight to the C
library. Fresh blocks of 4 MiB or more ask the kernel for huge pages, as numpy does.

The allocator functions are numba `@cfunc`s over a state array (`array_allocator.py`); numpy calls them
with the GIL held, which serializes them (without a GIL the cache stays off). `RKERAS_ARRAY_CACHE_MB`
sets the capacity (default 256; 0 turns the cache off).
"""

import ctypes
import functools
import os
import sys
import warnings

import numpy as np

__all__ = ["MIN_BLOCK", "array_cache", "cache_statistics", "capacity_bytes", "clear_array_cache", "enabled",
           "uses_array_cache"]

MIN_BLOCK = 64 << 10  # bytes: smaller blocks stay with the C library, whose heap reuses them anyway
DEFAULT_CAPACITY_MB = 256
HUGE_PAGE_BYTES = 4 << 20  # numpy asks for huge pages from this size on
MADV_HUGEPAGE = 14
HEADER_BYTES = 16  # bytes before each block's data: its capacity (int64), then padding keeping 16-byte alignment

# the state array: settings and counters, then one (address, capacity, last use) triple per slot
SLOTS = 32
CACHED, CAPACITY, CLOCK, HITS, MISSES, RELEASED, HUGE_PAGES = 0, 1, 2, 3, 4, 5, 6
FIRST_SLOT = 8
STATE_LENGTH = FIRST_SLOT + 3 * SLOTS
_state = np.zeros(STATE_LENGTH, np.int64)

# ----------------------------------------------------------------------------------------------- numpy side
_PY_DATA_MEM_SET_HANDLER = 304  # slots of numpy's C-API table (numpy >= 1.22: __multiarray_api.h)


class _Allocator(ctypes.Structure):
    _fields_ = [("ctx", ctypes.c_void_p), ("malloc", ctypes.c_void_p), ("calloc", ctypes.c_void_p),
                ("realloc", ctypes.c_void_p), ("free", ctypes.c_void_p)]


class _Handler(ctypes.Structure):  # numpy's PyDataMem_Handler
    _fields_ = [("name", ctypes.c_char * 127), ("version", ctypes.c_uint8), ("allocator", _Allocator)]


def _numpy_set_handler():
    """numpy's PyDataMem_SetHandler(handler) -> previous handler, from its C-API table. ctypes takes over the
    new reference the C function returns (a `py_object` result is not increfed again)."""
    api = np._core._multiarray_umath._ARRAY_API if hasattr(np, "_core") else np.core._multiarray_umath._ARRAY_API
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, (ctypes.py_object, ctypes.c_char_p)
    table = ctypes.cast(get_pointer(api, None), ctypes.POINTER(ctypes.c_void_p))
    return ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object)(table[_PY_DATA_MEM_SET_HANDLER])  # keeps the GIL


class _Cache:
    """The handler capsule and what switching to it needs, built at the first `array_cache()`."""

    def __init__(self):
        # compiles (or loads) the cfuncs
        from .array_allocator import handler_calloc, handler_free, handler_malloc, handler_realloc

        self.handler = _Handler(name=b"rkeras_array_cache", version=1, allocator=_Allocator(
            _state.ctypes.data, handler_malloc.address, handler_calloc.address, handler_realloc.address,
            handler_free.address))
        new_capsule = ctypes.pythonapi.PyCapsule_New
        new_capsule.restype, new_capsule.argtypes = ctypes.py_object, (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
        self.capsule = new_capsule(ctypes.addressof(self.handler), b"mem_handler", None)
        self.set_handler = _numpy_set_handler()


_cache = None  # the _Cache, once built; stays alive as long as the process (arrays point at its handler)


def _default_capacity():
    text = os.environ.get("RKERAS_ARRAY_CACHE_MB", str(DEFAULT_CAPACITY_MB))
    try:
        megabytes = float(text)
    except ValueError:
        raise ValueError(f"RKERAS_ARRAY_CACHE_MB: expected a number of MiB (0 turns the cache off), got {text!r}")
    if not 0 <= megabytes <= 1 << 30:  # also refuses nan and inf
        raise ValueError(f"RKERAS_ARRAY_CACHE_MB: expected a number of MiB >= 0, got {text!r}")
    return int(megabytes * (1 << 20))


_state[CAPACITY] = _default_capacity()
_state[HUGE_PAGES] = int(bool(getattr(np._core.multiarray if hasattr(np, "_core") else np.core.multiarray,
                                 "_get_madvise_hugepage", lambda: False)()))
_usable = not hasattr(sys, "_is_gil_enabled") or sys._is_gil_enabled()  # the state relies on the GIL


def enabled():
    """True when rkeras' arrays come from the cache (capacity > 0, a numpy with NEP 49, the GIL)."""
    return _usable and _state[CAPACITY] > 0


def _build():
    """Build the handler and check that numpy takes it; on any failure, warn once and leave the cache off."""
    global _cache, _usable
    try:
        cache = _Cache()
        previous = cache.set_handler(cache.capsule)
        taken = _handler_name() == "rkeras_array_cache"
        cache.set_handler(previous)
        if not taken:
            raise RuntimeError("numpy did not take the allocator")
    except Exception as error:  # noqa: BLE001  (an unusual numpy or numba: run without the cache, not fail)
        _usable = False
        warnings.warn(f"rkeras' array cache is off ({type(error).__name__}: {error}); arrays are allocated by "
                      f"numpy's default allocator", RuntimeWarning, stacklevel=3)
        return
    _cache = cache


def _handler_name():
    multiarray = np._core.multiarray if hasattr(np, "_core") else np.core.multiarray
    return multiarray.get_handler_name()


def _switch_in():
    """Make the cache numpy's allocator; returns the previous allocator, or None when the cache is off."""
    if not enabled():
        return None
    if _cache is None:
        _build()
        if _cache is None:
            return None
    return _cache.set_handler(_cache.capsule)


def _switch_back(previous):
    if previous is not None:
        _cache.set_handler(previous)


class array_cache:
    """`with array_cache():` numpy's new arrays come from (and, when freed, go back to) the cache. Nests."""

    __slots__ = ("_previous",)

    def __enter__(self):
        self._previous = _switch_in()

    def __exit__(self, *exc):
        _switch_back(self._previous)


def uses_array_cache(function):
    """Decorator: `function` runs inside `array_cache()` (rkeras' layer calls, vjp and model verbs)."""
    @functools.wraps(function)
    def with_array_cache(*args, **kwargs):
        previous = _switch_in()
        try:
            return function(*args, **kwargs)
        finally:
            _switch_back(previous)

    return with_array_cache


def capacity_bytes():
    """The most bytes the cache keeps (from RKERAS_ARRAY_CACHE_MB, default 256 MiB)."""
    return int(_state[CAPACITY])


def clear_array_cache():
    """Return every cached block to the C library (the arrays in use are not affected)."""
    capacity = _state[CAPACITY]
    _state[CAPACITY] = 0
    if _cache is not None:
        from .array_allocator import release_all
        release_all(_state)
    _state[CAPACITY] = capacity


def cache_statistics():
    """Counters since start: reuses (hits), new blocks of cacheable size (misses), blocks given back to the
    C library (released), and the bytes held now (cached)."""
    return {"hits": int(_state[HITS]), "misses": int(_state[MISSES]), "released": int(_state[RELEASED]),
            "cached": int(_state[CACHED])}
