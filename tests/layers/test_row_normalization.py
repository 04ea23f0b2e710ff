"""Layer, RMS and unit normalization through the shared layer harness (build, shapes, config round trip,
masks, float16, finite differences in float64), against the float64 twins, and their errors."""

import numpy as np
import pytest
from layer_harness import run_layer_test

import rkeras as rk
from rkeras.kernels import row_norm
from rkeras.kernels.norm_reference import row_norm_forward_ref
from rkeras.layers.normalization.group_normalization import GroupNormalization
from rkeras.layers.normalization.layer_normalization import LayerNormalization
from rkeras.layers.normalization.rms_normalization import RMSNormalization
from rkeras.layers.normalization.unit_normalization import UnitNormalization

CASES = [((3, 5), -1), ((2, 4, 3), 2), ((2, 3, 2, 4), [2, 4])]


@pytest.mark.parametrize("shape,axis", CASES)
def test_layer_normalization_harness(shape, axis):
    mask = np.ones(shape[:-1], bool) if len(shape) == 3 else None
    run_layer_test(LayerNormalization, shape, init_kwargs={"axis": axis}, expected_output_shape=shape,
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0,
                   supports_masking=True, mask=mask)


def test_layer_normalization_harness_without_weights():
    run_layer_test(LayerNormalization, (3, 6), init_kwargs={"center": False, "scale": False, "epsilon": 0.5},
                   expected_num_trainable_weights=0)
    run_layer_test(LayerNormalization, (3, 6), init_kwargs={"center": False}, expected_num_trainable_weights=1)


@pytest.mark.parametrize("shape,axis", CASES)
def test_rms_normalization_harness(shape, axis):
    run_layer_test(RMSNormalization, shape, init_kwargs={"axis": axis}, expected_num_trainable_weights=1,
                   supports_masking=False)


@pytest.mark.parametrize("shape,axis", CASES)
def test_unit_normalization_harness(shape, axis):
    run_layer_test(UnitNormalization, shape, init_kwargs={"axis": axis}, expected_num_trainable_weights=0,
                   supports_masking=True)


@pytest.mark.parametrize("cls,mode", [(LayerNormalization, row_norm.MODE_LAYER),
                                      (RMSNormalization, row_norm.MODE_RMS),
                                      (UnitNormalization, row_norm.MODE_UNIT)])
def test_outputs_match_the_float64_twin_on_large_offsets(cls, mode):
    # |mean| / std = 1e4: the float32 kernels still agree with float64 to ~1e-6 of the output scale
    x = (1e4 + np.random.default_rng(0).normal(size=(6, 300))).astype("float32")
    layer = cls()
    y = layer(x)
    eps = 1e-12 if mode == row_norm.MODE_UNIT else layer.epsilon
    ref = row_norm_forward_ref(x.astype(np.float64)[:, :, None], mode, eps)[:, :, 0]
    assert np.max(np.abs(y - ref)) <= 2e-6 * np.max(np.abs(ref))


def test_unit_normalization_of_zeros_stays_zero_and_nan_propagates():
    layer = rk.layer_unit_normalization()
    x = np.zeros((2, 4), "float32")
    x[1, 2] = np.nan
    y, dx, _ = rk.vjp(layer, x, np.ones_like(x))
    assert np.all(y[0] == 0) and np.all(np.isnan(y[1]))
    np.testing.assert_allclose(dx[0], 1e12)  # the clamped inverse norm is a constant
    ln = rk.layer_layer_normalization()
    assert np.all(np.isnan(ln(x)[1])) and np.all(np.isfinite(ln(x)[0]))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="axis"):
        rk.layer_layer_normalization(axis=0)
    with pytest.raises(ValueError, match="epsilon"):
        rk.layer_rms_normalization(epsilon=0)
    with pytest.raises(TypeError, match="center"):
        rk.layer_layer_normalization(center=1)
    with pytest.raises(ValueError, match="rms_scaling"):
        LayerNormalization(rms_scaling=True)
    with pytest.raises(TypeError, match="foo"):
        rk.layer_unit_normalization(foo=1)
    with pytest.raises(TypeError, match="axis="):
        rk.layer_unit_normalization(3)
    layer = rk.layer_layer_normalization(axis=2)
    layer(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="axis"):
        layer(np.ones((2, 5, 4)))
    with pytest.raises(ValueError, match="axis"):
        rk.layer_rms_normalization(axis=4)(np.ones((2, 3)))


def test_pipe_and_models():
    model = (rk.keras_model_sequential(input_shape=(6,)) | rk.layer_dense(units=8)
             | rk.layer_layer_normalization() | rk.layer_rms_normalization() | rk.layer_unit_normalization())
    y = model(np.ones((3, 6), "float32"))
    np.testing.assert_allclose(np.sum(y.astype(np.float64) ** 2, axis=1), 1.0, rtol=1e-5)
    inp = rk.keras_input(shape=(4, 5))
    out = inp | rk.layer_layer_normalization(axis=[2, 3])
    assert out.shape == (None, 4, 5)


@pytest.mark.parametrize("shape,kwargs", [((2, 3, 3, 4), {"groups": 2}), ((2, 4, 5), {"groups": 2, "axis": 2}),
                                          ((3, 6), {"groups": -1, "center": False})])
def test_group_normalization_harness(shape, kwargs):
    run_layer_test(GroupNormalization, shape, init_kwargs=kwargs, expected_output_shape=shape,
                   supports_masking=True, mask=np.ones(shape[:-1], bool) if len(shape) == 4 else None)


def test_group_normalization_errors():
    with pytest.raises(ValueError, match="groups"):
        rk.layer_group_normalization(groups=0)
    with pytest.raises(ValueError, match="groups"):
        rk.layer_group_normalization(groups=4)(np.ones((2, 6)))
    with pytest.raises(ValueError, match="axis"):
        rk.layer_group_normalization(groups=1, axis=[2, 3])
    with pytest.raises(ValueError, match="batch"):
        rk.layer_group_normalization(groups=1, axis=1)(np.ones((2, 6)))
    with pytest.raises(TypeError, match="groups="):
        rk.layer_group_normalization(4)
