"""How many chunks (threads) a parallel kernel cuts its work into: all of numba's threads, or one (the
serial path, no parallel region) for arrays too small to repay a parallel region.

Why the thresholds: benchmarks/NOTES.md, "_SERIAL_BELOW".
"""

import numba

__all__ = ["threads_for"]

_SERIAL_BELOW = 262144  # elements (1 MiB of float32): below, serial; inside training the threads do not pay
_SERIAL_BELOW_WORKQUEUE = 1 << 20  # the `workqueue` layer's regions cost more (NOTES.md)
_workqueue = None  # whether numba runs the `workqueue` layer (known after its first thread-count query)


def threads_for(size):
    """Number of chunks (threads) a kernel uses for arrays of `size` elements.

    All of numba's threads (`numba.set_num_threads` is honoured), or 1 (serial, no parallel region) for
    small arrays: below 256K elements, or 1M under the `workqueue` threading layer.
    """
    global _workqueue
    if _workqueue is None:
        numba.get_num_threads()  # starts the threading layer, so it can be asked for below
        _workqueue = numba.threading_layer() == "workqueue"
    if size < (_SERIAL_BELOW_WORKQUEUE if _workqueue else _SERIAL_BELOW):
        return 1
    return numba.get_num_threads()
