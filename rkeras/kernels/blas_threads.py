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
