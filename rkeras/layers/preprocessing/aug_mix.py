"""AugMix, as Keras 3's `AugMix`: in training, `num_chains` chains of up to `chain_depth` random
operations (each slot: one of the operations or none) are applied to the batch, their results mixed
with Dirichlet(alpha) weights, and the mixture blended with the original images by a Beta(alpha,
alpha) weight, then clipped to `value_range`. The operations are shear, translation, rotation,
posterization, solarization, auto contrast and equalization, plus (with `all_ops`) brightness,
color degeneration, contrast and sharpness, all with strength `factor`. In inference the layer is
the identity."""

import numpy as np

from ... import conventions
from ...conventions import check_choice, check_float
from .affine import INTERPOLATIONS
from .color_ops import base_factor, value_range_arg
from .image_layer import RandomImageLayer
from .rand_augment import STEP_NAMES, augmentation_steps

OPS = ("random_shear", "random_translation", "random_rotation", "random_posterization", "solarization",
       "auto_contrast", "equalization")
ALL_OPS = OPS + ("random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness")


class AugMix(RandomImageLayer):
    """Mixes chains of random augmentations during training; see `layer_aug_mix()`."""

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_aug_mix()")
        self.value_range = value_range_arg(value_range)
        self.num_chains = conventions.as_integer(num_chains, "num_chains", minimum=1)
        self.chain_depth = conventions.as_integer(chain_depth, "chain_depth", minimum=1)
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.alpha = check_float(alpha, "alpha")
        if self.alpha <= 0:
            raise ValueError(f"`alpha` must be a positive number; received {alpha!r}.")
        if not isinstance(all_ops, (bool, np.bool_)):
            raise TypeError(f"`all_ops` must be TRUE or FALSE; received {all_ops!r}.")
        self.all_ops = bool(all_ops)
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "interpolation")
        steps = dict(zip(STEP_NAMES, augmentation_steps(self.factor, self.value_range, self.interpolation)))
        self._init_seed(seed)
        self._init_data_format(data_format)
        self._ops = [steps[name] for name in (ALL_OPS if self.all_ops else OPS)]
        for step in self._ops:  # one generator drives every operation
            if hasattr(step, "_generator"):
                step._generator = self._generator
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `chain_mixing_weights`, `weight_sample` and `chain_transforms` (per
        chain, a list of (operation index, its transformation))."""
        gamma = self._generator.gamma(self.alpha, size=self.num_chains)
        chains = []
        for _ in range(self.num_chains):
            chain = []
            for _ in range(self.chain_depth):
                choice = int(self._generator.integers(0, len(self._ops) + 1))
                if choice < len(self._ops):
                    chain.append((choice, self._ops[choice]._random_transformation(shape_cl)))
            chains.append(chain)
        return {"chain_mixing_weights": gamma / gamma.sum(),
                "weight_sample": self._generator.beta(self.alpha, self.alpha), "chain_transforms": chains}

    def _transform(self, x, transformation):
        weights = np.asarray(transformation["chain_mixing_weights"]).astype(x.dtype)
        w = x.dtype.type(transformation["weight_sample"])
        mixed = np.zeros_like(x)
        chain_backs = []
        for k, chain in enumerate(transformation["chain_transforms"]):
            y, backs = x, []
            for index, t in chain:
                y, back = self._ops[index]._transform(y, t)
                backs.append(back)
            mixed += y * weights[k]
            chain_backs.append(backs)
        pre = w * x + (1 - w) * mixed
        low, high = self.value_range
        out = np.clip(pre, low, high).astype(x.dtype, copy=False)
        inside = (pre >= low) & (pre <= high)

        def back(g):
            gz = (g * inside).astype(g.dtype)
            dx = (w * gz).astype(np.float64)
            for k, backs in enumerate(chain_backs):
                gk = (gz * ((1 - w) * weights[k])).astype(g.dtype)
                for b in reversed(backs):
                    gk = b(gk)
                dx += gk
            return dx.astype(g.dtype)

        return out, back

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_chains": self.num_chains,
                       "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha,
                       "all_ops": self.all_ops, "interpolation": self.interpolation, "data_format": self.data_format})
        return config
