"""Keras 3's `MaxNumBoundingBoxes`: makes the number of bounding boxes of a batch `max_number`
(truncating, or padding with `fill_value`). rkeras layers take arrays of images, not Keras'
dictionaries of images and boxes: the layer returns images unchanged (as Keras does), and
`pad_bounding_boxes()` does the boxes' part for arrays."""

import numpy as np

from ... import conventions
from .image_layer import ImageLayer


class MaxNumBoundingBoxes(ImageLayer):
    """Pads or truncates bounding boxes to `max_number`; see `layer_max_num_bounding_boxes()`."""

    def __init__(self, max_number=None, fill_value=-1, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_max_num_bounding_boxes()")
        if max_number is None:
            raise ValueError("`max_number` must be given: a positive integer; received None.")
        self.max_number = conventions.as_integer(max_number, "max_number", minimum=1)
        self.fill_value = conventions.as_integer(fill_value, "fill_value")
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x, _ = self._prepare(inputs)
        return x, None

    def backward(self, cache, grad_outputs):
        return np.asarray(grad_outputs), {}

    def pad_bounding_boxes(self, boxes, labels):
        """`boxes` (batch, n, 4) and `labels` (batch, n) with exactly `max_number` boxes."""
        boxes, labels = np.asarray(boxes), np.asarray(labels)
        pad = max(self.max_number - boxes.shape[1], 0)
        boxes = np.pad(boxes[:, :self.max_number], [(0, 0), (0, pad), (0, 0)], constant_values=self.fill_value)
        labels = np.pad(labels[:, :self.max_number], [(0, 0), (0, pad)], constant_values=self.fill_value)
        return boxes, labels

    def get_config(self):
        config = super().get_config()
        config.update({"max_number": self.max_number, "fill_value": self.fill_value,
                       "data_format": self.data_format})
        return config
