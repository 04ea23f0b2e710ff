"""Worker: N-rank training with synchronized batch normalization equals one process on the global batches.

Run: mpiexec -n 2 python dp_worker_sync.py float64|float32
Every rank trains the model under the distribution (train_on_batch on uneven batches, fit with
shuffling and validation, evaluate, predict); then rank 0 repeats the same script without the
distribution and prints the largest relative differences (`RESULT 0 {...}`). Every rank prints the
digest of its final weights (`WEIGHTS r {...}`).
"""

import sys

import numpy as np
from dp_common import emit, max_rel, rel_err, weights_digest

import rkeras as rk

DTYPE = sys.argv[1] if len(sys.argv) > 1 else "float64"


def build():
    model = (rk.keras_model_sequential(input_shape=(6,))
             | rk.layer_dense(units=16, use_bias=False)
             | rk.layer_batch_normalization(synchronized=True, momentum=0.9)
             | rk.layer_activation(activation="relu")
             | rk.layer_dropout(rate=0.25)  # masks: each rank keeps its rows of the global batch's mask
             | rk.layer_gaussian_noise(stddev=0.1)  # noise too
             | rk.layer_activity_regularization(l1=1e-3, l2=1e-2)  # penalty over the global batch
             | rk.layer_dense(units=8, use_bias=False)
             | rk.layer_batch_normalization(synchronized=True, momentum=0.8, center=False)
             | rk.layer_activation(activation="tanh")
             | rk.layer_dense(units=3, activation="softmax"))
    opt = rk.optimizer_sgd(learning_rate=0.05, momentum=0.9) if DTYPE == "float32" else \
        rk.optimizer_adam(learning_rate=0.01)
    model | rk.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def run(x, y):
    rk.set_random_seed(7)
    model = build()
    out = {"tob": [], "weights_per_step": []}
    # uneven global batches: 13 -> 6 + 7 samples, 1 -> 0 + 1 sample, 16 -> 8 + 8
    for lo, hi in ((0, 13), (13, 14), (14, 30), (30, 43)):
        logs = model | rk.train_on_batch(x[lo:hi], y[lo:hi])
        out["tob"].append([logs["loss"], logs["accuracy"]])
        out["weights_per_step"].append(model.get_weights())
    hist = model | rk.fit(x, y, batch_size=10, epochs=3, shuffle=True, validation_split=0.2, verbose=0)
    out["history"] = hist.history
    out["evaluate"] = model | rk.evaluate(x, y, batch_size=9, verbose=0)
    out["test_on_batch"] = model | rk.test_on_batch(x[:11], y[:11])
    out["predict"] = model | rk.predict(x, batch_size=8)
    seen, forward = [], model.forward  # rows each forward pass of predict_on_batch gets on this rank
    model.forward = lambda inputs, **kw: (seen.append(len(inputs)), forward(inputs, **kw))[1]
    out["predict_on_batch"] = model | rk.predict_on_batch(x[:13])
    del model.forward
    out["predict_on_batch_rows"] = seen
    out["weights"] = model.get_weights()
    out["model"] = model
    return out


def main():
    rk.config_set_floatx(DTYPE)
    rng = np.random.default_rng(0)
    # float64: a large mean (the statistics must be combined accurately); float32: rounding of the
    # data itself would dominate the comparison with a large mean
    x = (rng.normal(size=(57, 6)) * 3.0 + (50.0 if DTYPE == "float64" else 1.0)).astype(DTYPE)
    y = rng.integers(0, 3, size=57)

    dist = rk.distribution_data_parallel(timeout=120)
    with dist:
        got = run(x, y)
    emit("WEIGHTS", {"digest": weights_digest(got["model"]), "size": dist.size}, dist.rank)
    if dist.rank != 0:
        dist.barrier()
        return
    ref = run(x, y)  # one process, the same global batches
    dist.barrier()
    res = {
        "size": dist.size,
        "train_on_batch_logs": max_rel(zip(got["tob"], ref["tob"])),
        "weights_per_step": max(max_rel(zip(a, b)) for a, b in zip(got["weights_per_step"],
                                                                    ref["weights_per_step"])),
        "weights": max_rel(zip(got["weights"], ref["weights"])),
        "per_weight": {w.path: rel_err(a, b) for a, b, w in zip(got["weights"], ref["weights"],
                                                                 got["model"].weights)},
        "moving_statistics": max_rel(
            (np.asarray(a), np.asarray(b)) for a, b, w in zip(got["weights"], ref["weights"],
                                                            got["model"].weights) if "moving" in w.path),
        "history": max(rel_err(got["history"][k], ref["history"][k]) for k in ref["history"]),
        "history_keys": sorted(got["history"]),
        "evaluate": max(rel_err(got["evaluate"][k], ref["evaluate"][k]) for k in ref["evaluate"]),
        "test_on_batch": max(rel_err(got["test_on_batch"][k], ref["test_on_batch"][k])
                             for k in ref["test_on_batch"]),
        "predict": rel_err(got["predict"], ref["predict"]),
        "predict_on_batch": rel_err(got["predict_on_batch"], ref["predict_on_batch"]),
        "predict_on_batch_rows": got["predict_on_batch_rows"],  # rank 0's share of 13 rows: 6
        "predict_shape": list(got["predict"].shape),
        "weights_changed": rel_err(ref["weights_per_step"][0][0], ref["weights"][0]),
    }
    emit("RESULT", res, 0)


if __name__ == "__main__":
    main()
