"""Dropout, as Keras 3's `Dropout`: inverted dropout in training, identity in inference.

In training, each input unit is set to 0 with probability `rate` and the kept ones are scaled by
`1 / (1 - rate)`, so the expected sum is unchanged. The random generator is made once, when the
layer is created (`rkeras.random.make_generator(seed)`): a seeded layer repeats its sequence of
masks, and an unseeded one does too after `set_random_seed()`. Under a data-parallel distribution each
rank draws the mask of the whole global batch and keeps its own rows, so the ranks' shares get
different masks and N ranks train exactly as one process would.
"""

import numpy as np

from ... import conventions
from ... import random as rk_random
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ...distribute import current_batch_rows


class Dropout(Layer):
    """Applies dropout to the input; see `layer_dropout()`."""

    supports_masking = True

    def __init__(self, rate=None, noise_shape=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_dropout()")
        if rate is None:
            raise ValueError("`rate` must be given: the fraction of the input units to drop, a number in "
                             "[0, 1]; received None.")
        if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, (int, float, np.integer, np.floating)):
            raise TypeError(f"`rate` must be a number in [0, 1]; received {rate!r}.")
        if not 0.0 <= float(rate) <= 1.0:
            raise ValueError(f"`rate` must be a number in [0, 1] (the fraction of units to drop); "
                             f"received {rate!r}.")
        self.rate = float(rate)
        self.noise_shape = conventions.as_noise_shape(noise_shape)
        self.seed = None if seed is None else conventions.as_seed(seed)
        super().__init__(**kwargs)
        self._generator = rk_random.make_generator(self.seed)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _mask_shape(self, shape):
        if self.noise_shape is None:
            return shape
        if len(self.noise_shape) != len(shape):
            raise ValueError(f"`noise_shape` = {self.noise_shape} of layer '{self.name}' must have one entry "
                             f"per input dimension (batch included); the input has shape {shape}.")
        out = tuple(d if n is None else n for n, d in zip(self.noise_shape, shape))
        if any(n != 1 and n != d for n, d in zip(out, shape)):
            raise ValueError(f"`noise_shape` = {self.noise_shape} of layer '{self.name}' must broadcast to "
                             f"the input shape {shape}: each entry must be 1, None or the input's size.")
        return out

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        if not training or self.rate == 0.0:
            return x, None
        mask_shape = self._mask_shape(x.shape)
        work = compute_dtype(x.dtype)
        keep = 1.0 - self.rate
        scale = work.type(1.0 / keep) if keep > 0 else work.type(0)
        draw = np.float64 if work == np.float64 else np.float32
        rows = current_batch_rows()
        if rows is not None and (self.noise_shape is None or self.noise_shape[0] is None) \
                and rows[2] - rows[1] == x.shape[0]:
            # a data-parallel step: draw the global batch's mask, as one process would, and keep this
            # rank's rows (every rank's generator is in the same state)
            n, start, stop = rows
            keep_mask = self._generator.random((n,) + tuple(mask_shape[1:]), dtype=draw)[start:stop]
        else:
            keep_mask = self._generator.random(mask_shape, dtype=draw)
        keep_mask = np.multiply(keep_mask < keep, scale, dtype=work)  # np.where is slow on random masks
        y = x.astype(work, copy=False) * keep_mask
        return y.astype(x.dtype, copy=False), (keep_mask, x.dtype)

    def backward(self, cache, grad_outputs):
        g = np.asarray(grad_outputs)
        if cache is None:
            return g, {}
        keep_mask, in_dtype = cache
        return (g.astype(keep_mask.dtype, copy=False) * keep_mask).astype(in_dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config
