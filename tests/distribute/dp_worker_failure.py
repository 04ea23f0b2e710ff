"""Worker: failures under N ranks give a clear error instead of a hang.

Run: mpiexec -n 2 python dp_worker_failure.py MODE
MODE:
  raise_in_step    rank 1's loss raises in the 3rd training step: the job aborts, naming rank 1
  raise_in_callback rank 1 raises from a callback (outside the step): uncaught, the job aborts
  hang             rank 1 sleeps in a callback: rank 0's collective times out (timeout = 3 s), job aborts
  model_mismatch   rank 1 builds a wider model: every rank raises the same ValueError at the start of
                   fit(); the worker catches it and prints it (`CAUGHT r ...`)
  weights_mismatch rank 1 builds a model with an extra layer, error left uncaught: every rank raises
  data_mismatch    rank 1 passes different data: every rank raises the same ValueError (caught)
  verbose          no failure: fit(verbose = 2) prints its progress once (rank 0), and so does
                   early stopping (verbose = 1) its message
"""

import sys
import time

import numpy as np

import rkeras as rk
from rkeras.training.losses import Loss, loss_mean_squared_error

MODE = sys.argv[1]


class FailingLoss(Loss):
    """MSE that raises on rank 1 at its 3rd call."""

    def __init__(self, rank):
        super().__init__("failing_mse")
        self.rank, self.calls, self.inner = rank, 0, loss_mean_squared_error()

    def value_and_grad(self, y_true, y_pred):
        self.calls += 1
        if self.rank == 1 and self.calls == 3:
            raise RuntimeError("deliberate failure of rank 1 in its loss")
        return self.inner.value_and_grad(y_true, y_pred)




def main():
    timeout = 3.0 if MODE == "hang" else 60.0
    dist = rk.distribution_data_parallel(timeout=timeout)
    rk.set_distribution(dist)
    rk.set_random_seed(1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype("float32")
    y = rng.normal(size=(40, 1)).astype("float32")
    units = 8 + (MODE == "model_mismatch" and dist.rank == 1)
    model = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=units)
             | rk.layer_batch_normalization(synchronized=True))
    if MODE == "weights_mismatch" and dist.rank == 1:
        model = model | rk.layer_dense(units=8)
    model = model | rk.layer_dense(units=1)
    loss = FailingLoss(dist.rank) if MODE == "raise_in_step" else "mse"
    model | rk.compile(optimizer="sgd", loss=loss)
    if MODE == "data_mismatch" and dist.rank == 1:
        x = x + 1.0

    from rkeras.training.callbacks import Callback

    class Trouble(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if dist.rank == 1 and batch == 2:
                if MODE == "raise_in_callback":
                    raise KeyError("deliberate failure of rank 1 in a callback")
                if MODE == "hang":
                    time.sleep(60)

    verbose = 2 if MODE == "verbose" else 0
    try:
        model | rk.fit(x, y, batch_size=8, epochs=2, verbose=verbose, callbacks=[Trouble()])
    except ValueError as err:
        if MODE in ("model_mismatch", "data_mismatch"):
            sys.stdout.write(f"CAUGHT {dist.rank} {err}\n")
            sys.stdout.flush()
            return
        raise
    if MODE == "verbose":  # stops after epoch 2 (no improvement of 1e9); the message comes from rank 0 only
        stop = rk.callback_early_stopping(monitor="loss", min_delta=1e9, patience=0, verbose=1)
        model | rk.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[stop])
    sys.stdout.write(f"DONE {dist.rank}\n")


if __name__ == "__main__":
    main()
