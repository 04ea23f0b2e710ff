"""Categorical features hashed into bins, as Keras 3's `Hashing`.

Strings (and integers, written in decimal as TensorFlow's `as_string` does; floats are truncated to integers
first) are hashed with FarmHash's Fingerprint64 (`fingerprint.py`), TensorFlow's `to_hash_bucket_fast` that
Keras uses, and binned by `hash % num_bins`. With a `mask_value`, that value takes bin 0 and the others
`hash % (num_bins - 1) + 1`. Outputs are int64 bin indices, or encoded by `encode_categorical`. Each distinct
value is hashed once per call. Not supported: `salt` (Keras' SipHash `to_hash_bucket_strong`), sparse outputs.
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer
from .category_encoding import check_output_mode, encode_categorical
from .fingerprint import fingerprint64

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def as_hash_keys(x, encoding="utf-8", where="inputs"):
    """The bytes TensorFlow hashes for each element: strings encoded, integers (and truncated floats) in decimal."""
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"`{where}` holds non-finite values, which cannot be hashed.")
        arr = np.trunc(arr).astype(np.int64)
    if arr.dtype.kind in "biu":
        return arr.astype(np.int64).astype(str), arr
    if arr.dtype.kind in "US":
        return arr, arr
    if arr.dtype.kind == "O":
        return np.vectorize(lambda v: v.decode(encoding) if isinstance(v, bytes) else str(v), otypes=[np.str_])(
            arr) if arr.size else arr.astype(str), arr
    raise TypeError(f"`{where}` must hold strings or integers; received dtype {arr.dtype}.")


def fingerprints(keys, encoding="utf-8"):
    """Fingerprint64 of each element of a string array (uint64), each distinct value hashed once."""
    values, inverse = np.unique(keys, return_inverse=True)
    hashed = np.array([fingerprint64(v.encode(encoding) if isinstance(v, str) else bytes(v)) for v in values.tolist()],
                      dtype=np.uint64)
    return hashed[inverse].reshape(np.shape(keys))


class Hashing(Layer):
    """Hashes and bins categorical features; see `layer_hashing()`."""

    accepts_strings = True

    def __init__(self, num_bins=None, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_hashing()")
        if num_bins is None:
            raise ValueError("`num_bins` must be given: the number of hash bins (a positive integer).")
        self.num_bins = conventions.as_integer(num_bins, "num_bins", minimum=1)
        if mask_value is not None and not isinstance(mask_value, (str, bytes, int, np.integer)):
            raise TypeError(f"`mask_value` must be None, a string or an integer; received {mask_value!r}.")
        self.mask_value = mask_value.decode() if isinstance(mask_value, bytes) else mask_value
        if salt is not None:
            raise ValueError("`salt` (Keras' keyed SipHash, `to_hash_bucket_strong`) is not supported by rkeras; only "
                             "None is accepted.")
        self.salt = None
        self.output_mode = check_output_mode(output_mode, OUTPUT_MODES, "layer_hashing()")
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

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if len(input_shape) == 0:
            return (self.num_bins,)
        return input_shape[:-1] + (self.num_bins,)

    def _convert_inputs(self, inputs):
        return np.asarray(inputs)

    def forward(self, inputs, training=False, mask=None):
        keys, _ = as_hash_keys(inputs)
        bins = self.num_bins
        masked = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            masked = keys == str(self.mask_value)
        out = (fingerprints(keys) % np.uint64(bins)).astype(np.int64)
        if masked is not None:
            out = np.where(masked, 0, out + 1)
        if self.output_mode == "int":
            return out, None
        return encode_categorical(out, self.output_mode, self.num_bins, self.dtype, name=self.name), None

    def backward(self, cache, grad_outputs):
        return None, {}  # hashing: no gradient

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": None, "mask_value": self.mask_value,
                       "output_mode": self.output_mode, "sparse": False})
        return config
