"""RandAugment, as Keras 3's `RandAugment`: in training, `num_ops` operations chosen at random (one
choice per batch for each slot) among shear, translation, rotation, brightness, color degeneration,
contrast, sharpness, posterization, solarization, auto contrast and equalization, all with strength
`factor`, are applied in turn; each operation draws its parameters once per call (an operation
chosen twice repeats the same draw, as Keras). In inference the layer is the identity."""

from ... import conventions
from ...conventions import check_choice
from .affine import INTERPOLATIONS
from .auto_contrast import AutoContrast
from .color_ops import base_factor, value_range_arg
from .equalization import Equalization
from .image_layer import RandomImageLayer
from .random_brightness import RandomBrightness
from .random_color_degeneration import RandomColorDegeneration
from .random_contrast import RandomContrast
from .random_posterization import RandomPosterization
from .random_rotation import RandomRotation
from .random_sharpness import RandomSharpness
from .random_shear import RandomShear
from .random_translation import RandomTranslation
from .solarization import Solarization

STEP_NAMES = ("random_shear", "random_translation", "random_rotation", "random_brightness",
              "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
              "solarization", "auto_contrast", "equalization")


def augmentation_steps(factor, value_range, interpolation):
    """Keras' `RandAugment._AUGMENT_LAYERS` (named in `STEP_NAMES`), in order, built with strength
    `factor = (low, high)`."""
    return [
        RandomShear(x_factor=factor, y_factor=factor, interpolation=interpolation, seed=0),
        RandomTranslation(height_factor=factor, width_factor=factor, interpolation=interpolation, seed=0),
        RandomRotation(factor=factor, interpolation=interpolation, seed=0),
        RandomBrightness(factor=factor, value_range=value_range, seed=0),
        RandomColorDegeneration(factor=factor, value_range=value_range, seed=0),
        RandomContrast(factor=factor, value_range=value_range, seed=0),
        RandomSharpness(factor=factor, value_range=value_range, seed=0),
        RandomPosterization(factor=max(1, int(8 * factor[1])), value_range=value_range, seed=0),
        Solarization(addition_factor=factor, threshold_factor=factor, value_range=value_range, seed=0),
        AutoContrast(value_range=value_range),
        Equalization(value_range=value_range),
    ]


class RandAugment(RandomImageLayer):
    """Applies random augmentation operations during training; see `layer_rand_augment()`."""

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_rand_augment()")
        self.value_range = value_range_arg(value_range)
        self.num_ops = conventions.as_integer(num_ops, "num_ops", minimum=0)
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "interpolation")
        steps = augmentation_steps(self.factor, self.value_range, self.interpolation)
        self._init_seed(seed)
        self._init_data_format(data_format)
        for step in steps:  # one generator drives every operation
            if hasattr(step, "_generator"):
                step._generator = self._generator
        self._steps = steps
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `layer_idxes` (num_ops) and one transformation per operation."""
        idxes = self._generator.integers(0, len(self._steps), size=self.num_ops)
        return {"layer_idxes": idxes, "transforms": [step._random_transformation(shape_cl) for step in self._steps]}

    def _transform(self, x, transformation):
        backs = []
        for i in transformation["layer_idxes"]:
            x, back = self._steps[int(i)]._transform(x, transformation["transforms"][int(i)])
            backs.append(back)

        def back(g):
            for b in reversed(backs):
                g = b(g)
            return g

        return x, back

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_ops": self.num_ops, "factor": self.factor,
                       "interpolation": self.interpolation, "data_format": self.data_format})
        return config
