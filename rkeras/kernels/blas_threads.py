"""One BLAS thread for the small matrix products of a recurrent time loop.

A recurrent layer makes one small product per step ((batch, units) @ (units, k*units)). Multithreaded
OpenBLAS splits each of them across cores and waits for every thread at the end of each call; when the
cores are busy (other processes, or a numba kernel's OpenMP workers still spinning) a waiting thread
can miss its time slice and one product takes milliseconds instead of a tenth of one. Measured on the
project's 2-core machine under load: 100 products (64, 128) @ (128, 512) took 7.5 s with two OpenBLAS
threads, 0.11 s with one. The loop therefore runs with one BLAS thread; the large products over all
steps, before and after the loop, keep all of them.

numpy's OpenBLAS is found among the process' loaded libraries (`/proc/self/maps`) and its
`openblas_set_num_threads_local` (OpenBLAS >= 0.3.27: the calling thread's count, returns the previous
one) is used. Without it (another BLAS, another platform) `one_blas_thread()` changes nothing.
"""

import contextlib
import ctypes

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
