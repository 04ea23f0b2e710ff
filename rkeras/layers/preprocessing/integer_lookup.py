"""Integers mapped to vocabulary indices (or the inverse), as Keras 3's `IntegerLookup`.

Index layout, as Keras' `IndexLookup`: with `output_mode = "int"` and a `mask_token`, index 0 is the mask;
then come `num_oov_indices` out-of-vocabulary indices (an OOV value `v` takes `v % num_oov_indices`, Keras'
"floormod"), then the vocabulary in order. A vocabulary given with its special tokens first (`[mask, oov,
...]`) is accepted as Keras does. `adapt()` counts the values (streaming over batches) and keeps the most
frequent, ties broken by the larger value first (Keras' `lexsort` order), at most `max_tokens` indices in all;
in "tf_idf" mode it also learns `log(1 + documents / (1 + documents with the value))` per value (a document is
one sample), the OOV indices weighing their mean.

Encoded modes ("one_hot", "multi_hot", "count", "tf_idf") use `encode_categorical` over the vocabulary size
(`max_tokens` with `pad_to_max_tokens`). Keras runs this layer through TensorFlow only; rkeras is checked against
the examples of Keras' documentation. Not supported: `mask_token` with an encoded output mode, sparse outputs,
`oov_method = "farmhash"`.
"""

import itertools

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array
from .category_encoding import encode_categorical

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IntegerLookup(Layer):
    """Maps integers to indices; see `layer_integer_lookup()`."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_integer_lookup()")
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"`output_mode` must be one of {', '.join(repr(m) for m in OUTPUT_MODES)}; received "
                             f"{output_mode!r}.")
        self.output_mode = output_mode
        self.max_tokens = None if max_tokens is None else conventions.as_integer(max_tokens, "max_tokens", minimum=1)
        self.num_oov_indices = conventions.as_integer(num_oov_indices, "num_oov_indices", minimum=0)
        self.mask_token = None if mask_token is None else self._token(mask_token, "mask_token")
        self.oov_token = self._token(oov_token, "oov_token")
        self._set_key_dtype(vocabulary_dtype)
        self.invert = conventions.as_bool(invert, "invert")
        if self.invert and output_mode != "int":
            raise ValueError(f"`invert` = True needs `output_mode` = 'int'; received {output_mode!r}.")
        if conventions.as_bool(sparse, "sparse"):
            raise ValueError("`sparse` = True is not supported by rkeras (dense numpy outputs only).")
        self.sparse = False
        self.pad_to_max_tokens = conventions.as_bool(pad_to_max_tokens, "pad_to_max_tokens")
        if self.pad_to_max_tokens and self.max_tokens is None:
            raise ValueError("`pad_to_max_tokens` = True needs `max_tokens`.")
        if self.mask_token is not None and output_mode != "int":
            raise ValueError("`mask_token` with an encoded `output_mode` is not supported by rkeras; use "
                             "output_mode = 'int'.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` is only used with `output_mode` = 'tf_idf'; received output_mode "
                             f"{output_mode!r}.")
        self.tokens = None        # the vocabulary without special tokens (int64 array)
        self._has_input_vocabulary = False
        self.idf = None           # tf_idf weights over the whole index range
        super().__init__(**kwargs)
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError("`idf_weights` needs `vocabulary` (or adapt() in 'tf_idf' mode, without idf_weights).")

    # ----------------------------------------------------------------------------- vocabulary
    def _oov_start(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (and, in "tf_idf" mode, its idf weights), checked before anything changes."""
        vocab = self._vocabulary_array(vocabulary)
        special = ([self.mask_token] if self._oov_start() else []) + [self.oov_token] * self.num_oov_indices
        found_special = len(special) > 0 and vocab.size >= len(special) and vocab[:len(special)].tolist() == special
        tokens = vocab[len(special):] if found_special else vocab
        if len(set(tokens.tolist())) != tokens.size:
            raise ValueError(f"`vocabulary` must hold each value once; received {vocab.tolist()}.")
        for tok, what in ((self.mask_token, "mask_token"), (self.oov_token, "oov_token")):
            if tok is not None and tok in tokens.tolist() and (what == "mask_token" or self.num_oov_indices):
                raise ValueError(f"`vocabulary` holds the {what} {tok} outside the leading special tokens "
                                 f"{special}.")
        size = self._token_start() + tokens.size
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"The vocabulary size {size} (with the mask and OOV indices) is larger than "
                             f"`max_tokens` = {self.max_tokens}.")
        idf = None
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be given with `vocabulary` when `output_mode` is 'tf_idf'.")
            w = np.asarray(idf_weights, np.float64).reshape(-1)
            if w.size != vocab.size:
                raise ValueError(f"`idf_weights` must have the vocabulary's length {vocab.size}; received {w.size}.")
            idf = w if found_special else np.concatenate([np.full(self._token_start(), w.mean()), w])
            idf = self._pad(idf)
        self.tokens, self.idf = tokens, idf
        self._has_input_vocabulary = True

    def _pad(self, idf):
        if self.pad_to_max_tokens:
            idf = np.concatenate([idf, np.zeros(self.max_tokens - idf.size)])
        return idf

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary, with the mask and OOV tokens first (a token's index is its position) by default."""
        tokens = [] if self.tokens is None else self.tokens.tolist()
        if not include_special_tokens:
            return tokens
        return ([self.mask_token] if self._oov_start() else []) + [self.oov_token] * self.num_oov_indices + tokens

    def vocabulary_size(self):
        return self._token_start() + (0 if self.tokens is None else self.tokens.size)

    # ----------------------------------------------------------------------------- adapt
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (by frequency) and, in "tf_idf" mode, the idf weights from `data`."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}': it was given a `vocabulary`.")
        if batch_size is not None:
            batch_size = conventions.as_integer(batch_size, "batch_size", minimum=1)
        if isinstance(data, np.ndarray) or np.isscalar(data):
            arr = np.asarray(data)
            batches = [arr] if batch_size is None else [arr[i:i + batch_size] for i in range(0, len(arr), batch_size)]
        elif hasattr(data, "__iter__"):
            batches = data
        else:
            raise TypeError(f"`data` of adapt() must be an array or an iterable of arrays; received "
                            f"{type(data).__name__}.")
        if steps is not None:
            batches = itertools.islice(batches, conventions.as_integer(steps, "steps", minimum=1))
        counts, doc_counts, n_docs = {}, {}, 0
        for batch in batches:
            if isinstance(batch, tuple):
                batch = batch[0]
            b = self._keys(batch, "data")
            if b.ndim < 2:
                b = b.reshape(1, -1)
            values, c = np.unique(b, return_counts=True)
            for v, k in zip(values.tolist(), c.tolist()):
                counts[v] = counts.get(v, 0) + k
            if self.output_mode == "tf_idf":
                rows = b.reshape(b.shape[0], -1)
                n_docs += rows.shape[0]
                for row in rows:
                    for v in np.unique(row).tolist():
                        doc_counts[v] = doc_counts.get(v, 0) + 1
        return self._learn_vocabulary(counts, doc_counts, n_docs)

    def _learn_vocabulary(self, counts, doc_counts, n_docs):
        """The vocabulary (and idf weights) from token counts {token: count} and document counts."""
        counts = dict(counts)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        tokens = np.array(list(counts), self._key_dtype)
        freq = np.array([counts[t] for t in tokens.tolist()], np.int64)
        order = np.lexsort((tokens, freq))[::-1]  # most frequent first, ties: larger value first (Keras)
        if self.max_tokens is not None:
            order = order[:max(self.max_tokens - self._token_start(), 0)]
        tokens = tokens[order]
        idf = None
        if self.output_mode == "tf_idf":
            dc = np.array([doc_counts[t] for t in tokens.tolist()], np.float64)
            w = np.log(1.0 + n_docs / (1.0 + dc))
            idf = self._pad(np.concatenate([np.full(self._token_start(), w.mean() if w.size else 0.0), w]))
        self.tokens, self.idf = tokens, idf
        return self

    # ----------------------------------------------------------------------------- call
    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

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
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self._depth(),)
        return input_shape[:-1] + (self._depth(),)

    def forward(self, inputs, training=False, mask=None):
        x = np.asarray(inputs) if self.invert else self._keys(inputs, "inputs")
        if self.tokens is None and self.output_mode != "int":
            raise ValueError(f"Layer '{self.name}' has no vocabulary: give `vocabulary` or call adapt() before "
                             f"calling it with output_mode {self.output_mode!r}.")
        tokens = np.zeros(0, self._key_dtype) if self.tokens is None else self.tokens
        start = self._token_start()
        if self.invert:
            x = _integers(x, "inputs")
            vocab = np.asarray(self.get_vocabulary(), self._key_dtype)
            bad = (x < 0) | (x >= vocab.size)
            if np.any(bad):
                raise ValueError(f"Layer '{self.name}' (invert): indices must be in [0, {vocab.size}); received "
                                 f"{x[bad][:5].tolist()}.")
            out = vocab[x]
            if self.num_oov_indices:
                out = np.where((x >= self._oov_start()) & (x < start), self.oov_token, out)
            return out, None
        order = np.argsort(tokens, kind="stable")
        sorted_tokens = tokens[order]
        pos = np.searchsorted(sorted_tokens, x) if tokens.size else np.zeros(x.shape, np.int64)
        pos = np.minimum(pos, max(tokens.size - 1, 0))
        found = (sorted_tokens[pos] == x) if tokens.size else np.zeros(x.shape, bool)
        idx = np.where(found, order[pos] + start, -1).astype(np.int64)
        oov = ~found
        if self.mask_token is not None:
            idx = np.where(x == self.mask_token, 0, idx)
            oov &= x != self.mask_token
        if np.any(oov):
            if self.num_oov_indices == 0:
                raise ValueError(f"When `num_oov_indices` = 0 all inputs should be in the vocabulary; layer "
                                 f"'{self.name}' found OOV values {np.unique(x[oov])[:5].tolist()}.")
            bucket = np.mod(x, self.num_oov_indices) if self.num_oov_indices > 1 else 0
            idx = np.where(oov, bucket + self._oov_start(), idx)
        if self.output_mode == "int":
            return idx, None
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(idx, mode, self._depth(), np.float64 if self.idf is not None else self.dtype,
                                 name=self.name)
        if self.output_mode == "tf_idf":
            out = (out * self.idf).astype(self.dtype)
        return out, None

    def backward(self, cache, grad_outputs):
        return None, {}  # integer lookups: no gradient

    # ----------------------------------------------------------------------------- key type (StringLookup)
    _key_dtype = np.int64

    def _token(self, value, arg):
        return conventions.as_integer(value, arg)

    def _set_key_dtype(self, vocabulary_dtype):
        if vocabulary_dtype != "int64":
            raise ValueError(f"`vocabulary_dtype` must be 'int64' (the only one Keras supports); received "
                             f"{vocabulary_dtype!r}.")
        self.vocabulary_dtype = "int64"

    def _vocabulary_array(self, vocabulary):
        vocab = np.asarray(vocabulary).reshape(-1) if np.ndim(vocabulary) else None
        if vocab is None or (vocab.size and vocab.dtype.kind not in "iu" and not (
                vocab.dtype.kind == "f" and np.all(vocab == np.round(vocab)))):
            raise TypeError(f"`vocabulary` must be a vector of integers; received {vocabulary!r}.")
        return vocab.astype(np.int64)

    def _keys(self, x, arg):
        return _integers(x, arg)

    def get_config(self):
        config = super().get_config()
        config.update({
            "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
            "oov_token": self.oov_token,
            "vocabulary": None if self.tokens is None else self.get_vocabulary(),
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": None if self.idf is None else self.idf[:self.vocabulary_size()].tolist(),
            "invert": self.invert, "output_mode": self.output_mode, "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
        })
        return config


def _integers(x, arg):
    arr = as_numeric_array(x, arg)
    if arr.dtype.kind == "f" and (not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr))):
        raise ValueError(f"`{arg}` must hold integers; received non-integer values.")
    return arr.astype(np.int64)
