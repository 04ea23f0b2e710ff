"""The (outer, channels, inner) view shared by batch, layer, RMS and unit normalization."""

import numpy as np
import pytest

from rkeras.layers.normalization.channel_view import (
    MEMO_SHAPES,
    ChannelViews,
    channel_view,
    from_view,
    mask_view,
    to_view,
)


@pytest.mark.parametrize("shape,axes,perm,view", [
    ((7, 5), (1,), None, (7, 5, 1)),                        # dense
    ((2, 3, 4, 5), (3,), None, (24, 5, 1)),                 # channels-last
    ((2, 3, 4, 5), (1,), None, (2, 3, 20)),                 # channels-first
    ((2, 3, 4, 5), (1, 2), None, (2, 12, 5)),               # contiguous axes
    ((2, 3, 4, 5), (1, 3), [0, 1, 3, 2], (2, 15, 4)),       # non-contiguous axes: moved together
    ((5,), (0,), None, (1, 5, 1)),
])
def test_channel_view_shapes(shape, axes, perm, view):
    assert channel_view(shape, axes) == (perm, view)


@pytest.mark.parametrize("shape,axes", [((2, 3, 4, 5), (1, 3)), ((2, 3, 4, 5), (3,)), ((3, 4, 5), (1,))])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_to_view_and_back_round_trip(shape, axes, dtype):
    views = ChannelViews("bn", -1, axes, tuple(shape[a] for a in axes), len(shape))
    x = np.random.default_rng(0).normal(size=shape).astype(dtype)
    view = views.view(x.shape, x.dtype)
    x3 = to_view(x, view)
    assert x3.shape == view.shape and x3.flags.c_contiguous and x3.dtype == np.float32  # float16 computed in float32
    # channel c of the view holds the values of the normalized axes' entry c, in order
    moved = np.moveaxis(x, axes, range(len(shape) - len(axes), len(shape))).reshape(-1, view.shape[1])
    np.testing.assert_array_equal(np.sort(x3.transpose(1, 0, 2).reshape(view.shape[1], -1), axis=1),
                                  np.sort(moved.T.astype(np.float32), axis=1))
    y = from_view(x3, x.shape, view, x.dtype)
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y, x)
    assert view.direct == (view.perm is None and dtype == np.float32)
    if view.direct:
        assert np.shares_memory(x3, x)  # a C-contiguous input is its own view


def test_views_check_shapes_and_stay_bounded():
    views = ChannelViews("bn", -1, (1,), (4,), 2)
    with pytest.raises(ValueError, match=r"rank 2.*\(2, 3, 4\)"):
        views.view((2, 3, 4), np.dtype(np.float32))
    with pytest.raises(ValueError, match=r"axis -1.*\(5,\).*\(4,\)"):
        views.view((2, 5), np.dtype(np.float32))
    for n in range(2 * MEMO_SHAPES):
        views.view((n, 4), np.dtype(np.float32))
    assert len(views) == MEMO_SHAPES and ((2 * MEMO_SHAPES - 1, 4), np.dtype(np.float32)) in views
    views.view((MEMO_SHAPES, 4), np.dtype(np.float32))  # the oldest kept: used again, it becomes the newest
    assert next(reversed(views)) == ((MEMO_SHAPES, 4), np.dtype(np.float32))


def test_mask_view():
    views = ChannelViews("bn", -1, (2,), (3,), 3)
    view = views.view((4, 6, 3), np.dtype(np.float32))
    assert mask_view(None, view, "bn") is None
    m = np.random.default_rng(1).random((4, 6)) < 0.5
    assert view.shape == (24, 3, 1)
    np.testing.assert_array_equal(mask_view(m, view, "bn"), m.reshape(24, 1))  # (O, I)
    np.testing.assert_array_equal(mask_view(m[:1], view, "bn"), np.broadcast_to(m[:1], (4, 6)).reshape(24, 1))
    np.testing.assert_array_equal(mask_view(m.astype(np.int8), view, "bn"), m.reshape(24, 1))  # 0/1 accepted
    with pytest.raises(ValueError, match=r"`mask` of layer 'bn' has shape \(7,\)"):
        mask_view(np.ones(7, bool), view, "bn")
    with pytest.raises(ValueError, match="booleans"):
        mask_view(np.full((4, 6), 2.0), view, "bn")
    with pytest.raises(TypeError, match="boolean"):
        mask_view(np.array([["a"] * 6] * 4), view, "bn")
