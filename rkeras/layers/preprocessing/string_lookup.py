"""Strings mapped to vocabulary indices (or the inverse), as Keras 3's `StringLookup`.

The lookup of `IntegerLookup` (index layout, adapt() by frequency with Keras' tie order, encoded output modes,
tf_idf, invert) with string keys, held as numpy unicode arrays: inputs are numpy arrays (or lists) of `str`,
`bytes` (decoded with `encoding`) or objects holding them, called eagerly (rkeras' symbolic tensors are
numeric). Several OOV indices would need Keras' FarmHash of the strings: rkeras accepts 0 or 1.
"""

import numpy as np

from ... import conventions
from .integer_lookup import IntegerLookup


class StringLookup(IntegerLookup):
    """Maps strings to indices; see `layer_string_lookup()`."""

    accepts_strings = True
    _key_dtype = np.str_

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", **kwargs):
        if not isinstance(encoding, str):
            raise TypeError(f"`encoding` must be a codec name such as 'utf-8'; received {encoding!r}.")
        try:
            "".encode(encoding)
        except LookupError:
            raise ValueError(f"`encoding` {encoding!r} is not a known text encoding.") from None
        self.encoding = encoding
        n_oov = conventions.as_integer(num_oov_indices, "num_oov_indices", minimum=0)
        if n_oov > 1:
            raise ValueError(f"`num_oov_indices` > 1 (OOV strings spread by Keras' FarmHash) is not supported by "
                             f"rkeras; use 0 or 1; received {num_oov_indices!r}.")
        super().__init__(max_tokens=max_tokens, num_oov_indices=n_oov, mask_token=mask_token, oov_token=oov_token,
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def _token(self, value, arg):
        if isinstance(value, bytes):
            value = value.decode(self.encoding)
        if not isinstance(value, str):
            raise TypeError(f"`{arg}` must be a string; received {value!r}.")
        return value

    def _set_key_dtype(self, vocabulary_dtype):
        self.vocabulary_dtype = "string"

    def _vocabulary_array(self, vocabulary):
        if isinstance(vocabulary, (str, bytes)) or not hasattr(vocabulary, "__iter__"):
            raise TypeError(f"`vocabulary` must be a vector of strings; received {vocabulary!r}.")
        return np.array([self._token(v, "vocabulary") for v in vocabulary], dtype=np.str_).reshape(-1)

    def _keys(self, x, arg):
        arr = np.asarray(x)
        if arr.dtype.kind == "S" or arr.dtype.kind == "O":
            arr = np.vectorize(lambda v: self._token(v, arg), otypes=[np.str_])(arr) if arr.size else arr.astype(str)
        if arr.dtype.kind != "U":
            raise TypeError(f"`{arg}` of layer '{self.name}' must hold strings; received dtype {arr.dtype}.")
        return arr

    def _convert_inputs(self, inputs):
        return np.asarray(inputs)

    @property
    def symbolic_output_dtype(self):
        return "int64" if self.output_mode == "int" and not self.invert else None

    def get_config(self):
        config = super().get_config()
        config.pop("vocabulary_dtype", None)
        config["encoding"] = self.encoding
        return config
