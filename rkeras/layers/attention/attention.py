"""Dot-product attention, as Keras 3's `Attention` (Luong style), the base of `AdditiveAttention`.

Called on `[query, value]` or `[query, value, key]` (shapes `(batch, Tq, dim)`, `(batch, Tv, dim)`,
key as value when omitted):

1. scores `(batch, Tq, Tv)`: `query @ t(key)` ("dot", times the weight `scale` with `use_scale`) or
   `concat_score_weight * sum(tanh(scale * (query_i + key_j)))` ("concat");
2. the value mask (and, with `use_causal_mask`, the lower-triangular causal mask) subtracts 1e9
   from the scores of masked keys; softmax over the keys; dropout of these weights in training;
3. `output = weights @ value`, set to 0 at masked query steps. The output mask is the query mask.

Forward and backward are written out: batched matrix products through numpy's BLAS, the softmax
backward fused (`masked_softmax.py`), weight gradients summed in float64.
"""

import numpy as np

from ... import conventions
from ... import random as rk_random
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from .masked_softmax import causal_mask, dropout_mask, masked_softmax, softmax_backward


class Attention(Layer):
    """Dot-product attention layer; see `layer_attention()`."""

    supports_masking = True
    extra_call_kwargs = ("return_attention_scores", "use_causal_mask")
    _r_name = "layer_attention()"

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where=self._r_name)
        self.use_scale = conventions.as_bool(use_scale, "use_scale")
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"`score_mode` must be 'dot' or 'concat'; received {score_mode!r}.")
        self.score_mode = score_mode
        self.dropout = conventions.check_float(dropout, "dropout", lambda v: 0.0 <= v <= 1.0,
                                               "a number in [0, 1]")
        self.seed = None if seed is None else conventions.as_seed(seed)
        self.scale = self.concat_score_weight = None
        super().__init__(**kwargs)
        self._generator = rk_random.make_generator(self.seed)

    # ----------------------------------------------------------------------------- shapes
    def _check_shapes(self, shapes):
        if not isinstance(shapes, (list, tuple)) or not all(isinstance(s, (list, tuple)) for s in shapes) \
                or not 2 <= len(shapes) <= 3:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) must be called on a list of 2 or 3 "
                             f"tensors, [query, value] or [query, value, key]; received shape(s) {shapes!r}.")
        shapes = [tuple(s) for s in shapes]
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) == 3 else v
        if len(q) < 3 or len(v) != len(q) or len(k) != len(q):
            raise ValueError(f"Layer '{self.name}': query, value and key must have one rank >= 3, (batch, ..., "
                             f"steps, dim); received shapes {shapes}.")
        if k[-2] is not None and v[-2] is not None and k[-2] != v[-2]:
            raise ValueError(f"Layer '{self.name}': key and value must have the same number of steps; received "
                             f"shapes {shapes}.")
        if q[-1] is not None and k[-1] is not None and q[-1] != k[-1]:
            raise ValueError(f"Layer '{self.name}': query and key must have the same last dimension; received "
                             f"shapes {shapes}.")
        return q, v, k

    def build(self, input_shape):
        self._check_shapes(input_shape)
        if self.use_scale:
            self.scale = self.add_weight("scale", (), _ones)
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight("concat_score_weight", (), _ones)
        self.built = True

    def compute_output_shape(self, input_shape, return_attention_scores=False, use_causal_mask=False):
        q, v, k = self._check_shapes(input_shape)
        out = q[:-1] + (v[-1],)
        if return_attention_scores:
            return [out, q[:-1] + (k[-2],)]
        return out

    def compute_mask(self, inputs, mask, return_attention_scores=False, use_causal_mask=False):
        q_mask = None
        if mask is not None and isinstance(mask, (list, tuple)) and mask and mask[0] is not None:
            q_mask = np.asarray(mask[0]) != 0
        return [q_mask, None] if return_attention_scores else q_mask

    # ----------------------------------------------------------------------------- scores
    def _scores(self, q, k):
        """Scores (..., Tq, Tv) and what `_scores_backward` needs."""
        scale = None if self.scale is None else self.scale.value.astype(q.dtype)
        if self.score_mode == "dot":
            raw = np.matmul(q, np.swapaxes(k, -1, -2))
            return (raw if scale is None else raw * scale), (q, k, raw)
        u = q[..., :, None, :] + k[..., None, :, :]
        t = np.tanh(u if scale is None else scale * u)
        w = self.concat_score_weight.value.astype(q.dtype)
        summed = t.sum(axis=-1)
        return w * summed, (u, t, summed)

    def _scores_backward(self, cache, ds):
        grads = {}
        scale = None if self.scale is None else self.scale.value.astype(ds.dtype)
        if self.score_mode == "dot":
            q, k, raw = cache
            if scale is not None:
                if self.scale.trainable:
                    grads[self.scale] = as_weight(np.sum(ds * raw, dtype=np.float64), self.scale)
                ds = ds * scale
            return np.matmul(ds, k), np.matmul(np.swapaxes(ds, -1, -2), q), grads
        u, t, summed = cache
        w = self.concat_score_weight.value.astype(ds.dtype)
        if self.concat_score_weight.trainable:
            grads[self.concat_score_weight] = as_weight(np.sum(ds * summed, dtype=np.float64),
                                                         self.concat_score_weight)
        du = (ds * w)[..., None] * (1 - t * t)
        if scale is not None:
            if self.scale.trainable:
                grads[self.scale] = as_weight(np.sum(du * u, dtype=np.float64), self.scale)
            du = du * scale
        return du.sum(axis=-2), du.sum(axis=-3), grads

    # ----------------------------------------------------------------------------- math
    def _prepare(self, inputs, mask):
        if not isinstance(inputs, (list, tuple)):
            self._check_shapes(getattr(inputs, "shape", inputs))
        xs = [float_input(as_numeric_array(x, "inputs"), self.dtype) for x in inputs]
        self._maybe_build([x.shape for x in xs])
        self._check_shapes([x.shape for x in xs])
        masks = [None, None]
        if mask is not None:
            if not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3:
                raise ValueError(f"`mask` of layer '{self.name}' must be a list [query_mask, value_mask] (or with "
                                 f"a third, ignored, key entry); received {type(mask).__name__}.")
            for i in (0, 1):
                if mask[i] is not None:
                    m = np.asarray(mask[i])
                    if m.shape != xs[i].shape[:-1]:
                        raise ValueError(f"The {('query', 'value')[i]} mask of layer '{self.name}' has shape "
                                         f"{m.shape}; expected {xs[i].shape[:-1]}.")
                    masks[i] = m != 0
        return xs, masks

    def forward(self, inputs, training=False, mask=None, return_attention_scores=False, use_causal_mask=False):
        xs, (q_mask, v_mask) = self._prepare(inputs, mask)
        out_dtype = np.result_type(*[x.dtype for x in xs])
        work = compute_dtype(out_dtype)
        q, v = xs[0].astype(work, copy=False), xs[1].astype(work, copy=False)
        k = xs[2].astype(work, copy=False) if len(xs) == 3 else v
        scores, score_cache = self._scores(q, k)
        keep = None if v_mask is None else v_mask[..., None, :]
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1])
            keep = causal if keep is None else keep & causal
        p = masked_softmax(scores, keep, "subtract")
        drop = None
        if training and self.dropout > 0:
            drop = dropout_mask(self._generator, p.shape, self.dropout, work)
        weights = p if drop is None else p * drop
        out = np.matmul(weights, v)
        q_keep = None if q_mask is None else q_mask[..., None]
        if q_keep is not None:
            out = np.where(q_keep, out, work.type(0))
        cache = (q, v, k, len(xs), score_cache, p, drop, weights, q_keep, [x.dtype for x in xs])
        out = out.astype(out_dtype, copy=False)
        if return_attention_scores:
            return [out, weights.astype(out_dtype, copy=False)], cache
        return out, cache

    def backward(self, cache, grad_outputs):
        q, v, _, n_inputs, score_cache, p, drop, weights, q_keep, dtypes = cache
        g_scores = None
        if isinstance(grad_outputs, (list, tuple)):
            grad_outputs, g_scores = grad_outputs
        work = q.dtype
        g = np.zeros(q.shape[:-1] + (v.shape[-1],), work) if grad_outputs is None else \
            np.asarray(grad_outputs).astype(work, copy=False)
        if q_keep is not None:
            g = np.where(q_keep, g, work.type(0))
        dv = np.matmul(np.swapaxes(weights, -1, -2), g)
        dw = np.matmul(g, np.swapaxes(v, -1, -2))
        if g_scores is not None:
            dw = dw + np.asarray(g_scores).astype(work, copy=False)
        dp = dw if drop is None else dw * drop
        ds = softmax_backward(p, dp)
        dq, dk, grads = self._scores_backward(score_cache, ds)
        if n_inputs == 3:
            grads_in = [dq, dv, dk]
        else:
            grads_in = [dq, dv + dk]
        return [gi.astype(dt, copy=False) for gi, dt in zip(grads_in, dtypes)], grads

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout,
                       "seed": self.seed})
        return config


def _ones(shape, dtype):
    return np.ones(shape, dtype=dtype)


def as_weight(value, var):
    return np.asarray(value, dtype=np.float64).reshape(var.shape).astype(var.dtype)
