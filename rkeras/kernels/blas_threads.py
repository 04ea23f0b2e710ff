"""One BLAS thread for the small matrix products of a recurrent time loop.

A recurrent layer makes one small product per step ((batch, units) @ (units, k*units)). Multithreaded
OpenBLAS waits for every thread at the end of each call; when the cores are busy a waiting thread can miss
its time slice and one product takes milliseconds instead of a tenth of one (100 such products: 7.5 s with
two threads under load, 0.11 s with one; benchmarks/NOTES.md, "one_blas_thread"). The loop therefore runs
with one BLAS thread; the large products over all steps, before and after the loop, keep all of them.

numpy's OpenBLAS is found among the process' loaded libraries (`/proc/self/maps`) and its
`openblas_set_num_threads_local` (OpenBLAS >= 0.3.27: the calling thread's count, returns the previous
one) is used. Without it (another BLAS, another platform) `one_blas_thread()` changes nothing.
"""

import contextlib
import ctypes
import os
from concurrent.futures import ThreadPoolExecutor

_setter = None
_searched = False


def _find_setter():
    global _setter, _searched
    if _searched:
        return _setter
    _searched = True
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.c_int]
        fn.restype = ctypes.c_int
        _setter = fn
        break
    return _setter


@contextlib.contextmanager
def one_blas_thread():
    """Within the block, numpy's matrix products on this thread use one OpenBLAS thread."""
    setter = _find_setter()
    if setter is None:
        yield
        return
    previous = setter(1)
    try:
        yield
    finally:
        setter(previous)


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
    setter = _find_setter()
    if setter is not None:
        setter(1)


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
    futures = [_pool.submit(fn, *r) for r in ranges[1:]]
    try:
        with one_blas_thread():
            fn(*ranges[0])
    finally:
        errors = [f.exception() for f in futures]
    for e in errors:
        if e is not None:
            raise e
