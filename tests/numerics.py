"""Error measures shared by the tests."""

import numpy as np


def rel_err(a, b, floor=0.0) -> float:
    """max |a - b| / max(max |b|, floor): norm-wise relative error (0 when both are 0).

    `floor = 1` suits normalized outputs, which are O(1) by construction: with a degenerate batch
    (variance 0) they can all be tiny, and float32 rounding of `x * a + b` is then relative to 1.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.max(np.abs(b)), floor) if b.size else 0.0
    diff = np.max(np.abs(a - b)) if b.size else 0.0
    return diff / scale if scale > 0 else diff
