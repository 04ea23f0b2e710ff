"""Plain numpy twins of the kernels in `depthwise.py` (same arguments, same outputs), for the tests only.

They pad explicitly and slice the padded batch tap by tap (no bounds checks), in float64.
"""

import numpy as np


def _padded(x, pt, pl, kh, kw, sh, sw, dh, dw, oh, ow):
    n, h, w, c = x.shape
    rows = max((oh - 1) * sh + (kh - 1) * dh + 1, h + pt)
    cols = max((ow - 1) * sw + (kw - 1) * dw + 1, w + pl)
    xp = np.zeros((n, rows, cols, c))
    xp[:, pt:pt + h, pl:pl + w, :] = x
    return xp


def _tap(xp, i, j, sh, sw, dh, dw, oh, ow):
    return xp[:, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw, :]


def depthwise_forward(x, k, sh, sw, dh, dw, pt, pl, out):
    n, oh, ow, _ = out.shape
    kh, kw, c, dm = k.shape
    xp = _padded(np.asarray(x, np.float64), pt, pl, kh, kw, sh, sw, dh, dw, oh, ow)
    acc = np.asarray(out, np.float64).reshape(n, oh, ow, c, dm)
    for i in range(kh):
        for j in range(kw):
            acc = acc + _tap(xp, i, j, sh, sw, dh, dw, oh, ow)[..., None] * k[i, j]
    out[...] = acc.reshape(out.shape)


def depthwise_grad_input(grad, k, sh, sw, dh, dw, pt, pl, dx):
    n, oh, ow, _ = grad.shape
    kh, kw, c, dm = k.shape
    dxp = _padded(np.zeros(dx.shape), pt, pl, kh, kw, sh, sw, dh, dw, oh, ow)
    g = np.asarray(grad, np.float64).reshape(n, oh, ow, c, dm)
    for i in range(kh):
        for j in range(kw):
            _tap(dxp, i, j, sh, sw, dh, dw, oh, ow)[...] += (g * k[i, j]).sum(axis=-1)
    dx[...] = dxp[:, pt:pt + dx.shape[1], pl:pl + dx.shape[2], :]


def depthwise_grad_kernel(x, grad, sh, sw, dh, dw, pt, pl, dk):
    n, oh, ow, _ = grad.shape
    kh, kw, c, dm = dk.shape
    xp = _padded(np.asarray(x, np.float64), pt, pl, kh, kw, sh, sw, dh, dw, oh, ow)
    g = np.asarray(grad, np.float64).reshape(n, oh, ow, c, dm)
    for i in range(kh):
        for j in range(kw):
            dk[i, j] = np.einsum("nhwc,nhwcm->cm", _tap(xp, i, j, sh, sw, dh, dw, oh, ow), g)
