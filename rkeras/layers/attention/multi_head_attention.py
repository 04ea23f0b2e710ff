"""Multi-head attention, as Keras 3's `MultiHeadAttention`, forward and backward written out.

Called on `[query, value]` or `[query, value, key]` (one tensor alone: self-attention), shapes
`(batch, *T, dim)`:

1. projections, held as Keras holds them: EinsumDense sub-layers `query_dense` (named "query": `query/kernel`
   `(dim_q, heads, key_dim)` and `query/bias` `(heads, key_dim)`), `key_dense`, `value_dense` (`value_dim`)
   and `output_dense` ("attention_output": `(heads, value_dim, *output_shape)` and its bias), so that
   `.keras` files interoperate; the layer computes each as one BLAS matrix product on the flattened
   leading axes from their weights (the sub-layers are not called);
2. attention over `attention_axes` (default: every axis between the batch and the features): the
   other axes act as batch axes; the attention axes are flattened into one, so one batched product
   `(n, heads, Tq, d) @ (n, heads, d, Tk)` computes the scores, scaled by `1 / sqrt(key_dim)`;
3. the attention mask (the call's `attention_mask`, AND the query mask `(B, T, 1)`, the value and
   key masks `(B, 1, S)`, the causal mask and the sliding window) turns masked scores into -1e9
   and their probabilities into 0 (Keras' `Softmax` with a mask); dropout of the probabilities in
   training; a batched product with the values; the output projection. Keras 3 computes the
   common case (no dropout, no returned scores, 3D inputs) with its fused `dot_product_attention`,
   which does not zero a fully masked row (e.g. a masked query step): it averages all the values
   there; rkeras follows both paths exactly.

The backward mirrors it with the fused softmax backward; bias gradients are float64 sums.
"""

import math
import string

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ... import random as rk_random
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..core.einsum_dense import EinsumDense
from .masked_softmax import combined_keep_mask, dropout_mask, masked_softmax, softmax_backward


class MultiHeadAttention(Layer):
    """Multi-head attention layer; see `layer_multi_head_attention()`."""

    supports_masking = True
    extra_call_kwargs = ("attention_mask", "return_attention_scores", "use_causal_mask", "query_mask",
                         "value_mask", "key_mask")
    #: in Keras files: called as `layer(query, value, key)` and built from `shapes_dict` (saving)
    keras_positional_inputs = True
    keras_build_shape_names = ("query_shape", "value_shape", "key_shape")

    def __init__(self, num_heads=None, key_dim=None, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 seed=None, use_gate=False, sliding_window=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_multi_head_attention()")
        for arg, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if value is None:
                raise ValueError(f"`{arg}` must be given: a positive integer; received None.")
        self.num_heads = conventions.as_integer(num_heads, "num_heads", minimum=1)
        self.key_dim = conventions.as_integer(key_dim, "key_dim", minimum=1)
        self.value_dim = self.key_dim if value_dim is None else conventions.as_integer(value_dim, "value_dim",
                                                                                      minimum=1)
        self.dropout = conventions.check_float(dropout, "dropout", lambda v: 0.0 <= v <= 1.0,
                                               "a number in [0, 1]")
        self.use_bias = conventions.as_bool(use_bias, "use_bias")
        if output_shape is None:
            self.output_shape = None
        else:
            dims = list(output_shape) if isinstance(output_shape, (list, tuple)) else [output_shape]
            self.output_shape = tuple(conventions.as_integer(d, "output_shape", minimum=1) for d in dims)
        if attention_axes is None:
            self.attention_axes = None
        else:
            axes = list(attention_axes) if isinstance(attention_axes, (list, tuple)) else [attention_axes]
            self.attention_axes = tuple(conventions.as_integer(a, "attention_axes") for a in axes)
        if flash_attention is not None:
            conventions.as_bool(flash_attention, "flash_attention")
        self.flash_attention = flash_attention  # a speed hint in Keras; the results are the same
        if activity_regularizer is not None:
            raise ValueError(f"`activity_regularizer` is not supported by layer_multi_head_attention() (only None "
                             f"is accepted); received {activity_regularizer!r}.")
        if conventions.as_bool(use_gate, "use_gate"):
            raise ValueError("`use_gate` = True (Keras' gated attention) is not supported by rkeras; only False "
                             "is accepted.")
        self.sliding_window = None if sliding_window is None else conventions.as_integer(
            sliding_window, "sliding_window", minimum=1)
        self.kernel_initializer = initializers.get(kernel_initializer, arg_name="kernel_initializer")
        self.bias_initializer = initializers.get(bias_initializer, arg_name="bias_initializer")
        self.kernel_regularizer = regularizers.get(kernel_regularizer, arg_name="kernel_regularizer")
        self.bias_regularizer = regularizers.get(bias_regularizer, arg_name="bias_regularizer")
        self.kernel_constraint = constraints.get(kernel_constraint, arg_name="kernel_constraint")
        self.bias_constraint = constraints.get(bias_constraint, arg_name="bias_constraint")
        self.seed = None if seed is None else conventions.as_seed(seed)
        self.kernels, self.biases = {}, {}
        super().__init__(**kwargs)
        self._generator = rk_random.make_generator(self.seed)

    # ----------------------------------------------------------------------------- shapes
    def _shapes(self, input_shape):
        """(query, value, key) shapes from one shape (self-attention) or a list of 2 or 3."""
        if isinstance(input_shape, (list, tuple)) and input_shape and all(
                isinstance(s, (list, tuple)) for s in input_shape):
            shapes = [tuple(s) for s in input_shape]
            if not 2 <= len(shapes) <= 3:
                raise ValueError(f"Layer '{self.name}' must be called on [query, value] or [query, value, key] "
                                 f"(or one tensor, for self-attention); received {len(shapes)} inputs.")
        else:
            shapes = [tuple(input_shape)] * 2
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) == 3 else v
        if len(q) < 3 or len(v) != len(q) or len(k) != len(q):
            raise ValueError(f"Layer '{self.name}': query, value and key must have one rank >= 3, (batch, ..., "
                             f"dim); received shapes {shapes}.")
        if v[1:-1] != k[1:-1]:
            raise ValueError(f"Layer '{self.name}': all dimensions of `value` and `key`, except the last one, must "
                             f"be equal; received value shape {v} and key shape {k}.")
        return q, v, k

    def _axes(self, rank):
        """(batch-like axes, attention axes) of a projected tensor of `rank` (query rank + 1)."""
        inner = list(range(1, rank - 2))
        if self.attention_axes is None:
            attn = inner
        else:
            attn = sorted(a if a >= 0 else (rank - 1) + a for a in self.attention_axes)
            if any(a not in inner for a in attn) or len(set(attn)) != len(attn):
                raise ValueError(f"`attention_axes` = {self.attention_axes} of layer '{self.name}' must name "
                                 f"distinct axes among {inner} (Keras numbering, batch = 0) for inputs of rank "
                                 f"{rank - 1}.")
        return [0] + [a for a in inner if a not in attn], attn

    def build(self, input_shape):
        q, v, k = self._shapes(input_shape)
        dims = {"query": q[-1], "key": k[-1], "value": v[-1]}
        if any(d is None for d in dims.values()):
            raise ValueError(f"Layer '{self.name}': the last dimensions of query, value and key must be known; "
                             f"received shapes {q}, {v}, {k}.")
        self._axes(len(q) + 1)
        out_shape = tuple(self.output_shape or (q[-1],))
        # Keras' sub-layers (EinsumDense), under Keras' attribute and layer names, so that `.keras` files
        # interoperate: `query_dense` ("query"), `key_dense`, `value_dense`, `output_dense` ("attention_output")
        rank = len(q)
        for name, shape, width in (("query", q, self.key_dim), ("key", k, self.key_dim), ("value", v, self.value_dim)):
            equation, bias_axes = projection_equation(rank - 1, 1, 2)
            sub = self._sublayer(name, equation, (None,) * (rank - 2) + (self.num_heads, width), bias_axes, shape)
            setattr(self, f"{name}_dense", sub)
        equation, bias_axes = projection_equation(rank - 1, 2, len(out_shape))
        out_in_shape = tuple(q[:-1]) + (self.num_heads, self.value_dim)
        self.output_dense = self._sublayer("attention_output", equation, (None,) * (rank - 2) + out_shape, bias_axes,
                                           out_in_shape)
        for name, sub in (("query", self.query_dense), ("key", self.key_dense), ("value", self.value_dense),
                          ("attention_output", self.output_dense)):
            self.kernels[name] = sub.kernel
            if self.use_bias:
                self.biases[name] = sub.bias
        self.built = True

    def _sublayer(self, name, equation, output_shape, bias_axes, input_shape):
        sub = EinsumDense(equation, output_shape, bias_axes=bias_axes if self.use_bias else None,
                          kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
                          kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
                          kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint, name=name,
                          dtype=self._dtype, trainable=self.trainable)
        sub.build(input_shape)
        sub.built = True
        for var in sub.weights:  # Keras' variable paths: `mha/query/kernel`
            var.path = f"{self.name}/{var.path}"
        return sub

    def compute_output_shape(self, input_shape, return_attention_scores=False, **call_kwargs):
        q, _, k = self._shapes(input_shape)
        out = q[:-1] + (self.output_shape or (q[-1],))
        if not return_attention_scores:
            return out
        batch_like, attn = self._axes(len(q) + 1)
        scores = tuple(q[a] for a in batch_like) + (self.num_heads,) + tuple(q[a] for a in attn) + tuple(
            k[a] for a in attn)
        return [out, scores]

    def compute_mask(self, inputs, mask, return_attention_scores=False, query_mask=None, **call_kwargs):
        q_mask = query_mask
        if q_mask is None and isinstance(mask, (list, tuple)) and mask:
            q_mask = mask[0]
        elif q_mask is None and mask is not None and not isinstance(mask, (list, tuple)):
            q_mask = mask
        q_mask = None if q_mask is None else np.asarray(q_mask) != 0
        return [q_mask, None] if return_attention_scores else q_mask

    # ----------------------------------------------------------------------------- masks
    def _attention_keep(self, q, k, scores_shape, batch_like, attn, masks, attention_mask, use_causal_mask):
        """The boolean mask of the scores, flattened as (n, heads, Tq, Tk), or None (Keras' rules)."""
        rank3 = q.ndim == 3
        if not rank3 and (any(m is not None for m in masks) or use_causal_mask or self.sliding_window is not None):
            raise ValueError(f"Layer '{self.name}': query/value/key masks, `use_causal_mask` and `sliding_window` "
                             f"are supported for inputs of rank 3 (batch, steps, dim); use `attention_mask` for "
                             f"inputs of rank {q.ndim}.")
        keep = combined_keep_mask(self.name, q.shape[0], q.shape[1], k.shape[1], masks, attention_mask,
                                  use_causal_mask, self.sliding_window)
        if keep is None:
            return None
        # Keras inserts axes before the attention axes until the mask has the scores' rank
        full = len(scores_shape)
        while keep.ndim < full:
            keep = np.expand_dims(keep, -2 * len(attn) - 1)
        try:
            keep = np.broadcast_to(keep, scores_shape)
        except ValueError:
            raise ValueError(f"The attention mask of layer '{self.name}' (shape {np.shape(attention_mask)}) does "
                             f"not broadcast to the attention scores' shape {scores_shape}.") from None
        n = int(np.prod([scores_shape[i] for i in range(len(batch_like))], dtype=np.int64))
        return keep.reshape(n, self.num_heads, -1, int(np.prod(scores_shape[-len(attn):])) if attn else 1)

    # ----------------------------------------------------------------------------- math
    def _project(self, name, x):
        kernel = self.kernels[name].value.astype(x.dtype, copy=False)
        x2 = x.reshape(-1, x.shape[-1])
        y = x2 @ kernel.reshape(kernel.shape[0], -1)
        if self.use_bias:
            y += self.biases[name].value.astype(x.dtype, copy=False).reshape(-1)
        return y.reshape(x.shape[:-1] + kernel.shape[1:]), x2

    def forward(self, inputs, training=False, mask=None, attention_mask=None, return_attention_scores=False,
                use_causal_mask=False, query_mask=None, value_mask=None, key_mask=None):
        self_attention = not isinstance(inputs, (list, tuple))
        arrays = [inputs, inputs] if self_attention else list(inputs)
        xs = [float_input(as_numeric_array(x, "inputs"), self.dtype) for x in arrays]
        self._maybe_build([x.shape for x in xs])
        self._shapes([x.shape for x in xs])
        masks = [None, None, None]
        if mask is not None:
            # self-attention on one masked tensor: it is both the query and the value (Keras fills both)
            given = list(mask) if isinstance(mask, (list, tuple)) else [mask, mask]
            masks[:len(given)] = given[:3]
        for i, explicit in enumerate((query_mask, value_mask, key_mask)):
            if explicit is not None:
                masks[i] = explicit
        out_dtype = np.result_type(*[x.dtype for x in xs])
        work = compute_dtype(out_dtype)
        xq, xv = xs[0].astype(work, copy=False), xs[1].astype(work, copy=False)
        xk = xs[2].astype(work, copy=False) if len(xs) == 3 else xv
        rank = xq.ndim + 1
        batch_like, attn = self._axes(rank)
        perm = batch_like + [rank - 2] + attn + [rank - 1]
        projected, flats = {}, {}
        for name, x in (("query", xq), ("key", xk), ("value", xv)):
            projected[name], flats[name] = self._project(name, x)
        heads = {name: _to_heads(p, perm, len(batch_like)) for name, p in projected.items()}
        qh, kh, vh = heads["query"], heads["key"], heads["value"]
        c = work.type(1.0 / math.sqrt(float(self.key_dim)))
        qs = qh * c
        scores = np.matmul(qs, np.swapaxes(kh, -1, -2))  # (n, heads, Tq, Tk)
        pq = projected["query"]
        scores_shape = tuple(pq.shape[a] for a in batch_like) + (self.num_heads,) + tuple(
            pq.shape[a] for a in attn) + tuple(projected["key"].shape[a] for a in attn)
        keep = self._attention_keep(xq, xk, scores_shape, batch_like, attn, masks, attention_mask,
                                    use_causal_mask)
        # Keras' fused kernel (no dropout, no returned scores, 3D inputs) does not zero fully masked rows
        mode = "fill" if self.dropout == 0 and not return_attention_scores and xq.ndim == 3 else "replace"
        p = masked_softmax(scores, keep, mode)
        drop = None
        if training and self.dropout > 0:
            drop = dropout_mask(self._generator, p.shape, self.dropout, work)
        w = p if drop is None else p * drop
        oh = np.matmul(w, vh)  # (n, heads, Tq, value_dim)
        o = _from_heads(oh, perm, tuple(pq.shape[a] for a in perm[:-1]) + (self.value_dim,))
        o2 = o.reshape(-1, self.num_heads * self.value_dim)
        kernel = self.kernels["attention_output"].value.astype(work, copy=False)
        y = o2 @ kernel.reshape(self.num_heads * self.value_dim, -1)
        if self.use_bias:
            y += self.biases["attention_output"].value.astype(work, copy=False).reshape(-1)
        y = y.reshape(xq.shape[:-1] + kernel.shape[2:]).astype(out_dtype, copy=False)
        cache = (flats, heads, qs, p, keep, mode, drop, w, o2, perm, len(batch_like), tuple(pq.shape[a] for a in perm[:-1]),
                 {n: projected[n].shape for n in projected}, xq.shape, self_attention, len(xs),
                 [x.dtype for x in xs], scores_shape)
        if return_attention_scores:
            return [y, p.reshape(scores_shape).astype(out_dtype, copy=False)], cache
        return y, cache

    def backward(self, cache, grad_outputs):
        (flats, heads, qs, p, keep, mode, drop, w, o2, perm, n_batch, _, proj_shapes, q_shape, self_attention,
         n_inputs, dtypes, _) = cache
        work = o2.dtype
        g_scores = None
        if isinstance(grad_outputs, (list, tuple)):
            grad_outputs, g_scores = grad_outputs
        kernel_o = self.kernels["attention_output"]
        out_width = int(np.prod(kernel_o.shape[2:], dtype=np.int64))
        if grad_outputs is None:
            g2 = np.zeros((o2.shape[0], out_width), work)
        else:
            g2 = np.asarray(grad_outputs).astype(work, copy=False).reshape(-1, out_width)
        grads = {}
        if kernel_o.trainable:
            grads[kernel_o] = (o2.T @ g2).reshape(kernel_o.shape).astype(kernel_o.dtype, copy=False)
        if self.use_bias and self.biases["attention_output"].trainable:
            b = self.biases["attention_output"]
            grads[b] = g2.sum(axis=0, dtype=np.float64).reshape(b.shape).astype(b.dtype)
        do2 = g2 @ kernel_o.value.astype(work, copy=False).reshape(-1, out_width).T
        do = do2.reshape(q_shape[:-1] + (self.num_heads, self.value_dim))
        doh = _to_heads(do, perm, n_batch)
        kh, vh = heads["key"], heads["value"]
        dvh = np.matmul(np.swapaxes(w, -1, -2), doh)
        dw = np.matmul(doh, np.swapaxes(vh, -1, -2))
        dp = dw if drop is None else dw * drop
        if g_scores is not None:
            dp = dp + np.asarray(g_scores).astype(work, copy=False).reshape(p.shape)
        ds = softmax_backward(p, dp, keep, mode)
        c = work.type(1.0 / math.sqrt(float(self.key_dim)))
        dqh = np.matmul(ds, kh) * c
        dkh = np.matmul(np.swapaxes(ds, -1, -2), qs)
        d_inputs = {}
        for name, dh in (("query", dqh), ("key", dkh), ("value", dvh)):
            shape = proj_shapes[name]
            dproj = _from_heads(dh, perm, tuple(shape[a] for a in perm[:-1]) + (shape[-1],))
            d2 = dproj.reshape(-1, self.num_heads * shape[-1])
            kernel = self.kernels[name]
            if kernel.trainable:
                grads[kernel] = (flats[name].T @ d2).reshape(kernel.shape).astype(kernel.dtype, copy=False)
            if self.use_bias and self.biases[name].trainable:
                b = self.biases[name]
                grads[b] = d2.sum(axis=0, dtype=np.float64).reshape(b.shape).astype(b.dtype)
            dx = d2 @ kernel.value.astype(work, copy=False).reshape(kernel.shape[0], -1).T
            d_inputs[name] = dx.reshape(shape[:-2] + (kernel.shape[0],))
        if self_attention:
            dx = d_inputs["query"] + d_inputs["value"] + d_inputs["key"]
            return dx.astype(dtypes[0], copy=False), grads
        if n_inputs == 3:
            out = [d_inputs["query"], d_inputs["value"], d_inputs["key"]]
        else:
            out = [d_inputs["query"], d_inputs["value"] + d_inputs["key"]]
        return [d.astype(dt, copy=False) for d, dt in zip(out, dtypes)], grads

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": False,
            "output_shape": self.output_shape,
            "attention_axes": self.attention_axes,
            "flash_attention": self.flash_attention,
            "sliding_window": self.sliding_window,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": None,
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        })
        return config


def projection_equation(free_dims, bound_dims, output_dims):
    """Keras' `_build_proj_equation`: (equation, bias axes) of a projection sub-layer, e.g. `abc,cde->abde`."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out


def _to_heads(x, perm, n_batch):
    """(B, *T, heads, d) -> (n, heads, T_attention, d): batch-like axes first, attention axes flattened."""
    t = np.transpose(x, perm)
    n = int(np.prod(t.shape[:n_batch], dtype=np.int64))
    return t.reshape(n, t.shape[n_batch], -1, t.shape[-1])


def _from_heads(xh, perm, permuted_shape):
    """Inverse of `_to_heads`: `permuted_shape` is the shape after `perm` (with the new last size)."""
    return np.transpose(xh.reshape(permuted_shape), np.argsort(perm))
