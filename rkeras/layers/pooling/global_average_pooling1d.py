"""Global average pooling of sequences, as Keras 3's `GlobalAveragePooling1D` (mask-aware)."""

import numpy as np

from .base_global_pooling import BaseGlobalAveragePooling


class GlobalAveragePooling1D(BaseGlobalAveragePooling):
    """Average over the steps of `(batch, steps, features)` inputs; see `layer_global_average_pooling_1d()`.

    With a mask `(batch, steps)` (from `layer_embedding(mask_zero=TRUE)` or `layer_masking()`), the
    masked steps are excluded from the average: the output is the mean of the unmasked steps (NaN
    for a sample whose steps are all masked, as in Keras). The mask stops here (`compute_mask`
    returns None).
    """

    pool_dimensions = 1
    supports_masking = True

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)

    def compute_mask(self, inputs, mask):
        return None

    def forward(self, inputs, training=False, mask=None):
        if mask is None:
            return super().forward(inputs, training=training)
        x, xw = self._prepare(inputs)
        steps_axis = 1 if self.data_format == "channels_last" else 2
        m = self._mask_weights(mask, x.shape, steps_axis, xw.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            weights = m / m.sum(axis=steps_axis, keepdims=True)  # a sample with every step masked: NaN
        y = (np.where(m > 0, xw, 0) * weights).sum(axis=steps_axis, keepdims=True, dtype=np.float64)
        out_shape = self.compute_output_shape(x.shape)
        return y.reshape(out_shape).astype(x.dtype, copy=False), (x.shape, x.dtype, xw.dtype, weights)

    def _mask_weights(self, mask, shape, steps_axis, dtype):
        """The mask as 0/1 weights of shape (batch, steps, 1) or (batch, 1, steps)."""
        mask = np.asarray(mask)
        if mask.dtype.kind not in "biuf":
            raise TypeError(f"`mask` of layer '{self.name}' must be boolean; received dtype {mask.dtype}.")
        expected = (shape[0], shape[steps_axis])
        try:
            mask = np.broadcast_to(mask, expected)
        except ValueError:
            raise ValueError(f"`mask` of layer '{self.name}' has shape {mask.shape}; expected (batch, steps) = "
                             f"{expected} for an input of shape {tuple(shape)}.") from None
        weights = (mask != 0).astype(dtype)
        return weights[:, :, None] if steps_axis == 1 else weights[:, None, :]
