"""Chan's combination of per-part moments: the one home of the formula, for every statistics reduction.

A batch's per-channel mean and biased variance are computed in parts: the chunks of a threaded kernel
pass (`batch_norm`), the replicas of a data-parallel step (`distribute.data_parallel`, synchronized batch
normalization). Each part k gives its count n_k, a shift s_k (a rough mean, for accuracy), the sums
S_k = sum (x - s_k) and Q_k = sum (x - s_k)^2; Chan et al. combine them exactly, in float64, with no
E[x^2] - E[x]^2 cancellation: m_k = s_k + S_k / n_k, M2_k = Q_k - S_k^2 / n_k,
mean = sum (n_k / n) m_k, M2 = sum M2_k + n_k (m_k - mean)^2, var = M2 / n.
"""

import numpy as np
from numba import njit

__all__ = ["combine_moments", "combine_part_moments"]


@njit(cache=True, error_model="numpy")
def combine_moments(shifts, sums, squares, counts, out_mean, out_var):
    """Chan et al.: part k has mean m_k = shift_k + S_k / n_k and M2_k = Q_k - S_k^2 / n_k;
    mean = sum (n_k / n) m_k and M2 = sum M2_k + n_k (m_k - mean)^2, in float64. Returns n.

    shifts (K, C), sums and squares (K, C) float64, counts (K,) int64; out_mean, out_var (C,) float64.
    Channels are the inner loops (they vectorize); parts without counted positions are skipped."""
    C = out_mean.shape[0]
    n = counts.sum()
    for c in range(C):
        out_mean[c] = 0.0
        out_var[c] = 0.0
    if n == 0:
        return n
    for k in range(counts.shape[0]):
        nk = counts[k]
        if nk:
            inv = 1.0 / nk
            w = nk / n
            for c in range(C):
                out_mean[c] += w * (np.float64(shifts[k, c]) + sums[k, c] * inv)
    for k in range(counts.shape[0]):
        nk = counts[k]
        if nk:
            inv = 1.0 / nk
            for c in range(C):
                delta = np.float64(shifts[k, c]) + sums[k, c] * inv - out_mean[c]
                out_var[c] += squares[k, c] - sums[k, c] * sums[k, c] * inv + nk * delta * delta
    inv_n = 1.0 / n
    for c in range(C):
        var = out_var[c] * inv_n
        # rounding only; not max(): NaN must stay NaN
        out_var[c] = 0.0 if var < 0.0 else var  # noqa: FURB136
    return n


def combine_part_moments(counts, means, variances, out_mean, out_var) -> float:
    """The (mean, biased variance) of the union of K parts given each part's (count, mean, variance).

    counts (K,), means and variances (K, C) float64; out_mean and out_var (C,) float64 are filled (zeros
    when no part counts). Returns the total count. A part's mean is its shift (S_k = 0, Q_k = n_k var_k)."""
    means = np.ascontiguousarray(means, dtype=np.float64)
    counts = np.rint(np.asarray(counts, dtype=np.float64)).astype(np.int64)
    squares = np.ascontiguousarray(variances, dtype=np.float64) * counts[:, None]
    return float(combine_moments(means, np.zeros_like(means), squares, counts, out_mean, out_var))
