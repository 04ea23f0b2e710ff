"""Issue 4 end to end: the digits CNN (both data formats) and a residual block built with pipes."""

import numpy as np

import rkeras as rk
from rkeras.examples import train_digits


def test_main_job_cnn_reaches_97_percent():
    result = train_digits.main(["--epochs", "12", "--verbose", "0"])
    assert result["accuracy"] >= 0.97


def test_channels_first_cnn_with_axis_2_trains():
    rk.set_random_seed(1)
    x, y, xs, ys = train_digits.load_digits(channels_first=True)
    model = train_digits.build_model(channels_first=True)
    bn = model.layers[1]
    assert bn.gamma.shape == (32,)  # axis = 2: the channels of (batch, 32, 8, 8)
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=2e-3), loss="sparse_categorical_crossentropy",
                       metrics=["accuracy"])
    model | rk.fit(x, y, epochs=12, verbose=0)
    assert (model | rk.evaluate(xs, ys, verbose=0))["accuracy"] >= 0.95


def test_residual_block_trains_and_counts_parameters():
    rk.set_random_seed(2)
    inputs = rk.keras_input(shape=(8, 8, 4))
    x = (inputs | rk.layer_conv_2d(filters=4, kernel_size=3, padding="same", use_bias=False)
         | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
         | rk.layer_conv_2d(filters=4, kernel_size=3, padding="same", use_bias=False)
         | rk.layer_batch_normalization())
    block = rk.layer_add([x, inputs]) | rk.layer_activation(activation="relu")
    outputs = (block | rk.layer_global_average_pooling_2d() | rk.layer_dense(units=1))
    model = rk.keras_model(inputs, outputs)
    text = format(model)
    # convs 3*3*4*4 = 144 each, batch norms 4*4 = 16 each (8 non-trainable), dense 4 + 1 = 5
    assert "Total params: 325" in text and "Trainable params: 309" in text and "Non-trainable params: 16" in text
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(64, 8, 8, 4)).astype("float32")
    ys = xs[..., 0].mean(axis=(1, 2))[:, None] * 3.0
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=1e-2), loss="mse")
    history = model | rk.fit(xs, ys, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
