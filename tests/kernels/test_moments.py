"""Chan's combine of per-part moments (`rkeras.kernels.moments`), against a numpy twin on the joined data.

The same kernel serves the chunks of the batch-norm pass and the replicas of synchronized batch
normalization (`DataParallel.combine_moments`), so both are checked here through the two entries.
"""

import numpy as np
import pytest

from rkeras.kernels.moments import combine_moments, combine_part_moments


def _twin(parts):
    """Mean and biased variance of the concatenated parts, in float64 two-pass numpy."""
    joined = np.concatenate(parts, axis=0).astype(np.float64)
    if joined.shape[0] == 0:
        return np.zeros(joined.shape[1]), np.zeros(joined.shape[1]), 0
    return joined.mean(axis=0), joined.var(axis=0), joined.shape[0]


@pytest.mark.parametrize("sizes, loc, scale", [((5, 7, 1), 0.0, 1.0), ((3, 0, 9, 4), 1e6, 1.0),
                                              ((0, 0), 0.0, 1.0), ((16,), -3.0, 1e-3)])
def test_part_moments_equal_those_of_the_joined_data(sizes, loc, scale):
    rng = np.random.default_rng(len(sizes))
    parts = [rng.normal(loc, scale, size=(n, 3)) for n in sizes]
    counts = [len(p) for p in parts]
    means = [p.mean(axis=0) if len(p) else np.zeros(3) for p in parts]
    variances = [p.var(axis=0) if len(p) else np.zeros(3) for p in parts]
    mean, var = np.empty(3), np.empty(3)
    n = combine_part_moments(counts, np.array(means), np.array(variances), mean, var)
    ref_mean, ref_var, ref_n = _twin(parts)
    assert n == ref_n
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-14, atol=1e-300)
    # |mean| / std = 1e6 still gives the variance to ~1e-10 (E[x^2] - E[x]^2 would lose it all)
    np.testing.assert_allclose(var, ref_var, rtol=1e-9, atol=1e-300)


def test_shifted_sums_of_chunks_combine_to_the_moments():
    """The batch-norm pass's form: per chunk a shift, the sums and squares of x - shift, and a count."""
    rng = np.random.default_rng(1)
    chunks = [rng.normal(50.0, 2.0, size=(n, 4)) for n in (6, 11, 3)]
    shifts = np.array([c[0] for c in chunks])
    sums = np.array([(c - s).sum(axis=0) for c, s in zip(chunks, shifts)])
    squares = np.array([((c - s) ** 2).sum(axis=0) for c, s in zip(chunks, shifts)])
    counts = np.array([len(c) for c in chunks], dtype=np.int64)
    mean, var = np.empty(4), np.empty(4)
    n = combine_moments(shifts, sums, squares, counts, mean, var)
    ref_mean, ref_var, ref_n = _twin(chunks)
    assert n == ref_n
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-14)
    np.testing.assert_allclose(var, ref_var, rtol=1e-12)


def test_nan_stays_nan():
    mean, var = np.empty(1), np.empty(1)
    combine_part_moments([2, 3], np.array([[np.nan], [1.0]]), np.array([[1.0], [1.0]]), mean, var)
    assert np.isnan(mean[0]) and np.isnan(var[0])
