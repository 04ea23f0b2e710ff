"""Linear algebra: matmul, einsum, tensordot, norms, determinants, inverses, solves (with gradients)."""

import string

import numpy as np
from scipy import linalg as sla

from ._base import apply, op_doc, plain, r_axes, unbroadcast

__all__ = [
    "op_cholesky", "op_corrcoef", "op_cross", "op_det", "op_dot", "op_eig", "op_eigh", "op_einsum",
    "op_inner", "op_inv", "op_logdet", "op_lstsq", "op_matmul", "op_norm", "op_normalize", "op_outer",
    "op_qr", "op_slogdet", "op_solve", "op_solve_triangular", "op_svd", "op_tensordot", "op_vdot",
]


def _matmul_vjp(g, o, a, b):
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = np.expand_dims(g, -2) if a.ndim == 1 else g
    g2 = np.expand_dims(g2, -1) if b.ndim == 1 else g2
    ga = g2 @ np.swapaxes(b2, -1, -2)
    gb = np.swapaxes(a2, -1, -2) @ g2
    return (unbroadcast(ga, a2.shape).reshape(a.shape).astype(g.dtype, copy=False),
            unbroadcast(gb, b2.shape).reshape(b.shape).astype(g.dtype, copy=False))


@op_doc("Matrix product of two arrays (numpy's `matmul`: batched over the leading dimensions).")
def op_matmul(x1, x2):
    return apply(np.matmul, _matmul_vjp, x1, x2)


@op_doc("Dot product of two arrays (numpy's `dot`).")
def op_dot(x1, x2):
    a, b = plain(x1), plain(x2)
    if a.ndim == 0 or b.ndim == 0:
        from .math import op_multiply
        return op_multiply(x1, x2)
    if b.ndim <= 2:
        return op_matmul(x1, x2)
    return op_tensordot(x1, x2, axes=([a.ndim - 1], [b.ndim - 2]))


def _parse_einsum(subscripts, shapes):
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins, out = subscripts, None
    ins = ins.split(",")
    free = [c for c in string.ascii_letters if c not in subscripts]
    n_ell = max((len(s) - (len(sub) - 3) for sub, s in zip(ins, shapes) if "..." in sub), default=0)
    ell = "".join(free[:n_ell])
    full = []
    for sub, s in zip(ins, shapes):
        if "..." in sub:
            k = len(s) - (len(sub) - 3)
            sub = sub.replace("...", ell[n_ell - k:])
        full.append(sub)
    if out is None:
        letters = "".join(full)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return full, out


@op_doc("Einstein summation over the operands (numpy's `einsum`).",
        subscripts=("str", "The subscripts, e.g. \"ij,jk->ik\"."), args=("arrays", "The operands."))
def op_einsum(subscripts, *args):
    shapes = [np.shape(plain(a)) for a in args]
    ins, out = _parse_einsum(subscripts, shapes)
    spec = ",".join(ins) + "->" + out

    def vjp(g, o, *vals):
        grads = []
        for i, (sub, v) in enumerate(zip(ins, vals)):
            if len(set(sub)) != len(sub):
                raise NotImplementedError(f"op_einsum(): no gradient for the repeated index in {sub!r}.")
            others = [s for j, s in enumerate(ins) if j != i]
            avail = set(out).union(*others) if others else set(out)
            target = "".join(c for c in sub if c in avail)
            r = np.einsum(",".join([out] + others) + "->" + target, g, *[w for j, w in enumerate(vals) if j != i])
            shape = [v.shape[k] if c in avail else 1 for k, c in enumerate(sub)]
            grads.append(np.broadcast_to(r.reshape(shape), v.shape).astype(g.dtype))
        return tuple(grads)
    return apply(lambda *v: np.einsum(spec, *v), vjp, *args)


@op_doc("Tensor dot product over the given axes.",
        axes=("int or pair of lists", ("The number of trailing/leading axes to contract, or two lists of "
                                      "0-based axes, as numpy's `tensordot`.")))
def op_tensordot(x1, x2, axes=2):
    a, b = plain(x1), plain(x2)
    if isinstance(axes, (int, np.integer)):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = [list(np.atleast_1d(t)) for t in axes]
    ax_a = [x % a.ndim for x in ax_a]
    ax_b = [x % b.ndim for x in ax_b]
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in ax_a] + [c for k, c in enumerate(sb) if k not in ax_b]
    return op_einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), x1, x2)


@op_doc("Outer product of two arrays (flattened first).")
def op_outer(x1, x2):
    from .shape import op_ravel
    return op_einsum("i,j->ij", op_ravel(x1), op_ravel(x2))


@op_doc("Inner product of two arrays (sum over the last axes).")
def op_inner(x1, x2):
    a, b = plain(x1), plain(x2)
    if a.ndim == 0 or b.ndim == 0:
        from .math import op_multiply
        return op_multiply(x1, x2)
    return op_tensordot(x1, x2, axes=([a.ndim - 1], [b.ndim - 1]))


@op_doc("Dot product of two arrays flattened to vectors.")
def op_vdot(x1, x2):
    from .shape import op_ravel
    return op_einsum("i,i->", op_ravel(x1), op_ravel(x2))


@op_doc("Matrix or vector norm.",
        ord=("None, number, \"fro\" or Inf", ("Order of the norm: None (2-norm of vectors, Frobenius of "
                                            "matrices), a number p (vector p-norm), \"fro\", or Inf.")))
def op_norm(x, ord=None, axis=None, keepdims=False):
    v = plain(x)
    axes = r_axes(axis, v.ndim)
    if axes is None:
        axes = tuple(range(v.ndim))
    from .math import op_abs, op_power, op_sqrt
    from .reductions import op_max, op_sum
    r_ax = [a + 1 for a in axes]
    if ord is None or ord == "fro" or ord == 2 and len(axes) == 1:
        from .math import op_square
        return op_sqrt(op_sum(op_square(x), axis=r_ax, keepdims=keepdims))
    if len(axes) != 1:
        raise ValueError(f"`ord` = {ord!r} is supported for vector norms (one axis) only; matrix norms "
                         f"accept ord = None or \"fro\".")
    if ord == np.inf:
        return op_max(op_abs(x), axis=r_ax, keepdims=keepdims)
    p = float(ord)
    if p <= 0:
        raise ValueError(f"`ord` must be positive, None, \"fro\" or Inf; received {ord!r}.")
    return op_power(op_sum(op_power(op_abs(x), p), axis=r_ax, keepdims=keepdims), 1.0 / p)


@op_doc("Normalize `x` by its `order`-norm over `axis`.",
        order=("int", "The norm order (2: Euclidean)."),
        epsilon=("float or None", "Lower bound of the norm (None: 1e-12)."))
def op_normalize(x, axis=-1, order=2, epsilon=None):
    from .math import op_divide, op_maximum
    eps = 1e-12 if epsilon is None else float(epsilon)
    return op_divide(x, op_maximum(op_norm(x, ord=order, axis=axis, keepdims=True), eps))


def _mT(a):
    return np.swapaxes(a, -1, -2)


@op_doc("Determinant of (a batch of) square matrices.")
def op_det(x):
    return apply(np.linalg.det,
                 lambda g, o, a: ((g * o)[..., None, None] * _mT(np.linalg.inv(a)),), x)


@op_doc("Inverse of (a batch of) square matrices.")
def op_inv(x):
    return apply(np.linalg.inv, lambda g, o, a: (-_mT(o) @ g @ _mT(o),), x)


@op_doc("Log-determinant of (a batch of) square matrices with positive determinant.")
def op_logdet(x):
    return apply(lambda a: np.linalg.slogdet(a)[1].astype(a.dtype),
                 lambda g, o, a: (g[..., None, None] * _mT(np.linalg.inv(a)),), x)


@op_doc("Solve the linear system `a %*% x = b`.", a=("array", "Square coefficient matrix (or batch)."),
        b=("array", "Right-hand side."))
def op_solve(a, b):
    def vjp(g, o, av, bv):
        vec = bv.ndim == av.ndim - 1
        gb = np.linalg.solve(_mT(av), g[..., None] if vec else g)
        oo = o[..., None] if vec else o
        ga = -gb @ _mT(oo)
        return ga, gb[..., 0] if vec else gb
    return apply(lambda av, bv: np.linalg.solve(av, bv[..., None])[..., 0] if bv.ndim == av.ndim - 1
                 else np.linalg.solve(av, bv), vjp, a, b)


@op_doc("Solve `a %*% x = b` for a triangular matrix `a`.", a=("array", "Triangular matrix (2-d)."),
        b=("array", "Right-hand side."), lower=("bool", "Whether `a` is lower triangular."))
def op_solve_triangular(a, b, lower=False):
    def vjp(g, o, av, bv):
        gb = sla.solve_triangular(av, g, trans="T", lower=lower)
        ga = -np.atleast_2d(gb).reshape(av.shape[0], -1) @ np.atleast_2d(o).reshape(av.shape[0], -1).T
        ga = np.tril(ga) if lower else np.triu(ga)
        return ga, gb
    return apply(lambda av, bv: sla.solve_triangular(av, bv, lower=lower), vjp, a, b)


@op_doc("Cholesky factor (lower triangular) of a symmetric positive-definite matrix.")
def op_cholesky(x):
    def vjp(g, o, a):
        # Murray (2016): S = L^-T Phi(L^T G) L^-1, then its symmetric part (A is read as symmetric)
        p = o.T @ g
        p = np.tril(p) - 0.5 * np.diag(np.diag(p))
        y = sla.solve_triangular(o, p, lower=True, trans="T")
        s = sla.solve_triangular(o, y.T, lower=True, trans="T").T
        return ((0.5 * (s + s.T)).astype(g.dtype),)
    return apply(np.linalg.cholesky, vjp, x)


def _no_gradient(name):
    def vjp(g, o, *vals):
        from ..core.tape import TapeError
        raise TapeError(f"{name}() has no gradient rule in rkeras: keep it out of what is differentiated "
                        f"(wrap its input in op_stop_gradient()).")
    return vjp


@op_doc("Cross product of 3-vectors along the given axes.",
        axisa=("int", "Axis of the vectors in `x1` (R style)."), axisb=("int", "Axis of the vectors in `x2`."),
        axisc=("int", "Axis of the vectors in the result."),
        axis=("int or None", "If given, overrides `axisa`, `axisb` and `axisc`."))
def op_cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    na, nb = np.ndim(plain(x1)), np.ndim(plain(x2))
    aa, ab = r_axes(axisa, na)[0], r_axes(axisb, nb)[0]
    from .shape import op_moveaxis
    a = op_moveaxis(x1, aa + 1, -1)
    b = op_moveaxis(x2, ab + 1, -1)

    def vjp(g, o, av, bv):
        return unbroadcast(np.cross(bv, g), av.shape), unbroadcast(np.cross(g, av), bv.shape)
    out = apply(lambda av, bv: np.cross(av, bv), vjp, a, b)
    ac = r_axes(axisc, np.ndim(plain(out)))[0]
    return op_moveaxis(out, -1, ac + 1)


@op_doc("Sign and log of the absolute value of the determinant.", returns="list (sign, logabsdet)")
def op_slogdet(x):
    sign = np.linalg.slogdet(plain(x))[0]
    return [sign, apply(lambda a: np.linalg.slogdet(a)[1].astype(a.dtype),
                        lambda g, o, a: (g[..., None, None] * _mT(np.linalg.inv(a)),), x)]


def _parts(results, name, x):
    """Each result of a decomposition, recorded with a rule that refuses to differentiate it."""
    return [apply(lambda a, r=r: r, _no_gradient(name), x) for r in results]


@op_doc("Singular value decomposition (no gradient).", returns="list (u, s, vh), or s",
        full_matrices=("bool", "Full-sized `u` and `vh`."), compute_uv=("bool", "Also return `u` and `vh`."))
def op_svd(x, full_matrices=True, compute_uv=True):
    out = np.linalg.svd(plain(x), full_matrices=full_matrices, compute_uv=compute_uv)
    return _parts(out, "op_svd", x) if compute_uv else _parts([out], "op_svd", x)[0]


@op_doc("QR decomposition (no gradient).", returns="list (q, r)",
        mode=("str", "\"reduced\" or \"complete\"."))
def op_qr(x, mode="reduced"):
    return _parts(np.linalg.qr(plain(x), mode=mode), "op_qr", x)


@op_doc("Eigenvalues and eigenvectors of symmetric matrices (no gradient).", returns="list (values, vectors)")
def op_eigh(x):
    return _parts(np.linalg.eigh(plain(x)), "op_eigh", x)


@op_doc("Eigenvalues and eigenvectors of square matrices (no gradient).", returns="list (values, vectors)")
def op_eig(x):
    return _parts(np.linalg.eig(plain(x)), "op_eig", x)


@op_doc("Least-squares solution of `a %*% x = b` (no gradient).", a=("array", "Coefficient matrix."),
        b=("array", "Right-hand side."), rcond=("float or None", "Cut-off ratio for small singular values."))
def op_lstsq(a, b, rcond=None):
    return apply(lambda av, bv: np.linalg.lstsq(av, bv, rcond=rcond)[0], _no_gradient("op_lstsq"), a, b)


@op_doc("Pearson correlation coefficients of the rows of `x`.")
def op_corrcoef(x):
    from .math import op_divide, op_sqrt, op_subtract
    from .reductions import op_mean
    from .shape import op_diagonal
    c = op_subtract(x, op_mean(x, axis=-1, keepdims=True))
    cov = op_matmul(c, _t2d(c))
    d = op_sqrt(op_diagonal(cov))
    return op_divide(cov, op_outer(d, d))


def _t2d(x):
    from .shape import transpose0
    return transpose0(x, None)
