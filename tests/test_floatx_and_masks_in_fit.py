"""config_set_floatx end to end, and masks flowing through fit/predict (embedding -> BN -> pooling)."""

import numpy as np
import pytest

import rkeras as rk


def test_float64_end_to_end():
    assert rk.config_floatx() == "float32"
    rk.config_set_floatx("float64")
    try:
        model = (rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=4)
                 | rk.layer_batch_normalization() | rk.layer_dense(units=1))
        assert all(w.dtype == np.float64 for w in model.weights)
        model | rk.compile(optimizer="sgd", loss="mse")
        model | rk.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=1, verbose=0)
        assert (model | rk.predict(np.ones((2, 3)))).dtype == np.float64
    finally:
        rk.config_set_floatx("float32")
    with pytest.raises(ValueError, match="float16.*float32.*float64"):
        rk.config_set_floatx("int8")


def test_embedding_mask_reaches_batch_norm_in_fit_and_predict():
    rk.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, size=(32, 6))
    x[:, 4:] = 0  # padding
    y = (x[:, 0] > 10).astype("float32")[:, None]
    model = (rk.keras_model_sequential(input_shape=(6,), input_dtype="int32")
             | rk.layer_embedding(input_dim=20, output_dim=4, mask_zero=True)
             | rk.layer_batch_normalization(momentum=0.0)
             | rk.layer_global_average_pooling_1d()
             | rk.layer_dense(units=1, activation="sigmoid"))
    model | rk.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.predict(x[:1])  # builds the embedding
    emb = model.layers[0].embeddings.numpy()  # the forward pass of the next step sees these values
    bn = model.layers[1]
    model | rk.train_on_batch(x, y)
    # momentum 0: the moving statistics are those of the batch, over the unpadded positions only
    values = emb[x][x != 0]
    np.testing.assert_allclose(bn.moving_mean.numpy(), values.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), values.var(axis=0), rtol=1e-4, atol=1e-7)
    padded_too = emb[x].reshape(-1, 4)
    assert not np.allclose(bn.moving_mean.numpy(), padded_too.mean(axis=0), rtol=1e-3)
    assert (model | rk.predict(x)).shape == (32, 1)
    history = model | rk.fit(x, y, epochs=2, verbose=0)
    assert len(history.history["accuracy"]) == 2
