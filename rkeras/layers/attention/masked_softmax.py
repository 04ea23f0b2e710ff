"""The softmax of attention scores under a boolean mask, and its backward (shared by the attention layers).

Two masking rules, as Keras 3 has both:

- "replace" (`MultiHeadAttention`, through Keras' `Softmax` layer): masked scores become -1e9
  (-3e4 in float16), and the probabilities of masked positions are set to 0 afterwards, so a fully
  masked row gives zeros;
- "fill" (`MultiHeadAttention` when Keras takes its fused `dot_product_attention` path): masked
  scores become -1e9 with no zeroing, so a fully masked row gets uniform probabilities (the mean
  of the values), as Keras' fused kernel gives;
- "subtract" (`Attention`, `AdditiveAttention`): 1e9 (65504 in float16) is subtracted from masked
  scores, with no zeroing, so a fully masked row stays a softmax of the shifted scores.

The backward is the same fused expression of the final probabilities `p`,
`ds = p * (dp - sum(dp * p))`, with masked scores getting no gradient under "replace" and "fill"
(they were replaced by a constant; "subtract" keeps their dependence on the score).
"""

import numpy as np


def masked_softmax(scores, keep, mode):
    """Softmax over the last axis of `scores`; `keep` (bool, broadcastable) or None; mode as above."""
    if keep is not None:
        half = scores.dtype == np.float16
        if mode in ("replace", "fill"):
            scores = np.where(keep, scores, scores.dtype.type(-3e4 if half else -1e9))
        else:
            scores = np.where(keep, scores, scores - scores.dtype.type(65504.0 if half else 1e9))
    e = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    p = e / np.sum(e, axis=-1, keepdims=True)
    if keep is not None and mode == "replace":
        p = np.where(keep, p, p.dtype.type(0))
    return p


def softmax_backward(p, dp, keep=None, mode="subtract"):
    """Gradient of the scores from the gradient `dp` of the probabilities `p` (last axis)."""
    ds = p * (dp - np.sum(dp * p, axis=-1, keepdims=True))
    if keep is not None and mode != "subtract":
        ds = np.where(keep, ds, ds.dtype.type(0))
    return ds


def causal_mask(tq, tk):
    """(1, tq, tk) boolean lower-triangular mask: query i attends to keys j <= i (Keras' rule)."""
    return (np.arange(tq)[:, None] >= np.arange(tk)[None, :])[None]


def combined_keep_mask(layer_name, batch, tq, tk, masks, attention_mask, use_causal_mask, sliding_window):
    """Keras' combination of an attention layer's masks: the query/value/key padding masks (`masks`, each
    (batch, steps) or None), the causal and sliding-window bands and `attention_mask`, ANDed into one boolean
    array broadcastable to (batch, tq, tk); None when there is no mask at all."""
    auto = None
    for m, where, length, what in ((masks[0], -1, tq, "query"), (masks[1], -2, tk, "value"),
                                   (masks[2], -2, tk, "key")):
        if m is None:
            continue
        m = np.asarray(m)
        if m.shape != (batch, length):
            raise ValueError(f"The {what} mask of layer '{layer_name}' has shape {m.shape}; expected "
                             f"{(batch, length)}.")
        m = np.expand_dims(m != 0, where)
        auto = m if auto is None else auto & m
    if use_causal_mask:
        auto = causal_mask(tq, tk) if auto is None else auto & causal_mask(tq, tk)
    if sliding_window is not None:
        band = (np.abs(np.arange(tq)[:, None] - np.arange(tk)[None, :]) < sliding_window)[None]
        auto = band if auto is None else auto & band
    keep = None
    if attention_mask is not None:
        keep = np.asarray(attention_mask)
        if keep.dtype.kind not in "biuf":
            raise TypeError(f"`attention_mask` of layer '{layer_name}' must be boolean; received dtype "
                            f"{keep.dtype}.")
        keep = keep != 0
    if auto is not None:
        keep = auto if keep is None else keep & auto
    return keep


def dropout_mask(generator, shape, rate, dtype):
    """Inverted-dropout factors (0 or 1 / (1 - rate)) of `shape`, drawn from `generator`."""
    keep = 1.0 - rate
    draws = generator.random(shape, dtype=np.float64 if dtype == np.float64 else np.float32)
    return np.multiply(draws < keep, dtype.type(1.0 / keep) if keep > 0 else dtype.type(0), dtype=dtype)
