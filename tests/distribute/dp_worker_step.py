"""Worker: the data-parallel step is the trainer's one step function (issue 25).

Run: mpiexec -n 2 python dp_worker_step.py
Every training and test step, under the data-parallel distribution and without one, is recorded at the
strategy (`run_step(step, ...)`): the strategy objects differ (DataParallel, the identity), the step
function is the same object, `rkeras.training.step.run_step`. Each rank prints a `RESULT` line.
"""

import numpy as np
from dp_common import emit, mpi_rank_size, weights_digest

import rkeras as rk
from rkeras import distribute
from rkeras.training import step as step_module


def spy(strategy, seen):
    """Record (strategy, step function) of every step `strategy` runs; returns the undo."""
    original = strategy.run_step

    def run_step(step, *args, **kwargs):
        seen.append((type(strategy).__name__, step))
        return original(step, *args, **kwargs)
    strategy.run_step = run_step
    return lambda: delattr(strategy, "run_step")


def main():
    rank, size = mpi_rank_size()
    rk.set_random_seed(7)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)

    def model():
        m = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=6)
             | rk.layer_batch_normalization() | rk.layer_dense(units=1))
        return m | rk.compile(optimizer="sgd", loss="mse")

    seen = []
    dist = rk.distribution_data_parallel()
    rk.set_distribution(dist)
    undo = spy(dist, seen)
    m = model()
    m | rk.fit(x, y, batch_size=8, epochs=1, verbose=0)
    m.train_on_batch(x[:6], y[:6])
    m.test_on_batch(x[:6], y[:6])
    m | rk.evaluate(x, y, verbose=0)
    undo()
    rk.set_distribution(None)
    undo = spy(distribute.IDENTITY, seen)
    single = model()
    single.train_on_batch(x[:6], y[:6])
    single.test_on_batch(x[:6], y[:6])
    undo()
    kinds = [k for k, _ in seen]
    emit("RESULT", {
        "size": size,
        "strategies": sorted(set(kinds)),
        "dp_steps": kinds.count("DataParallel"),
        "identity_steps": kinds.count("Strategy"),
        "all_run_step": all(s is step_module.run_step for _, s in seen),
        "digest": weights_digest(m),
    }, rank)


if __name__ == "__main__":
    main()
