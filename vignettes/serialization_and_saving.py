# %% [markdown]
# # Save, serialize, and export models
#
# A rkeras model is saved in **Keras 3's `.keras` format**: a zip of `config.json` (the architecture,
# how it was built and compiled), `metadata.json` and `model.weights.h5` (the weights and the
# optimizer state, in the HDF5 layout Keras writes). So the file holds everything needed to
# use the model or to resume its training, and Keras 3 (Python or R) reads it too, and back.
#
# This vignette follows R keras3's *Save, serialize, and export models*: whole-model saving,
# resuming training exactly, weights-only files, configs and cloning, custom objects, and the
# checkpoint callbacks.

# %%
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

import rkeras as rk

FAST = os.environ.get("RKERAS_VIGNETTE_FAST") == "1"
EPOCHS = 2 if FAST else 6
WORK = Path(tempfile.mkdtemp(prefix="rkeras-saving-"))
np.set_printoptions(precision=4, suppress=True)

digits = rk.dataset_digits()
(x_train, y_train), (x_test, y_test) = digits["train"], digits["test"]
x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16
x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16


def get_model():
    rk.set_random_seed(1)
    model = rk.keras_model_sequential(input_shape=(64,)) \
        | rk.layer_dense(units=32, activation="relu") \
        | rk.layer_batch_normalization() \
        | rk.layer_dense(units=10, activation="softmax")
    return model | rk.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


model = get_model()
model | rk.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=0, shuffle=False)
print(model | rk.evaluate(x_test, y_test, verbose=0))

# %% [markdown]
# ## Saving and loading a whole model
#
# `save_model()` (or `model.save()`) writes the file atomically: a temporary file in the same folder
# is renamed over the target only once complete, and an existing file is only replaced with
# `overwrite = TRUE`. `load_model()` gives back the model, compiled as it was.

# %%
path = WORK / "digits.keras"
model | rk.save_model(str(path))
with zipfile.ZipFile(path) as z:
    print(z.namelist())
    config = json.loads(z.read("config.json"))
print(config["class_name"], [layer["class_name"] for layer in config["config"]["layers"]])
print("compiled with:", config["compile_config"]["optimizer"]["class_name"], config["compile_config"]["loss"])

reconstructed = rk.load_model(str(path))
print("same predictions:", np.array_equal(reconstructed.predict(x_test), model.predict(x_test)))

# %% [markdown]
# ## Resuming training
#
# The optimizer's state (its iteration count and, for Adam, both moment estimates of every weight)
# travels in the file, so training the loaded model continues exactly where the saved one stopped:
# two epochs, save, load, one more epoch gives the same weights as three epochs in one go.

# %%
straight = get_model()
straight | rk.fit(x_train, y_train, epochs=3, batch_size=64, verbose=0, shuffle=False)

first = get_model()
first | rk.fit(x_train, y_train, epochs=2, batch_size=64, verbose=0, shuffle=False)
first.save(str(WORK / "two_epochs.keras"))
resumed = rk.load_model(str(WORK / "two_epochs.keras"))
resumed | rk.fit(x_train, y_train, epochs=1, batch_size=64, verbose=0, shuffle=False)
print("bit-equal weights:", all(np.array_equal(a, b) for a, b in zip(straight.get_weights(), resumed.get_weights())))

# %% [markdown]
# ## Weights only
#
# `save_model_weights()` writes `.weights.h5` files; `load_model_weights()` reads them into a model
# of the same architecture. Layers are matched as Keras matches them (by class and position), and
# every array is checked before any weight changes; `skip_mismatch = TRUE` skips layers that do
# not fit.

# %%
weights_path = WORK / "digits.weights.h5"
model | rk.save_model_weights(str(weights_path))
fresh = get_model() | rk.load_model_weights(str(weights_path))
print("same predictions:", np.array_equal(fresh.predict(x_test), model.predict(x_test)))

# %% [markdown]
# ## Configs and cloning
#
# The architecture alone is the model's config: `get_config()` / `from_config()`,
# `save_model_config()` / `load_model_config()` (JSON), and `clone_model()`, which rebuilds a model
# from its config with fresh weights. Configs use R's conventions (a batch normalization's
# `axis = 2` is the channels of a channels-first batch); files use Keras' (`axis = 1`).

# %%
text = model | rk.save_model_config()
print(text[:160], "...")
new_model = rk.load_model_config(text)
print(new_model, new_model.count_params() == model.count_params())
clone = rk.clone_model(model)
print("clone has the config, not the weights:", clone.get_config() == model.get_config(),
      np.array_equal(clone.get_weights()[0], model.get_weights()[0]))

functional_input = rk.keras_input((3, 8, 8))
x = rk.layer_conv_2d(functional_input, filters=4, kernel_size=3, data_format="channels_first")
x = rk.layer_batch_normalization(x, axis=2)
cf_model = rk.keras_model(functional_input, rk.layer_global_average_pooling_2d(x, data_format="channels_first"))
layer_config = next(e for e in json.loads(rk.save_model_config(cf_model))["config"]["layers"]
                    if e["class_name"] == "BatchNormalization")["config"]
print("batch normalization axis: R", cf_model.layers[2].axis, "-> in the file", layer_config["axis"])

# %% [markdown]
# ## Custom objects
#
# Loading never runs code from a file: a class is looked up among rkeras' own, the classes you
# registered with `register_keras_serializable()`, and the `custom_objects` you pass. Anything else
# is refused with an error naming it.

# %%
class ScaleBy(rk.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def forward(self, inputs, training=False, mask=None):
        return inputs * self.factor, None

    def backward(self, cache, grad_outputs):
        return grad_outputs * self.factor, {}

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


rk.register_keras_serializable(ScaleBy, package="MyLayers")
custom = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=2) | ScaleBy(factor=0.5)
custom.save(str(WORK / "custom.keras"))
print(rk.serialize_keras_object(custom.layers[-1])["registered_name"])
print(rk.load_model(str(WORK / "custom.keras")).layers[-1])

# %% [markdown]
# ## Checkpoints during training
#
# `callback_model_checkpoint()` saves the model (or its weights) at every epoch, or only when a
# monitored value improves. `callback_backup_and_restore()` backs up the whole training state at
# each epoch's end; if the process dies, running the same `fit()` again resumes from the last
# backup and ends with the weights of an uninterrupted run.

# %%
best_path = WORK / "best.keras"
checkpoint = rk.callback_model_checkpoint(str(best_path), monitor="val_accuracy", save_best_only=True)
backup = rk.callback_backup_and_restore(str(WORK / "backup"))
history = get_model() | rk.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=0,
                                validation_split=0.2, callbacks=[checkpoint, backup])
print("best val_accuracy:", round(max(history.history["val_accuracy"]), 4), "saved:", best_path.exists())
print(rk.load_model(str(best_path)) | rk.evaluate(x_test, y_test, verbose=0))
