"""Embedding and Masking: lookups, the scatter-add gradient, mask creation and propagation through
sequential and functional models (batch statistics over the unpadded positions only), errors."""

import numpy as np
import pytest
from layer_harness import assert_close_grad, numeric_grad, run_layer_test

from rkeras.api.layers_convolutional import layer_conv_1d
from rkeras.api.layers_core import layer_dense, layer_flatten
from rkeras.api.layers_embedding import layer_embedding, layer_masking
from rkeras.api.layers_normalization import layer_batch_normalization
from rkeras.api.layers_pooling import layer_global_average_pooling_1d
from rkeras.core.symbolic import keras_input
from rkeras.kernels.embedding import scatter_add_rows
from rkeras.layers.core.embedding import Embedding
from rkeras.layers.core.masking import Masking
from rkeras.models.functional import keras_model
from rkeras.models.sequential import Sequential, keras_model_sequential
from rkeras.training.vjp import vjp

IDS = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 0], [5, 3, 0, 0, 0], [8, 9, 7, 9, 3]])


# --------------------------------------------------------------------------------------------- Embedding
def test_lookup_and_dtypes():
    layer = Embedding(input_dim=10, output_dim=3)
    y = layer(IDS)
    table = layer.embeddings.numpy()
    np.testing.assert_array_equal(y, table[IDS])
    assert y.dtype == np.float32 and table.shape == (10, 3)
    assert np.all(np.abs(table) <= 0.05)  # Keras' "uniform": random_uniform(-0.05, 0.05)
    np.testing.assert_array_equal(layer(IDS.astype(np.int32)), y)
    np.testing.assert_array_equal(layer(IDS.astype(np.float64)), y)  # R's doubles holding whole numbers
    assert Embedding(input_dim=10, output_dim=3, dtype="float64")(IDS).dtype == np.float64
    assert layer.compute_output_shape((None, 5)) == (None, 5, 3)


def test_gradient_is_a_scatter_add():
    rng = np.random.default_rng(0)
    layer = Embedding(input_dim=10, output_dim=3, dtype="float64")
    up = rng.normal(size=IDS.shape + (3,))
    _, dx, grads = vjp(layer, IDS, up)
    assert dx is None  # indices are not differentiable
    ref = np.zeros((10, 3))
    np.add.at(ref, IDS.ravel(), up.reshape(-1, 3))
    np.testing.assert_allclose(grads[layer.embeddings.path], ref, rtol=1e-12, atol=1e-12)
    loss = lambda: np.sum(layer(IDS) * up)
    assert_close_grad(grads[layer.embeddings.path], numeric_grad(loss, layer.embeddings.value), 1e-7)
    out = np.zeros((4, 2), np.float32)
    scatter_add_rows(np.array([1, 3, 1], np.int64), np.ones((3, 2), np.float32), out)
    np.testing.assert_array_equal(out, [[0, 0], [2, 2], [0, 0], [1, 1]])


@pytest.mark.parametrize("mask_zero", [False, True])
def test_embedding_harness(mask_zero):
    run_layer_test(Embedding, input_data=IDS, init_kwargs={"input_dim": 10, "output_dim": 3, "mask_zero": mask_zero},
                   expected_output_shape=(4, 5, 3), expected_num_trainable_weights=1,
                   supports_masking=mask_zero, mask=IDS != 0 if mask_zero else None, check_float16=False)


def test_compute_mask():
    assert Embedding(input_dim=10, output_dim=2).compute_mask(IDS, None) is None
    np.testing.assert_array_equal(Embedding(input_dim=10, output_dim=2, mask_zero=True).compute_mask(IDS, None),
                                  IDS != 0)


def test_initial_weights_config_and_wrapper():
    table = np.arange(12.0).reshape(4, 3)
    layer = layer_embedding(input_dim=4, output_dim=3, weights=[table], name="emb")
    assert layer.built
    np.testing.assert_array_equal(layer(np.array([[2, 0]])), table[[[2, 0]]])
    config = layer.get_config()
    assert config["input_dim"] == 4 and config["output_dim"] == 3 and config["weights"] is None
    assert Embedding.from_config(config).get_config() == config
    out = layer_embedding(keras_input(shape=(7,), dtype="int32"), input_dim=4, output_dim=2, dtype="float64")
    assert out.shape == (None, 7, 2) and out.dtype == "float64"


@pytest.mark.parametrize("kwargs,error,match", [
    ({"output_dim": 2}, ValueError, "`input_dim` must be given"),
    ({"input_dim": 5}, ValueError, "`output_dim` must be given"),
    ({"input_dim": 0, "output_dim": 2}, ValueError, "`input_dim`.*>= 1"),
    ({"input_dim": 5, "output_dim": 2.5}, TypeError, "`output_dim`"),
    ({"input_dim": 5, "output_dim": 2, "mask_zero": 1}, TypeError, "`mask_zero`"),
    ({"input_dim": 5, "output_dim": 2, "embeddings_initializer": "nope"}, ValueError, "embeddings_initializer"),
    ({"input_dim": 5, "output_dim": 2, "weights": np.ones((2, 2))}, ValueError, "`weights`.*\\(5, 2\\)"),
    ({"input_dim": 5, "output_dim": 2, "lora_rank": 4}, ValueError, "`lora_rank`"),
    ({"input_dim": 5, "output_dim": 2, "input_length": 3}, TypeError, "'input_length'"),
])
def test_embedding_constructor_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        layer_embedding(**kwargs)


def test_embedding_call_errors():
    layer = Embedding(input_dim=5, output_dim=2)
    with pytest.raises(ValueError, match=r"\[0, 4\]; received 5"):
        layer(np.array([[1, 5]]))
    with pytest.raises(ValueError, match=r"\[0, 4\]; received -1"):
        layer(np.array([[-1, 2]]))
    with pytest.raises(ValueError, match="integer indices"):
        layer(np.array([[1.5, 2.0]]))
    with pytest.raises(TypeError, match="numeric"):
        layer(np.array([["a"]]))
    with pytest.raises(TypeError, match="layer_embedding"):
        layer_embedding(10, output_dim=2)


# --------------------------------------------------------------------------------------------- Masking
def _padded_batch(rng):
    x = rng.normal(size=(3, 5, 4))
    x[0, 3:] = 0.0
    x[1, 1] = 0.0
    x[2, 2, 1:] = 0.0  # one nonzero feature: the step is kept
    return x


def test_masking_forward_mask_and_gradient():
    rng = np.random.default_rng(1)
    x = _padded_batch(rng)
    layer = Masking(dtype="float64")
    keep = np.any(x != 0, axis=-1)
    np.testing.assert_array_equal(layer.compute_mask(x, None), keep)
    np.testing.assert_array_equal(layer(x), x * keep[..., None])
    x[0, 3] = 7.0
    x[0, 4] = 7.0
    layer7 = Masking(mask_value=7)
    np.testing.assert_array_equal(layer7.compute_mask(x, None)[0], [True, True, True, False, False])
    assert np.all(layer7(x)[0, 3:] == 0)
    up = rng.normal(size=x.shape)
    _, dx, _ = vjp(layer7, x, up)
    kept = layer7.compute_mask(x, None)
    # finite differences only where a small step leaves the mask unchanged: the kept steps
    numeric = numeric_grad(lambda: np.sum(layer7(x) * up), x)
    assert_close_grad(dx[kept], numeric[kept], 1e-7)
    assert np.all(dx[~kept] == 0)


def test_masking_harness_and_errors():
    rng = np.random.default_rng(2)
    x = _padded_batch(rng)
    run_layer_test(Masking, input_data=x, expected_output_shape=x.shape, expected_num_trainable_weights=0,
                   supports_masking=True, mask=np.any(x != 0, axis=-1), check_gradients=False)
    assert Masking.from_config(Masking(mask_value=-1).get_config()).mask_value == -1.0
    with pytest.raises(TypeError, match="`mask_value`"):
        layer_masking(mask_value="0")
    with pytest.raises(TypeError, match="layer_masking"):
        layer_masking(mask_value=0, foo=1)
    with pytest.raises(ValueError, match="rank >= 2"):
        Masking()(np.ones(3))


# --------------------------------------------------------------------------------------------- propagation
def _bn_stats_on_unpadded(table, ids):
    vectors = table[ids[ids != 0]]
    return vectors.mean(axis=0), vectors.var(axis=0)


def _train_once(model, x, out_shape):
    vjp(model, x, np.ones(out_shape), training=True)


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_embedding_mask_reaches_batch_normalization(kind):
    emb = layer_embedding(input_dim=10, output_dim=3, mask_zero=True, dtype="float64")
    bn = layer_batch_normalization(momentum=0.0, dtype="float64")
    if kind == "sequential":
        model = keras_model_sequential(input_shape=(5,), input_dtype="int32") | emb | bn
    else:
        inp = keras_input(shape=(5,), dtype="int32")
        model = keras_model(inp, inp | emb | bn)
    _train_once(model, IDS.astype(np.int32), (4, 5, 3))
    mean, var = _bn_stats_on_unpadded(emb.embeddings.numpy(), IDS)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-10)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-10)
    np.testing.assert_array_equal(model.output_masks()[0], IDS != 0)
    all_positions = emb.embeddings.numpy()[IDS].reshape(-1, 3)
    assert not np.allclose(bn.moving_mean.numpy(), all_positions.mean(axis=0))  # the padding did not count


@pytest.mark.parametrize("stopper", ["flatten", "conv1d"])
@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_a_layer_without_masking_stops_the_mask(stopper, kind):
    emb = layer_embedding(input_dim=10, output_dim=3, mask_zero=True, dtype="float64")
    stop = layer_flatten() if stopper == "flatten" else layer_conv_1d(filters=2, kernel_size=1, dtype="float64")
    bn = layer_batch_normalization(momentum=0.0, dtype="float64")
    if kind == "sequential":
        model = Sequential([emb, stop, bn])
    else:
        inp = keras_input(shape=(5,), dtype="int32")
        model = keras_model(inp, inp | emb | stop | bn)
    ids = IDS.astype(np.int32)
    out_shape = (4, 15) if stopper == "flatten" else (4, 5, 2)
    _train_once(model, ids, out_shape)
    assert model.output_masks()[0] is None
    assert stop.compute_mask(emb(ids), emb.compute_mask(ids, None)) is None
    h = np.asarray(stop(emb(ids)), np.float64).reshape(-1, out_shape[-1])  # every position counts
    np.testing.assert_allclose(bn.moving_mean.numpy(), h.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(bn.moving_variance.numpy(), h.var(axis=0), rtol=1e-10)


def test_masking_then_average_and_batch_norm():
    rng = np.random.default_rng(3)
    x = _padded_batch(rng)
    keep = np.any(x != 0, axis=-1)
    bn = layer_batch_normalization(momentum=0.0, dtype="float64")
    model = keras_model_sequential(input_shape=(5, 4)) | layer_masking(dtype="float64") | bn
    _train_once(model, x, x.shape)
    np.testing.assert_allclose(bn.moving_mean.numpy(), x[keep].mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(bn.moving_variance.numpy(), x[keep].var(axis=0), rtol=1e-10)
    pooled = (keras_model_sequential(input_shape=(5, 4)) | layer_masking(dtype="float64")
              | layer_global_average_pooling_1d(dtype="float64"))
    ref = np.stack([x[b, keep[b]].mean(axis=0) for b in range(3)])
    np.testing.assert_allclose(pooled(x), ref, rtol=1e-12)
    assert pooled.output_masks() == [None]  # global average pooling drops the mask


def test_text_classifier_trains():
    from rkeras.random import set_random_seed
    set_random_seed(0)
    rng = np.random.default_rng(4)
    ids = rng.integers(1, 20, size=(64, 6))
    ids[rng.random(ids.shape) < 0.3] = 0
    y = (np.sum(ids >= 10, axis=1) > np.sum((ids > 0) & (ids < 10), axis=1)).astype("float32")[:, None]
    model = (keras_model_sequential(input_shape=(6,), input_dtype="int32")
             | layer_embedding(input_dim=20, output_dim=4, mask_zero=True) | layer_global_average_pooling_1d()
             | layer_dense(units=1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(ids, y, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"] if hasattr(history, "history") else history["loss"]
    assert losses[-1] < losses[0]
