# %% [markdown]
# # Writing a training loop from scratch
#
# `fit()` covers the usual cases. When you need something else (a learning rate changed at every
# step, a loss made of several pieces, gradients to inspect), write the loop yourself from three
# pieces:
#
# - `rk.vjp(model, x, upstream, training=True)`: a training step's forward pass (batch
#   normalization included) then the backward pass. It returns `(outputs, input_grads,
#   weight_grads)`, where `weight_grads` maps each trainable variable's path (such as
#   `"batch_normalization/gamma"`) to its gradient;
# - a loss object, whose `value_and_grad(y_true, y_pred)` gives the loss and its gradient with
#   respect to the predictions (the `upstream` of `vjp()`);
# - an optimizer, whose `apply(grads, variables)` updates the variables in place.

# %%
import os
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rkeras as rk

FAST = os.environ.get("RKERAS_VIGNETTE_FAST") == "1"
EPOCHS = 3 if FAST else 12
FIGURES = Path(os.environ.get("RKERAS_FIGURES") or tempfile.mkdtemp(prefix="rkeras-figures-"))
FIGURES.mkdir(parents=True, exist_ok=True)

digits = rk.dataset_digits()
(x_train, y_train), (x_test, y_test) = digits["train"], digits["test"]
x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16
x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16


def build_model():
    rk.set_random_seed(3)
    return (rk.keras_model_sequential(input_shape=(64,))
            | rk.layer_dense(units=64, use_bias=False)
            | rk.layer_batch_normalization()
            | rk.layer_activation(activation="relu")
            | rk.layer_dense(units=10, activation="softmax"))


model = build_model()
loss_fn = rk.loss_sparse_categorical_crossentropy()
optimizer = rk.optimizer_adam(learning_rate=3e-3)
print([v.path for v in model.trainable_weights])

# %% [markdown]
# ## One training step
#
# The gradient of the loss with respect to the predictions needs the predictions, so `upstream`
# is given as a function of the outputs: `vjp()` runs the training-mode forward pass once (moving the
# moving statistics of batch normalization once, exactly as `fit()` does), calls the function on the
# predictions, and goes backward with the gradient it returns.

# %%
def train_step(model, x, y):
    seen = {}

    def upstream(y_pred):
        seen["loss"], grad = loss_fn.value_and_grad(y, y_pred)
        return grad

    outputs, _, weight_grads = rk.vjp(model, x, upstream, training=True)
    variables = model.trainable_weights
    optimizer.apply([weight_grads[v.path] for v in variables], variables)
    for layer in model.layers:  # constraints apply after each update (none in this model)
        layer.apply_constraints()
    return seen["loss"], outputs


x_batch, y_batch = x_train[:32], y_train[:32]
loss, y_pred = train_step(model, x_batch, y_batch)
print("loss of the first batch:", round(loss, 4))
print("prediction shape:", y_pred.shape, " rows sum to 1:", np.allclose(y_pred.sum(axis=1), 1, atol=1e-5))

# %% [markdown]
# The step is exactly `train_on_batch()`: a second model with the same initial weights, trained on
# the same batch by the built-in step, ends with the same weights and moving statistics.

# %%
reference = build_model()
reference | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3),
                       loss="sparse_categorical_crossentropy")
print("train_on_batch:", reference | rk.train_on_batch(x_batch, y_batch))
difference = max(float(np.abs(a - b).max()) for a, b in zip(model.get_weights(), reference.get_weights()))
print("largest difference between the two models' weights:", difference)

# %% [markdown]
# ## The loop
#
# Epochs of shuffled mini-batches, a learning rate decayed along a cosine at every step (something
# `fit()` would need a schedule for), a running accuracy from a metric object, and an evaluation
# on the test data in inference mode after each epoch.

# %%
model = build_model()
optimizer = rk.optimizer_adam(learning_rate=3e-3)
accuracy = rk.metric_sparse_categorical_accuracy()
rng = np.random.default_rng(0)
batch_size = 32
steps_per_epoch = int(np.ceil(len(x_train) / batch_size))
total_steps = EPOCHS * steps_per_epoch
log = {"step_loss": [], "learning_rate": [], "train_accuracy": [], "test_accuracy": []}
step = 0
start = time.perf_counter()
for epoch in range(EPOCHS):
    accuracy.reset_state()
    order = rng.permutation(len(x_train))
    for first in range(0, len(order), batch_size):
        batch = order[first:first + batch_size]
        optimizer.learning_rate = 3e-3 * 0.5 * (1 + np.cos(np.pi * step / total_steps))
        loss, y_pred = train_step(model, x_train[batch], y_train[batch])
        accuracy.update_state(y_train[batch], y_pred)
        log["step_loss"].append(loss)
        log["learning_rate"].append(optimizer.learning_rate)
        step += 1
    test_predictions = model.predict(x_test)  # inference mode: moving statistics
    test_accuracy = float(np.mean(test_predictions.argmax(axis=1) == y_test))
    log["train_accuracy"].append(accuracy.result())
    log["test_accuracy"].append(test_accuracy)
    print(f"epoch {epoch + 1:2}/{EPOCHS}: loss {np.mean(log['step_loss'][-steps_per_epoch:]):.4f}, "
          f"train accuracy {accuracy.result():.4f}, test accuracy {test_accuracy:.4f}, "
          f"learning rate {optimizer.learning_rate:.2e}")
print(f"{step} steps in {time.perf_counter() - start:.1f} s")

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
axes[0].plot(log["step_loss"], lw=0.7)
axes[0].set_yscale("log")
axes[0].set_title("loss of each batch")
axes[0].set_xlabel("step")
axes[1].plot(log["learning_rate"])
axes[1].set_title("learning rate (cosine decay)")
axes[1].set_xlabel("step")
e = np.arange(1, EPOCHS + 1)
axes[2].plot(e, log["train_accuracy"], "-o", ms=3, label="training (running)")
axes[2].plot(e, log["test_accuracy"], "-o", ms=3, label="test (inference mode)")
axes[2].set_title("accuracy")
axes[2].set_xlabel("epoch")
axes[2].legend()
fig.tight_layout()
fig.savefig(FIGURES / "training_loop_curves.png", dpi=90)
plt.close(fig)

# %% [markdown]
# ## Looking inside: gradients by variable
#
# `weight_grads` makes it easy to watch what training does, for instance the norm of the gradient
# of each variable on one batch. The input gradients (the second element) say how sensitive the
# loss is to each pixel.

# %%
y_pred = model(x_batch, training=False)
_, upstream = loss_fn.value_and_grad(y_batch, y_pred)
_, input_grads, weight_grads = rk.vjp(model, x_batch, upstream, training=False)  # inference: nothing moves
for path, grad in weight_grads.items():
    print(f"{path:32} shape {grad.shape!s:10} gradient norm {np.linalg.norm(grad):.4f}")
print("input gradients:", input_grads.shape)

# %%
saliency = np.abs(input_grads).mean(axis=0).reshape(8, 8)
fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(saliency, cmap="viridis")
ax.set_title("mean |d loss / d pixel|")
ax.axis("off")
fig.savefig(FIGURES / "training_loop_saliency.png", dpi=90, bbox_inches="tight")
plt.close(fig)

# %% [markdown]
# The same pieces train any model of rkeras, functional models with several inputs included
# (`vjp()` then takes and returns lists).

# %% [markdown]
# ## Gradients of any function: `value_and_grad()`
#
# `vjp()` differentiates a model's outputs. `value_and_grad(f, variables)` differentiates any
# scalar computed with the `op_*` functions, Python operators on variables, and calls of layers and
# models: while `f` runs, everything it does is recorded on a tape, then replayed backward. Layers
# with fused kernels (dense, batch normalization, convolutions) are single steps on the tape with
# their own backward; a layer written with ops (here `Scale`, a learned per-feature gain) is
# recorded op by op. The loss below is written with ops too: a crossentropy plus a penalty that
# pulls the gains towards 1, something no built-in loss expresses.

# %%
class Scale(rk.Layer):
    """y = x * gain, one learned gain per feature (R: Layer("Scale", build = ..., call = ...))."""

    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.gain


def build_op_model():
    rk.set_random_seed(3)
    return (rk.keras_model_sequential(input_shape=(64,)) | Scale()
            | rk.layer_dense(units=64, activation="relu")
            | rk.layer_dense(units=10))  # logits


op_model = build_op_model()
op_optimizer = rk.optimizer_adam(learning_rate=3e-3)
variables = op_model.trainable_weights
gain = op_model.layers[0].gain


def total_loss(x, y):
    logits = op_model(x, training=True)
    crossentropy = rk.op_mean(rk.op_sparse_categorical_crossentropy(y, logits, from_logits=True))
    return crossentropy + 1e-3 * rk.op_sum(rk.op_square(gain - 1.0))


for epoch in range(EPOCHS):
    order = rng.permutation(len(x_train))
    losses = []
    for first in range(0, len(order), batch_size):
        batch = order[first:first + batch_size]
        loss, grads = rk.value_and_grad(total_loss, variables, x_train[batch], y_train[batch])
        op_optimizer.apply(grads, variables)
        losses.append(float(loss))
    test_accuracy = float(np.mean(op_model.predict(x_test).argmax(axis=1) == y_test))
    print(f"epoch {epoch + 1:2}/{EPOCHS}: loss {np.mean(losses):.4f}, test accuracy {test_accuracy:.4f}")
print("gains of the first pixels:", np.round(gain.numpy()[:8], 3))

# %% [markdown]
# ## The same step inside `fit()`: overriding `train_step`
#
# A model class that defines `train_step(self, data)` keeps `fit()` (epochs, shuffling, callbacks,
# history) and replaces only the step. `self.compute_loss()` is the loss given to `compile()`,
# differentiable on the tape; `self.optimizer` is the compiled optimizer.

# %%
def scaled_call(self, inputs):
    return self.dense2(self.dense1(self.scale(inputs)))


def scaled_init(self):
    self.scale = Scale()
    self.dense1 = rk.layer_dense(units=64, activation="relu")
    self.dense2 = rk.layer_dense(units=10, activation="softmax")


def penalized_train_step(self, data):
    x, y = data

    def loss_fn():
        y_pred = self(x, training=True)
        return self.compute_loss(y=y, y_pred=y_pred) + 1e-3 * rk.op_sum(rk.op_square(self.scale.gain - 1.0))

    loss, grads = rk.value_and_grad(loss_fn, self.trainable_weights)
    self.optimizer.apply(grads, self.trainable_weights)
    return {"loss": loss}


PenalizedModel = rk.Model("PenalizedModel", initialize=scaled_init, call=scaled_call,
                          train_step=penalized_train_step)
rk.set_random_seed(3)
custom = PenalizedModel()
custom | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3), loss="sparse_categorical_crossentropy")
history = custom | rk.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
print("last batch loss of each epoch:", np.round(history.history["loss"], 4))
print("test accuracy:", float(np.mean(custom.predict(x_test).argmax(axis=1) == y_test)))
