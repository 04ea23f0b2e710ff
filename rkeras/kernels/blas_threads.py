"""One BLAS thread for the small matrix products of a recurrent time loop.

A recurrent layer makes one small product per step ((batch, units) @ (units, k*units)). Multithreaded
OpenBLAS waits for every thread at the end of each call; when the cores are busy a waiting thread can miss
its time slice and one product takes milliseconds instead of a tenth of one (100 such products: 7.5 s with
two threads under load, 0.11 s with one; benchmarks/NOTES.md, "one_blas_thread"). The loop therefore runs
with one BLAS thread; the large products over all steps, before and after the loop, keep all of them.

numpy's OpenBLAS is the library `blas.py` found (the one whose CBLAS symbols numba binds), and its
`openblas_set_num_threads_local` (OpenBLAS >= 0.3.27) is used. Without it (another BLAS, another
platform) `one_blas_thread()` changes nothing.
"""

import contextlib
import ctypes
import os
from concurrent.futures import ThreadPoolExecutor

_functions = None


def _find_functions():
    """(set_num_threads_local, get_num_threads) of numpy's OpenBLAS (the library `blas.py` bound), or None."""
    global _functions
    if _functions is None:
        from . import blas

        lib = blas.library()
        if lib is None:
            _functions = ()
        else:
            setter, getter = lib.openblas_set_num_threads_local, lib.scipy_openblas_get_num_threads64_
            setter.argtypes, setter.restype, getter.restype = [ctypes.c_int], ctypes.c_int, ctypes.c_int
            _functions = (setter, getter)
    return _functions or None


@contextlib.contextmanager
def one_blas_thread():
    """Within the block, numpy's matrix products use one OpenBLAS thread; the count before is put back
    after it (in numpy's OpenBLAS the "local" count is seen by every thread: see `blas.set_local_threads`)."""
    functions = _find_functions()
    if functions is None:
        yield
        return
    setter, getter = functions
    saved = getter()
    setter(1)
    try:
        yield
    finally:
        setter(saved)


# --------------------------------------------------------------------------------------------- batch split
# A recurrent time loop is sequential in time but independent across samples: each thread takes a
# contiguous range of the batch and runs the whole loop on it (a nogil numba kernel with one BLAS thread),
# with one fork and one join per call instead of one per step. A thread that the machine's load delays
# delays only the join, not every step (as a per-step multithreaded product would).

MIN_ROWS_PER_THREAD = 16  # fewer rows per product and the split costs more than it saves
_pool = None
_pool_size = 0


def _cpu_budget():
    import numba

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, numba.config.NUMBA_NUM_THREADS))


def batch_ranges(batch, min_rows=MIN_ROWS_PER_THREAD):
    """Contiguous (start, stop) ranges splitting `batch` samples over the threads worth using."""
    n = max(1, min(_cpu_budget(), batch // min_rows))
    bounds = [batch * i // n for i in range(n + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(n)]


def _worker_init():
    functions = _find_functions()
    if functions is not None:
        functions[0](1)


def _reset_after_fork():
    global _pool, _pool_size
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def run_split(fn, ranges):
    """Call fn(start, stop) for each range: the first in this thread, the others in worker threads (each
    with one BLAS thread); return when all are done, raising the first error."""
    global _pool, _pool_size
    if len(ranges) == 1:
        with one_blas_thread():
            fn(*ranges[0])
        return
    if _pool is None or _pool_size < len(ranges) - 1:
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool_size = len(ranges) - 1
        _pool = ThreadPoolExecutor(max_workers=_pool_size, thread_name_prefix="rkeras-rnn",
                                   initializer=_worker_init)
    with one_blas_thread():  # also puts the count back that the workers' one-thread setting overwrote
        futures = [_pool.submit(fn, *r) for r in ranges[1:]]
        try:
            fn(*ranges[0])
        finally:
            errors = [f.exception() for f in futures]
    for e in errors:
        if e is not None:
            raise e
