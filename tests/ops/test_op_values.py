"""Op values against Keras 3's own `keras.ops` (JAX backend): the same inputs, R-style axes on the rkeras
side (`axis = 2` is Keras' `axis = 1`, indices 1-based where R keras3 makes them so). float64 inputs,
relative error <= 1e-6 (float32 results: 1e-5)."""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from keras import ops as K

import rkeras as rk

assert keras.backend.backend() == "jax"

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4))
B = rng.normal(size=(3, 4))
P = rng.uniform(0.2, 2.0, size=(3, 4))
V = rng.normal(size=(4,))
SQ = rng.normal(size=(3, 3)) + 3 * np.eye(3)
SPD = SQ @ SQ.T
Q = rng.normal(size=(2, 4, 2, 3))
KK = rng.normal(size=(2, 5, 2, 3))
VV = rng.normal(size=(2, 5, 2, 3))
MASK = rng.random((2, 2, 4, 5)) > 0.3

CASES = {
    "exp": (lambda: rk.op_exp(A), lambda: K.exp(A)),
    "log1p": (lambda: rk.op_log1p(P), lambda: K.log1p(P)),
    "rsqrt": (lambda: rk.op_rsqrt(P), lambda: K.rsqrt(P)),
    "erf": (lambda: rk.op_erf(A), lambda: K.erf(A)),
    "arctan2": (lambda: rk.op_arctan2(A, B), lambda: K.arctan2(A, B)),
    "logaddexp": (lambda: rk.op_logaddexp(A, B), lambda: K.logaddexp(A, B)),
    "divide_no_nan": (lambda: rk.op_divide_no_nan(A, np.where(B > 0, B, 0)),
                      lambda: K.divide_no_nan(A, np.where(B > 0, B, 0))),
    "power": (lambda: rk.op_power(P, A), lambda: K.power(P, A)),
    "mod": (lambda: rk.op_mod(A, 0.7), lambda: K.mod(A, 0.7)),
    "sum-axis2": (lambda: rk.op_sum(A, axis=2), lambda: K.sum(A, axis=1)),
    "mean-axis1-keep": (lambda: rk.op_mean(A, axis=1, keepdims=True), lambda: K.mean(A, axis=0, keepdims=True)),
    "var": (lambda: rk.op_var(A, axis=-1), lambda: K.var(A, axis=-1)),
    "std": (lambda: rk.op_std(A), lambda: K.std(A)),
    "prod": (lambda: rk.op_prod(P, axis=2), lambda: K.prod(P, axis=1)),
    "max": (lambda: rk.op_max(A, axis=1), lambda: K.max(A, axis=0)),
    "logsumexp": (lambda: rk.op_logsumexp(A, axis=2), lambda: K.logsumexp(A, axis=1)),
    "cumsum": (lambda: rk.op_cumsum(A, axis=2), lambda: K.cumsum(A, axis=1)),
    "cumprod": (lambda: rk.op_cumprod(P, axis=1), lambda: K.cumprod(P, axis=0)),
    "median": (lambda: rk.op_median(A, axis=2), lambda: K.median(A, axis=1)),
    "quantile": (lambda: rk.op_quantile(A, 0.3, axis=2), lambda: K.quantile(A, 0.3, axis=1)),
    "argmax": (lambda: rk.op_argmax(A, axis=2) - 1, lambda: K.argmax(A, axis=1)),
    "argsort": (lambda: rk.op_argsort(A, axis=1) - 1, lambda: K.argsort(A, axis=0)),
    "norm": (lambda: rk.op_norm(A, axis=2), lambda: K.norm(A, axis=1)),
    "norm-fro": (lambda: rk.op_norm(A), lambda: K.norm(A)),
    "norm-ord1": (lambda: rk.op_norm(V, ord=1), lambda: K.norm(V, ord=1)),
    "normalize": (lambda: rk.op_normalize(A, axis=1), lambda: K.normalize(A, axis=0)),
    "transpose": (lambda: rk.op_transpose(Q, [2, 1, 4, 3]), lambda: K.transpose(Q, (1, 0, 3, 2))),
    "expand_dims": (lambda: rk.op_expand_dims(A, 2), lambda: K.expand_dims(A, 1)),
    "concatenate": (lambda: rk.op_concatenate([A, B]), lambda: K.concatenate([A, B], axis=0)),
    "stack": (lambda: rk.op_stack([A, B], axis=3), lambda: K.stack([A, B], axis=2)),
    "take": (lambda: rk.op_take(A, np.array([1, 3]), axis=2), lambda: K.take(A, np.array([0, 2]), axis=1)),
    "take_along_axis": (lambda: rk.op_take_along_axis(A, np.array([[2], [1], [4]]), axis=2),
                        lambda: K.take_along_axis(A, np.array([[1], [0], [3]]), axis=1)),
    "tile": (lambda: rk.op_tile(A, (2, 1)), lambda: K.tile(A, (2, 1))),
    "repeat": (lambda: rk.op_repeat(A, 2, axis=2), lambda: K.repeat(A, 2, axis=1)),
    "roll": (lambda: rk.op_roll(A, 2, axis=2), lambda: K.roll(A, 2, axis=1)),
    "moveaxis": (lambda: rk.op_moveaxis(Q, 1, 4), lambda: K.moveaxis(Q, 0, 3)),
    "diff": (lambda: rk.op_diff(A, 2, axis=2), lambda: K.diff(A, 2, axis=1)),
    "rot90": (lambda: rk.op_rot90(A), lambda: K.rot90(A)),
    "tril": (lambda: rk.op_tril(A, -1), lambda: K.tril(A, -1)),
    "diagonal": (lambda: rk.op_diagonal(Q, 0, 2, 4), lambda: K.diagonal(Q, 0, 1, 3)),
    "trace": (lambda: rk.op_trace(SQ), lambda: K.trace(SQ)),
    "einsum": (lambda: rk.op_einsum("ij,kj->ik", A, B), lambda: K.einsum("ij,kj->ik", A, B)),
    "tensordot": (lambda: rk.op_tensordot(A, B.T, axes=1), lambda: K.tensordot(A, B.T, axes=1)),
    "cross": (lambda: rk.op_cross(A[:, :3], B[:, :3]), lambda: K.cross(A[:, :3], B[:, :3])),
    "det": (lambda: rk.op_det(SQ), lambda: K.det(SQ)),
    "inv": (lambda: rk.op_inv(SQ), lambda: K.inv(SQ)),
    "solve": (lambda: rk.op_solve(SQ, A[:, :2]), lambda: K.solve(SQ, A[:, :2])),
    "cholesky": (lambda: rk.op_cholesky(SPD), lambda: K.cholesky(SPD)),
    "logdet": (lambda: rk.op_logdet(SPD), lambda: K.logdet(SPD)),
    "relu6": (lambda: rk.op_relu6(A * 5), lambda: K.relu6(A * 5)),
    "gelu": (lambda: rk.op_gelu(A), lambda: K.gelu(A)),
    "gelu-exact": (lambda: rk.op_gelu(A, approximate=False), lambda: K.gelu(A, approximate=False)),
    "selu": (lambda: rk.op_selu(A), lambda: K.selu(A)),
    "elu": (lambda: rk.op_elu(A, 0.5), lambda: K.elu(A, 0.5)),
    "leaky_relu": (lambda: rk.op_leaky_relu(A), lambda: K.leaky_relu(A)),
    "hard_sigmoid": (lambda: rk.op_hard_sigmoid(A * 4), lambda: K.hard_sigmoid(A * 4)),
    "hard_silu": (lambda: rk.op_hard_silu(A * 4), lambda: K.hard_silu(A * 4)),
    "log_sigmoid": (lambda: rk.op_log_sigmoid(A), lambda: K.log_sigmoid(A)),
    "softplus": (lambda: rk.op_softplus(A), lambda: K.softplus(A)),
    "celu": (lambda: rk.op_celu(A, 0.5), lambda: K.celu(A, 0.5)),
    "glu": (lambda: rk.op_glu(A), lambda: K.glu(A)),
    "squareplus": (lambda: rk.op_squareplus(A), lambda: K.squareplus(A)),
    "sparse_plus": (lambda: rk.op_sparse_plus(A), lambda: K.sparse_plus(A)),
    "sparse_sigmoid": (lambda: rk.op_sparse_sigmoid(A), lambda: K.sparse_sigmoid(A)),
    "soft_shrink": (lambda: rk.op_soft_shrink(A), lambda: K.soft_shrink(A)),
    "tanh_shrink": (lambda: rk.op_tanh_shrink(A), lambda: K.tanh_shrink(A)),
    "softmax-axis1": (lambda: rk.op_softmax(A, axis=1), lambda: K.softmax(A, axis=0)),
    "log_softmax": (lambda: rk.op_log_softmax(A), lambda: K.log_softmax(A)),
    "one_hot": (lambda: rk.op_one_hot(np.array([1, 3, 2]), 4), lambda: K.one_hot(np.array([0, 2, 1]), 4)),
    "multi_hot": (lambda: rk.op_multi_hot(np.array([[0, 2], [1, 1]]), 3), lambda: K.multi_hot(np.array([[0, 2], [1, 1]]), 3)),
    "binary_crossentropy": (lambda: rk.op_binary_crossentropy((A > 0) * 1.0, 1 / (1 + np.exp(-B))),
                            lambda: K.binary_crossentropy((A > 0) * 1.0, 1 / (1 + np.exp(-B)))),
    "categorical_crossentropy-logits": (lambda: rk.op_categorical_crossentropy(np.eye(4)[[0, 3, 1]], A, True),
                                        lambda: K.categorical_crossentropy(np.eye(4)[[0, 3, 1]], A, True)),
    "sparse_categorical_crossentropy": (
        lambda: rk.op_sparse_categorical_crossentropy(np.array([0, 3, 1]), P / P.sum(-1, keepdims=True)),
        lambda: K.sparse_categorical_crossentropy(np.array([0, 3, 1]), P / P.sum(-1, keepdims=True))),
    "moments": (lambda: rk.op_moments(A, axes=[1])[1], lambda: K.moments(A, axes=[0])[1]),
    "rms_normalization": (lambda: rk.op_rms_normalization(A, axis=-1), lambda: K.rms_normalization(A, axis=-1)),
    "layer_normalization": (lambda: rk.op_layer_normalization(A, V, V, epsilon=1e-3),
                            lambda: K.layer_normalization(A, V, V, epsilon=1e-3)),
    "psnr": (lambda: rk.op_psnr(P, P + 0.1 * A, 2.0), lambda: K.psnr(P, P + 0.1 * A, 2.0)),
    "dot_product_attention": (lambda: rk.op_dot_product_attention(Q, KK, VV, mask=MASK),
                              lambda: K.dot_product_attention(Q, KK, VV, mask=MASK)),
    "dot_product_attention-causal": (lambda: rk.op_dot_product_attention(Q, Q, Q, is_causal=True),
                                     lambda: K.dot_product_attention(Q, Q, Q, is_causal=True)),
    "arange": (lambda: rk.op_arange(1, 10, 2) - 1, lambda: K.arange(0, 10, 2)),
    "linspace": (lambda: rk.op_linspace(0.0, 1.0, 5), lambda: K.linspace(0.0, 1.0, 5)),
    "eye": (lambda: rk.op_eye(3, 4, 1), lambda: K.eye(3, 4, 1)),
    "searchsorted": (lambda: rk.op_searchsorted(np.sort(V), A.ravel()) - 1,
                     lambda: K.searchsorted(np.sort(V), A.ravel())),
    "digitize": (lambda: rk.op_digitize(A, np.array([-1.0, 0.0, 1.0]), zero_indexed=True),
                 lambda: K.digitize(A, np.array([-1.0, 0.0, 1.0]))),
    "corrcoef": (lambda: rk.op_corrcoef(A), lambda: K.corrcoef(A)),
    "hamming": (lambda: rk.op_hamming(5), lambda: K.hamming(5)),
    "kaiser": (lambda: rk.op_kaiser(5, 2.0), lambda: K.kaiser(5, 2.0)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_op_value_matches_keras(name):
    ours, theirs = CASES[name]
    got = np.asarray(ours() if not isinstance(ours(), list) else ours()[0], dtype=np.float64)
    want = np.asarray(theirs(), dtype=np.float64)
    assert got.shape == want.shape, (got.shape, want.shape)
    tol = 1e-5 if np.asarray(theirs()).dtype == np.float32 else 1e-6
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_sparsemax_is_the_projection_on_the_simplex():
    """Against bisection on the threshold tau (sum(max(z - tau, 0)) = 1): Keras 3.15's own sparsemax
    returns rows of zeros for some inputs (e.g. row 2 of `2 * A`), so it cannot be the reference."""
    z = 2 * A
    out = rk.op_sparsemax(z)
    for row, got in zip(z, out):
        lo, hi = row.min() - 1, row.max()
        for _ in range(200):
            tau = (lo + hi) / 2
            lo, hi = (tau, hi) if np.maximum(row - tau, 0).sum() > 1 else (lo, tau)
        np.testing.assert_allclose(got, np.maximum(row - (lo + hi) / 2, 0), atol=1e-12)
