"""Structured-data preprocessing layers: CategoryEncoding and Discretization (with adapt()) against Keras 3
(JAX backend) outputs, documented examples, learned boundaries, the shared harness (no gradients: integer or
piecewise-constant maps), config round trips, symbolic use in models, errors.

Not covered here because not implemented yet: hashing, hashed crossing, integer/string lookup, text
vectorization, pipeline (Keras 3 runs most of those only through TensorFlow, absent here)."""

import numpy as np
import pytest
from layer_harness import run_layer_test

import rkeras as rk
from rkeras.layers.preprocessing.category_encoding import CategoryEncoding
from rkeras.layers.preprocessing.discretization import Discretization

keras = pytest.importorskip("keras")


# --------------------------------------------------------------------------------------------- CategoryEncoding
def test_category_encoding_documented_examples():
    one_hot = rk.layer_category_encoding(num_tokens=4, output_mode="one_hot")
    np.testing.assert_array_equal(one_hot(np.array([3, 2, 0, 1])), np.eye(4)[[3, 2, 0, 1]])
    multi = rk.layer_category_encoding(np.array([[0, 1], [0, 0], [1, 2], [3, 1]]), num_tokens=4)
    np.testing.assert_array_equal(multi, [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    count = rk.layer_category_encoding(num_tokens=4, output_mode="count")
    w = np.array([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]])
    np.testing.assert_allclose(count(np.array([[0, 1], [0, 0], [1, 2], [3, 1]]), count_weights=w),
                               [[0.1, 0.2, 0, 0], [0.2, 0, 0, 0], [0, 0.2, 0.3, 0], [0, 0.2, 0, 0.4]], rtol=1e-6)


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(6,), (5, 1), (4, 3), (2, 3, 4)])
def test_category_encoding_matches_keras(mode, shape):
    if mode != "one_hot" and len(shape) == 3:
        # Keras' JAX backend reduces rank-3 inputs over axis 1, against its own compute_output_shape() and
        # documentation (the last axis is the sample); rkeras follows the documented shape (tested below)
        pytest.skip("Keras' multi_hot/count of rank-3 inputs contradict its compute_output_shape()")
    x = np.random.default_rng(0).integers(0, 5, size=shape).astype("int32")
    k = keras.layers.CategoryEncoding(num_tokens=5, output_mode=mode)
    r = rk.layer_category_encoding(num_tokens=5, output_mode=mode)
    expected = np.asarray(k(x))
    got = r(x)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    assert r.compute_output_shape(shape) == tuple(k.compute_output_shape(shape))


def test_category_encoding_rank3_reduces_the_last_axis():
    x = np.array([[[0, 1], [2, 2]], [[3, 3], [1, 0]]])
    out = rk.layer_category_encoding(x, num_tokens=4, output_mode="count")
    np.testing.assert_array_equal(out, [[[1, 1, 0, 0], [0, 0, 2, 0]], [[0, 0, 0, 2], [1, 1, 0, 0]]])
    assert rk.layer_category_encoding(num_tokens=4).compute_output_shape((None, 2, 2)) == (None, 2, 4)


def test_category_encoding_harness():
    ids = np.random.default_rng(1).integers(0, 6, size=(4, 3)).astype("int32")
    run_layer_test(CategoryEncoding, input_data=ids, init_kwargs={"num_tokens": 6, "output_mode": "multi_hot"},
                   expected_output_shape=(4, 6), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, check_gradients=False)


def test_category_encoding_in_a_model():
    inp = rk.keras_input((3,), dtype="int32")
    enc = rk.layer_category_encoding(inp, num_tokens=6, output_mode="count")
    assert enc.shape == (None, 6) and enc.dtype == "float32"
    model = rk.keras_model(inp, rk.layer_dense(enc, units=1))
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(2)
    ids = rng.integers(0, 6, size=(16, 3)).astype("int32")
    model.fit(ids, rng.normal(size=(16, 1)).astype("float32"), epochs=2, verbose=0)


@pytest.mark.parametrize("kwargs,match", [
    ({}, "num_tokens"),
    ({"num_tokens": 0}, "num_tokens"),
    ({"num_tokens": 3, "output_mode": "tf_idf"}, "output_mode"),
    ({"num_tokens": 3, "sparse": True}, "sparse"),
    ({"num_tokens": 3, "foo": 1}, "foo"),
])
def test_category_encoding_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rk.layer_category_encoding(**kwargs)


def test_category_encoding_bad_inputs():
    layer = rk.layer_category_encoding(num_tokens=3)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        layer(np.array([[0, 3]]))
    with pytest.raises(ValueError, match="integer"):
        layer(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match="count_weights"):
        layer(np.array([[0, 1]]), count_weights=np.ones((1, 2)))


# --------------------------------------------------------------------------------------------- Discretization
def test_discretization_documented_examples():
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    out = rk.layer_discretization(x, bin_boundaries=[0.0, 1.0, 2.0])
    np.testing.assert_array_equal(out, [[0, 2, 3, 1], [1, 3, 2, 1]])
    assert out.dtype == np.int32
    layer = rk.layer_discretization(num_bins=4, epsilon=0.01)
    layer | rk.adapt(x)
    np.testing.assert_array_equal(layer(x), [[0, 2, 3, 2], [1, 3, 3, 1]])


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_matches_keras(mode):
    x = np.random.default_rng(3).normal(size=(6, 4)).astype("float32")
    bounds = [-1.0, -0.25, 0.0, 0.5, 1.2]
    k = keras.layers.Discretization(bin_boundaries=bounds, output_mode=mode)
    r = rk.layer_discretization(bin_boundaries=bounds, output_mode=mode)
    expected, got = np.asarray(k(x)), r(x)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("num_bins,epsilon", [(4, 0.01), (7, 0.05), (3, 0.001)])
def test_discretization_adapt_learns_keras_boundaries(num_bins, epsilon):
    rng = np.random.default_rng(num_bins)
    data = rng.gamma(2.0, size=(500, 3)).astype("float32")
    # Keras' adapt() needs TensorFlow; its update_state()/finalize_state() (what adapt() runs per batch) do not
    k = keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    k.update_state(data)
    k.finalize_state()
    r = rk.layer_discretization(num_bins=num_bins, epsilon=epsilon)
    rk.adapt(r, data)
    np.testing.assert_allclose(r.bin_boundaries, k.bin_boundaries, rtol=1e-6)
    np.testing.assert_array_equal(r(data), np.asarray(k(data)))
    # streaming batches, as Keras merges them
    batches = [data[i:i + 128] for i in range(0, 500, 128)]
    k2 = keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    for batch in batches:
        k2.update_state(batch)
    k2.finalize_state()
    r2 = rk.layer_discretization(num_bins=num_bins, epsilon=epsilon) | rk.adapt(iter(batches))
    np.testing.assert_allclose(r2.bin_boundaries, k2.bin_boundaries, rtol=1e-6)
    assert not np.allclose(r2.bin_boundaries, r.bin_boundaries, rtol=0, atol=0) or num_bins == 3


def test_discretization_config_round_trip_after_adapt_and_in_a_keras_file(tmp_path):
    data = np.random.default_rng(5).normal(size=(200, 2)).astype("float32")
    layer = rk.layer_discretization(num_bins=5, output_mode="one_hot") | rk.adapt(data)
    again = Discretization.from_config(layer.get_config())
    assert again.bin_boundaries == layer.bin_boundaries
    inp = rk.keras_input((2,))
    model = rk.keras_model(inp, rk.layer_flatten(layer(inp)))
    path = str(tmp_path / "d.keras")
    rk.save_model(model, path)
    back = rk.load_model(path)
    np.testing.assert_array_equal(back.predict(data), model.predict(data))
    kmodel = keras.saving.load_model(path)
    np.testing.assert_array_equal(np.asarray(kmodel.predict(data, verbose=0)), model.predict(data))


def test_discretization_harness_and_symbolic_dtype():
    run_layer_test(Discretization, (4, 3), init_kwargs={"bin_boundaries": [-0.5, 0.0, 0.5], "output_mode": "one_hot"},
                   expected_output_shape=(4, 3, 4), expected_num_trainable_weights=0, check_gradients=False,
                   check_float16=False)
    out = rk.layer_discretization(rk.keras_input((3,)), bin_boundaries=[0.0])
    assert out.dtype == "int32"


@pytest.mark.parametrize("kwargs,match", [
    ({}, "bin_boundaries"),
    ({"bin_boundaries": [0.0], "num_bins": 3}, "not both"),
    ({"bin_boundaries": [1.0, 0.0]}, "sorted"),
    ({"num_bins": -1}, "num_bins"),
    ({"num_bins": 3, "epsilon": 0}, "epsilon"),
    ({"num_bins": 3, "output_mode": "tf_idf"}, "output_mode"),
    ({"num_bins": 3, "sparse": True}, "sparse"),
])
def test_discretization_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rk.layer_discretization(**kwargs)


def test_discretization_needs_boundaries_and_adapts_only_with_num_bins():
    with pytest.raises(ValueError, match="adapt"):
        rk.layer_discretization(num_bins=3)(np.ones((2, 2)))
    with pytest.raises(ValueError, match="num_bins"):
        rk.adapt(rk.layer_discretization(bin_boundaries=[0.0]), np.ones((2, 2)))


# --------------------------------------------------------------------------------------------- Pipeline
def test_pipeline_applies_layers_in_turn_and_matches_keras():
    x = np.random.default_rng(6).uniform(0, 255, size=(2, 8, 8, 3)).astype("float32")
    pipe = rk.layer_pipeline([rk.layer_rescaling(scale=1 / 255), rk.layer_center_crop(height=6, width=4)])
    kpipe = keras.layers.Pipeline([keras.layers.Rescaling(1 / 255), keras.layers.CenterCrop(6, 4)])
    np.testing.assert_allclose(pipe(x), np.asarray(kpipe(x)), rtol=1e-6)
    assert pipe.compute_output_shape((None, 8, 8, 3)) == (None, 6, 4, 3)
    out = pipe(rk.keras_input((8, 8, 3)))
    assert out.shape == (None, 6, 4, 3)


def test_pipeline_trains_its_layers_and_its_gradients_match_finite_differences():
    from layer_harness import assert_close_grad, numeric_grad
    rk.set_random_seed(1)
    pipe = rk.layer_pipeline([rk.layer_dense(units=3, activation="tanh", dtype="float64"),
                              rk.layer_dense(units=2, dtype="float64")])
    x = np.random.default_rng(7).normal(size=(4, 5))
    pipe(x)
    assert len(pipe.trainable_weights) == 4
    up = np.random.default_rng(8).normal(size=(4, 2))
    _, cache = pipe.forward(x, training=True)
    gx, gw = pipe.backward(cache, up)

    def loss():
        return float(np.sum(pipe.forward(x)[0] * up))
    assert_close_grad(gx, numeric_grad(loss, x))
    for v in pipe.trainable_weights:
        assert_close_grad(gw[v], numeric_grad(loss, v.value), what=v.path)
    # in a model, saved and loaded
    inp = rk.keras_input((5,))
    model = rk.keras_model(inp, pipe(inp))
    again = _pipeline_copy(pipe)
    np.testing.assert_allclose(again(x), pipe(x))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, up, epochs=2, verbose=0)


def _pipeline_copy(pipe):
    from rkeras.layers.preprocessing.pipeline import Pipeline
    again = Pipeline.from_config(pipe.get_config())
    again(np.zeros((1, 5)))
    again.set_weights(pipe.get_weights())
    return again


def test_pipeline_bad_arguments():
    with pytest.raises(TypeError, match="layers"):
        rk.layer_pipeline(rk.layer_dense(units=2))
    with pytest.raises(TypeError, match="layers"):
        rk.layer_pipeline()


def test_pipeline_keras_files_both_ways(tmp_path):
    inp = rk.keras_input((5,))
    pipe = rk.layer_pipeline([rk.layer_dense(units=3, activation="tanh"), rk.layer_dense(units=2)])
    model = rk.keras_model(inp, pipe(inp))
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    x = rng.normal(size=(4, 5)).astype("float32")
    rk.save_model(model, str(tmp_path / "rk.keras"))
    kmodel = keras.saving.load_model(str(tmp_path / "rk.keras"))
    np.testing.assert_allclose(np.asarray(kmodel.predict(x, verbose=0)), model.predict(x), rtol=1e-5, atol=1e-6)
    kmodel.set_weights([rng.normal(size=w.shape).astype("float32") for w in kmodel.get_weights()])
    kmodel.save(str(tmp_path / "k.keras"))
    back = rk.load_model(str(tmp_path / "k.keras"))
    np.testing.assert_allclose(back.predict(x), np.asarray(kmodel.predict(x, verbose=0)), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------------------------- IntegerLookup
# Keras runs IntegerLookup through TensorFlow only (absent here): the expected numbers are those of Keras'
# documented examples (keras/src/layers/preprocessing/integer_lookup.py).
VOCAB = [12, 36, 1138, 42]


def test_integer_lookup_documented_examples():
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    np.testing.assert_array_equal(rk.layer_integer_lookup(data, vocabulary=VOCAB), [[1, 3, 4], [4, 0, 2]])
    layer = rk.layer_integer_lookup() | rk.adapt(data)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(layer(data), [[5, 2, 1], [1, 3, 4]])
    np.testing.assert_array_equal(
        rk.layer_integer_lookup(np.array([[12, 1138, 42], [37, 1000, 36]]), vocabulary=VOCAB, num_oov_indices=2),
        [[2, 4, 5], [1, 0, 3]])
    np.testing.assert_array_equal(
        rk.layer_integer_lookup(np.array([12, 36, 1138, 42, 7]), vocabulary=VOCAB, output_mode="one_hot"),
        np.eye(5)[[1, 2, 3, 4, 0]])
    data2 = np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])
    np.testing.assert_array_equal(rk.layer_integer_lookup(data2, vocabulary=VOCAB, output_mode="multi_hot"),
                                  [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    np.testing.assert_array_equal(rk.layer_integer_lookup(data2, vocabulary=VOCAB, output_mode="count"),
                                  [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    np.testing.assert_allclose(rk.layer_integer_lookup(data2, vocabulary=VOCAB, output_mode="tf_idf",
                                                       idf_weights=[0.25, 0.75, 0.6, 0.4]),
                               [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(rk.layer_integer_lookup(data2, vocabulary=[-1] + VOCAB, output_mode="tf_idf",
                                                       idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4]),
                               [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    inverse = rk.layer_integer_lookup(vocabulary=VOCAB, invert=True)
    np.testing.assert_array_equal(inverse(np.array([[1, 3, 4], [4, 0, 2]])), [[12, 1138, 42], [42, -1, 36]])
    forward = rk.layer_integer_lookup(vocabulary=VOCAB)
    i_layer = rk.layer_integer_lookup(vocabulary=forward.get_vocabulary(), invert=True)
    np.testing.assert_array_equal(i_layer(forward(data)), [[12, 1138, 42], [42, -1, 36]])


def test_integer_lookup_mask_token_max_tokens_and_tf_idf_adapt():
    layer = rk.layer_integer_lookup(vocabulary=VOCAB, mask_token=0)
    np.testing.assert_array_equal(layer(np.array([[12, 0, 7]])), [[2, 0, 1]])
    assert layer.get_vocabulary()[:2] == [0, -1]
    docs = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4]])
    small = rk.layer_integer_lookup(max_tokens=3) | rk.adapt(docs)
    assert small.get_vocabulary() == [-1, 3, 2]
    tfidf = rk.layer_integer_lookup(output_mode="tf_idf") | rk.adapt(docs)
    w = {t: np.log(1 + 3 / (1 + d)) for t, d in {3: 2, 2: 2, 4: 1, 1: 1}.items()}
    expected_idf = [np.mean(list(w.values()))] + [w[t] for t in tfidf.get_vocabulary()[1:]]
    np.testing.assert_allclose(tfidf.idf, expected_idf)
    np.testing.assert_allclose(tfidf(np.array([[3, 3, 9]]))[0], np.array([1, 2, 0, 0, 0]) * expected_idf, rtol=1e-6)
    padded = rk.layer_integer_lookup(vocabulary=VOCAB, output_mode="multi_hot", max_tokens=8, pad_to_max_tokens=True)
    assert padded(np.array([[12]])).shape == (1, 8)
    again = type(tfidf).from_config(tfidf.get_config())
    np.testing.assert_array_equal(again(docs), tfidf(docs))


def test_integer_lookup_in_a_model():
    inp = rk.keras_input((3,), dtype="int32")
    out = rk.layer_integer_lookup(inp, vocabulary=VOCAB, output_mode="multi_hot")
    assert out.shape == (None, 5)
    model = rk.keras_model(inp, rk.layer_dense(out, units=1))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.array([[12, 36, 5]] * 8, "int32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    ids = rk.layer_integer_lookup(rk.keras_input((3,), dtype="int32"), vocabulary=VOCAB)
    assert ids.dtype == "int64" and ids.shape == (None, 3)


@pytest.mark.parametrize("kwargs,match", [
    ({"output_mode": "binary"}, "output_mode"),
    ({"num_oov_indices": -1}, "num_oov_indices"),
    ({"invert": True, "output_mode": "count"}, "invert"),
    ({"vocabulary": [1, 1]}, "once"),
    ({"vocabulary": [1, 2, 3], "max_tokens": 2}, "max_tokens"),
    ({"vocabulary": [1, 2], "output_mode": "tf_idf"}, "idf_weights"),
    ({"vocabulary": [1, 2], "idf_weights": [1.0, 1.0]}, "idf_weights"),
    ({"pad_to_max_tokens": True}, "max_tokens"),
    ({"vocabulary_dtype": "int32"}, "vocabulary_dtype"),
    ({"sparse": True}, "sparse"),
])
def test_integer_lookup_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rk.layer_integer_lookup(**kwargs)


def test_integer_lookup_bad_use():
    with pytest.raises(ValueError, match="OOV"):
        rk.layer_integer_lookup(np.array([5]), vocabulary=VOCAB, num_oov_indices=0)
    with pytest.raises(ValueError, match="vocabulary"):
        rk.adapt(rk.layer_integer_lookup(vocabulary=VOCAB), np.array([1, 2]))
    with pytest.raises(ValueError, match="vocabulary"):
        rk.layer_integer_lookup(np.array([1]), output_mode="count")


# --------------------------------------------------------------------------------------------- StringLookup
# Keras' documented examples (keras/src/layers/preprocessing/string_lookup.py): Keras needs TensorFlow here.
SVOCAB = ["a", "b", "c", "d"]


def test_string_lookup_documented_examples():
    data = [["a", "c", "d"], ["d", "z", "b"]]
    np.testing.assert_array_equal(rk.layer_string_lookup(data, vocabulary=SVOCAB), [[1, 3, 4], [4, 0, 2]])
    layer = rk.layer_string_lookup() | rk.adapt(np.array(data))
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    np.testing.assert_array_equal(layer(data), [[5, 3, 1], [1, 2, 4]])
    np.testing.assert_array_equal(rk.layer_string_lookup(["a", "b", "c", "d", "z"], vocabulary=SVOCAB,
                                                         output_mode="one_hot"), np.eye(5)[[1, 2, 3, 4, 0]])
    data2 = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    np.testing.assert_array_equal(rk.layer_string_lookup(data2, vocabulary=SVOCAB, output_mode="multi_hot"),
                                  [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    np.testing.assert_array_equal(rk.layer_string_lookup(data2, vocabulary=SVOCAB, output_mode="count"),
                                  [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    tfidf = rk.layer_string_lookup(output_mode="tf_idf")
    tfidf.set_vocabulary(SVOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tfidf(data2), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    tfidf.set_vocabulary(["[UNK]"] + SVOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tfidf(data2), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    inverse = rk.layer_string_lookup(vocabulary=SVOCAB, invert=True)
    np.testing.assert_array_equal(inverse(np.array([[1, 3, 4], [4, 0, 2]])), [["a", "c", "d"], ["d", "[UNK]", "b"]])


def test_string_lookup_bytes_objects_mask_and_config():
    layer = rk.layer_string_lookup(vocabulary=SVOCAB, mask_token="")
    np.testing.assert_array_equal(layer(np.array([[b"a", b""], [b"d", b"q"]])), [[2, 0], [5, 1]])
    np.testing.assert_array_equal(layer(np.array([["b", None]], dtype=object)[:, :1]), [[3]])
    again = type(layer).from_config(layer.get_config())
    assert again.get_vocabulary() == layer.get_vocabulary() == ["", "[UNK]"] + SVOCAB


@pytest.mark.parametrize("kwargs,match", [
    ({"num_oov_indices": 2}, "num_oov_indices"),
    ({"vocabulary": ["a", "a"]}, "once"),
    ({"vocabulary": "abc"}, "vocabulary"),
    ({"oov_token": 3}, "oov_token"),
    ({"encoding": "nope"}, "encoding"),
    ({"vocabulary_dtype": "int64"}, "vocabulary_dtype"),
])
def test_string_lookup_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rk.layer_string_lookup(**kwargs)


def test_string_lookup_refuses_numbers_and_unknowns_without_oov():
    with pytest.raises(TypeError, match="strings"):
        rk.layer_string_lookup(vocabulary=SVOCAB)(np.array([1, 2]))
    with pytest.raises(ValueError, match="OOV"):
        rk.layer_string_lookup(["q"], vocabulary=SVOCAB, num_oov_indices=0)


# --------------------------------------------------------------------------------------------- TextVectorization
# Keras' documented examples (keras/src/layers/preprocessing/text_vectorization.py); Keras needs TensorFlow here.
def test_text_vectorization_documented_examples():
    layer = rk.layer_text_vectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer | rk.adapt(["foo bar", "bar baz", "baz bada boom"])
    np.testing.assert_array_equal(layer([["foo qux bar"], ["qux baz"]]), [[4, 1, 3, 0], [1, 2, 0, 0]])
    given = rk.layer_text_vectorization(max_tokens=5000, output_sequence_length=4,
                                        vocabulary=["earth", "wind", "and", "fire"])
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]


def test_text_vectorization_standardize_split_ngrams_and_padding():
    layer = rk.layer_text_vectorization(vocabulary=["hello", "world", "hello world"], ngrams=2)
    out = layer(np.array(["Hello, World!", "hello there world"]))
    # 1-grams then 2-grams, padded to the longest sample (5 tokens)
    np.testing.assert_array_equal(out, [[2, 3, 4, 0, 0], [2, 1, 3, 1, 1]])
    chars = rk.layer_text_vectorization(split="character", standardize="lower", vocabulary=["a", "b"])
    np.testing.assert_array_equal(chars(["AbC"]), [[2, 3, 1]])
    whole = rk.layer_text_vectorization(split=None, standardize=None, vocabulary=["Yes", "no"], output_mode="one_hot")
    np.testing.assert_array_equal(whole(["no", "Yes", "maybe"]), np.eye(3)[[2, 1, 0]])
    custom = rk.layer_text_vectorization(standardize=lambda s: s.replace("-", " "), split=lambda s: s.split(" "),
                                         vocabulary=["a", "b"], output_sequence_length=2)
    np.testing.assert_array_equal(custom(["a-b-c"]), [[2, 3]])


def test_text_vectorization_vector_modes_and_tf_idf_adapt():
    docs = ["the cat sat", "the dog sat down", "a cat"]
    layer = rk.layer_text_vectorization(output_mode="multi_hot") | rk.adapt(docs)
    vocab = layer.get_vocabulary()
    assert vocab[0] == "[UNK]" and set(vocab[1:]) == {"the", "cat", "sat", "dog", "down", "a"}
    assert vocab[1:4] == ["the", "sat", "cat"]  # count 2 each: reverse order of the strings
    np.testing.assert_array_equal(layer(["cat zebra"])[0], [1] + [t == "cat" for t in vocab[1:]])
    counts = rk.layer_text_vectorization(output_mode="count", vocabulary=vocab[1:])
    np.testing.assert_array_equal(counts(["cat cat dog"])[0], [0] + [{"cat": 2, "dog": 1}.get(t, 0) for t in vocab[1:]])
    tfidf = rk.layer_text_vectorization(output_mode="tf_idf") | rk.adapt(docs)
    doc_freq = {"the": 2, "cat": 2, "sat": 2, "dog": 1, "down": 1, "a": 1}
    idf = [np.log(1 + 3 / (1 + doc_freq[t])) for t in tfidf.get_vocabulary()[1:]]
    np.testing.assert_allclose(tfidf(["cat cat"])[0], [0] + [2 * w if t == "cat" else 0
                                                              for t, w in zip(tfidf.get_vocabulary()[1:], idf)],
                               rtol=1e-6)
    again = type(tfidf).from_config(tfidf.get_config())
    np.testing.assert_allclose(again(docs), tfidf(docs))


def test_text_vectorization_feeds_a_model():
    layer = rk.layer_text_vectorization(output_sequence_length=5) | rk.adapt(["good movie", "bad movie", "great"])
    ids = layer(["good movie", "bad", "great great"])
    inp = rk.keras_input((5,), dtype="int64")
    x = rk.layer_embedding(inp, input_dim=layer.vocabulary_size(), output_dim=4, mask_zero=True)
    model = rk.keras_model(inp, rk.layer_dense(rk.layer_global_average_pooling_1d(x), units=1))
    model.compile(optimizer="adam", loss="mse")
    model.fit(ids, np.ones((3, 1), "float32"), epochs=2, verbose=0)


@pytest.mark.parametrize("kwargs,match", [
    ({"standardize": "upper"}, "standardize"),
    ({"split": "comma"}, "split"),
    ({"ngrams": 0}, "ngrams"),
    ({"ngrams": 2, "split": None}, "split"),
    ({"output_mode": "multi_hot", "output_sequence_length": 3}, "output_sequence_length"),
    ({"ragged": True}, "ragged"),
    ({"output_mode": "binary"}, "output_mode"),
])
def test_text_vectorization_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rk.layer_text_vectorization(**kwargs)


def test_text_vectorization_bad_inputs():
    layer = rk.layer_text_vectorization(vocabulary=["a"])
    with pytest.raises(ValueError, match="rank"):
        layer(np.array([["a b", "c"]]))
    with pytest.raises(ValueError, match="vocabulary"):
        rk.adapt(layer, ["a b"])
    with pytest.raises(ValueError, match="vocabulary"):
        rk.layer_text_vectorization(output_mode="count")(["a"])


# --------------------------------------------------------------------------------------------- hashing
# Keras hashes through TensorFlow's FarmHash Fingerprint64 (absent here): rkeras' Fingerprint64 is checked against
# reference values from pyfarmhash 0.5.1 (every branch: lengths 0-16, 17-32, 33-64, and the 64-byte loop), the
# layers against Keras' documented examples.
FARMHASH_REFERENCE = {  # fingerprint64 of bytes((7 * i + n) % 256 for i in range(n))
    0: 11160318154034397263, 1: 5161771770385946686, 2: 17348493801328108482, 3: 4662423180930907492,
    4: 13909349088106176104, 7: 17233423938440663304, 8: 12627020141284786728, 9: 15889908196168497750,
    15: 3575310498258597009, 16: 9887023220782602712, 17: 16960068419638019727, 24: 6496452274876097831,
    31: 12025085129596068594, 32: 3992320350721670009, 33: 12457070707786611405, 48: 6533401170048065422,
    63: 15038265055984948585, 64: 11083064061832698092, 65: 444801980686921533, 100: 10952504393083410351,
    127: 5926385096735868780, 128: 15838856113771212233, 129: 5067021833811671751, 191: 18128375522594448943,
    192: 2449078334170002338, 193: 13836299367280233082, 300: 13110221519668930530,
}


def test_fingerprint64_matches_farmhash():
    from rkeras.layers.preprocessing.fingerprint import fingerprint64
    for n, expected in FARMHASH_REFERENCE.items():
        assert fingerprint64(bytes((7 * i + n) % 256 for i in range(n))) == expected, n
    assert fingerprint64("héllo wörld".encode()) == 9001971122424596627
    assert fingerprint64(b"12345") == 16550883754376084728
    assert fingerprint64(b"-7") == 9381026191229130062


def test_hashing_documented_examples_and_integers():
    np.testing.assert_array_equal(rk.layer_hashing([["A"], ["B"], ["C"], ["D"], ["E"]], num_bins=3),
                                  [[1], [0], [1], [1], [2]])
    np.testing.assert_array_equal(rk.layer_hashing([["A"], ["B"], [""], ["C"], ["D"]], num_bins=3, mask_value=""),
                                  [[1], [1], [0], [2], [2]])
    # integers are hashed as their decimal text (TensorFlow's as_string), floats truncated first
    ints = rk.layer_hashing(np.array([[12345], [-7]]), num_bins=1000)
    np.testing.assert_array_equal(ints, [[16550883754376084728 % 1000], [9381026191229130062 % 1000]])
    np.testing.assert_array_equal(rk.layer_hashing(np.array([[12345.9]]), num_bins=1000), ints[:1])
    np.testing.assert_array_equal(rk.layer_hashing(np.array([[0], [12345]]), num_bins=10, mask_value=0)[:, 0],
                                  [0, 16550883754376084728 % 9 + 1])
    multi = rk.layer_hashing([["A", "C"], ["B", "B"]], num_bins=3, output_mode="count")
    np.testing.assert_array_equal(multi, [[0, 2, 0], [2, 0, 0]])
    assert rk.layer_hashing(rk.keras_input((2,), dtype="int32"), num_bins=4).dtype == "int64"


def test_hashed_crossing_documented_examples():
    feat1, feat2 = np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])
    np.testing.assert_array_equal(rk.layer_hashed_crossing([feat1, feat2], num_bins=5), [1, 4, 1, 1, 3])
    np.testing.assert_array_equal(rk.layer_hashed_crossing([feat1, feat2], num_bins=5, output_mode="one_hot"),
                                  np.eye(5)[[1, 4, 1, 1, 3]])
    col = rk.layer_hashed_crossing([feat1[:, None], feat2[:, None]], num_bins=5)
    np.testing.assert_array_equal(col, [[1], [4], [1], [1], [3]])
    layer = rk.layer_hashed_crossing(num_bins=5)
    assert type(layer).from_config(layer.get_config()).num_bins == 5


@pytest.mark.parametrize("make,match", [
    (lambda: rk.layer_hashing(), "num_bins"),
    (lambda: rk.layer_hashing(num_bins=3, salt=133), "salt"),
    (lambda: rk.layer_hashing(num_bins=3, output_mode="tf_idf"), "output_mode"),
    (lambda: rk.layer_hashing(num_bins=3, mask_value=1.5), "mask_value"),
    (lambda: rk.layer_hashed_crossing(num_bins=0), "num_bins"),
    (lambda: rk.layer_hashed_crossing(num_bins=3, output_mode="multi_hot"), "output_mode"),
    (lambda: rk.layer_hashed_crossing([np.array(["a"])], num_bins=3), "two"),
    (lambda: rk.layer_hashed_crossing([np.array(["a", "b"]), np.array([1])], num_bins=3), "shape"),
    (lambda: rk.layer_hashed_crossing([np.array([0.5]), np.array([1])], num_bins=3), "strings or integers"),
])
def test_hashing_errors(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()
