"""Batch normalization: the shared layer harness, the float64 reference and finite differences."""

import numpy as np
import pytest
from layer_harness import numeric_grad, run_layer_test
from numerics import rel_err

import rkeras as rk
from rkeras.kernels.batch_norm_reference import batch_norm_ref
from rkeras.layers.normalization.batch_normalization import BatchNormalization

# (input shape, R axis, 0-based normalized axes)
CASES = [
    ((7, 5), -1, (1,)),
    ((6, 4), 2, (1,)),
    ((3, 5, 4), -1, (2,)),
    ((3, 5, 4), 2, (1,)),                # channels-first sequence
    ((2, 3, 4, 5), 2, (1,)),             # channels-first images: the man page's axis = 2
    ((2, 3, 4, 5), -1, (3,)),            # channels-last images
    ((2, 3, 4, 5), [2, 3], (1, 2)),      # several contiguous axes
    ((2, 3, 4, 5), [2, -1], (1, 3)),     # several non-contiguous axes
    ((2, 3, 2, 3, 4), 3, (2,)),          # rank 5, a middle axis
    ((5,), 1, (0,)),                     # rank 1 when axis says so
]


@pytest.mark.parametrize("shape,axis,mask", [
    ((5, 3, 4), -1, "mask"),              # sequences, a (batch, time) mask
    ((4, 3, 2, 2), 2, None),              # channels-first images
    ((4, 3, 2, 3), [2, -1], None),        # several non-contiguous axes (a transposed view)
])
@pytest.mark.parametrize("training", [True, False])
def test_shared_layer_harness(shape, axis, mask, training):
    """Build, shapes, weights, symbolic and model calls, config round trip, float16, masking, and gradients
    against finite differences in float64 (training: batch statistics; inference: moving statistics)."""
    if mask == "mask":
        mask = np.random.default_rng(3).random(shape[:2]) < 0.7
        mask[0, 0] = True
    run_layer_test(BatchNormalization, shape, init_kwargs={"axis": axis, "momentum": 0.5}, training=training,
                   expected_output_shape=(None,) + shape[1:], expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=2, supports_masking=True, mask=mask)


def test_shared_layer_harness_without_center_and_scale():
    run_layer_test(BatchNormalization, (6, 4), init_kwargs={"center": False, "scale": False},
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=2)


def _random_layer(shape, axis, dtype="float32", **kwargs):
    layer = BatchNormalization(axis=axis, dtype=dtype, momentum=0.9, **kwargs)
    layer.build(shape)
    rng = np.random.default_rng(1)
    for v in layer.weights:
        if v.name in ("gamma", "moving_variance"):
            v.assign(rng.uniform(0.5, 1.5, v.shape))
        else:
            v.assign(rng.normal(0, 0.5, v.shape))
    return layer


@pytest.mark.parametrize("shape,axis,axes", CASES)
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-11)])
def test_training_steps_and_gradients_match_reference(shape, axis, axes, dtype, tol):
    rng = np.random.default_rng(0)
    layer = _random_layer(shape, axis, dtype)
    mm, mv = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    for step in range(3):  # consecutive training calls accumulate the moving statistics
        # rank 1 normalizes each value alone (variance 0, scale 1/sqrt(epsilon)): keep it centred so
        # that float32 rounding of the folded x * a + b (Keras' form too) stays within the tolerance
        x = (rng.normal(0.0 if len(shape) == 1 else 3.0, 2.0, shape)).astype(dtype)
        g = rng.normal(size=shape).astype(dtype)
        y, dx, wg = rk.vjp(layer, x, g, training=True)
        ry, mm, mv, rdx, rdg, rdb = batch_norm_ref(x, axes, gamma, beta, mm, mv, 0.9, 1e-3, True, upstream=g)
        assert y.dtype == np.dtype(dtype) and dx.dtype == np.dtype(dtype)
        assert rel_err(y, ry, floor=1.0) <= tol
        assert rel_err(dx, rdx) <= tol * 10  # the input gradient sums over the batch
        assert rel_err(wg[layer.gamma.path], rdg) <= tol
        assert rel_err(wg[layer.beta.path], rdb) <= tol
        assert rel_err(layer.moving_mean.numpy(), mm) <= tol
        assert rel_err(layer.moving_variance.numpy(), mv) <= tol


@pytest.mark.parametrize("shape,axis,axes", CASES[:6])
def test_inference_uses_moving_statistics(shape, axis, axes):
    rng = np.random.default_rng(2)
    layer = _random_layer(shape, axis)
    before = [w.numpy() for w in layer.weights]
    x = rng.normal(1, 3, shape).astype("float32")
    g = rng.normal(size=shape).astype("float32")
    y, dx, wg = rk.vjp(layer, x, g, training=False)
    ry, _, _, rdx, rdg, rdb = batch_norm_ref(x, axes, before[0], before[1], before[2], before[3], training=False,
                                           upstream=g)
    assert rel_err(y, ry) <= 1e-5 and rel_err(dx, rdx) <= 1e-5
    assert rel_err(wg[layer.gamma.path], rdg) <= 1e-5 and rel_err(wg[layer.beta.path], rdb) <= 1e-5
    assert rel_err(layer(x), ry) <= 1e-5  # a concrete array: training defaults to False
    for w, b in zip(layer.weights, before):
        np.testing.assert_array_equal(w.numpy(), b)


@pytest.mark.parametrize("center,scale", [(False, True), (True, False), (False, False)])
def test_center_and_scale_off(center, scale):
    shape, rng = (6, 3, 4), np.random.default_rng(3)
    layer = BatchNormalization(axis=2, center=center, scale=scale)
    x = rng.normal(size=shape).astype("float32")
    g = rng.normal(size=shape).astype("float32")
    y, dx, wg = rk.vjp(layer, x, g)
    assert [v.name for v in layer.trainable_weights] == (["gamma"] if scale else []) + (["beta"] if center else [])
    ry, _, _, rdx, rdg, rdb = batch_norm_ref(x, (1,), upstream=g)
    assert rel_err(y, ry) <= 1e-5 and rel_err(dx, rdx) <= 1e-5
    assert set(wg) == {v.path for v in layer.trainable_weights}
    if scale:
        assert rel_err(wg[layer.gamma.path], rdg) <= 1e-5
    if center:
        assert rel_err(wg[layer.beta.path], rdb) <= 1e-5


@pytest.mark.parametrize("shape,axis,axes,mask_shape", [
    ((4, 6, 3), -1, (2,), (4, 6)),        # sequences, mask (batch, time)
    ((4, 3, 6), 2, (1,), (4, 6)),         # channels-first sequences
    ((4, 6, 3), -1, (2,), (1, 6)),        # broadcastable mask
])
def test_mask_excludes_positions_from_statistics(shape, axis, axes, mask_shape):
    rng = np.random.default_rng(4)
    layer = _random_layer(shape, axis)
    gamma, beta, mm, mv = (w.numpy() for w in layer.weights)
    mask = rng.random(mask_shape) < 0.7
    mask.flat[0] = True
    x = rng.normal(2, 1, shape).astype("float32")
    x_outlier = x.copy()
    g = rng.normal(size=shape).astype("float32")
    y, dx, wg = rk.vjp(layer, x, g, training=True, mask=mask)
    ry, rmm, rmv, rdx, rdg, rdb = batch_norm_ref(x, axes, gamma, beta, mm, mv, 0.9, 1e-3, True, mask=mask, upstream=g)
    assert rel_err(y, ry) <= 1e-5 and rel_err(dx, rdx) <= 1e-5
    assert rel_err(wg[layer.gamma.path], rdg) <= 1e-5 and rel_err(wg[layer.beta.path], rdb) <= 1e-5
    assert rel_err(layer.moving_mean.numpy(), rmm) <= 1e-5
    assert rel_err(layer.moving_variance.numpy(), rmv) <= 1e-5
    # masked positions do not count: changing them leaves the statistics of the batch unchanged
    full_mask = np.broadcast_to(mask, tuple(d for a, d in enumerate(shape) if a not in axes))
    idx = np.argwhere(~full_mask)
    if len(idx):
        for i in idx:
            sl = list(i)
            for a in axes:
                sl.insert(a, slice(None))
            x_outlier[tuple(sl)] = 1e4
        l2 = _random_layer(shape, axis)
        y2 = l2(x_outlier, training=True, mask=mask)
        unmasked = np.broadcast_to(np.expand_dims(full_mask, axes), shape)
        np.testing.assert_allclose(y2[unmasked], ry[unmasked], rtol=1e-4, atol=1e-5)


def test_float16_is_computed_in_float32_and_returned_as_float16():
    rng = np.random.default_rng(5)
    x = rng.normal(10, 2, (16, 8)).astype("float16")
    g = rng.normal(size=(16, 8)).astype("float16")
    layer = BatchNormalization()
    y, dx, wg = rk.vjp(layer, x, g)
    assert y.dtype == np.float16 and dx.dtype == np.float16
    ry, _, _, rdx, rdg, rdb = batch_norm_ref(x.astype(np.float64), (1,), upstream=g.astype(np.float64))
    assert rel_err(y, ry) <= 2e-3 and rel_err(dx, rdx) <= 2e-3
    assert wg[layer.gamma.path].dtype == np.float32 and rel_err(wg[layer.gamma.path], rdg) <= 2e-3
    assert rel_err(wg[layer.beta.path], rdb) <= 2e-3
    assert layer.gamma.dtype == np.float32


def test_non_contiguous_views():
    rng = np.random.default_rng(6)
    base = rng.normal(size=(8, 6, 10)).astype("float32")
    x = base[::2, :, ::3]  # strided view
    xt = base.transpose(0, 2, 1)  # transposed view
    for view, axis, axes in ((x, -1, (2,)), (xt, 2, (1,))):
        assert not view.flags.c_contiguous
        g = rng.normal(size=view.shape).astype("float32")
        y, dx, _ = rk.vjp(BatchNormalization(axis=axis), view, g)
        ry, _, _, rdx, _, _ = batch_norm_ref(view, axes, upstream=g)
        assert rel_err(y, ry) <= 1e-5 and rel_err(dx, rdx) <= 1e-5


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("use_mask", [False, True])
def test_gradients_agree_with_finite_differences(training, use_mask):
    rng = np.random.default_rng(7)
    shape = (4, 3, 5)
    x = rng.normal(size=shape)
    g = rng.normal(size=shape)
    mask = (rng.random((4, 3)) < 0.6) if use_mask else None
    if use_mask:
        mask[0, 0] = True
    layer = BatchNormalization(dtype="float64", momentum=0.5)
    layer.build(shape)
    layer.gamma.assign(rng.uniform(0.5, 2, 5))
    layer.beta.assign(rng.normal(size=5))
    layer.moving_variance.assign(rng.uniform(0.5, 2, 5))
    state = [layer.moving_mean.numpy(), layer.moving_variance.numpy()]

    def loss():
        for w, s in zip((layer.moving_mean, layer.moving_variance), state):  # same statistics each time
            w.assign(s)
        return float(np.sum(layer(x, training=training, mask=mask) * g))

    _, dx, wg = rk.vjp(layer, x, g, training=training, mask=mask)
    np.testing.assert_allclose(dx, numeric_grad(loss, x), rtol=1e-6, atol=1e-8)
    for var in (layer.gamma, layer.beta):
        np.testing.assert_allclose(wg[var.path], numeric_grad(loss, var.value), rtol=1e-6, atol=1e-8)


def test_trainable_false_means_inference_whatever_training_says():
    rng = np.random.default_rng(8)
    layer = BatchNormalization()
    x = rng.normal(5, 2, (10, 3)).astype("float32")
    layer(x, training=True)
    layer.trainable = False
    before = [w.numpy() for w in layer.weights]
    y = layer(x, training=True)
    ry, _, _ = batch_norm_ref(x, (1,), *before, training=False)
    assert rel_err(y, ry) <= 1e-5
    for w, b in zip(layer.weights, before):
        np.testing.assert_array_equal(w.numpy(), b)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    _, _, wg = rk.vjp(layer, x, np.ones_like(x), training=True)
    assert wg == {}


def test_regularizer_losses_and_constraints():
    layer = BatchNormalization(gamma_regularizer=rk.regularizer_l2(0.1), beta_regularizer="l1",
                               gamma_constraint=rk.constraint_nonneg(), beta_constraint=rk.constraint_maxnorm(1.0))
    layer.build((4, 3))
    layer.gamma.assign([1.0, -2.0, 3.0])
    layer.beta.assign([0.5, -1.5, 2.0])
    np.testing.assert_allclose(layer.losses, [0.1 * 14.0, 0.01 * 4.0], rtol=1e-6)
    layer.apply_constraints()
    np.testing.assert_allclose(layer.gamma.numpy(), [1.0, 0.0, 3.0])
    norm = np.sqrt(0.25 + 2.25 + 4.0)
    np.testing.assert_allclose(layer.beta.numpy(), np.array([0.5, -1.5, 2.0]) / (norm + 1e-7), rtol=1e-6)


def test_initializers_and_config_round_trip():
    layer = BatchNormalization(axis=2, momentum=0.8, epsilon=1e-2, gamma_initializer=rk.initializer_constant(0.5),
                               moving_variance_initializer="zeros", name="bn_cfg")
    layer.build((2, 3, 4))
    np.testing.assert_array_equal(layer.gamma.numpy(), [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(layer.moving_variance.numpy(), [0.0, 0.0, 0.0])
    config = layer.get_config()
    for key in ("axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
                "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized", "name"):
        assert key in config
    assert config["axis"] == 2 and config["momentum"] == 0.8
    clone = BatchNormalization.from_config(config)
    assert clone.get_config() == config
    clone.build((2, 3, 4))
    np.testing.assert_array_equal(clone.gamma.numpy(), layer.gamma.numpy())


def test_weights_paths_and_names():
    rk.clear_session()
    a, b = BatchNormalization(), BatchNormalization()
    assert (a.name, b.name) == ("batch_normalization", "batch_normalization_1")
    a.build((2, 3, 4))
    assert [v.path for v in a.weights] == ["batch_normalization/gamma", "batch_normalization/beta",
                                          "batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    assert a.gamma.shape == (4,)
    np.testing.assert_array_equal(np.asarray(a.moving_variance), np.ones(4))
    w = a.get_weights()
    w[0][:] = 7
    a.set_weights(w)
    np.testing.assert_array_equal(a.gamma.numpy(), np.full(4, 7.0))


def test_nan_propagates_per_channel():
    x = np.random.default_rng(9).normal(size=(6, 3)).astype("float32")
    x[2, 1] = np.nan
    layer = BatchNormalization()
    y = layer(x, training=True)
    assert np.all(np.isnan(y[:, 1])) and np.all(np.isfinite(y[:, [0, 2]]))
    assert np.isnan(layer.moving_mean.numpy()[1]) and np.isfinite(layer.moving_mean.numpy()[0])
    x[0, 0] = np.inf
    BatchNormalization()(x, training=True)  # no crash


def test_large_mean_statistics_are_accurate():
    rng = np.random.default_rng(10)
    x = (1e4 + rng.normal(size=(4096, 8))).astype("float32")
    layer = BatchNormalization(momentum=0.0)
    layer(x, training=True)
    ref_var = x.astype(np.float64).var(axis=0)
    assert rel_err(layer.moving_variance.numpy(), ref_var) <= 1e-5


def test_float16_weights_are_updated_in_place():
    rng = np.random.default_rng(11)
    x = rng.normal(3, 2, (16, 5)).astype("float16")
    layer = BatchNormalization(dtype="float16", momentum=0.5)
    y = layer(x, training=True)
    assert y.dtype == np.float16 and layer.moving_mean.dtype == np.float16
    ry, rmm, rmv = batch_norm_ref(x.astype(np.float64), (1,), momentum=0.5)
    assert rel_err(y, ry, floor=1.0) <= 2e-3
    assert rel_err(layer.moving_mean.numpy(), rmm) <= 2e-3 and rel_err(layer.moving_variance.numpy(), rmv) <= 2e-3


def test_empty_batch():
    """Inference on 0 samples gives 0 rows; a training call is refused (issue 18: it shrank
    moving_variance) and changes nothing."""
    layer = BatchNormalization()
    layer.build((None, 4))
    y, dx, _ = rk.vjp(layer, np.zeros((0, 4), "float32"), np.zeros((0, 4), "float32"), training=False)
    assert y.shape == (0, 4) and dx.shape == (0, 4)
    assert layer(np.zeros((0, 4), "float32")).shape == (0, 4)
    before = layer.get_weights()
    with pytest.raises(ValueError, match="at least one sample"):
        rk.vjp(layer, np.zeros((0, 4), "float32"), np.zeros((0, 4), "float32"))
    with pytest.raises(ValueError, match="at least one sample"):
        layer(np.zeros((0, 4), "float32"), training=True)
    assert all(np.array_equal(a, b) for a, b in zip(before, layer.get_weights()))


@pytest.mark.parametrize("training", [True, False])
def test_channels_on_both_sides_of_the_fold_limit_stay_accurate(training):
    """Channels whose |mean| is at most 8 std are normalized as gamma invstd x + (beta - mean gamma invstd)
    (the center folded into the offset); channels further off keep x - mean. Both sides of that limit, and
    a channel at 1e4 std, match the float64 reference within 1e-6 of the output scale."""
    rng = np.random.default_rng(21)
    locs = np.array([0.0, 7.9, 8.1, 1e4, -7.9, -8.1, 3.0, -1e4])
    x = (rng.normal(size=(512, locs.size)) + locs).astype(np.float32)
    g = rng.normal(size=x.shape).astype(np.float32)
    layer = BatchNormalization(momentum=0.0)
    layer(x)
    if not training:  # the moving statistics of the batch, so that inference sees the same means
        layer(x, training=True)
    mm, mv = layer.moving_mean.numpy().copy(), layer.moving_variance.numpy().copy()
    y, dx, wg = rk.vjp(layer, x, g, training=training)
    ry, _, _, rdx, rdg, rdb = batch_norm_ref(x, (1,), moving_mean=mm, moving_var=mv, momentum=0.0, training=training,
                                           upstream=g)
    assert rel_err(y, ry, 1.0) <= 1e-6
    assert rel_err(dx, rdx) <= 1e-6
    assert rel_err(wg[layer.gamma.path], rdg) <= 1e-6 and rel_err(wg[layer.beta.path], rdb) <= 1e-6
