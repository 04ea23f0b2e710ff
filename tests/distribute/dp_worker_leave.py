"""Worker: every way a rank can leave the job, or fall out of step, ends all ranks with an rkeras message.

Run: mpiexec -n 2 python dp_worker_leave.py MODE [TIMEOUT]
MODE (rank 1 misbehaves at its 3rd training step of the first epoch unless said otherwise):
  exit0            sys.exit(0) from a callback
  exit3            sys.exit(3) from a callback
  sigterm          rank 1 sends itself SIGTERM from a callback
  sigint           rank 1 sends itself SIGINT (Ctrl-C) from a callback: KeyboardInterrupt, uncaught
  exception        an exception escapes fit() on rank 1 (raised by a callback)
  caught           rank 1 catches the exception of its callback and calls fit() again: its model check
                   meets rank 0's training step
  chief_evaluate   rank 0 alone calls evaluate() in on_epoch_end (a chief-only validation)
  epochs           rank 1 runs 1 epoch, rank 0 runs 2; rank 1's script then ends normally
  sizes            after training, the ranks all-reduce arrays of different sizes (3 and 4 values)
  ok               no failure: both ranks train and end normally (the goodbye exchange at exit is clean)
Every rank prints `START r <monotonic seconds>` before fit(); a rank that gets through prints `DONE r`.
"""

import os
import signal
import sys
import time

import numpy as np

import rkeras as rk
from rkeras.training.callbacks import Callback

MODE = sys.argv[1]
TIMEOUT = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0


def main():
    dist = rk.distribution_data_parallel(timeout=TIMEOUT)
    rk.set_distribution(dist)
    rk.set_random_seed(1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype("float32")
    y = rng.normal(size=(40, 1)).astype("float32")
    model = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=8)
             | rk.layer_batch_normalization(synchronized=True) | rk.layer_dense(units=1))
    model | rk.compile(optimizer="sgd", loss="mse")

    class Trouble(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if dist.rank != 1 or batch != 3 or self.model.history.epoch:  # batch numbers are 1-based
                return
            if MODE == "exit0":
                sys.exit(0)
            if MODE == "exit3":
                sys.exit(3)
            if MODE in ("sigterm", "sigint"):
                os.kill(os.getpid(), signal.SIGTERM if MODE == "sigterm" else signal.SIGINT)
                time.sleep(5)
            if MODE in ("exception", "caught"):
                raise KeyError(f"deliberate failure of rank 1 ({MODE})")

        def on_epoch_end(self, epoch, logs=None):
            if MODE == "chief_evaluate" and dist.is_chief:
                self.model.evaluate(x, y, verbose=0)

    epochs = 1 if MODE == "epochs" and dist.rank == 1 else 2
    sys.stdout.write(f"START {dist.rank} {time.monotonic():.3f}\n")
    sys.stdout.flush()
    try:
        model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, callbacks=[Trouble()])
    except KeyError:
        if MODE != "caught":
            raise
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    if MODE == "sizes":
        dist.allreduce_sum(np.ones(3 + dist.rank))
    sys.stdout.write(f"DONE {dist.rank}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
