"""Property-based: random shapes, axes and masks against the float64 reference (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numerics import rel_err

import rkeras as rk
from rkeras.kernels.batch_norm_reference import batch_norm_ref
from rkeras.layers.normalization.batch_normalization import BatchNormalization


@st.composite
def cases(draw):
    rank = draw(st.integers(2, 5))
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank)))
    shape = (draw(st.integers(2, 6)),) + shape[1:]
    n_axes = draw(st.integers(1, rank - 1))
    axes = tuple(sorted(draw(st.lists(st.integers(1, rank - 1), min_size=n_axes, max_size=n_axes, unique=True))))
    # R style: positive 1-based or negative from the end, chosen at random per axis
    r_axes = [a + 1 if draw(st.booleans()) else a - rank for a in axes]
    use_mask = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    return shape, axes, (r_axes if len(r_axes) > 1 else r_axes[0]), use_mask, seed


@settings(max_examples=40, deadline=None)
@given(cases())
def test_layer_matches_reference(case):
    shape, axes, r_axis, use_mask, seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(1.0, 2.0, shape).astype("float32")
    g = rng.normal(size=shape).astype("float32")
    reduced = tuple(d for a, d in enumerate(shape) if a not in axes)
    mask = None
    if use_mask:
        mask = rng.random(reduced) < 0.7
        mask.flat[0] = True
    layer = BatchNormalization(axis=r_axis, momentum=0.8)
    y, dx, wg = rk.vjp(layer, x, g, training=True, mask=mask)
    ry, rmm, rmv, rdx, rdg, rdb = batch_norm_ref(x, axes, momentum=0.8, mask=mask, upstream=g)
    # a channel that counts one value only has variance 0: its output is beta, relative to 1
    assert rel_err(y, ry, floor=1.0) <= 1e-5
    assert rel_err(dx, rdx, floor=1.0) <= 1e-4
    assert rel_err(wg[layer.gamma.path], rdg, floor=1.0) <= 1e-5
    assert rel_err(wg[layer.beta.path], rdb, floor=1.0) <= 1e-5
    assert rel_err(layer.moving_mean.numpy(), rmm, floor=1.0) <= 1e-5
    assert rel_err(layer.moving_variance.numpy(), rmv, floor=1.0) <= 1e-5
