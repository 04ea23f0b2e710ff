"""Random crop of images, as documented for Keras 3's `RandomCrop`: in training, a `(height, width)`
window at a random position (one position per batch, as Keras draws it); at inference, and in
training when an image is not larger than the target, the largest centered window with the target's
aspect ratio, resized (bilinear) to `(height, width)`.

(Keras 3.15 on JAX returns the input unchanged at inference, against its documentation and its own
`compute_output_shape`; rkeras follows the documentation, so that the output shape never depends on
the mode.)
"""

from ... import conventions
from .image_layer import RandomImageLayer
from .resampling import CropPadResize, aspect_crop_box


class RandomCrop(RandomImageLayer):
    """Randomly crops images during training; see `layer_random_crop()`."""

    def __init__(self, height=None, width=None, seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_crop()")
        for arg, v in (("height", height), ("width", width)):
            if v is None:
                raise ValueError(f"`{arg}` must be given: the {arg} of the output images, a positive integer; "
                                 f"received None.")
        self.height = conventions.as_integer(height, "height", minimum=1)
        self.width = conventions.as_integer(width, "width", minimum=1)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        out = list(self._check_image_shape(input_shape))
        offset = 0 if len(out) == 4 else -1
        for axis, size in zip(self._hw_axes, (self.height, self.width)):
            out[axis + offset] = size
        return tuple(out)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: (h_start, w_start) of the window, or None for the deterministic path."""
        h, w = shape_cl[1], shape_cl[2]
        if h > self.height and w > self.width:
            return (int(self._generator.uniform(0, h - self.height + 1)),
                    int(self._generator.uniform(0, w - self.width + 1)))
        return None

    def _plan(self, h, w, transformation):
        if transformation is None:
            box = aspect_crop_box(h, w, self.height, self.width)
        else:
            box = (transformation[0], transformation[1], self.height, self.width)
        return CropPadResize((h, w), (self.height, self.width), "bilinear", False, box)

    def _transform(self, x, transformation):
        plan = self._plan(x.shape[1], x.shape[2], transformation)
        return plan.forward(x), plan.backward

    def forward(self, inputs, training=False, mask=None):
        x, work = self._prepare(inputs)
        self.compute_output_shape(x.shape)
        x4, single = self._batched(x)
        x_cl = self._to_cl(x4.astype(work, copy=False))
        transformation = self._random_transformation(x_cl.shape) if training else None
        y_cl, back = self._transform(x_cl, transformation)
        y = self._from_cl(y_cl)
        return (y[0] if single else y).astype(x.dtype, copy=False), (back, single, x.dtype, work)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "data_format": self.data_format})
        return config
