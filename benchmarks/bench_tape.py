"""Cost of the tape: µs per recorded op, and the step time of built-in layers (which never record).

    python benchmarks/bench_tape.py [--repeats 7]

Times are the best of `--repeats` runs.

1. Per-op overhead: `op_add` / `op_multiply` / `op_exp` on small arrays (where the overhead shows),
   outside any tape (one global check), while a tape records, and the replay (`Tape.gradients`) per
   node; plain numpy for reference.
2. A training step (`train_on_batch`) of the digits MLP (dense + batch normalization, fused kernels):
   run this script with PYTHONPATH on two checkouts to compare before/after the tape.
"""

import argparse
import time

import numpy as np

import rkeras as rk

try:
    from rkeras.core import tape
except ImportError:  # a checkout from before the tape
    tape = None


def _per_call(fn, n, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(n)
        times.append((time.perf_counter() - t0) / n * 1e6)
    return min(times)  # best of the repeats: the machine is shared, noise only adds


def op_overhead(repeats):
    a = np.ones(16, np.float32)
    b = np.full(16, 2.0, np.float32)
    rows = []
    for name, op, ref in (("add", rk.op_add, np.add), ("multiply", rk.op_multiply, np.multiply),
                          ("exp", lambda x, _: rk.op_exp(x), lambda x, _: np.exp(x))):
        n = 20000

        def plain(n, ref=ref):
            for _ in range(n):
                ref(a, b)

        def untaped(n, op=op):
            for _ in range(n):
                op(a, b)

        def recorded(n, op=op):  # tapes of 100 ops, the size of a small layer's call()
            for _ in range(n // 100):
                with tape.Tape() as t:
                    x = t.watch(a)
                    for _ in range(100):
                        op(x, b)

        def replay(n, op=op):
            total = 0.0
            for _ in range(n // 100):
                with tape.Tape() as t:
                    x = t.watch(a)
                    outs = [op(x, b) for _ in range(100)]
                seeds = {id(o): np.ones_like(a) for o in outs}
                t0 = time.perf_counter()
                t.gradients(seeds)
                total += time.perf_counter() - t0
            return total

        numpy_us = _per_call(plain, n, repeats)
        off_us = _per_call(untaped, n, repeats)
        rec_us = _per_call(recorded, n, repeats)
        rep_us = min(replay(n) / n * 1e6 for _ in range(repeats))
        rows.append((name, numpy_us, off_us, rec_us, rec_us - off_us, rep_us))
    print(f"{'op':<10}{'numpy µs':>10}{'op, no tape':>13}{'op, recorded':>14}{'recording':>11}{'replay/node':>13}")
    for name, numpy_us, off_us, rec_us, over, rep in rows:
        print(f"{name:<10}{numpy_us:>10.2f}{off_us:>13.2f}{rec_us:>14.2f}{over:>11.2f}{rep:>13.2f}")
    return rows


def step_time(repeats):
    rk.set_random_seed(0)
    model = (rk.keras_model_sequential(input_shape=(64,)) | rk.layer_dense(units=128, use_bias=False)
             | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
             | rk.layer_dense(units=64, use_bias=False) | rk.layer_batch_normalization()
             | rk.layer_activation(activation="relu") | rk.layer_dense(units=10, activation="softmax"))
    model | rk.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(32, 64)).astype("float32")
    y = np.random.default_rng(1).integers(0, 10, 32)
    for _ in range(20):
        model.train_on_batch(x, y)

    def steps(n):
        for _ in range(n):
            model.train_on_batch(x, y)
    us = _per_call(steps, 300, repeats)
    print(f"train_on_batch, digits MLP (dense + batch norm), batch 32: {us:.1f} µs per step")
    return us


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if tape is not None:
        op_overhead(args.repeats)
    step_time(args.repeats)


if __name__ == "__main__":
    main()
