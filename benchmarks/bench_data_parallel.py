"""fit() throughput of the digits MLP on 1 rank vs N ranks, and the communication time per step.

    python benchmarks/bench_data_parallel.py                      # one process
    mpiexec -n 2 python benchmarks/bench_data_parallel.py         # two ranks (needs rkeras[mpi])

Prints samples/s for a few batch sizes (rank 0 only) and, under a distribution, the time spent in
collectives per training step.
"""

import time

import rkeras as rk
from rkeras.examples.train_digits import load_digits


def mlp():
    return (rk.keras_model_sequential(input_shape=(64,)) | rk.layer_dense(units=128, use_bias=False)
            | rk.layer_batch_normalization(synchronized=True) | rk.layer_activation(activation="relu")
            | rk.layer_dense(units=10, activation="softmax"))


def main():
    x, y, _, _ = load_digits()
    x = x.reshape(len(x), 64)
    try:
        dist = rk.distribution_data_parallel()
        size = dist.size
    except ImportError:
        dist, size = None, 1
    if dist is not None and size > 1:
        rk.set_distribution(dist)
    for batch_size in (32, 256, 1024):
        rk.set_random_seed(0)
        model = mlp()
        model | rk.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model | rk.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # warm-up
        comm0 = dist.comm_seconds if size > 1 else 0.0
        start = time.perf_counter()
        epochs = 5
        model | rk.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
        seconds = time.perf_counter() - start
        steps = epochs * ((len(x) + batch_size - 1) // batch_size)
        comm = (dist.comm_seconds - comm0) if size > 1 else 0.0
        if dist is None or dist.is_chief:
            print(f"ranks {size}  batch {batch_size:5d}: {epochs * len(x) / seconds:10.0f} samples/s, "
                  f"{seconds / steps * 1e3:7.3f} ms/step, communication {comm / steps * 1e6:7.1f} us/step")


if __name__ == "__main__":
    main()
