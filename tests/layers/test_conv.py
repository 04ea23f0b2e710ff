"""Conv1D / Conv2D: against an independent float64 loop twin, finite differences, both data formats,
the three computation paths (tiled implicit GEMM, im2col + BLAS, direct loops), kernels against their numpy twins, errors."""

import numpy as np
import pytest
from layer_harness import assert_close_grad, numeric_grad, run_layer_test

from rkeras.api.layers_convolutional import layer_conv_1d, layer_conv_2d
from rkeras.core.symbolic import keras_input
from rkeras.kernels import conv as kernels
from rkeras.kernels import conv_reference as twins
from rkeras.layers.convolutional.conv1d import Conv1D
from rkeras.layers.convolutional.conv2d import Conv2D
from rkeras.models.sequential import keras_model_sequential
from rkeras.training.vjp import vjp


# --------------------------------------------------------------------------------------------- the twin
def conv2d_twin(x, kernel, bias, strides, dilation, padding, groups=1):
    """Plain loops in float64 over a channels-last batch: the definition of Keras' convolution."""
    x = np.asarray(x, np.float64)
    kernel = np.asarray(kernel, np.float64)
    n, h, w, _ = x.shape
    kh, kw, cg, f = kernel.shape
    fg = f // groups
    sizes, pads = [], []
    for size, k, s, d in ((h, kh, strides[0], dilation[0]), (w, kw, strides[1], dilation[1])):
        span = (k - 1) * d + 1
        if padding == "valid":
            sizes.append((size - span) // s + 1)
            pads.append(0)
        elif padding == "causal":
            sizes.append((size - 1) // s + 1)
            pads.append(span - 1)
        else:  # same: TensorFlow's rule
            out = -(-size // s)
            sizes.append(out)
            pads.append(max((out - 1) * s + span - size, 0) // 2)
    y = np.zeros((n, sizes[0], sizes[1], f))
    for b in range(n):
        for oh in range(sizes[0]):
            for ow in range(sizes[1]):
                for o in range(f):
                    g = o // fg
                    total = 0.0 if bias is None else float(bias[o])
                    for i in range(kh):
                        r = oh * strides[0] - pads[0] + i * dilation[0]
                        for j in range(kw):
                            q = ow * strides[1] - pads[1] + j * dilation[1]
                            if 0 <= r < h and 0 <= q < w:
                                for ci in range(cg):
                                    total += x[b, r, q, g * cg + ci] * kernel[i, j, ci, o]
                    y[b, oh, ow, o] = total
    return y


def _layer(cls, path, **kwargs):
    layer = cls(**kwargs)
    layer.conv_path = path
    return layer


def _random_weights(layer, rng):
    for v in layer.weights:
        v.assign(rng.normal(size=v.shape))


# (input spatial shape, kernel_size, strides, dilation, padding)
CASES_2D = [
    ((5, 7), (3, 3), (1, 1), (1, 1), "valid"),
    ((5, 7), (3, 2), (2, 2), (1, 1), "valid"),
    ((7, 6), (3, 3), (1, 1), (2, 2), "valid"),
    ((5, 7), (3, 3), (1, 1), (1, 1), "same"),
    ((6, 7), (2, 4), (2, 2), (1, 1), "same"),      # even kernel, odd padding: the extra zero after
    ((7, 5), (3, 2), (1, 1), (2, 1), "same"),
    ((5, 5), (1, 1), (2, 1), (1, 1), "valid"),
]


@pytest.mark.parametrize("path", ["tiled", "im2col", "direct"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("spatial,ksize,strides,dilation,padding", CASES_2D)
def test_conv2d_forward_matches_twin(spatial, ksize, strides, dilation, padding, data_format, path):
    rng = np.random.default_rng(0)
    x_cl = rng.normal(size=(2,) + spatial + (3,))
    x = x_cl if data_format == "channels_last" else np.moveaxis(x_cl, -1, 1)
    for dtype, tol in (("float64", 1e-12), ("float32", 2e-5)):
        layer = _layer(Conv2D, path, filters=4, kernel_size=ksize, strides=strides, dilation_rate=dilation,
                       padding=padding, data_format=data_format, dtype=dtype)
        y = layer(x.astype(dtype))
        _random_weights(layer, rng)
        y = layer(x.astype(dtype))
        ref = conv2d_twin(x_cl.astype(dtype), layer.kernel.numpy(), layer.bias.numpy(), strides, dilation, padding)
        if data_format == "channels_first":
            ref = np.moveaxis(ref, -1, 1)
        assert y.dtype == np.dtype(dtype) and y.shape == ref.shape == layer.compute_output_shape(x.shape)
        np.testing.assert_allclose(y, ref, rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("path", ["tiled", "im2col", "direct"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("spatial,ksize,strides,dilation,padding", [CASES_2D[i] for i in (0, 2, 4, 5)])
def test_conv2d_gradients_by_finite_differences(spatial, ksize, strides, dilation, padding, data_format, path):
    rng = np.random.default_rng(1)
    shape = (2,) + spatial + (2,) if data_format == "channels_last" else (2, 2) + spatial
    layer = _layer(Conv2D, path, filters=3, kernel_size=ksize, strides=strides, dilation_rate=dilation,
                   padding=padding, data_format=data_format, activation="tanh", dtype="float64")
    x = rng.normal(size=shape)
    layer(x)
    _random_weights(layer, rng)
    up = rng.normal(size=layer.compute_output_shape(shape))
    _, dx, grads = vjp(layer, x, up)

    def loss():
        return np.sum(layer(x) * up)

    assert_close_grad(dx, numeric_grad(loss, x), 1e-7, "input gradient")
    assert_close_grad(grads[layer.kernel.path], numeric_grad(loss, layer.kernel.value), 1e-7, "kernel gradient")
    assert_close_grad(grads[layer.bias.path], numeric_grad(loss, layer.bias.value), 1e-7, "bias gradient")


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_both_paths_agree_on_a_larger_batch(data_format):
    rng = np.random.default_rng(2)
    shape = (4, 9, 8, 5) if data_format == "channels_last" else (4, 5, 9, 8)
    x = rng.normal(size=shape).astype("float32")
    layers = [_layer(Conv2D, path, filters=6, kernel_size=3, padding="same", strides=2, data_format=data_format)
              for path in ("tiled", "im2col", "direct")]
    for layer in layers:
        layer.build(shape)
        layer.set_weights(layers[0].get_weights())
    up = rng.normal(size=layers[0].compute_output_shape(shape)).astype("float32")
    (y0, dx0, g0), *others = [vjp(layer, x, up) for layer in layers]
    for other, (y1, dx1, g1) in zip(layers[1:], others):
        np.testing.assert_allclose(y0, y1, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(dx0, dx1, rtol=1e-5, atol=1e-5)
        for w0, w1 in zip(layers[0].trainable_weights, other.trainable_weights):
            np.testing.assert_allclose(g0[w0.path], g1[w1.path], rtol=1e-4, atol=1e-4)


def test_channels_first_is_the_transposed_channels_last():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 6, 5, 4))
    cl = Conv2D(filters=2, kernel_size=(2, 3), padding="same", dtype="float64")
    cf = Conv2D(filters=2, kernel_size=(2, 3), padding="same", data_format="channels_first", dtype="float64")
    y_cl = cl(x)
    cf(np.moveaxis(x, -1, 1))
    cf.set_weights(cl.get_weights())
    np.testing.assert_allclose(cf(np.moveaxis(x, -1, 1)), np.moveaxis(y_cl, -1, 1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("path", ["tiled", "im2col", "direct"])
def test_conv2d_harness(path):
    run_layer_test(lambda **kw: _layer(Conv2D, path, **kw), (2, 5, 4, 3),
                   init_kwargs={"filters": 2, "kernel_size": (3, 2), "padding": "same", "activation": "relu"},
                   expected_output_shape=(2, 5, 4, 2), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0, supports_masking=False,
                   mask=np.ones((2, 5, 4), dtype=bool), grad_tol=1e-6)


def test_grouped_convolution():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 5, 5, 4))
    layer = Conv2D(filters=6, kernel_size=3, groups=2, padding="same", dtype="float64")
    layer(x)
    assert layer.kernel.shape == (3, 3, 2, 6)
    _random_weights(layer, rng)
    ref = conv2d_twin(x, layer.kernel.numpy(), layer.bias.numpy(), (1, 1), (1, 1), "same", groups=2)
    np.testing.assert_allclose(layer(x), ref, rtol=1e-12, atol=1e-12)
    up = rng.normal(size=ref.shape)
    _, dx, grads = vjp(layer, x, up)
    loss = lambda: np.sum(layer(x) * up)
    assert_close_grad(dx, numeric_grad(loss, x), 1e-7, "input gradient")
    assert_close_grad(grads[layer.kernel.path], numeric_grad(loss, layer.kernel.value), 1e-7, "kernel gradient")


# --------------------------------------------------------------------------------------------- Conv1D
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding,strides,dilation", [("valid", 1, 1), ("valid", 2, 1), ("same", 1, 2),
                                                      ("same", 2, 1), ("causal", 1, 2), ("causal", 2, 1)])
def test_conv1d_matches_twin_and_finite_differences(padding, strides, dilation, data_format):
    rng = np.random.default_rng(5)
    x_cl = rng.normal(size=(2, 9, 3))
    x = x_cl if data_format == "channels_last" else np.moveaxis(x_cl, -1, 1)
    layer = Conv1D(filters=2, kernel_size=3, strides=strides, dilation_rate=dilation, padding=padding,
                   data_format=data_format, dtype="float64")
    layer(x)
    _random_weights(layer, rng)
    ref = conv2d_twin(x_cl[:, None], layer.kernel.numpy()[None], layer.bias.numpy(), (1, strides), (1, dilation),
                      padding)[:, 0]
    if data_format == "channels_first":
        ref = np.moveaxis(ref, -1, 1)
    y = layer(x)
    assert y.shape == ref.shape == layer.compute_output_shape(x.shape)
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    up = rng.normal(size=y.shape)
    _, dx, grads = vjp(layer, x, up)
    loss = lambda: np.sum(layer(x) * up)
    assert_close_grad(dx, numeric_grad(loss, x), 1e-7, "input gradient")
    assert_close_grad(grads[layer.kernel.path], numeric_grad(loss, layer.kernel.value), 1e-7, "kernel gradient")


def test_causal_output_does_not_see_the_future():
    rng = np.random.default_rng(6)
    layer = Conv1D(filters=1, kernel_size=3, dilation_rate=2, padding="causal", dtype="float64")
    x = rng.normal(size=(1, 10, 1))
    y = layer(x)
    x2 = x.copy()
    x2[0, 6:] += 1.0
    np.testing.assert_array_equal(layer(x2)[0, :6], y[0, :6])


def test_conv1d_harness_and_mask_is_dropped():
    mask = np.array([[True, True, True, False, False, False, False], [True] * 7])
    run_layer_test(Conv1D, (2, 7, 3), init_kwargs={"filters": 4, "kernel_size": 2, "strides": 2},
                   expected_output_shape=(2, 3, 4), supports_masking=False, mask=mask)
    assert Conv1D(filters=1, kernel_size=1).compute_mask(np.ones((2, 7, 3)), mask) is None


# --------------------------------------------------------------------------------------------- kernels
@pytest.mark.parametrize("channels_first", [False, True])
@pytest.mark.parametrize("geometry", [(1, 1, 1, 1, 0, 0), (2, 1, 1, 1, 1, 0), (1, 2, 2, 1, 2, 1), (2, 2, 1, 1, 1, 1)])
def test_kernels_match_numpy_twins(channels_first, geometry):
    sh, sw, dh, dw, pt, pl = geometry
    rng = np.random.default_rng(7)
    n, h, w, c, f, kh, kw = 2, 6, 5, 3, 4, 3, 2
    oh = (h + 2 * pt - (kh - 1) * dh - 1) // sh + 1
    ow = (w + 2 * pl - (kw - 1) * dw - 1) // sw + 1
    x = rng.normal(size=(n, c, h, w) if channels_first else (n, h, w, c))
    k = rng.normal(size=(kh, kw, c, f))
    g = rng.normal(size=(n, oh, ow, f))
    cols, cols_ref = np.empty((n, oh, ow, kh, kw, c)), np.empty((n, oh, ow, kh, kw, c))
    kernels.im2col(x, channels_first, sh, sw, dh, dw, pt, pl, cols)
    twins.im2col(x, channels_first, sh, sw, dh, dw, pt, pl, cols_ref)
    np.testing.assert_array_equal(cols, cols_ref)
    dcols = rng.normal(size=cols.shape)
    dx, dx_ref = np.empty_like(x), np.empty_like(x)
    kernels.col2im(dcols, channels_first, sh, sw, dh, dw, pt, pl, dx)
    twins.col2im(dcols, channels_first, sh, sw, dh, dw, pt, pl, dx_ref)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)
    out, out_ref = np.full((n, oh, ow, f), 0.5), np.full((n, oh, ow, f), 0.5)
    kernels.direct_forward(x, channels_first, k, sh, sw, dh, dw, pt, pl, out)
    twins.direct_forward(x, channels_first, k, sh, sw, dh, dw, pt, pl, out_ref)
    np.testing.assert_allclose(out, out_ref, rtol=1e-12, atol=1e-12)
    dk, dk_ref = np.empty_like(k), np.empty_like(k)
    kernels.direct_grad_kernel(x, channels_first, g, sh, sw, dh, dw, pt, pl, dk)
    twins.direct_grad_kernel(x, channels_first, g, sh, sw, dh, dw, pt, pl, dk_ref)
    np.testing.assert_allclose(dk, dk_ref, rtol=1e-12, atol=1e-12)
    kernels.direct_grad_input(g, channels_first, k, sh, sw, dh, dw, pt, pl, dx)
    twins.direct_grad_input(g, channels_first, k, sh, sw, dh, dw, pt, pl, dx_ref)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)


def test_nan_propagates_through_both_paths():
    x = np.ones((1, 4, 4, 1), dtype="float32")
    x[0, 0, 0, 0] = np.nan
    for path in ("tiled", "im2col", "direct"):
        y = _layer(Conv2D, path, filters=1, kernel_size=2)(x)
        assert np.isnan(y[0, 0, 0, 0]) and np.isfinite(y[0, 1:, 1:]).all()


# --------------------------------------------------------------------------------------------- API, dtypes
def test_wrappers_compose_like_r():
    model = keras_model_sequential(input_shape=(8, 8, 1)) | layer_conv_2d(filters=4, kernel_size=3)
    assert model.output_shape == (None, 6, 6, 4)
    assert layer_conv_2d(keras_input(shape=(None, 7, 2)), filters=3, kernel_size=(2, 2), strides=2).shape == \
        (None, None, 3, 3)
    assert layer_conv_1d(keras_input(shape=(3, None), dtype="float64"), filters=5, kernel_size=2,
                         data_format="channels_first").shape == (None, 5, None)
    y = layer_conv_1d(np.ones((2, 6, 1), dtype=np.int32), filters=2, kernel_size=3, padding="causal")
    assert y.shape == (2, 6, 2) and y.dtype == np.float32
    assert isinstance(layer_conv_2d(filters=1, kernel_size=1), Conv2D)


def test_config_round_trip_keeps_every_argument():
    layer = Conv2D(filters=3, kernel_size=(2, 3), strides=2, padding="SAME", data_format="channels_first",
                   activation="relu", use_bias=False, kernel_initializer="he_normal", kernel_regularizer="l2",
                   bias_constraint="non_neg", name="c")
    config = layer.get_config()
    assert config["kernel_size"] == (2, 3) and config["strides"] == (2, 2) and config["padding"] == "same"
    clone = Conv2D.from_config(config)
    assert clone.get_config() == config
    assert Conv1D.from_config(Conv1D(filters=1, kernel_size=3).get_config()).data_format == "channels_last"


def test_float16_is_computed_in_float32():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 5, 5, 2)).astype(np.float16)
    for path in ("tiled", "im2col", "direct"):
        layer = _layer(Conv2D, path, filters=2, kernel_size=3)
        y = layer(x)
        assert y.dtype == np.float16
        ref = conv2d_twin(x.astype(np.float64), layer.kernel.numpy(), layer.bias.numpy(), (1, 1), (1, 1), "valid")
        np.testing.assert_allclose(y.astype(np.float64), ref, rtol=5e-3, atol=5e-3)
        _, dx, _ = vjp(layer, x, np.ones(y.shape, np.float16))
        assert dx.dtype == np.float16


@pytest.mark.parametrize("kwargs,error,match", [
    ({"kernel_size": 3}, ValueError, "`filters` must be given"),
    ({"filters": 0, "kernel_size": 3}, ValueError, "`filters`.*>= 1.*0"),
    ({"filters": 2}, ValueError, "`kernel_size` must be given"),
    ({"filters": 2, "kernel_size": (3, 3, 3)}, ValueError, "`kernel_size`.*list of 2"),
    ({"filters": 2, "kernel_size": 3, "strides": 0}, ValueError, "`strides`.*>= 1"),
    ({"filters": 2, "kernel_size": 3, "padding": "full"}, ValueError, "`padding`.*'valid', 'same'.*'full'"),
    ({"filters": 2, "kernel_size": 3, "padding": "causal"}, ValueError, "`padding`.*'causal'"),
    ({"filters": 2, "kernel_size": 3, "data_format": "NHWC"}, ValueError, "`data_format`.*'NHWC'"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, ValueError, "`strides`.*`dilation_rate`"),
    ({"filters": 3, "kernel_size": 3, "groups": 2}, ValueError, "divisible by `groups`"),
    ({"filters": 2, "kernel_size": 3, "activation": "nope"}, ValueError, "`activation`.*'nope'"),
    ({"filters": 2, "kernel_size": 3, "use_bias": "yes"}, TypeError, "`use_bias`"),
    ({"filters": 2, "kernel_size": 3, "kernel_initializer": "nope"}, ValueError, "kernel_initializer"),
    ({"filters": 2, "kernel_size": 3, "activity_regularizer": "l2"}, ValueError, "activity_regularizer"),
    ({"filters": 2, "kernel_size": 2.5}, TypeError, "`kernel_size`"),
    ({"filters": 2, "kernel_size": 3, "foo": 1}, TypeError, "layer_conv_2d.*'foo'"),
])
def test_constructor_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        layer_conv_2d(**kwargs)


def test_call_errors():
    with pytest.raises(TypeError, match="layer_conv_2d"):
        layer_conv_2d(32, kernel_size=3)  # R's `model |> layer_conv_2d(32, 3)` needs names in Python
    layer = Conv2D(filters=2, kernel_size=3)
    with pytest.raises(ValueError, match="rank 4"):
        layer(np.ones((2, 5, 5)))
    with pytest.raises(ValueError, match="too small"):
        layer(np.ones((1, 2, 5, 1)))
    layer(np.ones((1, 5, 5, 1)))
    with pytest.raises(ValueError, match="built for inputs with 1 channels"):
        layer(np.ones((1, 5, 5, 2)))
    with pytest.raises(ValueError, match="`conv_path`"):
        _layer(Conv2D, "fft", filters=1, kernel_size=1)(np.ones((1, 2, 2, 1)))


def test_small_cnn_learns_the_digits():
    import rkeras as rk
    data = rk.dataset_digits()
    (x, y), (xt, yt) = data["train"], data["test"]
    x, xt = (x[..., None] / 16.0).astype("float32"), (xt[..., None] / 16.0).astype("float32")
    rk.set_random_seed(1)
    model = (rk.keras_model_sequential(input_shape=(8, 8, 1))
             | rk.layer_conv_2d(filters=16, kernel_size=3, activation="relu")
             | rk.layer_conv_2d(filters=32, kernel_size=3, activation="relu")
             | rk.layer_max_pooling_2d() | rk.layer_flatten() | rk.layer_dense(units=10, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    assert model.evaluate(xt, yt, verbose=0)["accuracy"] > 0.8  # about 0.9 after 4 epochs


def test_a_first_layer_skips_its_input_gradient_with_the_same_weight_gradients():
    """A training step asks the model for weight gradients only (`backward_weights`): the first conv layer
    skips its input gradient, and every weight gradient equals the full backward pass's."""
    from rkeras.models.functional import keras_model

    rng = np.random.default_rng(11)
    x = rng.normal(size=(3, 6, 6, 2)).astype("float32")
    seq = keras_model_sequential(input_shape=(6, 6, 2)) | layer_conv_2d(filters=3, kernel_size=3) \
        | layer_conv_2d(filters=2, kernel_size=2, strides=2)
    inp = keras_input(shape=(6, 6, 2))
    fun = keras_model(inp, layer_conv_2d(layer_conv_2d(inp, filters=3, kernel_size=3), filters=2, kernel_size=2))
    for model in (seq, fun):
        y, cache = model.forward(x, training=True)
        up = rng.normal(size=y.shape).astype("float32")
        dx, full = model.backward(cache, up)
        assert dx is not None and dx.shape == x.shape
        none, weights_only = model.backward(cache, up, input_gradients=False)
        assert none is None and set(weights_only) == set(full)
        for v, g in full.items():
            np.testing.assert_array_equal(weights_only[v], g)
        assert set(model.backward_weights(cache, up)) == set(full)
        first = model.layers[0] if model is seq else model.layers[1]
        y1, c1 = first.forward(x, training=True)
        g1 = rng.normal(size=y1.shape).astype("float32")
        _, w1 = first.backward(c1, g1)
        for v, g in first.backward_weights(c1, g1).items():
            np.testing.assert_array_equal(w1[v], g)
