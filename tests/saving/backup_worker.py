"""Run by test_backup_and_restore.py: train with callback_backup_and_restore, optionally SIGKILL itself.

argv: backup_dir, out_npz, kill_at ("none" or "epoch:batch", 1-based, counted from this process' start)
"""

import os
import signal
import sys

import numpy as np

import rkeras as rk


def train(backup_dir, kill_at=None):
    rk.set_random_seed(11)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 6)).astype("float32")
    y = rng.normal(size=(48, 2)).astype("float32")
    model = rk.keras_model_sequential(input_shape=(6,)) | rk.layer_dense(units=8, activation="relu") \
        | rk.layer_dropout(rate=0.25) | rk.layer_batch_normalization() | rk.layer_dense(units=2)
    model | rk.compile(optimizer="adam", loss="mse")
    callbacks = [rk.callback_backup_and_restore(backup_dir)]
    if kill_at is not None:
        epoch_k, batch_k = kill_at
        seen = {"epochs": 0, "batches": 0}

        def on_epoch_begin(epoch, logs):
            seen["epochs"] += 1
            seen["batches"] = 0

        def on_batch_end(batch, logs):
            seen["batches"] += 1
            if (seen["epochs"], seen["batches"]) == (epoch_k, batch_k):
                os.kill(os.getpid(), signal.SIGKILL)  # mid-epoch, no cleanup of any kind

        callbacks.append(rk.callback_lambda(on_epoch_begin=on_epoch_begin, on_train_batch_end=on_batch_end))
    model.fit(x, y, epochs=5, batch_size=8, shuffle=True, verbose=0, callbacks=callbacks)
    return model.get_weights()


if __name__ == "__main__":
    backup_dir, out = sys.argv[1], sys.argv[2]
    kill = None if sys.argv[3] == "none" else tuple(int(v) for v in sys.argv[3].split(":"))
    weights = train(backup_dir, kill)
    np.savez(out, *weights)
