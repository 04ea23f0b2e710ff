"""Grouped-query attention, as Keras 3's `GroupedQueryAttention` (Ainslie et al., 2023), forward and backward.

Called on `[query, value]` or `[query, value, key]`, shapes `(batch, T, dim)`, `(batch, S, dim)`:

1. projections by Keras' EinsumDense sub-layers `_query_dense` ("query": kernel `(dim, num_query_heads,
   head_dim)`), `_key_dense` and `_value_dense` ("key", "value": `(dim, num_key_value_heads, head_dim)`), each
   with a bias `(heads, head_dim)` when `use_bias`; the layer computes them as BLAS products from their weights;
2. each key/value head serves `num_query_heads / num_key_value_heads` consecutive query heads (Keras'
   `repeat`); scores `(batch, num_query_heads, T, S)` scaled by `1 / sqrt(head_dim)`, masked (query mask
   `(B, T, 1)`, value and key masks `(B, 1, S)`, `attention_mask`, the causal mask, the sliding window), softmax,
   dropout of the probabilities in training, the weighted sum of the values;
3. the output projection `_output_dense` ("attention_output": kernel `(num_query_heads, head_dim, dim)`, bias
   `(dim,)`).

As in Keras, without dropout and returned scores the fused path is followed: a fully masked query row averages
all the values instead of giving zeros. The backward sums the repeated key/value heads' gradients back into
their group.
"""

import math

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ... import random as rk_random
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..core.einsum_dense import EinsumDense
from .masked_softmax import combined_keep_mask, dropout_mask, masked_softmax, softmax_backward

_SUBLAYERS = (("query", "_query_dense", "bqm,muh->bquh", "uh"), ("key", "_key_dense", "bkm,mvh->bkvh", "vh"),
              ("value", "_value_dense", "bkm,mvh->bkvh", "vh"))


class GroupedQueryAttention(Layer):
    """Grouped-query attention layer; see `layer_group_query_attention()`."""

    supports_masking = True
    extra_call_kwargs = ("attention_mask", "return_attention_scores", "use_causal_mask", "query_mask",
                         "value_mask", "key_mask")
    #: in Keras files: called as `layer(query, value, key)`, built from `shapes_dict`, the projections held in
    #: private attributes (saving)
    keras_positional_inputs = True
    keras_class_name = "GroupQueryAttention"  # Keras' exported name, written in its files
    keras_build_shape_names = ("query_shape", "value_shape", "key_shape")
    keras_private_sublayers = ("_key_dense", "_output_dense", "_query_dense", "_value_dense")

    def __init__(self, head_dim=None, num_query_heads=None, num_key_value_heads=None, dropout=0.0, use_bias=True,
                 flash_attention=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, seed=None, use_gate=False, sliding_window=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_group_query_attention()")
        for arg, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                           ("num_key_value_heads", num_key_value_heads)):
            if value is None:
                raise ValueError(f"`{arg}` must be given: a positive integer; received None.")
        self.head_dim = conventions.as_integer(head_dim, "head_dim", minimum=1)
        self.num_query_heads = conventions.as_integer(num_query_heads, "num_query_heads", minimum=1)
        self.num_key_value_heads = conventions.as_integer(num_key_value_heads, "num_key_value_heads", minimum=1)
        if self.num_query_heads % self.num_key_value_heads != 0:
            raise ValueError(f"`num_query_heads` ({self.num_query_heads}) must be divisible by "
                             f"`num_key_value_heads` ({self.num_key_value_heads}).")
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self.dropout = conventions.check_float(dropout, "dropout", lambda v: 0.0 <= v <= 1.0, "a number in [0, 1]")
        self.use_bias = conventions.as_bool(use_bias, "use_bias")
        if flash_attention is not None:
            conventions.as_bool(flash_attention, "flash_attention")
        self.flash_attention = flash_attention  # a speed hint in Keras; the results are the same
        if activity_regularizer is not None:
            raise ValueError(f"`activity_regularizer` is not supported by layer_group_query_attention() (only None "
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
        super().__init__(**kwargs)
        self._generator = rk_random.make_generator(self.seed)

    # ----------------------------------------------------------------------------- shapes
    def _shapes(self, input_shape):
        if not (isinstance(input_shape, (list, tuple)) and input_shape
                and all(isinstance(s, (list, tuple)) for s in input_shape) and 2 <= len(input_shape) <= 3):
            raise ValueError(f"Layer '{self.name}' must be called on [query, value] or [query, value, key]; "
                             f"received input shape(s) {input_shape}.")
        shapes = [tuple(s) for s in input_shape]
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) == 3 else v
        if any(len(s) != 3 for s in (q, v, k)):
            raise ValueError(f"Layer '{self.name}': query, value and key must have rank 3 (batch, steps, dim); "
                             f"received shapes {shapes}.")
        if q[-1] is None or v[-1] is None or k[-1] is None:
            raise ValueError(f"Layer '{self.name}': the last dimensions of query, value and key must be known; "
                             f"received shapes {shapes}.")
        if v[1] is not None and k[1] is not None and v[1] != k[1]:
            raise ValueError(f"Layer '{self.name}': all dimensions of `value` and `key`, except the last one, must "
                             f"be equal; received value shape {v} and key shape {k}.")
        return q, v, k

    def build(self, input_shape):
        q, v, k = self._shapes(input_shape)
        for (name, attr, equation, bias_axes), shape, heads in zip(
                _SUBLAYERS, (q, k, v), (self.num_query_heads, self.num_key_value_heads, self.num_key_value_heads)):
            self._track_sublayer(attr, self._sublayer(name, equation, (None, heads, self.head_dim), bias_axes, shape))
        self._track_sublayer("_output_dense", self._sublayer("attention_output", "bquh,uhm->bqm", (None, q[-1]), "m",
                                                             (None, None, self.num_query_heads, self.head_dim)))
        self.built = True

    def _track_sublayer(self, attr, sub):
        setattr(self, attr, sub)
        self._track_layer(sub)  # private attributes are not tracked by assignment

    def _sublayer(self, name, equation, output_shape, bias_axes, input_shape):
        sub = EinsumDense(equation, output_shape, bias_axes=bias_axes if self.use_bias else None,
                          kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
                          kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
                          kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint, name=name,
                          dtype=self._dtype, trainable=self.trainable)
        sub.build(input_shape)
        for var in sub.weights:  # Keras' variable paths: `gqa/query/kernel`
            var.path = f"{self.name}/{var.path}"
        return sub

    def compute_output_shape(self, input_shape, return_attention_scores=False, **call_kwargs):
        q, _, k = self._shapes(input_shape)
        if not return_attention_scores:
            return q
        return [q, (q[0], self.num_query_heads, q[1], k[1])]

    def compute_mask(self, inputs, mask, return_attention_scores=False, query_mask=None, **call_kwargs):
        q_mask = query_mask
        if q_mask is None and isinstance(mask, (list, tuple)) and mask:
            q_mask = mask[0]
        q_mask = None if q_mask is None else np.asarray(q_mask) != 0
        return [q_mask, None] if return_attention_scores else q_mask

    # ----------------------------------------------------------------------------- masks
    def _keep(self, batch, tq, tk, masks, attention_mask, use_causal_mask):
        """The boolean mask `(B or 1, 1, T, S)` of the scores, or None (Keras' rules)."""
        keep = combined_keep_mask(self.name, batch, tq, tk, masks, attention_mask, use_causal_mask,
                                  self.sliding_window)
        if keep is None:
            return None
        while keep.ndim < 4:
            keep = np.expand_dims(keep, -3)
        try:
            return np.broadcast_to(keep, (batch, self.num_query_heads, tq, tk))
        except ValueError:
            raise ValueError(f"The attention mask of layer '{self.name}' (shape {np.shape(attention_mask)}) does "
                             f"not broadcast to the attention scores' shape "
                             f"{(batch, self.num_query_heads, tq, tk)}.") from None

    # ----------------------------------------------------------------------------- math
    @staticmethod
    def _project(sub, x):
        kernel = sub.kernel.value.astype(x.dtype, copy=False)
        x2 = x.reshape(-1, x.shape[-1])
        y = x2 @ kernel.reshape(kernel.shape[0], -1)
        if sub.bias is not None:
            y += sub.bias.value.astype(x.dtype, copy=False).reshape(-1)
        return y.reshape(x.shape[:-1] + kernel.shape[1:]), x2

    def forward(self, inputs, training=False, mask=None, attention_mask=None, return_attention_scores=False,
                use_causal_mask=False, query_mask=None, value_mask=None, key_mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError(f"Layer '{self.name}' must be called on [query, value] or [query, value, key].")
        xs = [float_input(as_numeric_array(x, "inputs"), self.dtype) for x in inputs]
        self._maybe_build([x.shape for x in xs])
        self._shapes([x.shape for x in xs])
        masks = [None, None, None]
        if mask is not None:
            given = list(mask) if isinstance(mask, (list, tuple)) else [mask]
            masks[:len(given)] = given[:3]
        for i, explicit in enumerate((query_mask, value_mask, key_mask)):
            if explicit is not None:
                masks[i] = explicit
        out_dtype = np.result_type(*[x.dtype for x in xs])
        work = compute_dtype(out_dtype)
        xq, xv = xs[0].astype(work, copy=False), xs[1].astype(work, copy=False)
        xk = xs[2].astype(work, copy=False) if len(xs) == 3 else xv
        qp, fq = self._project(self._query_dense, xq)     # (B, T, U, H)
        kp, fk = self._project(self._key_dense, xk)       # (B, S, V, H)
        vp, fv = self._project(self._value_dense, xv)
        r = self.num_repeats
        qh = np.ascontiguousarray(np.transpose(qp, (0, 2, 1, 3)))                  # (B, U, T, H)
        kh = np.ascontiguousarray(np.transpose(np.repeat(kp, r, axis=2), (0, 2, 1, 3)))  # (B, U, S, H)
        vh = np.ascontiguousarray(np.transpose(np.repeat(vp, r, axis=2), (0, 2, 1, 3)))
        c = work.type(1.0 / math.sqrt(float(self.head_dim)))
        qs = qh * c
        scores = np.matmul(qs, np.swapaxes(kh, -1, -2))  # (B, U, T, S)
        keep = self._keep(xq.shape[0], xq.shape[1], xk.shape[1], masks, attention_mask, use_causal_mask)
        mode = "fill" if self.dropout == 0 and not return_attention_scores else "replace"
        p = masked_softmax(scores, keep, mode)
        drop = None
        if training and self.dropout > 0:
            drop = dropout_mask(self._generator, p.shape, self.dropout, work)
        w = p if drop is None else p * drop
        oh = np.matmul(w, vh)  # (B, U, T, H)
        o2 = np.transpose(oh, (0, 2, 1, 3)).reshape(-1, self.num_query_heads * self.head_dim)
        kernel_o = self._output_dense.kernel.value.astype(work, copy=False)
        y = o2 @ kernel_o.reshape(-1, kernel_o.shape[-1])
        if self.use_bias:
            y += self._output_dense.bias.value.astype(work, copy=False)
        y = y.reshape(xq.shape[:-1] + (kernel_o.shape[-1],)).astype(out_dtype, copy=False)
        cache = ((fq, fk, fv), (kh, vh), qs, p, keep, mode, drop, w, o2, (qp.shape, kp.shape, vp.shape),
                 len(xs), [x.dtype for x in xs])
        if return_attention_scores:
            return [y, p.astype(out_dtype, copy=False)], cache
        return y, cache

    def backward(self, cache, grad_outputs):
        (flats, (kh, vh), qs, p, keep, mode, drop, w, o2, _, n_inputs, dtypes) = cache
        work = o2.dtype
        g_scores = None
        if isinstance(grad_outputs, (list, tuple)):
            grad_outputs, g_scores = grad_outputs
        out = self._output_dense
        width = out.kernel.shape[-1]
        g2 = (np.zeros((o2.shape[0], width), work) if grad_outputs is None
              else np.asarray(grad_outputs).astype(work, copy=False).reshape(-1, width))
        grads = {}
        if out.kernel.trainable:
            grads[out.kernel] = (o2.T @ g2).reshape(out.kernel.shape).astype(out.kernel.dtype, copy=False)
        if out.bias is not None and out.bias.trainable:
            grads[out.bias] = g2.sum(axis=0, dtype=np.float64).astype(out.bias.dtype)  # float64 (issue 17)
        do2 = g2 @ out.kernel.value.astype(work, copy=False).reshape(-1, width).T
        b, u, t, h = p.shape[0], self.num_query_heads, p.shape[2], self.head_dim
        doh = np.ascontiguousarray(np.transpose(do2.reshape(b, t, u, h), (0, 2, 1, 3)))  # (B, U, T, H)
        dvh = np.matmul(np.swapaxes(w, -1, -2), doh)   # (B, U, S, H)
        dp = np.matmul(doh, np.swapaxes(vh, -1, -2))
        if drop is not None:
            dp = dp * drop
        if g_scores is not None:
            dp = dp + np.asarray(g_scores).astype(work, copy=False)
        ds = softmax_backward(p, dp, keep, mode)
        c = work.type(1.0 / math.sqrt(float(self.head_dim)))
        dqh = np.matmul(ds, kh) * c                    # (B, U, T, H)
        dkh = np.matmul(np.swapaxes(ds, -1, -2), qs)   # (B, U, S, H)
        s_len = kh.shape[2]
        v_heads, r = self.num_key_value_heads, self.num_repeats
        d_proj = {
            "query": np.transpose(dqh, (0, 2, 1, 3)),
            # a key/value head's gradient: the sum over the query heads of its group
            "key": np.transpose(dkh, (0, 2, 1, 3)).reshape(b, s_len, v_heads, r, h).sum(axis=3),
            "value": np.transpose(dvh, (0, 2, 1, 3)).reshape(b, s_len, v_heads, r, h).sum(axis=3),
        }
        d_inputs = {}
        for (name, attr, _, _), flat in zip(_SUBLAYERS, flats):
            sub = getattr(self, attr)
            d2 = d_proj[name].reshape(flat.shape[0], -1)
            if sub.kernel.trainable:
                grads[sub.kernel] = (flat.T @ d2).reshape(sub.kernel.shape).astype(sub.kernel.dtype, copy=False)
            if sub.bias is not None and sub.bias.trainable:
                grads[sub.bias] = d2.sum(axis=0, dtype=np.float64).reshape(sub.bias.shape).astype(sub.bias.dtype)
            dx = d2 @ sub.kernel.value.astype(work, copy=False).reshape(sub.kernel.shape[0], -1).T
            d_inputs[name] = dx.reshape(d_proj[name].shape[:2] + (sub.kernel.shape[0],))
        if n_inputs == 3:
            res = [d_inputs["query"], d_inputs["value"], d_inputs["key"]]
        else:
            res = [d_inputs["query"], d_inputs["value"] + d_inputs["key"]]
        return [d.astype(dt, copy=False) for d, dt in zip(res, dtypes)], grads

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": False,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "flash_attention": self.flash_attention,
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
