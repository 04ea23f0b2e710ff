"""The software prefetch (rkeras.kernels.prefetch): a hint, invisible in results, so what can be checked is
that it compiles (through llvmlite's intrinsic naming, for typed and opaque LLVM pointers alike) for every
dtype and range the kernels use, changes nothing, and rejects what it cannot prefetch."""

import numpy as np
import pytest
from numba import njit
from numba.core.errors import TypingError

from rkeras.kernels.prefetch import LINE_BYTES, prefetch, prefetch_ahead


@njit(cache=True)
def _sum_with_prefetch(a, ahead_bytes):
    """Sums a while prefetching ahead of every cache line: the result must be the plain sum."""
    line = max(1, LINE_BYTES // a.itemsize)
    total = 0.0
    for i in range(0, a.shape[0], line):
        prefetch_ahead(a, i, line, ahead_bytes)
        for j in range(i, min(i + line, a.shape[0])):
            total += a[j]
    return total


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.bool_])
@pytest.mark.parametrize("n", [0, 1, 17, 4099])
@pytest.mark.parametrize("ahead_bytes", [0, 64, 8192, 1 << 30])
def test_prefetch_ahead_compiles_for_every_dtype_and_changes_nothing(dtype, n, ahead_bytes):
    a = (np.arange(n) % 7).astype(dtype)
    before = a.copy()
    assert _sum_with_prefetch(a, ahead_bytes) == pytest.approx(float(a.astype(np.float64).sum()))
    assert np.array_equal(a, before)


def test_prefetch_rejects_what_is_not_an_array():
    @njit
    def bad(v):
        prefetch(v, 0)

    with pytest.raises(TypingError):
        bad(1.5)
    with pytest.raises(TypingError):  # a strided view: element i is not at flat offset i
        bad(np.zeros(10)[::2])
    with pytest.raises(TypingError):
        bad(np.zeros((2, 3)))
