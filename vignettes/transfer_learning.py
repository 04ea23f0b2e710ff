# %% [markdown]
# # Transfer learning and fine-tuning
#
# Transfer learning re-uses a network trained on one problem for another: the trained layers (the
# *base*) are frozen, a new *head* is trained on top of them, then the whole network may be
# *fine-tuned* with a low learning rate. Batch normalization makes one step of this subtle, and the
# man page of `layer_batch_normalization()` explains why: **`trainable = False` puts a batch
# normalization layer in inference mode**, and to keep it there during fine-tuning the base must
# be called with `training = False` when the new model is built.
#
# Here the "pre-trained" base learns the digits 0 to 4; the new task is the digits 5 to 9.

# %%
import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rkeras as rk

FAST = os.environ.get("RKERAS_VIGNETTE_FAST") == "1"
PRETRAIN_EPOCHS, HEAD_EPOCHS, FINE_TUNE_EPOCHS = (4, 4, 3) if FAST else (15, 10, 8)
FIGURES = Path(os.environ.get("RKERAS_FIGURES") or tempfile.mkdtemp(prefix="rkeras-figures-"))
FIGURES.mkdir(parents=True, exist_ok=True)
np.set_printoptions(precision=4, suppress=True)

digits = rk.dataset_digits()
(x_train, y_train), (x_test, y_test) = digits["train"], digits["test"]
x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16
x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16
old_train, old_test = y_train < 5, y_test < 5  # task A: digits 0-4
new_train, new_test = ~old_train, ~old_test    # task B: digits 5-9, labelled 0-4 for the new head
print("task A (0-4):", old_train.sum(), "training images;  task B (5-9):", new_train.sum(), "training images")

# %% [markdown]
# ## The base, pre-trained on digits 0-4
#
# The base contains two batch normalization layers. It is pre-trained with a temporary head of 5
# classes.

# %%
rk.set_random_seed(0)
base = (rk.keras_model_sequential(input_shape=(64,), name="base")
        | rk.layer_dense(units=64, use_bias=False)
        | rk.layer_batch_normalization()
        | rk.layer_activation(activation="relu")
        | rk.layer_dense(units=32, use_bias=False)
        | rk.layer_batch_normalization()
        | rk.layer_activation(activation="relu"))

inputs = rk.keras_input(shape=(64,))
outputs = rk.layer_dense(base(inputs), units=5, activation="softmax")
pretraining = rk.keras_model(inputs, outputs, name="pretraining")
pretraining | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3),
                         loss="sparse_categorical_crossentropy", metrics=["accuracy"])
pretraining | rk.fit(x_train[old_train], y_train[old_train], epochs=PRETRAIN_EPOCHS, verbose=0)
print("task A test accuracy:",
      round((pretraining | rk.evaluate(x_test[old_test], y_test[old_test], verbose=0))["accuracy"], 4))

# %% [markdown]
# The moving statistics of the base now describe the activations of digits 0-4. Digits 5-9 produce
# different activations: had the layers normalized them in training mode, they would have used
# other statistics.

# %%
batch_norms = [layer for layer in base.layers if layer.name.startswith("batch_normalization")]
first_dense = base.layers[0]
print("moving mean of the first batch normalization (first 5 units):", batch_norms[0].moving_mean.numpy()[:5])
print("mean activation on digits 0-4:                               ",
      first_dense(x_train[old_train]).mean(axis=0)[:5])
print("mean activation on digits 5-9:                               ",
      first_dense(x_train[new_train]).mean(axis=0)[:5])
pretrained_weights = base.get_weights()  # to run the same experiment twice below


def weights_by_path(model):
    return {w.path: w.numpy().copy() for w in model.weights}


def moving_statistics():
    return [np.concatenate([b.moving_mean.numpy(), b.moving_variance.numpy()]) for b in batch_norms]


# %% [markdown]
# ## Freeze the base, train a new head on digits 5-9
#
# `base.trainable = False` (R: `base$trainable <- FALSE`, or `freeze_weights(base)`) freezes every
# layer inside. The new model calls the base **with `training = False`**: whatever happens later,
# the base runs in inference mode inside this model.

# %%
def new_model(keep_inference_mode):
    """Task B model: the pre-trained base (frozen) and a new head, with the same initial head weights."""
    base.trainable = True  # get_weights() was taken from the trainable base
    base.set_weights(pretrained_weights)
    base.trainable = False
    rk.set_random_seed(1)
    inputs = rk.keras_input(shape=(64,))
    features = base(inputs, training=False) if keep_inference_mode else base(inputs)
    outputs = rk.layer_dense(features, units=5, activation="softmax")
    model = rk.keras_model(inputs, outputs)
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


y_new_train, y_new_test = y_train[new_train] - 5, y_test[new_test] - 5
model = new_model(keep_inference_mode=True)
text = model | rk.summary()
before, base_before = moving_statistics(), weights_by_path(base)
head = model | rk.fit(x_train[new_train], y_new_train, epochs=HEAD_EPOCHS, verbose=0,
                      validation_data=(x_test[new_test], y_new_test))
print("trainable weights:", [w.path for w in model.trainable_weights])
unchanged = all(np.array_equal(a, b) for a, b in zip(before, moving_statistics()))
print("moving statistics unchanged by fit():", unchanged)
base_after = weights_by_path(base)
print("base weights unchanged:", all(np.array_equal(base_before[p], base_after[p]) for p in base_before))
print("task B test accuracy with the frozen base:", round(head.history["val_accuracy"][-1], 4))

# %% [markdown]
# ## Unfreeze and fine-tune, with a low learning rate
#
# `base.trainable = True` makes the base's weights trainable again; as in Keras the change counts
# for a model at its next `compile()` (rkeras warns when a training step runs on a stale compile),
# so the model is compiled again, with a learning rate 30 times lower.
#
# Because the base was called with `training = False`, its batch normalization layers **stay in
# inference mode**: their `gamma` and `beta` are fine-tuned, but the moving statistics learned on
# digits 0-4 are neither used for normalizing batches nor updated.

# %%
def fine_tune(model):
    base.trainable = True
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=1e-4),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = moving_statistics()
    history = model | rk.fit(x_train[new_train], y_new_train, epochs=FINE_TUNE_EPOCHS, verbose=0,
                             validation_data=(x_test[new_test], y_new_test))
    change = max(float(np.abs(a - b).max()) for a, b in zip(start, moving_statistics()))
    return history, change


tuned, change = fine_tune(model)
print("trainable weights now:", len(model.trainable_weights))
print("largest change of a moving statistic during fine-tuning:", change)
print("training loss: end of the head phase", round(head.history["loss"][-1], 4),
      "-> first fine-tuning epoch", round(tuned.history["loss"][0], 4))
print("task B test accuracy after fine-tuning:", round(tuned.history["val_accuracy"][-1], 4))

# %% [markdown]
# ## The pitfall: the same thing without `training = False`
#
# Now the identical experiment (same pre-trained weights, same head initialization, same
# shuffles), except that the new model calls `base(inputs)` without `training = False`. While the
# base is frozen nothing differs: a frozen batch normalization runs in inference mode anyway. But
# as soon as it is unfrozen, `fit()` runs it in training mode: it normalizes with the statistics of
# each batch of digits 5-9 instead of the ones the following layers were trained with, and it
# overwrites its moving statistics.

# %%
pitfall = new_model(keep_inference_mode=False)
pitfall_head = pitfall | rk.fit(x_train[new_train], y_new_train, epochs=HEAD_EPOCHS, verbose=0,
                                validation_data=(x_test[new_test], y_new_test))
print("head phase identical:",
      np.allclose(pitfall_head.history["val_accuracy"], head.history["val_accuracy"]))
pitfall_tuned, pitfall_change = fine_tune(pitfall)

print(f"{'':28} {'training=False':>15} {'no training arg':>16}")
print(f"{'moving statistics change':28} {change:15.4f} {pitfall_change:16.4f}")
for label, epoch in [("first fine-tuning loss", 0), ("final training loss", -1)]:
    print(f"{label:28} {tuned.history['loss'][epoch]:15.4f} {pitfall_tuned.history['loss'][epoch]:16.4f}")
print(f"{'final test accuracy':28} {tuned.history['val_accuracy'][-1]:15.4f} "
      f"{pitfall_tuned.history['val_accuracy'][-1]:16.4f}")

# %%
fig, ax = plt.subplots(figsize=(7, 3.4))
epochs_head = np.arange(1, HEAD_EPOCHS + 1)
epochs_tune = np.arange(HEAD_EPOCHS + 1, HEAD_EPOCHS + FINE_TUNE_EPOCHS + 1)
ax.plot(epochs_head, head.history["loss"], "k-o", ms=3, label="head on the frozen base")
ax.plot(epochs_tune, tuned.history["loss"], "-o", ms=3, label="fine-tuning, base(inputs, training=False)")
ax.plot(epochs_tune, pitfall_tuned.history["loss"], "-o", ms=3, label="fine-tuning, base(inputs)")
ax.axvline(HEAD_EPOCHS + 0.5, color="grey", lw=0.5)
ax.set_xlabel("epoch")
ax.set_xticks(np.arange(1, HEAD_EPOCHS + FINE_TUNE_EPOCHS + 1, 2))
ax.set_ylabel("training loss (task B)")
ax.legend(fontsize=8)
fig.savefig(FIGURES / "transfer_learning_fine_tuning.png", dpi=90, bbox_inches="tight")
plt.close(fig)

# %% [markdown]
# With `training = False` fine-tuning continues smoothly from where the head stopped, and the
# moving statistics learned on digits 0-4 are untouched. Without it, the training loss jumps up at
# the first fine-tuning epoch, because the layers after each batch normalization suddenly receive
# differently normalized inputs, and the moving statistics of the pre-trained base are overwritten
# by those of the new data. On this small, easy problem the final test accuracies end up close;
# on real pre-trained networks, fine-tuned with few small batches, the disruption can undo what the
# base had learned, which is why the man page insists on it.
#
# In short, as the man page says: when fine-tuning a model that contains batch normalization,
# build it with `base(inputs, training = FALSE)` (Python: `training=False`) so that the batch
# normalization layers keep running in inference mode after the base is unfrozen.
