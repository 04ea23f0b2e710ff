"""Resizing of images, as Keras 3's `Resizing` on JAX: an optional crop or pad to the target's aspect
ratio, then `jax.image.resize` (see `resampling`)."""

import numpy as np

from ... import conventions
from ...conventions import check_choice, check_float
from .image_layer import ImageLayer
from .resampling import INTERPOLATIONS, CropPadResize, aspect_crop_box, aspect_pad


class Resizing(ImageLayer):
    """Resizes images to `(height, width)`; see `layer_resizing()`."""

    def __init__(self, height=None, width=None, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False, data_format=None,
                 **kwargs):
        conventions.check_kwargs(kwargs, where="layer_resizing()")
        for arg, v in (("height", height), ("width", width)):
            if v is None:
                raise ValueError(f"`{arg}` must be given: the {arg} of the output images, a positive integer; "
                                 f"received None.")
        self.height = conventions.as_integer(height, "height", minimum=1)
        self.width = conventions.as_integer(width, "width", minimum=1)
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "interpolation")
        self.crop_to_aspect_ratio = conventions.as_bool(crop_to_aspect_ratio, "crop_to_aspect_ratio")
        self.pad_to_aspect_ratio = conventions.as_bool(pad_to_aspect_ratio, "pad_to_aspect_ratio")
        if self.crop_to_aspect_ratio and self.pad_to_aspect_ratio:
            raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True; "
                             "received both True.")
        self.fill_mode = check_choice(fill_mode, ("constant",), "fill_mode")
        self.fill_value = check_float(fill_value, "fill_value")
        self.antialias = conventions.as_bool(antialias, "antialias")
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        out = list(self._check_image_shape(input_shape))
        offset = 0 if len(out) == 4 else -1
        for axis, size in zip(self._hw_axes, (self.height, self.width)):
            out[axis + offset] = size
        return tuple(out)

    def _plan(self, h, w):
        crop = pad = None
        if self.crop_to_aspect_ratio:
            crop = aspect_crop_box(h, w, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            pad = aspect_pad(h, w, self.height, self.width)
        return CropPadResize((h, w), (self.height, self.width), self.interpolation, self.antialias, crop, pad,
                             self.fill_value)

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
        config.update({"height": self.height, "width": self.width, "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                       "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value, "antialias": self.antialias, "data_format": self.data_format})
        return config
