"""Worker: batch normalization with synchronized = FALSE under N ranks, against a numpy reference.

Run: mpiexec -n 2 python dp_worker_local.py
Each rank normalizes its share of the batch with its own statistics; the gradients (each rank's loss
gradient weighted by its share of the global batch) are summed and every rank applies the same SGD
update; the moving statistics are averaged over the ranks. Rank 0 replays this in numpy (the
reference is written out below, per rank) and prints the largest relative differences; it also
prints how far the result is from the global-statistics (one-process) reference, to show that the
difference is real.
"""

import numpy as np
from dp_common import emit, max_rel, rel_err, weights_digest

import rkeras as rk

F, H, LR, MOMENTUM, EPS = 5, 6, 0.05, 0.9, 1e-3
BATCHES = ((0, 13), (13, 29), (29, 38), (38, 41))  # 6+7, 8+8, 4+5, 1+2 samples on 2 ranks


def bounds(n, rank, size):
    return rank * n // size, (rank + 1) * n // size


def reference_step(p, x, y, size):
    """One training step of Dense(H, no bias) -> BN -> Dense(1) with MSE, `size` ranks, local statistics.

    Returns the reported loss (global-batch mean of the per-rank losses) and updates `p` in place.
    """
    n = len(x)
    grads = {k: np.zeros_like(v) for k, v in p.items() if not k.startswith("moving")}
    loss, means, variances = 0.0, [], []
    for r in range(size):
        lo, hi = bounds(n, r, size)
        xr, yr = x[lo:hi], y[lo:hi]
        nr = hi - lo
        h = xr @ p["w1"]
        mu = h.mean(axis=0) if nr else np.zeros(H)
        var = ((h - mu) ** 2).mean(axis=0) if nr else np.zeros(H)
        means.append(mu)
        variances.append(var)
        invstd = 1.0 / np.sqrt(var + EPS)
        xhat = (h - mu) * invstd
        z = p["gamma"] * xhat + p["beta"]
        out = z @ p["w2"] + p["b2"]
        err = out - yr
        loss += float(np.sum(err ** 2)) / n           # rank's mean loss, weighted by nr / n
        dout = 2.0 * err / n                          # d(global loss) / d(out)
        grads["w2"] += z.T @ dout
        grads["b2"] += dout.sum(axis=0)
        dz = dout @ p["w2"].T
        grads["gamma"] += (dz * xhat).sum(axis=0)
        grads["beta"] += dz.sum(axis=0)
        dxhat = dz * p["gamma"]
        if nr:
            dh = invstd / nr * (nr * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
            grads["w1"] += xr.T @ dh
    for k, g in grads.items():
        p[k] -= LR * g
    p["moving_mean"] = np.mean([p["moving_mean"] * MOMENTUM + m * (1 - MOMENTUM) for m in means], axis=0)
    p["moving_variance"] = np.mean([p["moving_variance"] * MOMENTUM + v * (1 - MOMENTUM)
                                    for v in variances], axis=0)
    return loss


def main():
    rk.config_set_floatx("float64")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(41, F)) * 2.0 + 1.0
    y = rng.normal(size=(41, 1))
    init = {"w1": rng.normal(size=(F, H)) * 0.5, "gamma": 1.0 + 0.1 * rng.normal(size=H),
            "beta": 0.1 * rng.normal(size=H), "w2": rng.normal(size=(H, 1)) * 0.5, "b2": np.array([0.1]),
            "moving_mean": np.zeros(H), "moving_variance": np.ones(H)}
    order = ["w1", "gamma", "beta", "w2", "b2", "moving_mean", "moving_variance"]

    dist = rk.distribution_data_parallel(timeout=120)
    rk.set_distribution(dist)
    model = (rk.keras_model_sequential(input_shape=(F,))
             | rk.layer_dense(units=H, use_bias=False)
             | rk.layer_batch_normalization(synchronized=False, momentum=MOMENTUM, epsilon=EPS)
             | rk.layer_dense(units=1))
    dense1, bn, dense2 = model.layers
    variables = {"w1": dense1.kernel, "gamma": bn.gamma, "beta": bn.beta, "w2": dense2.kernel,
                 "b2": dense2.bias, "moving_mean": bn.moving_mean, "moving_variance": bn.moving_variance}
    for k, v in variables.items():
        v.assign(init[k])
    model | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=LR), loss="mse")
    losses = [(model | rk.train_on_batch(x[lo:hi], y[lo:hi]))["loss"] for lo, hi in BATCHES]
    got = [variables[k].numpy() for k in order]
    emit("WEIGHTS", {"digest": weights_digest(model), "size": dist.size}, dist.rank)
    rk.set_distribution(None)
    if dist.rank != 0:
        return

    local = {k: v.copy() for k, v in init.items()}
    ref_losses = [reference_step(local, x[lo:hi], y[lo:hi], dist.size) for lo, hi in BATCHES]
    glob = {k: v.copy() for k, v in init.items()}
    for lo, hi in BATCHES:
        reference_step(glob, x[lo:hi], y[lo:hi], 1)
    emit("RESULT", {
        "size": dist.size,
        "weights": max_rel(zip(got, [local[k] for k in order])),
        "per_weight": {k: rel_err(g, local[k]) for g, k in zip(got, order)},
        "losses": rel_err(losses, ref_losses),
        "vs_global_statistics": max_rel(zip(got, [glob[k] for k in order])),
    })


if __name__ == "__main__":
    main()
