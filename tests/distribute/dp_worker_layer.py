"""Worker: a synchronized batch normalization layer (vjp, with masks, data with a large mean) over N ranks.

Run: mpiexec -n 2 python dp_worker_layer.py
Each rank runs forward and backward (`rk.vjp`, training) on its share of a global batch under the
distribution; the outputs and input gradients gathered in rank order, the gamma/beta gradients summed
over the ranks and
the moving statistics must equal one process on the global batch. Rank 0's share is entirely masked
in the second case (a rank with count 0). Also checks the collective helpers of the distribution.
"""

import numpy as np
from dp_common import emit, rel_err

import rkeras as rk


def one_case(dist, x, g, mask):
    def run(xs, gs, ms):
        rk.clear_session()
        layer = rk.layer_batch_normalization(synchronized=True, momentum=0.5, epsilon=1e-3)
        layer(xs[:1] if len(xs) else x[:1])  # build
        layer.set_weights([np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.2, 0.3]), np.zeros(3), np.ones(3)])
        out, dx, wg = rk.vjp(layer, xs, gs, training=True, mask=ms)
        return out, dx, wg, layer.get_weights()

    lo, hi = dist.bounds(len(x))
    with dist:
        out, dx, wg, weights = run(x[lo:hi], g[lo:hi], mask[lo:hi])
        out, dx = dist.allgather(out), dist.allgather(dx)
        # the layer's weight gradients are this rank's share; the trainer all-reduces them
        wg = {k: dist.allreduce_sum(v) for k, v in wg.items()}
    if dist.rank != 0:
        return None
    r_out, r_dx, r_wg, r_weights = run(x, g, mask)  # one process, the global batch
    counted = x[mask]  # (count, C): the exact statistics, two-pass float64
    batch_mean = 2.0 * weights[2]          # moving = 0.5 * initial + 0.5 * batch statistic
    batch_var = 2.0 * (weights[3] - 0.5)
    return {
        "outputs": rel_err(out, r_out), "input_grads": rel_err(dx, r_dx),
        "gamma_beta_grads": max(rel_err(wg[k], r_wg[k]) for k in r_wg),
        "moving_statistics": max(rel_err(a, b) for a, b in zip(weights[2:], r_weights[2:])),
        "mean_vs_exact": rel_err(batch_mean, counted.mean(axis=0)),
        "var_vs_exact": rel_err(batch_var, counted.var(axis=0)),
    }


def main():
    dist = rk.distribution_data_parallel(timeout=120)
    rk.config_set_floatx("float64")
    rng = np.random.default_rng(11)
    x = rng.normal(size=(11, 4, 3)) + 1e6  # |mean| / std = 1e6: naive E[x^2] - E[x]^2 loses ~1e-4
    g = rng.normal(size=x.shape)
    mask = rng.random((11, 4)) < 0.7
    results = {"masked": one_case(dist, x, g, mask)}
    mask2 = mask.copy()
    mask2[:5] = False  # rank 0 of 2 counts nothing
    results["rank_without_counted_samples"] = one_case(dist, x, g, mask2)
    results["unmasked"] = one_case(dist, x, g, np.ones((11, 4), bool))

    # the collective helpers
    a = np.arange(6.0) * (dist.rank + 1)
    helpers = {
        "allreduce_sum": dist.allreduce_sum(a).tolist(),
        "allgather": dist.allgather(np.full((dist.rank + 1, 2), dist.rank, dtype=np.int32)).tolist(),
        "shard": [s.tolist() for s in dist.shard([np.arange(5), np.arange(5) * 10])],
    }
    emit("HELPERS", helpers, dist.rank)
    if dist.rank == 0:
        results["size"] = dist.size
        emit("RESULT", results, 0)


if __name__ == "__main__":
    main()
