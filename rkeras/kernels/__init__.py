"""Numba kernels: pure functions on arrays (one module per topic), with numpy twins for the tests.

OpenMP spin-waiting: after a parallel kernel, libgomp's idle threads busy-wait (by default for ~300k
spins) and steal the second core from OpenBLAS and from Python between kernels (benchmarks/NOTES.md,
"GOMP_SPINCOUNT"). It must be set before numba starts
its OpenMP pool (the first parallel kernel call), so it is set here; a value the user exported wins.

Large per-step arrays come from rkeras' own array cache while rkeras works (`array_cache.py`), instead of
being mapped and page-faulted afresh on every call.
"""

import os

os.environ.setdefault("GOMP_SPINCOUNT", "1000")

# before any kernel is loaded: a corrupt on-disk cache entry recompiles instead of failing
from .numba_cache_guard import install as _install_cache_guard

_install_cache_guard()
