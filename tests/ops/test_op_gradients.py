"""Every differentiable op: its tape gradient against central finite differences in float64, over
shapes, broadcasts and axes (R-style, 1-based).

Each case is `(ops function of the inputs, input shapes, value range)`; the scalar checked is
`sum(f(inputs) * W)` for a fixed random `W`, so every output element's vector-Jacobian product counts.
Ranges keep inputs away from kinks (relu at 0, clip bounds) and outside the domain's edges.
"""

import numpy as np
import pytest
from layer_harness import assert_close_grad, numeric_grad

import rkeras as rk

R = (-1.0, 1.0)
POS = (0.3, 2.0)
UNIT = (-0.8, 0.8)
AWAY = "away"  # |x| in [0.2, 1.5] with random signs: away from the kink at 0


def _draw(rng, shape, rng_spec):
    if rng_spec == AWAY:
        return rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    lo, hi = rng_spec
    return rng.uniform(lo, hi, shape)


def _spd(a):  # a symmetric positive-definite matrix from any square one
    return rk.op_add(rk.op_matmul(a, rk.op_transpose(a)), rk.op_multiply(rk.op_eye(a.shape[0], dtype="float64"), 3.0))


UNARY = {
    "abs": (rk.op_abs, AWAY), "negative": (rk.op_negative, R), "exp": (rk.op_exp, R), "exp2": (rk.op_exp2, R),
    "expm1": (rk.op_expm1, R), "log": (rk.op_log, POS), "log2": (rk.op_log2, POS), "log10": (rk.op_log10, POS),
    "log1p": (rk.op_log1p, POS), "sqrt": (rk.op_sqrt, POS), "rsqrt": (rk.op_rsqrt, POS),
    "square": (rk.op_square, R), "reciprocal": (rk.op_reciprocal, POS), "sin": (rk.op_sin, R),
    "cos": (rk.op_cos, R), "tan": (rk.op_tan, R), "sinh": (rk.op_sinh, R), "cosh": (rk.op_cosh, R),
    "tanh": (rk.op_tanh, R), "arcsin": (rk.op_arcsin, UNIT), "arccos": (rk.op_arccos, UNIT),
    "arctan": (rk.op_arctan, R), "arcsinh": (rk.op_arcsinh, R), "arccosh": (rk.op_arccosh, (1.2, 3.0)),
    "arctanh": (rk.op_arctanh, UNIT), "erf": (rk.op_erf, R), "erfinv": (rk.op_erfinv, UNIT),
    "cbrt": (rk.op_cbrt, POS), "deg2rad": (rk.op_deg2rad, R), "copy": (rk.op_copy, R),
    "relu": (rk.op_relu, AWAY), "relu6": (rk.op_relu6, AWAY), "sigmoid": (rk.op_sigmoid, R),
    "softplus": (rk.op_softplus, R), "softsign": (rk.op_softsign, AWAY), "silu": (rk.op_silu, R),
    "log_sigmoid": (rk.op_log_sigmoid, R), "hard_sigmoid": (rk.op_hard_sigmoid, AWAY),
    "hard_silu": (rk.op_hard_silu, AWAY), "hard_swish": (rk.op_hard_swish, AWAY),
    "hard_tanh": (lambda x: rk.op_hard_tanh(rk.op_multiply(x, 0.7)), AWAY),
    "tanh_shrink": (rk.op_tanh_shrink, R), "sparse_plus": (rk.op_sparse_plus, (-0.9, 0.9)),
    "selu": (rk.op_selu, AWAY), "elu": (lambda x: rk.op_elu(x, alpha=0.7), AWAY),
    "celu": (lambda x: rk.op_celu(x, alpha=0.7), AWAY),
    "leaky_relu": (rk.op_leaky_relu, AWAY), "gelu": (rk.op_gelu, R),
    "gelu_exact": (lambda x: rk.op_gelu(x, approximate=False), R),
    "soft_shrink": (lambda x: rk.op_soft_shrink(x, 0.1), AWAY),
    "hard_shrink": (lambda x: rk.op_hard_shrink(x, 0.1), AWAY),
    "squareplus": (rk.op_squareplus, R), "threshold": (lambda x: rk.op_threshold(x, 0.0, -2.0), AWAY),
    "clip": (lambda x: rk.op_clip(x, -0.5, 0.5), (-0.45, 0.45)),
    "clip_outside": (lambda x: rk.op_clip(x, -0.1, 0.1), AWAY),
    "nan_to_num": (rk.op_nan_to_num, R),
    "cast64": (lambda x: rk.op_cast(x, "float64"), R),
}

BINARY = {
    "add": (rk.op_add, R, R), "subtract": (rk.op_subtract, R, R), "multiply": (rk.op_multiply, R, R),
    "divide": (rk.op_divide, R, POS), "divide_no_nan": (rk.op_divide_no_nan, R, POS),
    "power": (rk.op_power, POS, R), "maximum": (rk.op_maximum, R, R), "minimum": (rk.op_minimum, R, R),
    "pmax": (rk.op_pmax, R, R), "pmin": (rk.op_pmin, R, R), "arctan2": (rk.op_arctan2, R, POS),
    "logaddexp": (rk.op_logaddexp, R, R), "mod": (rk.op_mod, (0.1, 0.9), (1.0, 2.0)),
    "where": (lambda a, b: rk.op_where(rk.op_greater(a, 0), a, b), AWAY, R),
    "operators": (lambda a, b: (a * 2.0 - b) / (b * b + 1.0) + a ** 2, R, R),
}
BROADCASTS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (1, 4, 1)), ((2, 3), ())]

REDUCE = {
    "sum": rk.op_sum, "mean": rk.op_mean, "max": rk.op_max, "min": rk.op_min, "prod": rk.op_prod,
    "var": rk.op_var, "std": rk.op_std, "logsumexp": rk.op_logsumexp, "norm": rk.op_norm,
}
AXES = [None, 1, -1, [2, 3], [1, -1]]


def _reduction(f, axis, keepdims):
    return lambda x: f(x, axis=axis, keepdims=keepdims)


def _cases():
    for name, (f, dom) in UNARY.items():
        yield f"unary-{name}", f, [(2, 3)], [dom]
    for name, (f, d1, d2) in BINARY.items():
        for s1, s2 in BROADCASTS:
            yield f"binary-{name}-{s1}-{s2}", f, [s1, s2], [d1, d2]
    for name, f in REDUCE.items():
        for axis in AXES:
            for keepdims in (False, True):
                yield (f"reduce-{name}-{axis}-{keepdims}",
                       _reduction(f, axis, keepdims),
                       [(2, 3, 4)], [POS if name in ("prod", "norm") else R])
    more = {
        "norm-ord1": (lambda x: rk.op_norm(x, ord=1, axis=-1), [(3, 4)], [AWAY]),
        "norm-ord3": (lambda x: rk.op_norm(x, ord=3, axis=1), [(3, 4)], [AWAY]),
        "norm-inf": (lambda x: rk.op_norm(x, ord=np.inf, axis=-1), [(3, 4)], [AWAY]),
        "normalize": (lambda x: rk.op_normalize(x, axis=-1), [(3, 4)], [R]),
        "prod-with-zero": (lambda x: rk.op_prod(rk.op_multiply(x, np.array([1.0, 0.0, 1.0])), axis=-1), [(2, 3)], [R]),
        "cumsum": (lambda x: rk.op_cumsum(x, axis=2), [(2, 3, 2)], [R]),
        "cumsum-flat": (lambda x: rk.op_cumsum(x), [(2, 3)], [R]),
        "cumprod": (lambda x: rk.op_cumprod(x, axis=-1), [(2, 4)], [POS]),
        "median-odd": (lambda x: rk.op_median(x, axis=-1), [(2, 5)], [R]),
        "median-even": (lambda x: rk.op_median(x, axis=1, keepdims=True), [(4, 3)], [R]),
        "median-all": (lambda x: rk.op_median(x), [(2, 3)], [R]),
        "average": (lambda x, w: rk.op_average(x, axis=2, weights=w), [(2, 3), (3,)], [R, POS]),
        "moments": (lambda x: rk.op_add(*rk.op_moments(x, axes=[1, 2])), [(3, 4)], [R]),
        "softmax": (lambda x: rk.op_softmax(x), [(2, 5)], [R]),
        "softmax-axis1": (lambda x: rk.op_softmax(x, axis=1), [(3, 2)], [R]),
        "log_softmax": (lambda x: rk.op_log_softmax(x, axis=-1), [(2, 5)], [R]),
        "glu": (lambda x: rk.op_glu(x), [(2, 6)], [R]),
        "binary_ce": (lambda p: rk.op_binary_crossentropy(np.array([[0.0, 1.0, 1.0]]), p), [(2, 3)], [(0.1, 0.9)]),
        "binary_ce_logits": (lambda z: rk.op_binary_crossentropy(np.array([[0.0, 1.0, 0.3]]), z, from_logits=True),
                             [(2, 3)], [R]),
        "categorical_ce": (lambda p: rk.op_categorical_crossentropy(np.eye(3)[[0, 2]], p), [(2, 3)], [(0.1, 0.9)]),
        "categorical_ce_logits": (lambda z: rk.op_categorical_crossentropy(np.eye(3)[[0, 2]], z, from_logits=True),
                                  [(2, 3)], [R]),
        "sparse_ce_logits": (lambda z: rk.op_sparse_categorical_crossentropy(np.array([1, 2]), z, from_logits=True),
                             [(2, 3)], [R]),
        "rms_normalization": (lambda x, s: rk.op_rms_normalization(x, scale=s), [(3, 4), (4,)], [R, R]),
        "layer_normalization": (lambda x, g, b: rk.op_layer_normalization(x, g, b), [(3, 4), (4,), (4,)], [R, R, R]),
        "batch_normalization": (lambda x, m, v, g, b: rk.op_batch_normalization(x, m, v, axis=2, offset=b, scale=g),
                                [(2, 3, 2), (3,), (3,), (3,), (3,)], [R, R, POS, R, R]),
        # shape ops
        "reshape": (lambda x: rk.op_reshape(x, (3, -1)), [(2, 3, 2)], [R]),
        "transpose": (lambda x: rk.op_transpose(x, [3, 1, 2]), [(2, 3, 4)], [R]),
        "transpose-default": (lambda x: rk.op_transpose(x), [(2, 3)], [R]),
        "expand_dims": (lambda x: rk.op_expand_dims(x, -1), [(2, 3)], [R]),
        "squeeze": (lambda x: rk.op_squeeze(x, axis=2), [(2, 1, 3)], [R]),
        "ravel": (rk.op_ravel, [(2, 3)], [R]),
        "broadcast_to": (lambda x: rk.op_broadcast_to(x, (2, 3, 4)), [(3, 1)], [R]),
        "concatenate": (lambda a, b: rk.op_concatenate([a, b], axis=2), [(2, 3), (2, 2)], [R, R]),
        "concatenate-default": (lambda a, b: rk.op_concatenate([a, b]), [(2, 3), (1, 3)], [R, R]),
        "stack": (lambda a, b: rk.op_stack([a, b], axis=2), [(2, 3), (2, 3)], [R, R]),
        "hstack": (lambda a, b: rk.op_hstack([a, b]), [(2, 3), (2, 1)], [R, R]),
        "vstack": (lambda a, b: rk.op_vstack([a, b]), [(2, 3), (3,)], [R, R]),
        "append": (lambda a, b: rk.op_append(a, b), [(2, 2), (3,)], [R, R]),
        "split": (lambda x: rk.op_multiply(*rk.op_split(x, 2, axis=2)), [(3, 4)], [R]),
        "split-indices": (lambda x: rk.op_sum(rk.op_split(x, [1, 3], axis=1)[1]), [(4, 2)], [R]),
        "unstack": (lambda x: rk.op_multiply(*rk.op_unstack(x)), [(2, 3)], [R]),
        "tile": (lambda x: rk.op_tile(x, (2, 3)), [(2, 2)], [R]),
        "repeat": (lambda x: rk.op_repeat(x, 3, axis=1), [(2, 2)], [R]),
        "repeat-flat": (lambda x: rk.op_repeat(x, [1, 2, 0, 1]), [(2, 2)], [R]),
        "take": (lambda x: rk.op_take(x, np.array([[1, 3], [3, 3]]), axis=2), [(2, 3)], [R]),
        "take-flat": (lambda x: rk.op_take(x, np.array([6, 1, 1])), [(2, 3)], [R]),
        "take_along_axis": (lambda x: rk.op_take_along_axis(x, np.array([[3, 1], [2, 2]]), axis=-1), [(2, 3)], [R]),
        "flip": (lambda x: rk.op_flip(x, axis=1), [(2, 3)], [R]),
        "roll": (lambda x: rk.op_roll(x, 1, axis=-1), [(2, 3)], [R]),
        "moveaxis": (lambda x: rk.op_moveaxis(x, 1, -1), [(2, 3, 4)], [R]),
        "swapaxes": (lambda x: rk.op_swapaxes(x, 1, 3), [(2, 3, 4)], [R]),
        "slice": (lambda x: rk.op_slice(x, (1, 2), (2, 2)), [(3, 4)], [R]),
        "get_item": (lambda x: rk.op_get_item(x, (slice(None), [0, 2, 2])), [(2, 3)], [R]),
        "indexing": (lambda x: x[1:, ::2] * 2.0, [(3, 4)], [R]),
        "pad": (lambda x: rk.op_pad(x, [(1, 0), (0, 2)]), [(2, 3)], [R]),
        "pad-reflect": (lambda x: rk.op_pad(x, [(1, 1), (2, 0)], mode="reflect"), [(3, 3)], [R]),
        "tril": (lambda x: rk.op_tril(x, -1), [(3, 3)], [R]),
        "triu": (lambda x: rk.op_triu(x), [(3, 4)], [R]),
        "diagonal": (lambda x: rk.op_diagonal(x, 0, 2, 3), [(2, 3, 3)], [R]),
        "diag": (lambda x: rk.op_diag(x), [(3, 3)], [R]),
        "diag-vector": (lambda x: rk.op_diag(x, 1), [(3,)], [R]),
        "diagflat": (lambda x: rk.op_diagflat(x), [(2, 2)], [R]),
        "trace": (lambda x: rk.op_trace(x), [(3, 3)], [R]),
        "sort": (lambda x: rk.op_sort(x, axis=-1), [(2, 4)], [R]),
        "top_k": (lambda x: rk.op_top_k(x, 2)[0], [(2, 4)], [R]),
        "slice_update": (lambda x, u: rk.op_slice_update(x, (2, 1), u), [(3, 3), (2, 2)], [R, R]),
        "random_shuffle": (lambda x: rk.random_shuffle(x, seed=3), [(4, 2)], [R]),
        "random_dropout": (lambda x: rk.random_dropout(x, 0.5, seed=3), [(4, 3)], [R]),
        # linear algebra
        "matmul": (rk.op_matmul, [(2, 3), (3, 4)], [R, R]),
        "matmul-batched": (rk.op_matmul, [(2, 2, 3), (3, 4)], [R, R]),
        "matmul-broadcast": (rk.op_matmul, [(2, 1, 2, 3), (3, 3, 2)], [R, R]),
        "matmul-vec-left": (rk.op_matmul, [(3,), (3, 2)], [R, R]),
        "matmul-vec-right": (rk.op_matmul, [(2, 3), (3,)], [R, R]),
        "matmul-operator": (lambda a, b: a @ b, [(2, 3), (3, 2)], [R, R]),
        "dot": (rk.op_dot, [(2, 3), (3,)], [R, R]),
        "dot-nd": (rk.op_dot, [(2, 3), (2, 3, 2)], [R, R]),
        "einsum": (lambda a, b: rk.op_einsum("bij,jk->bik", a, b), [(2, 2, 3), (3, 2)], [R, R]),
        "einsum-reduce": (lambda a, b: rk.op_einsum("ij,ij->i", a, b), [(2, 3), (2, 3)], [R, R]),
        "einsum-ellipsis": (lambda a, b: rk.op_einsum("...i,i->...", a, b), [(2, 2, 3), (3,)], [R, R]),
        "einsum-implicit": (lambda a: rk.op_einsum("ij", a), [(2, 3)], [R]),
        "einsum-sum-only": (lambda a, b: rk.op_einsum("ij,k->k", a, b), [(2, 3), (2,)], [R, R]),
        "tensordot": (lambda a, b: rk.op_tensordot(a, b, axes=1), [(2, 3), (3, 2)], [R, R]),
        "tensordot-pairs": (lambda a, b: rk.op_tensordot(a, b, axes=([0, 1], [1, 0])), [(2, 3), (3, 2)], [R, R]),
        "outer": (rk.op_outer, [(3,), (2,)], [R, R]),
        "inner": (rk.op_inner, [(2, 3), (4, 3)], [R, R]),
        "vdot": (rk.op_vdot, [(2, 3), (2, 3)], [R, R]),
        "det": (lambda a: rk.op_det(_spd(a)), [(3, 3)], [R]),
        "inv": (lambda a: rk.op_inv(_spd(a)), [(3, 3)], [R]),
        "logdet": (lambda a: rk.op_logdet(_spd(a)), [(3, 3)], [R]),
        "solve": (lambda a, b: rk.op_solve(_spd(a), b), [(3, 3), (3, 2)], [R, R]),
        "solve-vector": (lambda a, b: rk.op_solve(_spd(a), b), [(3, 3), (3,)], [R, R]),
        "solve_triangular": (lambda a, b: rk.op_solve_triangular(
            rk.op_add(rk.op_tril(a), rk.op_multiply(rk.op_eye(3, dtype="float64"), 3.0)), b, lower=True),
            [(3, 3), (3, 2)], [R, R]),
        "cholesky": (lambda a: rk.op_cholesky(_spd(a)), [(3, 3)], [R]),
        "diff": (lambda x: rk.op_diff(x, n=2, axis=2), [(2, 4)], [R]),
        "rot90": (lambda x: rk.op_rot90(x, k=3), [(2, 3)], [R]),
        "extract_sequences": (lambda x: rk.op_extract_sequences(x, 3, 2), [(2, 7)], [R]),
        "select": (lambda a, b: rk.op_select([rk.op_greater(a, 0.5), rk.op_less(a, -0.5)], [a, b], 0.0),
                   [(3, 3), (3, 3)], [AWAY, R]),
        "quantile": (lambda x: rk.op_quantile(x, [0.3, 0.5], axis=2, keepdims=True), [(2, 5)], [R]),
        "quantile-all": (lambda x: rk.op_quantile(x, 0.8), [(2, 3)], [R]),
        "cross": (lambda a, b: rk.op_cross(a, b), [(2, 3), (3,)], [R, R]),
        "cross-axis": (lambda a, b: rk.op_cross(a, b, axis=1), [(3, 2), (3, 2)], [R, R]),
        "slogdet": (lambda a: rk.op_slogdet(_spd(a))[1], [(3, 3)], [R]),
        "corrcoef": (rk.op_corrcoef, [(3, 5)], [R]),
        "sparse_sigmoid": (rk.op_sparse_sigmoid, [(2, 3)], [(-0.9, 0.9)]),
        "sparsemax": (lambda x: rk.op_sparsemax(rk.op_multiply(x, 3.0)), [(3, 4)], [R]),
        "psnr": (lambda a, b: rk.op_psnr(a, b, 2.0), [(2, 3), (2, 3)], [R, R]),
        "dot_product_attention": (lambda q, k, v: rk.op_dot_product_attention(q, k, v, is_causal=True),
                                  [(1, 3, 2, 2), (1, 3, 2, 2), (1, 3, 2, 2)], [R, R, R]),
        "map": (lambda x: rk.op_map(x, lambda row: rk.op_sum(rk.op_square(row))), [(3, 2)], [R]),
        "fori_loop": (lambda x: rk.op_fori_loop(0, 3, lambda i, v: rk.op_sin(v) * (i + 1), x), [(2, 2)], [R]),
        "while_loop": (lambda x: rk.op_while_loop(lambda v, i: i < 3, lambda v, i: (rk.op_tanh(v) * 2, i + 1),
                                                  (x, 0))[0], [(2, 2)], [R]),
        "scan": (lambda x: rk.op_scan(lambda c, v: (c + v, c * v), np.zeros(2), x)[1], [(3, 2)], [R]),
        "custom_gradient": (lambda x: rk.op_custom_gradient(lambda v: (v * v, lambda g: g * 2 * v))(x), [(2, 3)], [R]),
    }
    for name, (f, shapes, doms) in more.items():
        yield name, f, shapes, doms


CASES = list(_cases())


@pytest.mark.parametrize("name,f,shapes,domains", CASES, ids=[c[0] for c in CASES])
def test_op_gradient_matches_finite_differences(name, f, shapes, domains):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    xs = [_draw(rng, s, d) for s, d in zip(shapes, domains)]
    out = np.asarray(f(*xs))
    weights = rng.normal(size=out.shape)

    def objective(*args):
        return rk.op_sum(rk.op_multiply(f(*args), weights))

    value, grads = rk.value_and_grad(objective, xs, *xs)
    assert np.isclose(float(value), float(np.sum(out * weights)), rtol=1e-12, atol=1e-12)
    for i, x in enumerate(xs):
        numeric = numeric_grad(lambda: np.sum(np.asarray(f(*xs)) * weights), x)
        assert_close_grad(grads[i], numeric, tol=1e-6, what=f"{name}: d/d input {i + 1}")


def test_the_harness_covers_every_differentiable_op():
    """Every exported op with a gradient rule appears in some case above (by name)."""
    covered = " ".join(c[0] for c in CASES)
    no_gradient = {"op_svd", "op_qr", "op_eig", "op_eigh", "op_lstsq", "op_vectorized_map","op_sign", "op_floor", "op_ceil", "op_trunc", "op_round", "op_floor_divide", "op_heaviside",
                   "op_shape", "op_ndim", "op_size", "op_dtype", "op_is_tensor", "op_cond", "op_meshgrid",
                   "op_convert_to_tensor", "op_convert_to_numpy", "op_convert_to_array", "op_array",
                   "op_saturate_cast", "op_true_divide", "op_get_item", "op_absolute", "op_std", "op_custom_gradient"}
    names = [n for n in rk.__all__ if n.startswith("op_")]
    import inspect
    differentiable = [n for n in names if "apply(" in inspect.getsource(getattr(rk, n)) or "select_elements(" in
                      inspect.getsource(getattr(rk, n))]
    missing = [n for n in differentiable if n not in no_gradient and n[3:] not in covered]
    assert not missing, f"ops with a gradient rule but no finite-difference case: {missing}"


def test_stop_gradient_blocks_the_gradient():
    x = np.array([1.0, -2.0, 3.0])
    _, g = rk.value_and_grad(lambda v: rk.op_sum(rk.op_multiply(v, rk.op_stop_gradient(v))), x, x)
    np.testing.assert_array_equal(g, x)  # d/dx of x * const(x) is const(x), not 2x
