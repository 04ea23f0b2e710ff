"""Categorical features crossed with the hashing trick, as Keras 3's `HashedCrossing`.

TensorFlow's `sparse.cross_hashed`, which Keras uses: each feature value is hashed (a string by FarmHash's
Fingerprint64, an integer by its own 64-bit value), the hashes are combined from the seed `0xDECAFCAFFE` with
TensorFlow's `FingerprintCat64`, and the crossed value is that `% num_bins`. Features are scalars per sample:
shape `(batch,)` or `(batch, 1)` (or scalars), all alike. Outputs are int64 bins or their encodings.
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer
from .category_encoding import check_output_mode, encode_categorical
from .fingerprint import fingerprint64

OUTPUT_MODES = ("int", "one_hot")
_MASK = (1 << 64) - 1
_CAT_MUL = 0xC6A4A7935BD1E995
_SEED = 0xDECAFCAFFE


def fingerprint_cat64(fp1, fp2):
    """TensorFlow's `FingerprintCat64`: two 64-bit fingerprints combined."""
    def shift_mix(v):
        return v ^ (v >> 47)
    result = fp1 ^ _CAT_MUL
    result ^= (shift_mix((fp2 * _CAT_MUL) & _MASK) * _CAT_MUL) & _MASK
    result = (result * _CAT_MUL) & _MASK
    result = (shift_mix(result) * _CAT_MUL) & _MASK
    return shift_mix(result)


def _feature_hashes(x, where):
    arr = np.asarray(x)
    if arr.dtype.kind in "iu" or arr.dtype.kind == "b":
        return [int(v) & _MASK for v in arr.astype(np.int64).ravel().tolist()]
    if arr.dtype.kind in "USO":
        cache = {}
        out = []
        for v in arr.ravel().tolist():
            b = v if isinstance(v, bytes) else str(v).encode("utf-8")
            if b not in cache:
                cache[b] = fingerprint64(b)
            out.append(cache[b])
        return out
    raise TypeError(f"`{where}` must hold strings or integers; received dtype {arr.dtype}.")


class HashedCrossing(Layer):
    """Crosses features with the hashing trick; see `layer_hashed_crossing()`."""

    accepts_strings = True

    def __init__(self, num_bins=None, output_mode="int", sparse=False, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_hashed_crossing()")
        if num_bins is None:
            raise ValueError("`num_bins` must be given: the number of hash bins (a positive integer).")
        self.num_bins = conventions.as_integer(num_bins, "num_bins", minimum=1)
        self.output_mode = check_output_mode(output_mode, OUTPUT_MODES, "layer_hashed_crossing()")
        if conventions.as_bool(sparse, "sparse"):
            raise ValueError("`sparse` = True is not supported by rkeras (dense numpy outputs only).")
        self.sparse = False
        super().__init__(**kwargs)

    @property
    def output_dtype_follows_layer(self):
        return self.output_mode != "int"

    @property
    def symbolic_output_dtype(self):
        return "int64" if self.output_mode == "int" else None

    def _check(self, shapes):
        if not isinstance(shapes, list) or len(shapes) < 2:
            raise ValueError(f"Layer '{self.name}' crosses at least two features: call it on a list of 2 or more "
                             f"arrays.")
        first = tuple(shapes[0])
        if any(tuple(s) != first for s in shapes) or len(first) > 2 or (len(first) == 2 and first[1] != 1):
            raise ValueError(f"Layer '{self.name}': all features must have one shape, (batch,) or (batch, 1); "
                             f"received shapes {[tuple(s) for s in shapes]}.")
        return first

    def compute_output_shape(self, input_shape):
        shape = self._check([tuple(s) for s in input_shape])
        if self.output_mode == "int":
            return shape
        return (shape[0], self.num_bins) if shape else (self.num_bins,)

    def _convert_inputs(self, inputs):
        return [np.asarray(x) for x in inputs] if isinstance(inputs, (list, tuple)) else np.asarray(inputs)

    def forward(self, inputs, training=False, mask=None):
        xs = self._convert_inputs(inputs)
        shape = self._check([x.shape for x in xs] if isinstance(xs, list) else xs)
        hashes = [_feature_hashes(x, f"inputs[[{i + 1}]]") for i, x in enumerate(xs)]
        crossed = []
        for values in zip(*hashes):
            h = _SEED
            for v in values:
                h = fingerprint_cat64(h, v)
            crossed.append(h % self.num_bins)
        out = np.array(crossed, np.int64).reshape(shape)
        if self.output_mode == "int":
            return out, None
        return encode_categorical(out.reshape(-1, 1) if out.ndim == 1 else out, "one_hot", self.num_bins,
                                  self.dtype, name=self.name), None

    def backward(self, cache, grad_outputs):
        return None, {}

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": False})
        return config
