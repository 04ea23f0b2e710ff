"""Neural-network ops: activations, softmax, crossentropies, one-hot encodings, normalization."""

import math

import numpy as np
from scipy import special

from .. import conventions
from . import math as m
from ._base import apply, float_dtype, op_doc, plain, r_axis
from .reductions import op_mean, op_sum

__all__ = [
    "op_batch_normalization", "op_binary_crossentropy", "op_categorical_crossentropy", "op_celu",
    "op_dot_product_attention", "op_elu", "op_gelu", "op_glu", "op_hard_shrink", "op_hard_sigmoid",
    "op_hard_silu", "op_hard_swish", "op_hard_tanh", "op_layer_normalization", "op_leaky_relu",
    "op_log_sigmoid", "op_log_softmax", "op_multi_hot", "op_one_hot", "op_psnr", "op_relu", "op_relu6",
    "op_rms_normalization", "op_selu", "op_sigmoid", "op_silu", "op_soft_shrink", "op_softmax",
    "op_softplus", "op_softsign", "op_sparse_categorical_crossentropy", "op_sparse_plus",
    "op_sparse_sigmoid", "op_sparsemax", "op_squareplus", "op_tanh_shrink", "op_threshold",
]


def _act(name, title, fwd, vjp, **extra):
    def op(x):
        return apply(fwd, vjp, x)
    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    return op_doc(title, **extra)(op)


def _sigmoid(x):
    return special.expit(x)


op_relu = _act("op_relu", "Rectified linear unit: `max(x, 0)`.", lambda x: np.maximum(x, 0),
               lambda g, o, x: (g * (x > 0),))
op_relu6 = _act("op_relu6", "Rectified linear unit capped at 6: `min(max(x, 0), 6)`.", lambda x: np.clip(x, 0, 6),
                lambda g, o, x: (g * ((x > 0) & (x < 6)),))
op_sigmoid = _act("op_sigmoid", "Sigmoid: `1 / (1 + exp(-x))`.", _sigmoid, lambda g, o, x: (g * o * (1 - o),))
op_softplus = _act("op_softplus", "Softplus: `log(exp(x) + 1)`, computed stably.", lambda x: np.logaddexp(x, 0),
                   lambda g, o, x: (g * _sigmoid(x),))
op_softsign = _act("op_softsign", "Softsign: `x / (abs(x) + 1)`.", lambda x: x / (np.abs(x) + 1),
                   lambda g, o, x: (g / (np.abs(x) + 1) ** 2,))
op_silu = _act("op_silu", "Sigmoid linear unit (swish): `x * sigmoid(x)`.", lambda x: x * _sigmoid(x),
               lambda g, o, x: (g * (_sigmoid(x) * (1 + x * (1 - _sigmoid(x)))),))
op_log_sigmoid = _act("op_log_sigmoid", "Logarithm of the sigmoid: `-softplus(-x)`.",
                      lambda x: -np.logaddexp(-x, 0), lambda g, o, x: (g * _sigmoid(-x),))
op_hard_sigmoid = _act("op_hard_sigmoid", "Hard sigmoid: `relu6(x + 3) / 6`.", lambda x: np.clip(x + 3, 0, 6) / 6,
                       lambda g, o, x: (g * ((x > -3) & (x < 3)) / 6,))
op_hard_silu = _act("op_hard_silu", "Hard SiLU (hard swish): `x * relu6(x + 3) / 6`.",
                    lambda x: x * np.clip(x + 3, 0, 6) / 6,
                    lambda g, o, x: (g * np.where(x < -3, 0, np.where(x > 3, 1, (2 * x + 3) / 6)),))
op_hard_swish = _act("op_hard_swish", "Hard swish, alias of `op_hard_silu()`.",
                     lambda x: x * np.clip(x + 3, 0, 6) / 6,
                     lambda g, o, x: (g * np.where(x < -3, 0, np.where(x > 3, 1, (2 * x + 3) / 6)),))
op_hard_tanh = _act("op_hard_tanh", "Hard tanh: `clip(x, -1, 1)`.", lambda x: np.clip(x, -1, 1),
                    lambda g, o, x: (g * ((x > -1) & (x < 1)),))
op_tanh_shrink = _act("op_tanh_shrink", "Tanh shrink: `x - tanh(x)`.", lambda x: x - np.tanh(x),
                      lambda g, o, x: (g * np.tanh(x) ** 2,))
op_sparse_plus = _act("op_sparse_plus", "SparsePlus: 0 below -1, `(x + 1)^2 / 4` in (-1, 1), x above 1.",
                      lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
                      lambda g, o, x: (g * np.where(x <= -1, 0, np.where(x >= 1, 1, (x + 1) / 2)),))
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805
op_selu = _act("op_selu", "Scaled exponential linear unit (Klambauer et al., 2017).",
               lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0))),
               lambda g, o, x: (g * _SELU_SCALE * np.where(x > 0, 1, _SELU_ALPHA * np.exp(np.minimum(x, 0))),))


@op_doc("Exponential linear unit: `x` if `x > 0`, else `alpha * (exp(x) - 1)`.",
        alpha=("float", "Scale of the negative part."))
def op_elu(x, alpha=1.0):
    a = float(alpha)
    return apply(lambda v: np.where(v > 0, v, a * np.expm1(np.minimum(v, 0))),
                 lambda g, o, v: (g * np.where(v > 0, 1, a * np.exp(np.minimum(v, 0))),), x)


@op_doc("Continuously differentiable ELU: `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`.",
        alpha=("float", "The alpha value."))
def op_celu(x, alpha=1.0):
    a = float(alpha)
    return apply(lambda v: np.maximum(v, 0) + np.minimum(0, a * np.expm1(np.minimum(v, 0) / a)),
                 lambda g, o, v: (g * np.where(v > 0, 1, np.exp(np.minimum(v, 0) / a)),), x)


@op_doc("Leaky rectified linear unit: `x` if `x > 0`, else `negative_slope * x`.",
        negative_slope=("float", "Slope of the negative part."))
def op_leaky_relu(x, negative_slope=0.2):
    s = float(negative_slope)
    return apply(lambda v: np.where(v > 0, v, s * v), lambda g, o, v: (g * np.where(v > 0, 1, s),), x)


_C = math.sqrt(2 / math.pi)


def _gelu_tanh(v):
    return 0.5 * v * (1 + np.tanh(_C * (v + 0.044715 * v ** 3)))


def _gelu_tanh_grad(v):
    t = np.tanh(_C * (v + 0.044715 * v ** 3))
    return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * _C * (1 + 3 * 0.044715 * v * v)


@op_doc("Gaussian error linear unit: `x * P(X <= x)` for a standard normal X.",
        approximate=("bool", "Use the tanh approximation (R keras3's default) instead of the exact erf form."))
def op_gelu(x, approximate=True):
    if conventions.as_bool(approximate, "approximate"):
        return apply(_gelu_tanh, lambda g, o, v: (g * _gelu_tanh_grad(v),), x)
    r2 = math.sqrt(2.0)
    return apply(lambda v: 0.5 * v * (1 + special.erf(v / r2)),
                 lambda g, o, v: (g * (0.5 * (1 + special.erf(v / r2))
                                       + v * np.exp(-v * v / 2) / math.sqrt(2 * math.pi)),), x)


@op_doc("Soft shrinkage: `x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0.",
        threshold=("float", "The threshold."))
def op_soft_shrink(x, threshold=0.5):
    t = float(threshold)
    return apply(lambda v: np.where(v > t, v - t, np.where(v < -t, v + t, 0)),
                 lambda g, o, v: (g * (np.abs(v) > t),), x)


@op_doc("Hard shrinkage: `x` where `abs(x) > threshold`, else 0.", threshold=("float", "The threshold."))
def op_hard_shrink(x, threshold=0.5):
    t = float(threshold)
    return apply(lambda v: np.where(np.abs(v) > t, v, 0), lambda g, o, v: (g * (np.abs(v) > t),), x)


@op_doc("Squareplus: `(x + sqrt(x^2 + b)) / 2`.", b=("float", "Smoothness (b >= 0)."))
def op_squareplus(x, b=4):
    bb = float(b)
    return apply(lambda v: (v + np.sqrt(v * v + bb)) / 2, lambda g, o, v: (g * 0.5 * (1 + v / np.sqrt(v * v + bb)),), x)


@op_doc("`x` where `x > threshold`, else `default_value`.", threshold=("float", "The threshold."),
        default_value=("float", "The value below the threshold."))
def op_threshold(x, threshold, default_value):
    t, d = float(threshold), float(default_value)
    return apply(lambda v: np.where(v > t, v, d), lambda g, o, v: (g * (v > t),), x)


@op_doc("Gated linear unit: the first half of `axis` times the sigmoid of the second half.")
def op_glu(x, axis=-1):
    from .shape import op_split
    a, b = op_split(x, 2, axis=axis)
    return m.op_multiply(a, op_sigmoid(b))


def _softmax(v, ax):
    z = v - np.max(v, axis=ax, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=ax, keepdims=True)


@op_doc("Softmax over `axis`: `exp(x) / sum(exp(x))`.")
def op_softmax(x, axis=-1):
    ax = r_axis(axis, np.ndim(plain(x)))
    return apply(lambda v: _softmax(v, ax),
                 lambda g, o, v: (o * (g - np.sum(g * o, axis=ax, keepdims=True)),), x)


@op_doc("Log-softmax over `axis`: `x - log(sum(exp(x)))`.")
def op_log_softmax(x, axis=-1):
    ax = r_axis(axis, np.ndim(plain(x)))

    def fwd(v):
        z = v - np.max(v, axis=ax, keepdims=True)
        return z - np.log(np.sum(np.exp(z), axis=ax, keepdims=True))
    return apply(fwd, lambda g, o, v: (g - np.exp(o) * np.sum(g, axis=ax, keepdims=True),), x)


_EPS = 1e-7  # Keras' backend epsilon, the clip of probabilities in the crossentropies


@op_doc("Binary crossentropy between `target` and `output`, element-wise (no reduction).",
        target=("array", "Targets in [0, 1]."), output=("array", "Predicted probabilities (or logits)."),
        from_logits=("bool", "Whether `output` holds logits."))
def op_binary_crossentropy(target, output, from_logits=False):
    t = plain(target)
    if from_logits:
        # max(x, 0) - x t + log(1 + exp(-|x|))
        return m.op_subtract(op_softplus(output), m.op_multiply(output, t))
    p = m.op_clip(output, _EPS, 1 - _EPS)
    return m.op_negative(m.op_add(m.op_multiply(t, m.op_log(p)), m.op_multiply(1 - t, m.op_log(m.op_subtract(1, p)))))


@op_doc("Categorical crossentropy between one-hot (or soft) `target` and `output` over `axis`.",
        target=("array", "One-hot or soft targets."), output=("array", "Predicted probabilities (or logits)."),
        from_logits=("bool", "Whether `output` holds logits."))
def op_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    t = plain(target)
    if from_logits:
        return m.op_negative(op_sum(m.op_multiply(t, op_log_softmax(output, axis=axis)), axis=axis))
    p = m.op_divide(output, op_sum(output, axis=axis, keepdims=True))
    p = m.op_clip(p, _EPS, 1 - _EPS)
    return m.op_negative(op_sum(m.op_multiply(t, m.op_log(p)), axis=axis))


@op_doc("Crossentropy between integer class labels (0-based, as Keras) and `output` over `axis`.",
        target=("integer array", "Class indices, 0-based."),
        output=("array", "Predicted probabilities (or logits)."),
        from_logits=("bool", "Whether `output` holds logits."))
def op_sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    t = np.asarray(plain(target)).astype(np.int64)
    nd = np.ndim(plain(output))
    ax = r_axis(axis, nd)
    if t.ndim == nd:
        t = np.squeeze(t, ax)
    n = np.shape(plain(output))[ax]
    onehot = np.moveaxis(np.eye(n, dtype=float_dtype(plain(output)))[t], -1, ax)
    return op_categorical_crossentropy(onehot, output, from_logits=from_logits, axis=axis)


def _one_hot(x, num_classes, axis, dtype, zero_indexed):
    idx = np.asarray(plain(x))
    if idx.dtype.kind == "f":
        idx = idx.astype(np.int64)
    n = conventions.as_integer(num_classes, "num_classes", minimum=1)
    if not zero_indexed:
        idx = idx - 1
    valid = (idx >= 0) & (idx < n)
    out = (np.arange(n) == np.where(valid, idx, -1)[..., None]).astype(dtype or "float32")
    return out, idx.ndim


@op_doc("One-hot encode integer labels (1-based unless `zero_indexed`; out of range -> all zeros).",
        num_classes=("int", "Number of classes."), axis=("int", "Where the class axis goes (R style)."),
        sparse=("bool", "Only FALSE (dense) is supported."))
def op_one_hot(x, num_classes, axis=-1, dtype=None, sparse=False, zero_indexed=False):
    if sparse:
        raise ValueError("`sparse` = TRUE is not supported by rkeras (dense arrays only).")
    out, nd = _one_hot(x, num_classes, axis, dtype, zero_indexed)
    ax = r_axis(axis, nd + 1)
    return np.moveaxis(out, -1, ax)


@op_doc("Multi-hot encode integer labels (0-based, as Keras): a 1 for each label of the last axis.",
        inputs=("integer array", "Labels; the last axis lists the labels of one sample."),
        num_classes=("int", "Number of classes."), axis=("int", "Where the class axis goes (R style)."),
        sparse=("bool", "Only FALSE (dense) is supported."), kwargs="Not accepted.")
def op_multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False, **kwargs):
    conventions.check_kwargs(kwargs, allowed=(), where="op_multi_hot()")
    if sparse:
        raise ValueError("`sparse` = TRUE is not supported by rkeras (dense arrays only).")
    out, nd = _one_hot(inputs, num_classes, axis, dtype, True)
    out = np.max(out, axis=-2) if nd >= 1 else out
    return np.moveaxis(out, -1, r_axis(axis, out.ndim))


@op_doc("Root-mean-square normalization over `axis`, times `scale`.",
        scale=("array or None", "Multiplier (None: 1)."), epsilon=("float or None", ("Added to the mean square "
                                                                                  "(None: 1e-7).")))
def op_rms_normalization(x, scale=None, axis=-1, epsilon=None):
    eps = 1e-7 if epsilon is None else float(epsilon)
    ms = op_mean(m.op_square(x), axis=axis, keepdims=True)
    out = m.op_multiply(x, m.op_rsqrt(m.op_add(ms, eps)))
    return out if scale is None else m.op_multiply(out, scale)


@op_doc("Layer normalization over `axis`: `(x - mean) / sqrt(var + epsilon) * gamma + beta`.",
        gamma=("array or None", "Scale (None: 1)."), beta=("array or None", "Offset (None: 0)."),
        epsilon=("float or None", "Added to the variance (None: 1e-3)."),
        kwargs="Not accepted.")
def op_layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    conventions.check_kwargs(kwargs, allowed=(), where="op_layer_normalization()")
    from .reductions import op_var
    eps = 1e-3 if epsilon is None else float(epsilon)
    mean = op_mean(x, axis=axis, keepdims=True)
    var = op_var(x, axis=axis, keepdims=True)
    out = m.op_multiply(m.op_subtract(x, mean), m.op_rsqrt(m.op_add(var, eps)))
    if gamma is not None:
        out = m.op_multiply(out, gamma)
    if beta is not None:
        out = m.op_add(out, beta)
    return out


@op_doc("Batch normalization with given statistics: `(x - mean) / sqrt(variance + epsilon) * scale + offset`.",
        mean=("array", "Mean, of the size of `axis`."), variance=("array", "Variance, of the size of `axis`."),
        axis=("int", "The feature axis (R style)."), offset=("array or None", "Offset (beta)."),
        scale=("array or None", "Scale (gamma)."), epsilon=("float", "Added to the variance."))
def op_batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    nd = np.ndim(plain(x))
    ax = r_axis(axis, nd)
    shape = [1] * nd
    shape[ax] = -1
    from .shape import op_reshape

    def rs(v):
        return op_reshape(v, tuple(shape))
    out = m.op_multiply(m.op_subtract(x, rs(mean)), m.op_rsqrt(m.op_add(rs(variance), float(epsilon))))
    if scale is not None:
        out = m.op_multiply(out, rs(scale))
    if offset is not None:
        out = m.op_add(out, rs(offset))
    return out




op_sparse_sigmoid = _act("op_sparse_sigmoid", "Sparse sigmoid: 0 below -1, `(x + 1) / 2` in (-1, 1), 1 above 1.",
                         lambda x: np.clip((x + 1) / 2, 0, 1), lambda g, o, x: (g * ((x > -1) & (x < 1)) / 2,))


@op_doc("Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of `x` on the simplex over `axis`.")
def op_sparsemax(x, axis=-1):
    ax = r_axis(axis, np.ndim(plain(x)))

    def fwd(v):
        z = np.moveaxis(v, ax, -1)
        srt = -np.sort(-z, axis=-1)
        k = np.arange(1, z.shape[-1] + 1)
        cums = np.cumsum(srt, axis=-1)
        support = 1 + k * srt > cums
        kz = np.sum(support, axis=-1, keepdims=True)
        tau = (np.take_along_axis(cums, kz - 1, axis=-1) - 1) / kz
        return np.moveaxis(np.maximum(z - tau, 0), -1, ax).astype(v.dtype)

    def vjp(g, o, v):
        s = (o > 0).astype(g.dtype)
        mean_g = np.sum(g * s, axis=ax, keepdims=True) / np.sum(s, axis=ax, keepdims=True)
        return (s * (g - mean_g),)
    return apply(fwd, vjp, x)


@op_doc("Peak signal-to-noise ratio between `x1` and `x2`: `20 log10(max_val) - 10 log10(mse)`.",
        returns="scalar", max_val=("number", "The largest possible value of the signal."))
def op_psnr(x1, x2, max_val):
    mse = op_mean(m.op_square(m.op_subtract(x1, x2)))
    return m.op_subtract(20 * math.log10(float(max_val)), m.op_multiply(m.op_log10(mse), 10.0))


@op_doc("Scaled dot-product attention over inputs of shape (batch, length, heads, head_dim), as Keras.",
        query=("array", "Queries, (B, T, N, H)."), key=("array", "Keys, (B, S, N, H)."),
        value=("array", "Values, (B, S, N, H)."),
        bias=("array or None", "Added to the logits (broadcast to (B, N, T, S))."),
        mask=("bool array or None", "True where attention is allowed (broadcast to (B, N, T, S))."),
        scale=("float or None", "Scale of the logits (None: 1 / sqrt(H))."),
        is_causal=("bool", "Apply a causal (lower-triangular) mask."),
        flash_attention=("None or FALSE", "Only the plain implementation exists."),
        attn_logits_soft_cap=("float or None", "If given, logits are `cap * tanh(logits / cap)`."))
def op_dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                             flash_attention=None, attn_logits_soft_cap=None):
    from .linalg import op_einsum
    if flash_attention:
        raise ValueError("`flash_attention` = TRUE is not supported by rkeras.")
    h = np.shape(plain(query))[-1]
    s = 1.0 / math.sqrt(h) if scale is None else float(scale)
    logits = m.op_multiply(op_einsum("btnh,bsnh->bnts", query, key), s)
    if bias is not None:
        logits = m.op_add(logits, bias)
    if attn_logits_soft_cap is not None:
        cap = float(attn_logits_soft_cap)
        logits = m.op_multiply(m.op_tanh(m.op_divide(logits, cap)), cap)
    allowed = None if mask is None else np.asarray(plain(mask), dtype=bool)
    if is_causal:
        t, sl = np.shape(plain(logits))[-2:]
        causal = np.tril(np.ones((t, sl), dtype=bool))
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:
        big = np.finfo(np.asarray(plain(logits)).dtype).min * 0.7  # as Keras: a very negative logit
        logits = m.op_where(allowed, logits, big)
    probs = op_softmax(logits, axis=-1)
    return op_einsum("bnts,bsnh->btnh", probs, value)
