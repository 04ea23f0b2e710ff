# %% [markdown]
# # Distributed training: one model, several processes
#
# rkeras trains one model over several processes with **data parallelism** over MPI, the way
# Keras 3's `keras.distribution.DataParallel` does over devices. You write an ordinary training
# script, add two lines, and run it with `mpiexec`:
#
# ```bash
# pip install "rkeras[mpi]"                            # mpi4py and an MPI library (MPICH)
# mpiexec -n 2 python vignettes/distributed_training.py
# ```
#
# Run the same file with plain `python vignettes/distributed_training.py` and it is one process:
# exactly the training you would get without the two lines.
#
# What happens under `mpiexec -n N`: N copies of the script run, each a *rank* with a full replica of
# the model. Every rank passes the same `x` and `y` to `fit()`. Each global batch of `batch_size`
# samples is cut into N contiguous shares (rank r takes rows `r * n %/% N` to `(r + 1) * n %/% N`, so
# a batch that does not divide evenly still counts every sample once); each rank runs the forward and
# backward pass on its share; the gradients are summed over the ranks, each rank's share weighted so
# that the sum is the gradient of the mean loss over the *global* batch; and every rank applies the
# same update. The weights therefore stay identical on every rank, and `batch_size` keeps its
# meaning: the number of samples per update.

# %%
import os
import time

import numpy as np

import rkeras as rk

FAST = os.environ.get("RKERAS_VIGNETTE_FAST") == "1"
EPOCHS = 2 if FAST else 5

# %% [markdown]
# ## 1. The distribution
#
# `distribution_data_parallel()` connects to the MPI job (`MPI.COMM_WORLD`); `set_distribution()`
# installs it for everything that follows (`set_distribution(None)` removes it, and `with strategy:`
# installs it for a block only). Without mpi4py, asking for a distribution is an `ImportError` that
# says what to install; this vignette then simply runs on one process.

# %%
try:
    strategy = rk.distribution_data_parallel()
except ImportError as err:
    print(err)
    strategy = None

if strategy is not None:
    rk.set_distribution(strategy)
rank = strategy.rank if strategy else 0
size = strategy.size if strategy else 1
chief = rank == 0


def say(*args, **kwargs):
    """print() on rank 0 only: every rank runs this script, one of them talks."""
    if chief:
        print(*args, **kwargs, flush=True)


say(f"{size} rank(s); this is rank {rank}")

# %% [markdown]
# `fit()`, `evaluate()` and the progress bar already print on rank 0 only; the `say()` helper does
# the same for our own messages.
#
# ## 2. Training
#
# The digits classifier of the getting-started vignette, with one change: its batch normalization
# layers are `synchronized = TRUE` (see section 3). With `batch_size = 64` and two ranks, each rank
# computes 32 samples per step.
#
# Every rank must build the same model and pass the same data. `set_random_seed()` makes the
# initial weights and the shuffling agree; even without it, the ranks compare a fingerprint of the
# model and of the first batch when `fit()` starts (a clear error if they differ) and copy rank 0's
# weights to the others.

# %%
rk.set_random_seed(42)
digits = rk.dataset_digits()
(x_train, y_train), (x_test, y_test) = digits["train"], digits["test"]
x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16
x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16

model = (rk.keras_model_sequential(input_shape=(64,), name="digits_mlp")
         | rk.layer_dense(units=128, use_bias=False)
         | rk.layer_batch_normalization(synchronized=True)
         | rk.layer_activation(activation="relu")
         | rk.layer_dense(units=64, use_bias=False)
         | rk.layer_batch_normalization(synchronized=True)
         | rk.layer_activation(activation="relu")
         | rk.layer_dense(units=10, activation="softmax"))
model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"])

comm_before = strategy.comm_seconds if strategy else 0.0
start = time.perf_counter()
history = model | rk.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, validation_split=0.1, verbose=2)
seconds = time.perf_counter() - start
comm_in_fit = (strategy.comm_seconds if strategy else 0.0) - comm_before
say(f"{EPOCHS * len(x_train) * 0.9 / seconds:,.0f} samples/s on {size} rank(s) "
    f"(validation and the first run's compilation included)")

# %% [markdown]
# The loss and the metrics are those of the global batch: each rank's loss is weighted by its share,
# and the predictions of all ranks are combined before the metrics see them. So `history` is the
# same on every rank, and callbacks such as early stopping take the same decision everywhere.
#
# `evaluate()` shares the samples out the same way; `predict()` gives each rank a contiguous share
# and gathers the outputs, in order, on every rank.

# %%
result = model | rk.evaluate(x_test, y_test, verbose=0)
predicted = np.argmax(model | rk.predict(x_test, batch_size=128), axis=-1)
say(f"test loss {result['loss']:.4f}, test accuracy {result['accuracy']:.4f}; "
    f"predict() returned {len(predicted)} rows on rank {rank}, "
    f"{int((predicted == y_test).sum())} of them right")

# %% [markdown]
# The replicas really are identical: a checksum of the weights, gathered from every rank, is the
# same number `size` times. (`allgather()` concatenates an array from every rank, in rank order;
# `allreduce_sum()` sums one; `shard()` gives this rank's share of a batch.)

# %%
checksum = np.array([sum(float(np.sum(np.abs(w), dtype=np.float64)) for w in model.get_weights())])
every_rank = strategy.allgather(checksum) if strategy else checksum
say("weight checksum on each rank:", every_rank)
if strategy:
    print(f"rank {rank} takes rows {strategy.bounds(10)} of a batch of 10:",
          strategy.shard(np.arange(10)), flush=True)

# %% [markdown]
# ## 3. Batch normalization: `synchronized = TRUE` or `FALSE`
#
# Batch normalization is the one layer for which splitting the batch changes the mathematics: in
# training it normalizes with the mean and variance *of the batch*.
#
# - `synchronized = TRUE`: the ranks combine their per-rank statistics (count, mean and sum of
#   squared deviations, merged exactly with Chan's formula, so data with a large mean loses no
#   accuracy) before normalizing, and sum the two per-channel terms the input gradient needs in the
#   backward pass. Every rank normalizes with the statistics of the global batch: N ranks compute
#   what one process computes on the whole batch, up to rounding.
# - `synchronized = FALSE` (the default, as in Keras): each rank normalizes with the statistics of
#   its own share, which is cheaper (no communication inside the layer) but noisier, the shares being
#   smaller. After each step the moving statistics are averaged over the ranks, so the replicas
#   stay identical.
#
# On one process both are the same thing. Here is one training-mode call of each on a batch of 8
# samples whose two halves differ (the first 4 near 0, the last 4 near 10), run through `vjp()` with
# each rank holding its share:

# %%
batch = np.concatenate([np.full((4, 1), 0.0), np.full((4, 1), 10.0)]) + np.linspace(0, 1, 8)[:, None]
for synchronized in (True, False):
    layer = rk.layer_batch_normalization(synchronized=synchronized, momentum=0.0)
    share = strategy.shard(batch) if strategy else batch
    if strategy:
        with strategy:
            out, _, _ = rk.vjp(layer, share, np.ones_like(share), training=True)
    else:
        out, _, _ = rk.vjp(layer, share, np.ones_like(share), training=True)
    means = strategy.allgather(layer.get_weights()[2]) if strategy else layer.get_weights()[2]
    say(f"synchronized = {synchronized!s:5}: batch mean seen by each rank {np.round(means, 3)}")

# %% [markdown]
# With two ranks the synchronized layer sees the global mean (about 5.5) on both ranks, while the
# unsynchronized one sees about 0.2 on rank 0 and 10.8 on rank 1. (`vjp()` is the building block of
# custom training loops; there, sum the weight gradients yourself with `strategy.allreduce_sum()`;
# `fit()` and `train_on_batch()` do all of this for you.)
#
# ## 4. When something goes wrong
#
# A data-parallel job fails as a whole rather than hanging:
#
# - if the ranks build different models (a different number or shape of weights), every rank raises
#   the same `ValueError` when `fit()` starts, naming what each rank holds; the same if the first
#   batch differs between ranks;
# - if one rank raises inside a training step, or lets any exception escape, it prints the error
#   with its rank and aborts the whole job (`MPI_Abort`): the other ranks would otherwise wait for it
#   forever;
# - a rank that stops answering (stuck, or running a different sequence of operations) is caught
#   by a timeout on every collective operation: `distribution_data_parallel(timeout = 300)` seconds
#   by default.
#
# ## 5. Speed
#
# Each step costs one all-reduce of the gradients (together with the loss values and the
# predictions), plus, for each synchronized batch normalization layer, two small collective
# operations. The time spent in them, waiting for the slower rank included, is counted in
# `strategy.comm_seconds` (and their number in `strategy.comm_calls`):

# %%
if size == 1:
    say("one process: no communication")
else:
    steps = EPOCHS * int(np.ceil(len(x_train) * 0.9 / 64))
    say(f"fit(): {comm_in_fit:.3f} s in collective operations over {steps} steps "
        f"(about {comm_in_fit / steps * 1e6:.0f} us per step, validation included); "
        f"{strategy.comm_calls} collective calls in all")

# %% [markdown]
# Splitting pays off when a step has real work in it: large batches, wide layers, convolutions. For a
# network as small as this one, a step takes well under a millisecond and the fixed cost of Python and
# of synchronizing the ranks is a large part of it. Some practical points:
#
# - give each rank its own cores: rkeras gives each rank `cores %/% ranks` Numba threads, and as
#   many BLAS threads for numpy's matrix products when threadpoolctl is installed; otherwise set
#   `OMP_NUM_THREADS` yourself (`OMP_NUM_THREADS=1 mpiexec -n 2 python train.py` on 2 cores);
# - choose `batch_size` as the global batch: with N ranks each computes `batch_size / N` samples;
# - dropout: each rank draws its masks from its own copy of the layer's random generator, which
#   starts from the same seed on every rank; a network with dropout trains correctly but does not
#   reproduce the one-process run number for number (synchronized batch normalization does).

# %%
if strategy is not None:
    rk.set_distribution(None)
say("done")
