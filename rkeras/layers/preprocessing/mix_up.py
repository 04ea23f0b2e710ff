"""MixUp, as Keras 3's `MixUp` (images only): in training, each image of a batch is blended with
another image of the same batch (a random permutation), `w x + (1 - w) x[perm]`, with a weight `w`
drawn per image from Beta(alpha, alpha); in inference the layer is the identity."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .image_layer import RandomImageLayer


def mix_backward(g, keep, perm, moved):
    """Adjoint of `y = keep * x + moved * x[perm]` (weights broadcast against g)."""
    dx = (keep * g).astype(np.float64)
    np.add.at(dx, perm, (moved * g).astype(np.float64))
    return dx.astype(g.dtype)


class MixUp(RandomImageLayer):
    """Blends the images of a batch with each other during training; see `layer_mix_up()`."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_mix_up()")
        self.alpha = check_float(alpha, "alpha")
        if self.alpha <= 0:
            raise ValueError(f"`alpha` must be a positive number; received {alpha!r}.")
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `permutation_order` and `mix_weight` (one per image)."""
        n = shape_cl[0]
        return {"permutation_order": self._generator.permutation(n),
                "mix_weight": self._generator.beta(self.alpha, self.alpha, size=n)}

    def _transform(self, x, transformation):
        perm = np.asarray(transformation["permutation_order"], dtype=np.int64)
        w = np.asarray(transformation["mix_weight"]).reshape(-1, 1, 1, 1).astype(x.dtype)
        y = (w * x + (1.0 - w) * x[perm]).astype(x.dtype, copy=False)

        def back(g):
            return mix_backward(g, w, perm, 1.0 - w)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "data_format": self.data_format})
        return config
