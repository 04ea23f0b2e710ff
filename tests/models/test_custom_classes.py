"""R keras3's custom-class examples, in rkeras' Python form: they build, compose, train and serialize."""

import numpy as np
import pytest
from layer_harness import assert_close_grad

import rkeras as rk
from rkeras import (
    Callback,
    Layer,
    Loss,
    Metric,
    Model,
    compile,
    fit,
    keras_model_sequential,
    layer_dense,
    layer_lambda,
    op_exp,
    op_matmul,
    op_mean,
    op_shape,
    op_square,
    op_sum,
    random_normal,
    random_seed_generator,
)


def _linear_init(self, units=32):
    self.units = units


def _linear_build(self, input_shape):
    self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
    self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)


Linear = Layer("Linear", initialize=_linear_init, build=_linear_build,
               call=lambda self, inputs: op_matmul(inputs, self.w) + self.b)


def _regression(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype("float32")


def test_linear_layer_composes_like_a_builtin_and_trains():
    assert issubclass(Linear, rk.Layer) and Linear.__name__ == "Linear"
    lin = Linear(units=4)
    y = np.ones((2, 3), "float32") | lin
    assert y.shape == (2, 4) and lin.name.startswith("linear") and len(lin.trainable_weights) == 2
    sym = rk.keras_input((3,)) | Linear(units=2)
    assert sym.shape == (None, 2)
    x, t = _regression()
    rk.set_random_seed(1)
    model = keras_model_sequential(input_shape=(3,)) | Linear(units=1)
    model | compile(optimizer=rk.optimizer_sgd(learning_rate=0.1), loss="mse")
    history = model | fit(x, t, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 1e-3 * history.history["loss"][0]
    np.testing.assert_allclose(model.layers[0].w.numpy().ravel(), [1.0, -2.0, 0.5], atol=0.02)


def test_config_round_trip_of_an_r_style_layer():
    lin = Linear(units=5, name="lin")
    config = lin.get_config()
    assert config["units"] == 5 and config["name"] == "lin"
    again = Linear.from_config(config)
    assert again.units == 5 and again.name == "lin"


def test_python_subclass_with_only_call_trains():
    class Affine(rk.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 1), initializer="zeros")

        def call(self, inputs):
            return inputs @ self.kernel + 0.3

    x, t = _regression()
    model = keras_model_sequential(input_shape=(3,)) | Affine()
    model | compile(optimizer=rk.optimizer_sgd(learning_rate=0.1), loss="mse")
    model | fit(x, t, epochs=30, batch_size=16, verbose=0)
    np.testing.assert_allclose(model.layers[0].kernel.numpy().ravel(), [1.0, -2.0, 0.5], atol=0.02)


def test_a_non_trainable_counter_weight():
    def init(self, input_dim):
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(op_sum(inputs, axis=1))
        return self.total

    ComputeSum = Layer("ComputeSum", initialize=init, call=call)
    my_sum = ComputeSum(input_dim=2)
    x = np.ones((2, 2), "float32")
    np.testing.assert_array_equal(my_sum(x), [2.0, 2.0])
    np.testing.assert_array_equal(my_sum(x), [4.0, 4.0])
    assert (len(my_sum.weights), len(my_sum.non_trainable_weights), len(my_sum.trainable_weights)) == (1, 1, 0)


# --- the variational autoencoder of R keras3's "Making new layers and models via subclassing" -------------
def _sampling_init(self):
    self.seed_generator = random_seed_generator(1337)


def _sampling_call(self, inputs):
    z_mean, z_log_var = inputs
    batch, dim = op_shape(z_mean)
    epsilon = random_normal(shape=(batch, dim), seed=self.seed_generator)
    return z_mean + op_exp(0.5 * z_log_var) * epsilon


Sampling = Layer("Sampling", initialize=_sampling_init, call=_sampling_call)


def _encoder_init(self, latent_dim=2, intermediate_dim=32):
    self.dense_proj = layer_dense(units=intermediate_dim, activation="relu")
    self.dense_mean = layer_dense(units=latent_dim)
    self.dense_log_var = layer_dense(units=latent_dim)
    self.sampling = Sampling()


def _encoder_call(self, inputs):
    h = self.dense_proj(inputs)
    z_mean, z_log_var = self.dense_mean(h), self.dense_log_var(h)
    return [z_mean, z_log_var, self.sampling([z_mean, z_log_var])]


Encoder = Layer("Encoder", initialize=_encoder_init, call=_encoder_call)


def _decoder_init(self, original_dim, intermediate_dim=32):
    self.dense_proj = layer_dense(units=intermediate_dim, activation="relu")
    self.dense_output = layer_dense(units=original_dim, activation="sigmoid")


Decoder = Layer("Decoder", initialize=_decoder_init,
                call=lambda self, inputs: self.dense_output(self.dense_proj(inputs)))


def _vae_init(self, original_dim, intermediate_dim=32, latent_dim=2, kl_weight=1.0):
    self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
    self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)
    self.kl_weight = kl_weight


def _vae_call(self, inputs):
    z_mean, z_log_var, z = self.encoder(inputs)
    reconstructed = self.decoder(z)
    kl_loss = -0.5 * op_mean(z_log_var - op_square(z_mean) - op_exp(z_log_var) + 1)
    self.add_loss(self.kl_weight * kl_loss)
    return reconstructed


VariationalAutoEncoder = Model("VariationalAutoEncoder", initialize=_vae_init, call=_vae_call)


def test_variational_autoencoder_on_the_digits_trains():
    rk.set_random_seed(7)
    x, _ = rk.dataset_digits()["train"]
    x = (x.reshape(len(x), 64) / 16.0).astype("float32")
    vae = VariationalAutoEncoder(64, intermediate_dim=32, latent_dim=2)
    assert isinstance(vae, rk.Model)
    vae | compile(optimizer=rk.optimizer_adam(learning_rate=1e-3), loss=rk.loss_mean_squared_error())
    history = vae | fit(x, x, epochs=5, batch_size=64, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0]
    assert len(vae.trainable_weights) == 10  # 5 dense layers: kernel + bias each
    assert rk.predict(vae, x[:5]).shape == (5, 64)


def test_add_loss_is_in_the_loss_and_its_gradient():
    """A float64 model with an added loss: the step's gradient equals finite differences of fit's loss."""
    def call(self, inputs):
        y = self.dense(inputs)
        self.add_loss(0.5 * op_sum(op_square(y)))
        return y

    def init(self):
        self.dense = layer_dense(units=2, dtype="float64")

    Penalized = Model("Penalized", initialize=init, call=call)
    model = Penalized()
    x = np.random.default_rng(0).normal(size=(4, 3))
    y = np.random.default_rng(1).normal(size=(4, 2))
    model | compile(optimizer=rk.optimizer_sgd(learning_rate=1.0), loss="mse")
    model.predict(x)  # builds
    kernel = model.dense.kernel

    def total():
        return model.test_on_batch(x, y)["loss"]
    expected = np.mean((x @ kernel.value + model.dense.bias.value - y) ** 2) + 0.5 * np.sum(
        (x @ kernel.value + model.dense.bias.value) ** 2)
    assert np.isclose(total(), expected, rtol=1e-12)
    from layer_harness import numeric_grad
    numeric = numeric_grad(total, kernel.value)
    before = kernel.numpy()
    model.train_on_batch(x, y)
    assert_close_grad(before - kernel.numpy(), numeric, tol=1e-6, what="kernel step (lr = 1)")


# --- custom loss, metric, callback -------------------------------------------------------------------------
def test_custom_loss_and_metric_in_compile():
    MyMSE = Loss("MyMSE", call=lambda self, y_true, y_pred: op_mean(op_square(y_true - y_pred), axis=-1))

    def tp_init(self, name="binary_true_positives", **kwargs):
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

    def tp_update(self, y_true, y_pred, sample_weight=None):
        values = np.logical_and(np.asarray(y_true) > 0.5, np.asarray(y_pred) > 0.5)
        self.true_positives.assign_add(op_sum(values.astype("float32")))

    BinaryTruePositives = Metric("BinaryTruePositives", initialize=tp_init, update_state=tp_update,
                                 result=lambda self: self.true_positives)
    x, t = _regression(32)
    t = (t > 0).astype("float32")
    runs = []
    for loss in (MyMSE(), "mse"):
        rk.set_random_seed(3)
        model = keras_model_sequential(input_shape=(3,)) | layer_dense(units=1, activation="sigmoid")
        model | compile(optimizer="sgd", loss=loss, metrics=[BinaryTruePositives()])
        runs.append((model | fit(x, t, epochs=3, batch_size=8, shuffle=False, verbose=0), model))
    (h_custom, m_custom), (h_builtin, m_builtin) = runs
    assert MyMSE().name == "my_mse"
    np.testing.assert_allclose(h_custom.history["loss"], h_builtin.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(m_custom.get_weights()[0], m_builtin.get_weights()[0], rtol=1e-5)
    # the metric's value at the end of the last epoch, recomputed from the batches of that epoch
    assert "binary_true_positives" in h_custom.history
    metric = BinaryTruePositives()
    assert metric.name == "binary_true_positives" and float(metric.result()) == 0.0
    metric.update_state(np.array([1.0, 1.0, 0.0]), np.array([0.9, 0.2, 0.8]))
    assert float(metric.result()) == 1.0
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_custom_callback_prints_logs(capsys):
    PrintLogs = Callback("PrintLogs", on_epoch_end=lambda self, epoch, logs=None: print(
        f"epoch {epoch}: loss = {logs['loss']:.6f}"))
    assert issubclass(PrintLogs, rk.training.callbacks.Callback)
    x, t = _regression(16)
    model = keras_model_sequential(input_shape=(3,)) | layer_dense(units=1)
    model | compile(optimizer="sgd", loss="mse")
    history = model | fit(x, t, epochs=2, verbose=0, callbacks=[PrintLogs()])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert len(lines) == 2
    assert lines[-1].endswith(f"{history.history['loss'][-1]:.6f}")


def test_layer_lambda_trains_inside_a_model():
    x, t = _regression()
    model = (keras_model_sequential(input_shape=(3,)) | layer_lambda(f=lambda v: op_square(v) * 0.5 + v)
             | layer_dense(units=1))
    assert model.output_shape == (None, 1)
    model | compile(optimizer="sgd", loss="mse")
    h = model | fit(x, t, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert layer_lambda(f=lambda v: v[:, :2], output_shape=(2,)).compute_output_shape((None, 5)) == (None, 2)


def test_overridden_train_step_is_used_by_fit():
    def init(self):
        self.dense = layer_dense(units=1)

    def train_step(self, data):
        x, y = data

        def loss_fn():
            y_pred = self(x, training=True)
            return self.compute_loss(y=y, y_pred=y_pred)
        loss, grads = rk.value_and_grad(loss_fn, self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        self.steps_run = getattr(self, "steps_run", 0) + 1
        return {"loss": loss}

    CustomFit = Model("CustomFit", initialize=init, call=lambda self, inputs: self.dense(inputs),
                      train_step=train_step)
    x, t = _regression(32)
    rk.set_random_seed(5)
    custom = CustomFit()
    custom.predict(x[:1])
    custom | compile(optimizer=rk.optimizer_sgd(learning_rate=0.05), loss="mse")
    rk.set_random_seed(5)
    plain = keras_model_sequential(input_shape=(3,)) | layer_dense(units=1)
    plain.set_weights(custom.get_weights())
    plain | compile(optimizer=rk.optimizer_sgd(learning_rate=0.05), loss="mse")
    h1 = custom | fit(x, t, epochs=3, batch_size=8, shuffle=False, verbose=0)
    h2 = plain | fit(x, t, epochs=3, batch_size=8, shuffle=False, verbose=0)
    assert custom.steps_run == 12
    np.testing.assert_allclose(custom.get_weights()[0], plain.get_weights()[0], rtol=1e-5)
    assert len(h1.history["loss"]) == len(h2.history["loss"]) == 3
    fresh = CustomFit()  # not built yet: fit() builds it before the first custom step, as Keras does
    fresh | compile(optimizer="sgd", loss="mse")
    fresh | fit(x, t, epochs=1, batch_size=16, verbose=0)
    assert fresh.steps_run == 2 and len(fresh.trainable_weights) == 2


def test_constructor_errors():
    with pytest.raises(TypeError, match="classname"):
        rk.new_layer_class("not a name")
    with pytest.raises(TypeError, match="inherit"):
        rk.new_layer_class("X", inherit=int)
    with pytest.raises(NotImplementedError, match="neither call"):
        rk.Layer().forward(np.ones((1, 2)))


def test_compute_loss_in_a_custom_step_differentiates_added_losses():
    """One custom train_step (value_and_grad of compute_loss) equals one built-in step, add_loss included."""
    def init(self):
        self.dense = layer_dense(units=2)

    def call(self, inputs):
        y = self.dense(inputs)
        self.add_loss(0.1 * op_mean(op_square(y)))
        return y

    def train_step(self, data):
        x, y = data
        loss, grads = rk.value_and_grad(lambda: self.compute_loss(y=y, y_pred=self(x, training=True)),
                                        self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        return {"loss": loss}

    Builtin = Model("Builtin", initialize=init, call=call)
    Custom = Model("Custom", initialize=init, call=call, train_step=train_step)
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
    models = [Builtin(), Custom()]
    for m in models:
        m.predict(x[:1])
        m | compile(optimizer=rk.optimizer_sgd(learning_rate=0.5), loss="mse")
    models[1].set_weights(models[0].get_weights())
    h_builtin = models[0] | fit(x, y, epochs=1, batch_size=8, verbose=0)
    h_custom = models[1] | fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.isclose(h_builtin.history["loss"][0], h_custom.history["loss"][0], rtol=1e-6)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_python_model_subclass_with_call():
    class TwoLayers(rk.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = layer_dense(units=8, activation="tanh")
            self.out = layer_dense(units=1)

        def call(self, inputs, training=False):
            return self.out(self.hidden(inputs))

    x, t = _regression()
    model = TwoLayers(name="two")
    model | compile(optimizer=rk.optimizer_adam(learning_rate=0.01), loss="mse")
    history = model | fit(x, t, epochs=10, batch_size=16, verbose=0)
    assert model.name == "two" and len(model.trainable_weights) == 4
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert rk.evaluate(model, x, t, verbose=0)["loss"] < 0.2 * history.history["loss"][0]
