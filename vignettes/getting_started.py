# %% [markdown]
# # Getting started with rkeras
#
# rkeras is the R [keras3](https://keras3.posit.co) API in Python, on numpy and numba. Models are
# written the way R users write them: `layer_*()` functions composed with a pipe (`|` in Python,
# `|>` in R), and verbs such as `compile()`, `fit()`, `evaluate()` and `predict()`.
#
# This vignette trains a small classifier of handwritten digits, building the model in the three
# ways keras3 offers: a sequential model filled by the pipe, a functional model from
# `keras_input()` and `keras_model()`, and layer instances called like functions.
#
# This file is a plain Python script (`python vignettes/getting_started.py`); the rendered version
# comes from `python -m rkeras.tools.render_vignettes`.

# %%
import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import rkeras as rk

FAST = os.environ.get("RKERAS_VIGNETTE_FAST") == "1"  # the tests run the vignettes with fewer epochs
EPOCHS = 3 if FAST else 15
FIGURES = Path(os.environ.get("RKERAS_FIGURES") or tempfile.mkdtemp(prefix="rkeras-figures-"))
FIGURES.mkdir(parents=True, exist_ok=True)

rk.set_random_seed(42)  # same initial weights, same shuffles, same numbers at every run

# %% [markdown]
# ## The data
#
# `dataset_digits()` ships inside the package (nothing is downloaded): 1797 grey images of 8 x 8
# pixels with values 0 to 16, and their labels 0 to 9. Like R's `dataset_mnist()` it returns a
# train and a test split, each a pair `(x, y)`.

# %%
digits = rk.dataset_digits()
(x_train, y_train), (x_test, y_test) = digits["train"], digits["test"]
print("x_train:", x_train.shape, x_train.dtype, "values", x_train.min(), "to", x_train.max())
print("x_test: ", x_test.shape)
print("first labels:", y_train[:12])

# %%
fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
for ax, image, label in zip(axes, x_train, y_train):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(str(label))
    ax.axis("off")
fig.savefig(FIGURES / "getting_started_digits.png", dpi=80, bbox_inches="tight")
plt.close(fig)

# %% [markdown]
# A dense network takes vectors: each image becomes 64 numbers, scaled to [0, 1].

# %%
x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16
x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16
print(x_train.shape, x_train.dtype)

# %% [markdown]
# ## 1. A sequential model, filled by the pipe
#
# `keras_model_sequential()` creates an empty model; each `layer_*()` piped into it is added in
# place, in the order written. In R the pipe fills the first argument, `object`, so R users write
# `layer_dense(64)`; in Python the first positional argument *is* `object`, so the other arguments
# are passed by name: `layer_dense(units=64)`.

# %%
model = (rk.keras_model_sequential(input_shape=(64,), name="digits_sequential")
         | rk.layer_dense(units=64)
         | rk.layer_batch_normalization()
         | rk.layer_activation(activation="relu")
         | rk.layer_dropout(rate=0.2)
         | rk.layer_dense(units=10, activation="softmax"))
text = model | rk.summary()

# %% [markdown]
# `compile()` chooses the optimizer, the loss and the metrics. The labels are integers 0 to 9, so
# the loss is the sparse categorical crossentropy.

# %%
model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3),
                   loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"])

# %% [markdown]
# `fit()` trains; `verbose=2` prints one line per epoch (`verbose=1` draws a progress bar in a
# terminal). `validation_split=0.2` holds out the last 20 % of the training data to watch
# over-fitting. It returns a `History` whose `history` dictionary has one list per metric.

# %%
history = model | rk.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, validation_split=0.2, verbose=2)
print({name: round(values[-1], 4) for name, values in history.history.items()})

# %%
fig = history.plot(filename=str(FIGURES / "getting_started_history.png"))
plt.close(fig)

# %% [markdown]
# `evaluate()` gives the loss and the metrics on new data, in inference mode (dropout off, batch
# normalization using its moving statistics). `predict()` gives the model's outputs: here, ten
# class probabilities per image.

# %%
scores = model | rk.evaluate(x_test, y_test, verbose=0)
print({name: round(value, 4) for name, value in scores.items()})

probabilities = model | rk.predict(x_test[:5])
print(np.round(probabilities, 2))
print("predicted:", probabilities.argmax(axis=1), "true:", y_test[:5])

# %% [markdown]
# The three call styles of a verb are equivalent: `model | rk.evaluate(x, y)`,
# `rk.evaluate(model, x, y)` and `model.evaluate(x, y)`.

# %%
a = rk.evaluate(model, x_test, y_test, verbose=0)
b = model.evaluate(x_test, y_test, verbose=0)
print(a == b)

# %% [markdown]
# ## 2. A functional model, from `keras_input()` to `keras_model()`
#
# A layer piped a *symbolic tensor* (from `keras_input()` or from another layer) returns the output
# tensor; `keras_model(inputs, outputs)` then wraps the graph. This is how models with several
# inputs, outputs or branches are written. Here the same network as above:

# %%
inputs = rk.keras_input(shape=(64,), name="pixels")
outputs = (inputs
           | rk.layer_dense(units=64)
           | rk.layer_batch_normalization()
           | rk.layer_activation(activation="relu")
           | rk.layer_dropout(rate=0.2)
           | rk.layer_dense(units=10, activation="softmax"))
print("inputs: ", inputs)
print("outputs:", outputs)
functional = rk.keras_model(inputs, outputs, name="digits_functional")
text = functional | rk.summary()

# %%
functional | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3),
                        loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history_functional = functional | rk.fit(x_train, y_train, epochs=EPOCHS, validation_split=0.2, verbose=0)
scores = functional | rk.evaluate(x_test, y_test, verbose=0)
print("functional model, test accuracy:", round(scores["accuracy"], 4))

# %% [markdown]
# ## 3. Layer instances, called like functions
#
# Without `object`, `layer_*()` returns the layer itself. A layer is callable: on a symbolic tensor
# it returns a tensor (for a functional model), on a numpy array it computes at once. Keeping the
# instances gives access to their weights later.

# %%
hidden = rk.layer_dense(units=64, name="hidden")
normalize = rk.layer_batch_normalization(name="normalize")
relu = rk.layer_activation(activation="relu")
classify = rk.layer_dense(units=10, activation="softmax", name="classify")

inputs = rk.keras_input(shape=(64,))
outputs = classify(relu(normalize(hidden(inputs))))
by_hand = rk.keras_model(inputs, outputs, name="digits_instances")
by_hand | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3),
                     loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history_by_hand = by_hand | rk.fit(x_train, y_train, epochs=EPOCHS, validation_split=0.2, verbose=0)
scores = by_hand | rk.evaluate(x_test, y_test, verbose=0)
print("layer instances, test accuracy:", round(scores["accuracy"], 4))

# %% [markdown]
# The instances now hold trained weights; a layer called on an array computes eagerly (in inference
# mode, as Keras does by default):

# %%
print("hidden kernel:", hidden.kernel.shape, " normalize moving mean (first 4):",
      np.round(normalize.moving_mean.numpy()[:4], 3))
print(np.round(classify(relu(normalize(hidden(x_test[:2])))), 2))

# %% [markdown]
# ## The three models side by side

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
for name, h in [("sequential (pipe)", history), ("functional", history_functional),
                ("layer instances", history_by_hand)]:
    epochs = np.arange(1, len(h.history["val_accuracy"]) + 1)
    ax.plot(epochs, h.history["val_accuracy"], marker="o", label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.legend()
fig.savefig(FIGURES / "getting_started_three_models.png", dpi=90, bbox_inches="tight")
plt.close(fig)

# %% [markdown]
# ## From R to Python
#
# | R keras3 | rkeras |
# |---|---|
# | `keras_model_sequential(input_shape = 64)` | `rk.keras_model_sequential(input_shape=(64,))` |
# | `model \|> layer_dense(64)` | `model \| rk.layer_dense(units=64)` |
# | `model \|> compile(optimizer = "adam", loss = "mse")` | `model \| rk.compile(optimizer="adam", loss="mse")` |
# | `model \|> fit(x, y, epochs = 5)` | `model \| rk.fit(x, y, epochs=5)` |
# | `TRUE`, `FALSE`, `NULL` | `True`, `False`, `None` |
# | `layer$trainable <- FALSE` | `layer.trainable = False` |
#
# Next: the batch normalization vignette explains what the `layer_batch_normalization()` used above
# does in training and in inference, and the transfer learning vignette re-uses a trained network.
