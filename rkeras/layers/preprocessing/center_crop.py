"""Center crop of images, as Keras 3's `CenterCrop`: the central `(height, width)` window; an image
smaller than the target is cropped to the target's aspect ratio and resized (bilinear), as Keras'
`smart_resize`."""

import numpy as np

from ... import conventions
from .image_layer import ImageLayer
from .resampling import CropPadResize, aspect_crop_box


class CenterCrop(ImageLayer):
    """Crops the center of images to `(height, width)`; see `layer_center_crop()`."""

    def __init__(self, height=None, width=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_center_crop()")
        for arg, v in (("height", height), ("width", width)):
            if v is None:
                raise ValueError(f"`{arg}` must be given: the {arg} of the output images, a positive integer; "
                                 f"received None.")
        self.height = conventions.as_integer(height, "height", minimum=1)
        self.width = conventions.as_integer(width, "width", minimum=1)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        out = list(self._check_image_shape(input_shape))
        offset = 0 if len(out) == 4 else -1
        for axis, size in zip(self._hw_axes, (self.height, self.width)):
            out[axis + offset] = size
        return tuple(out)

    def _plan(self, h, w):
        if h >= self.height and w >= self.width:
            box = ((h - self.height) // 2, (w - self.width) // 2, self.height, self.width)
        else:
            box = aspect_crop_box(h, w, self.height, self.width)
        return CropPadResize((h, w), (self.height, self.width), "bilinear", False, box)

    def forward(self, inputs, training=False, mask=None):
        x, work = self._prepare(inputs)
        self.compute_output_shape(x.shape)
        x4, single = self._batched(x)
        x_cl = self._to_cl(x4.astype(work, copy=False))
        plan = self._plan(x_cl.shape[1], x_cl.shape[2])
        y = self._from_cl(plan.forward(x_cl))
        return (y[0] if single else y).astype(x.dtype, copy=False), (plan, single, x.dtype, work)

    def backward(self, cache, grad_outputs):
        plan, single, dtype, work = cache
        g = np.asarray(grad_outputs).astype(work, copy=False)
        g4 = g[None] if single else g
        dx = self._from_cl(plan.backward(self._to_cl(g4)))
        return (dx[0] if single else dx).astype(dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "data_format": self.data_format})
        return config
