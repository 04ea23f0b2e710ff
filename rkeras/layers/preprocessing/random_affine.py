"""What `RandomRotation`, `RandomZoom` and `RandomTranslation` share (Keras 3's layers of the same
names): one random affine transform per image in training, applied by `affine.AffineSampler` with
`interpolation` and `fill_mode` / `fill_value`; the identity in inference."""

from ...conventions import check_choice, check_float
from .affine import FILL_MODES, INTERPOLATIONS, AffineSampler
from .image_layer import RandomImageLayer


class RandomAffineLayer(RandomImageLayer):
    """Subclasses implement `_random_transformation(shape_cl)` returning `{"transforms": (N, 8) array}`
    (or the layer's own Keras keys, turned into transforms by `_transforms()`)."""

    def _init_affine(self, fill_mode, interpolation, seed, fill_value, data_format):
        self.fill_mode = check_choice(fill_mode, FILL_MODES, "fill_mode")
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "interpolation")
        self.fill_value = check_float(fill_value, "fill_value")
        self._init_seed(seed)
        self._init_data_format(data_format)

    def _transforms(self, transformation, shape_cl):
        raise NotImplementedError

    def _transform(self, x, transformation):
        sampler = AffineSampler(self._transforms(transformation, x.shape), x.shape[1], x.shape[2],
                                self.interpolation, self.fill_mode, self.fill_value)
        return sampler.forward(x), sampler.backward

    def get_config(self):
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                       "fill_value": self.fill_value, "data_format": self.data_format})
        return config
