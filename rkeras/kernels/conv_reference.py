"""Plain numpy twins of the kernels in `conv.py` (same arguments, same outputs), for the tests only.

They pad explicitly and slice the padded batch tap by tap, a different construction from the
kernels' bounds checks, and compute in the inputs' dtype.
"""

import numpy as np


def _padded_channels_last(x, channels_first, pt, pl, kh, kw, sh, sw, dh, dw, oh, ow):
    """The input channels-last, zero-padded so that every tap of every output is inside."""
    x = np.transpose(x, (0, 2, 3, 1)) if channels_first else x
    n, h, w, c = x.shape
    rows = max((oh - 1) * sh + (kh - 1) * dh + 1, h + pt)
    cols = max((ow - 1) * sw + (kw - 1) * dw + 1, w + pl)
    xp = np.zeros((n, rows, cols, c), dtype=x.dtype)
    xp[:, pt:pt + h, pl:pl + w, :] = x
    return xp


def _tap(xp, i, j, sh, sw, dh, dw, oh, ow):
    """The (N, OH, OW, C) slice that tap (i, j) reads for every output position."""
    return xp[:, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw, :]


def im2col(x, channels_first, sh, sw, dh, dw, pt, pl, cols):
    _, oh, ow, kh, kw, _ = cols.shape
    xp = _padded_channels_last(x, channels_first, pt, pl, kh, kw, sh, sw, dh, dw, oh, ow)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j, :] = _tap(xp, i, j, sh, sw, dh, dw, oh, ow)


def col2im(dcols, channels_first, sh, sw, dh, dw, pt, pl, dx):
    _, oh, ow, kh, kw, _ = dcols.shape
    shape = np.transpose(dx, (0, 2, 3, 1)).shape if channels_first else dx.shape
    dxp = _padded_channels_last(np.zeros(shape, dx.dtype), False, pt, pl, kh, kw, sh, sw, dh, dw, oh, ow)
    for i in range(kh):
        for j in range(kw):
            _tap(dxp, i, j, sh, sw, dh, dw, oh, ow)[...] += dcols[:, :, :, i, j, :]
    inner = dxp[:, pt:pt + shape[1], pl:pl + shape[2], :]
    dx[...] = np.transpose(inner, (0, 3, 1, 2)) if channels_first else inner


def direct_forward(x, channels_first, k, sh, sw, dh, dw, pt, pl, out):
    _, oh, ow, _ = out.shape
    kh, kw = k.shape[:2]
    xp = _padded_channels_last(x, channels_first, pt, pl, kh, kw, sh, sw, dh, dw, oh, ow)
    for i in range(kh):
        for j in range(kw):
            out += _tap(xp, i, j, sh, sw, dh, dw, oh, ow) @ k[i, j]


def direct_grad_kernel(x, channels_first, grad, sh, sw, dh, dw, pt, pl, dk):
    _, oh, ow, f = grad.shape
    kh, kw = dk.shape[:2]
    xp = _padded_channels_last(x, channels_first, pt, pl, kh, kw, sh, sw, dh, dw, oh, ow)
    for i in range(kh):
        for j in range(kw):
            tap = _tap(xp, i, j, sh, sw, dh, dw, oh, ow)
            dk[i, j] = tap.reshape(-1, tap.shape[-1]).T @ grad.reshape(-1, f)


def direct_grad_input(grad, channels_first, k, sh, sw, dh, dw, pt, pl, dx):
    dcols = np.einsum("nhwf,ijcf->nhwijc", grad, k)
    col2im(dcols, channels_first, sh, sw, dh, dw, pt, pl, dx)
