"""Additive attention, as Keras 3's `AdditiveAttention` (Bahdanau style): the scores are
`sum(scale * tanh(query_i + key_j))` over the feature axis, with a learned `scale` vector (one weight
per feature, Glorot-uniform initialized) when `use_scale`, else 1. Masks, dropout and the output are
as in `Attention`."""

import numpy as np

from ... import initializers
from .attention import Attention, as_weight


class AdditiveAttention(Attention):
    """Additive attention layer; see `layer_additive_attention()`."""

    _r_name = "layer_additive_attention()"

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        q, _, _ = self._check_shapes(input_shape)
        if self.use_scale:
            if q[-1] is None:
                raise ValueError(f"Layer '{self.name}': the last dimension of the query must be known to build "
                                 f"`scale`; received shapes {input_shape}.")
            self.scale = self.add_weight("scale", (q[-1],), initializers.get("glorot_uniform"))
        self.built = True

    def _scores(self, q, k):
        t = np.tanh(q[..., :, None, :] + k[..., None, :, :])
        if self.scale is None:
            return t.sum(axis=-1), t
        return (t * self.scale.value.astype(q.dtype)).sum(axis=-1), t

    def _scores_backward(self, t, ds):
        grads = {}
        dt = np.repeat(ds[..., None], t.shape[-1], axis=-1) if self.scale is None else \
            ds[..., None] * self.scale.value.astype(ds.dtype)
        if self.scale is not None and self.scale.trainable:
            summed = (ds[..., None] * t).reshape(-1, t.shape[-1]).sum(axis=0, dtype=np.float64)
            grads[self.scale] = as_weight(summed, self.scale)
        du = dt * (1 - t * t)
        return du.sum(axis=-2), du.sum(axis=-3), grads

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
