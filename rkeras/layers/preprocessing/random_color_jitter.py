"""Random color jitter, as Keras 3's `RandomColorJitter`: in training, random brightness, contrast,
saturation and hue adjustments (those whose factor is given), applied in that order, each drawing its
own parameters from the layer's generator; in inference the layer is the identity."""

from ... import conventions
from .color_ops import value_range_arg
from .image_layer import RandomImageLayer
from .random_brightness import RandomBrightness
from .random_contrast import RandomContrast
from .random_hue import RandomHue
from .random_saturation import RandomSaturation


class RandomColorJitter(RandomImageLayer):
    """Randomly adjusts brightness, contrast, saturation and hue; see `layer_random_color_jitter()`."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_color_jitter()")
        self.value_range = value_range_arg(value_range)
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        steps = []
        for cls, factor in ((RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                            (RandomSaturation, saturation_factor), (RandomHue, hue_factor)):
            if factor is not None:
                steps.append(cls(factor=factor, value_range=value_range, seed=0))
        self._init_seed(seed)
        self._init_data_format(data_format)
        for step in steps:  # one generator drives every step
            step._generator = self._generator
        self._steps = steps
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        return [step._random_transformation(shape_cl) for step in self._steps]

    def _transform(self, x, transformation):
        backs = []
        for step, t in zip(self._steps, transformation):
            x, back = step._transform(x, t)
            backs.append(back)

        def back(g):
            for b in reversed(backs):
                g = b(g)
            return g

        return x, back

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "brightness_factor": self.brightness_factor,
                       "contrast_factor": self.contrast_factor, "saturation_factor": self.saturation_factor,
                       "hue_factor": self.hue_factor, "data_format": self.data_format})
        return config
