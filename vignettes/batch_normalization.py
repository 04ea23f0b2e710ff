# %% [markdown]
# # Batch normalization in depth
#
# `layer_batch_normalization()` keeps the outputs of a layer close to mean 0 and standard
# deviation 1. It is the one common layer that computes *differently in training and in
# inference*, and it carries state (its moving statistics) that training updates but that is not
# learned by gradient descent. This vignette takes the layer apart with numbers and plots:
#
# 1. training versus inference mode;
# 2. how the moving statistics converge, and what `momentum` changes;
# 3. masks;
# 4. `axis`, for channels-first data;
# 5. `center` and `scale`;
# 6. regularizers and constraints;
# 7. a network trained with and without batch normalization, side by side.
#
# The reference page is `man/layer_batch_normalization.md` (`help(rk.layer_batch_normalization)`).

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
FIGURES = Path(os.environ.get("RKERAS_FIGURES") or tempfile.mkdtemp(prefix="rkeras-figures-"))
FIGURES.mkdir(parents=True, exist_ok=True)
np.set_printoptions(precision=4, suppress=True)
rk.set_random_seed(7)
rng = np.random.default_rng(7)

# %% [markdown]
# ## 1. Training mode and inference mode
#
# A batch of 8 samples with 3 features, far from mean 0 and standard deviation 1: the features have
# means 5, -2, 10 and standard deviations 3, 0.5, 4.

# %%
x = (rng.normal(size=(8, 3)) * [3, 0.5, 4] + [5, -2, 10]).astype("float32")
print("batch mean:", x.mean(axis=0))
print("batch std: ", x.std(axis=0))

# %% [markdown]
# **In training mode** (`training=True`, which `fit()` uses) the layer normalizes with the
# statistics of the current batch: `gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta`, with
# `gamma = 1` and `beta = 0` at the start. The output has mean 0 and standard deviation (almost)
# 1 whatever the input:

# %%
bn = rk.layer_batch_normalization()
y_train = bn(x, training=True)
print("output mean:", y_train.mean(axis=0))
print("output std: ", y_train.std(axis=0))

# %% [markdown]
# The same numbers by hand. Note the **biased** variance (divided by n, numpy's default), and the
# `epsilon = 0.001` that makes the standard deviation a little below 1:

# %%
by_hand = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + bn.epsilon)
print("largest difference with the formula:", np.abs(by_hand - y_train).max())

# %% [markdown]
# That call also moved the **moving statistics**, the layer's non-trainable state, from their
# initial values (mean 0, variance 1) a step of `1 - momentum = 1 %` towards the batch statistics:
#
# `moving_mean = moving_mean * momentum + mean(batch) * (1 - momentum)`

# %%
print("moving mean:    ", bn.moving_mean.numpy(), " expected:", 0.99 * 0 + 0.01 * x.mean(axis=0))
print("moving variance:", bn.moving_variance.numpy(), " expected:", 0.99 * 1 + 0.01 * x.var(axis=0))
print("weights:", [w.path for w in bn.weights])
print("trainable:", [w.path for w in bn.trainable_weights])

# %% [markdown]
# **In inference mode** (`training=False`, the default of a direct call, and what `evaluate()` and
# `predict()` use) the layer normalizes with the moving statistics instead. After a single training
# step they are still close to (0, 1), so the output is nearly the input: nothing is normalized
# yet.

# %%
y_inference = bn(x)  # training=False
print("inference output mean:", y_inference.mean(axis=0))
print("inference output std: ", y_inference.std(axis=0))
print("moving statistics unchanged by inference:", bn.moving_mean.numpy())

# %% [markdown]
# ## 2. How the moving statistics converge
#
# The moving statistics are exponential moving averages. Starting from 0, after `t` training steps
# on batches of mean `m` the moving mean is about `m * (1 - momentum^t)`: with the default
# `momentum = 0.99` it takes `log(0.05) / log(0.99) = 298` steps to get 95 % of the way. Until
# then, inference-mode outputs are not normalized. Below, three layers with different momentums see
# the same 400 batches of 32 samples drawn from a distribution of mean 5 and standard deviation 3;
# a fixed test batch is passed in inference mode after each step.

# %%
steps = 150 if FAST else 400
momentums = [0.99, 0.9, 0.5]
layers = {m: rk.layer_batch_normalization(momentum=m) for m in momentums}
test_batch = (rng.normal(size=(256, 1)) * 3 + 5).astype("float32")
trace = {m: {"mean": [], "variance": [], "test_mean": []} for m in momentums}
for step in range(steps):
    batch = (rng.normal(size=(32, 1)) * 3 + 5).astype("float32")
    for m, layer in layers.items():
        layer(batch, training=True)
        trace[m]["mean"].append(float(layer.moving_mean.numpy()[0]))
        trace[m]["variance"].append(float(layer.moving_variance.numpy()[0]))
        trace[m]["test_mean"].append(float(layer(test_batch).mean()))

for m in momentums:
    print(f"momentum {m}: moving mean {trace[m]['mean'][-1]:.3f} (true 5), moving variance "
          f"{trace[m]['variance'][-1]:.3f} (true 9), step-to-step jitter of the mean "
          f"{np.std(np.diff(trace[m]['mean'][-50:])):.4f}")

# %%
t = np.arange(1, steps + 1)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
for m in momentums:
    axes[0].plot(t, trace[m]["mean"], label=f"momentum = {m}")
    axes[1].plot(t, trace[m]["variance"], label=f"momentum = {m}")
    axes[2].plot(t, trace[m]["test_mean"], label=f"momentum = {m}")
axes[0].plot(t, 5 * (1 - 0.99 ** t), "k--", lw=1, label="5 (1 - 0.99^t)")
axes[0].axhline(5, color="grey", lw=0.5)
axes[1].axhline(9, color="grey", lw=0.5)
axes[2].axhline(0, color="grey", lw=0.5)
axes[0].set_title("moving_mean (true mean 5)")
axes[1].set_title("moving_variance (true variance 9)")
axes[2].set_title("mean of the inference output")
for ax in axes:
    ax.set_xlabel("training step")
axes[0].legend(fontsize=8)
fig.tight_layout()
fig.savefig(FIGURES / "batch_normalization_convergence.png", dpi=90)
plt.close(fig)

# %% [markdown]
# A high momentum averages over many batches (smooth, accurate statistics) but needs many steps to
# forget its initial values; a low momentum converges fast and follows each batch's noise. Keras
# advises lowering the momentum when a model sees few training steps: with momentum 0.99 a model
# evaluated after one short epoch is evaluated with statistics that are still mostly 0 and 1. The
# training curves of section 7 show it.
#
# `momentum = 1` freezes the moving statistics; `momentum = 0` keeps only the last batch's.

# %% [markdown]
# ## 3. Masks
#
# Sequences padded to a common length carry padding that should not count in the statistics. A
# `mask` (`True` = a real value) of the shape of the input without the normalized axis leaves the
# masked positions out of the batch mean and variance (they are still transformed, with the
# statistics of the others). Here 4 sequences of 6 time steps and 2 features, whose last steps are
# zero padding:

# %%
lengths = [6, 4, 3, 2]
sequences = (rng.normal(size=(4, 6, 2)) * [1, 2] + [3, -4]).astype("float32")
mask = np.arange(6)[None, :] < np.array(lengths)[:, None]  # (batch, time)
sequences[~mask] = 0.0
print(mask.astype(int))

plain = rk.layer_batch_normalization(momentum=0.0)  # momentum 0: moving stats = last batch stats
masked = rk.layer_batch_normalization(momentum=0.0)
plain(sequences, training=True)
out = masked(sequences, training=True, mask=mask)
print("mean of the real values:     ", sequences[mask].mean(axis=0))
print("batch mean without the mask: ", plain.moving_mean.numpy(), " <- the padding drags it to 0")
print("batch mean with the mask:    ", masked.moving_mean.numpy())
print("masked output, real values: mean", out[mask].mean(axis=0), "std", out[mask].std(axis=0))

# %% [markdown]
# ## 4. `axis`: which dimension holds the features
#
# The normalized axis is counted R style: from 1, **including the batch dimension**, or from the
# end with negative numbers. The default `axis = -1` fits channels-last data (`(batch, height,
# width, channels)`); for channels-first images `(batch, channels, height, width)` the man page says
# `axis = 2`. There is one `gamma`, `beta` and pair of moving statistics per channel, and the
# statistics run over the batch and both spatial dimensions:

# %%
images = (rng.normal(size=(16, 3, 5, 5)) * np.array([1, 10, 100]).reshape(1, 3, 1, 1)).astype("float32")
channels_first = rk.layer_batch_normalization(axis=2)
y_cf = channels_first(images, training=True)
print("gamma shape:", channels_first.gamma.shape)
print("input std per channel: ", images.std(axis=(0, 2, 3)))
print("output std per channel:", y_cf.std(axis=(0, 2, 3)))

channels_last = rk.layer_batch_normalization()  # axis=-1 on the transposed images
y_cl = channels_last(images.transpose(0, 2, 3, 1), training=True)
print("same result as channels-last:", np.allclose(y_cl.transpose(0, 3, 1, 2), y_cf, atol=1e-5))

# %% [markdown]
# ## 5. `center` and `scale`
#
# `beta` (the learned offset) and `gamma` (the learned scale) can be dropped. Before a linear
# layer, `scale=False` loses nothing since the next layer scales anyway; after a dense layer,
# `use_bias=False` on the dense layer is usual since `beta` plays the role of the bias.

# %%
for center, scale in [(True, True), (True, False), (False, True), (False, False)]:
    layer = rk.layer_batch_normalization(center=center, scale=scale)
    layer(x)
    print(f"center={center!s:5} scale={scale!s:5} trainable weights:",
          [w.path.split("/")[1] for w in layer.trainable_weights] or "none")

model = (rk.keras_model_sequential(input_shape=(64,))
         | rk.layer_dense(units=32, use_bias=False)
         | rk.layer_batch_normalization(scale=False)
         | rk.layer_activation(activation="relu"))
text = model | rk.summary()

# %% [markdown]
# ## 6. Regularizers and constraints
#
# `gamma` and `beta` accept regularizers (their penalty joins the training loss) and constraints
# (applied after every optimizer update), as strings (`"l2"`, `"nonneg"`) or R-style constructors.
# Below, the layer normalizes the 10 class scores of a small classifier, so `beta` holds one offset
# per class. The same network is trained twice from the same seed: once plain, once with an L2
# penalty on `gamma` (layer.losses shows it) and `beta` constrained to be non-negative.

# %%
digits = rk.dataset_digits()
(x_train, y_train), (x_test, y_test) = digits["train"], digits["test"]
x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16
x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16

def small_net(bn_layer):  # batch normalization of the 10 class scores: beta holds the class offsets
    return (rk.keras_model_sequential(input_shape=(64,))
            | rk.layer_dense(units=32, activation="relu")
            | rk.layer_dense(units=10, use_bias=False)
            | bn_layer
            | rk.layer_activation(activation="softmax"))


bn_layers = {
    "plain": rk.layer_batch_normalization(),
    "regularized and constrained": rk.layer_batch_normalization(gamma_regularizer=rk.regularizer_l2(0.01),
                                                                beta_constraint=rk.constraint_nonneg()),
}
for label, layer in bn_layers.items():
    rk.set_random_seed(3)
    model = small_net(layer)
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=1e-2),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if layer.losses:
        print("penalty before training, 0.01 * sum(gamma^2) = 0.01 * 10:", np.round(layer.losses, 4))
    model | rk.fit(x_train, y_train, epochs=3 if FAST else 10, verbose=0)
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    print(f"{label}: sum(gamma^2) {np.sum(gamma ** 2):.2f}, negative betas {int((beta < 0).sum())} of 10, "
          f"betas at exactly 0 {int((beta == 0).sum())}, test accuracy "
          f"{(model | rk.evaluate(x_test, y_test, verbose=0))['accuracy']:.4f}")

# %% [markdown]
# The penalty kept `gamma` small, and the constraint projected the offsets that wanted to become
# negative onto 0.

# %% [markdown]
# ## 7. Training with and without batch normalization
#
# A deep stack of sigmoid layers trained with plain gradient descent is the classic case where
# batch normalization helps: without it the gradients reaching the first layers are tiny and
# training stalls. The same network (5 hidden layers of 64 units), the same seed and the same
# optimizer, with and without a batch normalization before each activation, and with two
# momentums:

# %%
def deep_sigmoid_net(batch_norm, momentum=0.99):
    model = rk.keras_model_sequential(input_shape=(64,))
    for _ in range(5):
        model = model | rk.layer_dense(units=64, use_bias=not batch_norm)
        if batch_norm:
            model = model | rk.layer_batch_normalization(momentum=momentum)
        model = model | rk.layer_activation(activation="sigmoid")
    return model | rk.layer_dense(units=10, activation="softmax")


epochs = 8 if FAST else 25
runs = {}
for label, batch_norm, momentum in [("no batch normalization", False, None),
                                    ("batch normalization, momentum 0.99", True, 0.99),
                                    ("batch normalization, momentum 0.9", True, 0.9)]:
    rk.set_random_seed(1)
    model = deep_sigmoid_net(batch_norm, momentum)
    model | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=0.05), loss="sparse_categorical_crossentropy",
                       metrics=["accuracy"])
    runs[label] = model | rk.fit(x_train, y_train, epochs=epochs, validation_split=0.2, verbose=0)
    h = runs[label].history
    print(f"{label:36} train accuracy {h['accuracy'][-1]:.3f}  "
          f"validation accuracy {h['val_accuracy'][-1]:.3f}"
          f"  (after 3 epochs: train {h['accuracy'][2]:.3f}, validation {h['val_accuracy'][2]:.3f})")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
for label, h in runs.items():
    e = np.arange(1, epochs + 1)
    line, = axes[0].plot(e, h.history["loss"], label=f"{label}")
    axes[0].plot(e, h.history["val_loss"], ls="--", color=line.get_color())
    axes[1].plot(e, h.history["accuracy"], color=line.get_color(), label=f"{label}")
    axes[1].plot(e, h.history["val_accuracy"], ls="--", color=line.get_color())
axes[0].set_title("loss (solid: training, dashed: validation)")
axes[1].set_title("accuracy (solid: training, dashed: validation)")
for ax in axes:
    ax.set_xlabel("epoch")
axes[1].legend(fontsize=8)
fig.tight_layout()
fig.savefig(FIGURES / "batch_normalization_with_without.png", dpi=90)
plt.close(fig)

# %% [markdown]
# Without batch normalization the network does not learn in this budget. With it, training
# accuracy rises from the first epochs (the two momentums give *identical* training curves, the
# orange solid lines hidden under the green ones: in training mode the moving statistics are not
# used), and the validation accuracy (inference mode, moving
# statistics) lags behind with `momentum = 0.99` until the moving statistics have caught up (about
# 300 steps, 8 epochs of 36 steps), while `momentum = 0.9` follows at once: section 2 in practice.
#
# ## 8. `trainable = False` means inference mode
#
# Setting `layer.trainable = False` freezes the layer's weights *and* its moving statistics, and,
# for batch normalization only, makes it run in inference mode even when called with
# `training=True`:

# %%
frozen = rk.layer_batch_normalization()
frozen(x, training=True)
before = frozen.moving_mean.numpy().copy()
frozen.trainable = False
y_frozen = frozen(x, training=True)
print("moving mean unchanged:", np.array_equal(before, frozen.moving_mean.numpy()))
print("output = inference output:", np.allclose(y_frozen, frozen(x, training=False)))

# %% [markdown]
# Why this matters when re-using a trained network is the subject of the transfer learning
# vignette.
