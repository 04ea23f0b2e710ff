"""CutMix, as Keras 3's `CutMix` (images only): in training, each image of a batch gets a rectangle
pasted from another image of the batch (a random permutation); the rectangle's area is a fraction
`1 - w` of the image, `w` drawn from Beta(a, a) with `a` drawn once per batch from `factor`, and its
position is uniform. In inference (and for a single image) the layer is the identity."""

import numpy as np

from ... import conventions
from .color_ops import base_factor
from .image_layer import RandomImageLayer
from .mix_up import mix_backward


class CutMix(RandomImageLayer):
    """Pastes patches between the images of a batch during training; see `layer_cut_mix()`."""

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_cut_mix()")
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `permutation_order`, `batch_masks` (channels-last here) and
        `mix_weight` (the share of each image kept)."""
        n, height, width, channels = shape_cl
        alpha = self._generator.uniform(self.factor[0], self.factor[1]) + 1e-6
        ratio = np.sqrt(1.0 - self._generator.beta(alpha, alpha, size=n))

        def bounds(length):
            crop = ratio * length
            start = self._generator.uniform(size=n) * (length - crop)
            return start, start + crop

        x0, x1 = bounds(width)
        y0, y1 = bounds(height)
        gy, gx = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
        box = lambda v: v[:, None, None, None]
        masks = ((gx[None, :, :, None] >= box(x0)) & (gx[None, :, :, None] < box(x1))
                 & (gy[None, :, :, None] >= box(y0)) & (gy[None, :, :, None] < box(y1)))
        return {"permutation_order": self._generator.permutation(n),
                "batch_masks": np.repeat(masks, channels, axis=-1),
                "mix_weight": 1.0 - (x1 - x0) * (y1 - y0) / (width * height)}

    def forward(self, inputs, training=False, mask=None):
        x, _ = self._prepare(inputs)
        return super().forward(inputs, training=training and x.ndim == 4, mask=mask)

    def _transform(self, x, transformation):
        perm = np.asarray(transformation["permutation_order"], dtype=np.int64)
        masks = np.broadcast_to(np.asarray(transformation["batch_masks"], dtype=bool), x.shape)
        y = np.where(masks, x[perm], x).astype(x.dtype, copy=False)

        def back(g):
            return mix_backward(g, ~masks, perm, masks)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "data_format": self.data_format})
        return config
