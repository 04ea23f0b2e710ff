"""Text to token indices or token vectors, as Keras 3's `TextVectorization`.

Each string is standardized ("lower_and_strip_punctuation": lower case, then Keras' punctuation class
`[!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~']` removed; "lower"; "strip_punctuation"; a function of a string; None),
split ("whitespace": `str.split()`, as TensorFlow's `strings.split`; "character": unicode characters; a
function of a string returning tokens; None), joined into n-grams (all widths 1..n for `ngrams = n`, or the
listed widths, each width's n-grams after the previous width's, joined by a space, as `tf.strings.ngrams`),
then looked up by a `StringLookup` (the padding token "" is index 0 and "[UNK]" index 1 in "int" mode).

"int" outputs are padded with 0 (or truncated) to `output_sequence_length`, or to the longest sample of the
call when it is None. `adapt()` learns the vocabulary (and tf-idf weights, a sample being a document) from the
processed tokens. Calls are eager, on numpy arrays or lists of strings (rank 1, or rank 2 with a last
dimension of 1); Keras runs this layer through TensorFlow only, so rkeras is checked against its documented
examples. Not supported: `ragged = TRUE`, sparse outputs.
"""

import itertools
import re

import numpy as np

from ... import conventions
from ...core.layer import Layer
from .string_lookup import StringLookup

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")


class TextVectorization(Layer):
    """Maps text to token indices or vectors; see `layer_text_vectorization()`."""

    accepts_strings = True

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", **kwargs):
        conventions.check_kwargs(kwargs, where="layer_text_vectorization()")
        if not (standardize is None or callable(standardize) or standardize in STANDARDIZE):
            raise ValueError(f"`standardize` must be None, a function or one of {', '.join(map(repr, STANDARDIZE))}; "
                             f"received {standardize!r}.")
        if not (split is None or callable(split) or split in SPLIT):
            raise ValueError(f"`split` must be None, a function or one of {', '.join(map(repr, SPLIT))}; received "
                             f"{split!r}.")
        if ngrams is None:
            widths = None
        elif isinstance(ngrams, (list, tuple)):
            widths = tuple(conventions.as_integer(n, "ngrams", minimum=1) for n in ngrams)
        else:
            widths = tuple(range(1, conventions.as_integer(ngrams, "ngrams", minimum=1) + 1))
        if widths is not None and split is None:
            raise ValueError("`ngrams` needs `split` (n-grams are made of split tokens).")
        if output_sequence_length is not None:
            output_sequence_length = conventions.as_integer(output_sequence_length, "output_sequence_length",
                                                            minimum=1)
            if output_mode != "int":
                raise ValueError(f"`output_sequence_length` is only used with output_mode 'int'; received "
                                 f"output_mode {output_mode!r}.")
        if conventions.as_bool(ragged, "ragged"):
            raise ValueError("`ragged` = TRUE is not supported by rkeras (outputs are padded numpy arrays).")
        self.standardize, self.split, self.ngrams, self._widths = standardize, split, ngrams, widths
        self.output_mode = "tf_idf" if output_mode == "tf-idf" else output_mode
        self.output_sequence_length = output_sequence_length
        self.ragged = False
        self._lookup = StringLookup(max_tokens=max_tokens, mask_token="" if output_mode == "int" else None,
                                    vocabulary=vocabulary, idf_weights=idf_weights, output_mode=output_mode,
                                    pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, encoding=encoding,
                                    dtype=kwargs.get("dtype"))
        super().__init__(**kwargs)

    # ----------------------------------------------------------------------------- text -> tokens
    def _strings(self, inputs):
        arr = self._lookup._keys(inputs, "inputs")
        if arr.ndim == 2 and arr.shape[-1] == 1 and self.split is not None:
            arr = arr[:, 0]
        if arr.ndim != 1 and self.split is not None:
            raise ValueError(f"Layer '{self.name}' tokenizes strings of rank 1, or rank 2 with a last dimension of 1; "
                             f"received shape {arr.shape}.")
        return arr

    def _standardized(self, text):
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        if callable(self.standardize):
            text = self.standardize(text)
        return text

    def _tokens(self, text):
        text = self._standardized(str(text))
        if self.split is None:
            return [text]
        tokens = text.split() if self.split == "whitespace" else list(text) if self.split == "character" \
            else list(self.split(text))
        if self._widths is None:
            return tokens
        return [" ".join(tokens[i:i + n]) for n in self._widths for i in range(len(tokens) - n + 1)]

    def _documents(self, inputs):
        arr = self._strings(inputs)
        if self.split is None:
            return [[self._standardized(str(t)) for t in np.ravel(arr)]] if arr.ndim != 1 else \
                [[self._standardized(str(t))] for t in arr]
        return [self._tokens(t) for t in arr]

    # ----------------------------------------------------------------------------- call
    def _convert_inputs(self, inputs):
        return np.asarray(inputs)

    @property
    def symbolic_output_dtype(self):
        return "int64" if self.output_mode == "int" else None

    def forward(self, inputs, training=False, mask=None):
        docs = self._documents(inputs)
        lookup = self._lookup
        if self.output_mode == "int":
            length = self.output_sequence_length or max((len(d) for d in docs), default=0)
            out = np.zeros((len(docs), length), np.int64)
            for i, d in enumerate(docs):
                if d:
                    ids = lookup.forward(np.array(d[:length], dtype=np.str_), mask=None)[0]
                    out[i, :len(ids)] = ids
            return out, None
        depth = lookup._depth()
        out = np.zeros((len(docs), depth), lookup.dtype)
        for i, d in enumerate(docs):
            if self.output_mode == "one_hot" and len(d) != 1:
                raise ValueError(f"Layer '{self.name}': output_mode 'one_hot' encodes one token per string; sample "
                                 f"{i + 1} has {len(d)} tokens (use 'multi_hot' or 'count', or split = None).")
            if d:
                out[i] = lookup.forward(np.array([d], dtype=np.str_))[0][0]
            elif self.output_mode == "tf_idf" and lookup.tokens is None:
                lookup.forward(np.array([[""]]))  # the no-vocabulary error
        return out, None

    def backward(self, cache, grad_outputs):
        return None, {}  # text: no gradient

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        batch = shape[0] if shape else None
        if self.output_mode == "int":
            return (batch, self.output_sequence_length)
        return (batch, self._lookup._depth())

    # ----------------------------------------------------------------------------- vocabulary
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and tf-idf weights) from the processed tokens of `data` (strings, or batches)."""
        if self._lookup._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}': it was given a `vocabulary`.")
        if isinstance(data, (np.ndarray, list, tuple)) and np.asarray(data).dtype.kind in "USO":
            arr = np.asarray(data)
            if batch_size is not None:
                bs = conventions.as_integer(batch_size, "batch_size", minimum=1)
                batches = [arr[i:i + bs] for i in range(0, len(arr), bs)]
            else:
                batches = [arr]
        elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes)):
            batches = data
        else:
            raise TypeError(f"`data` of adapt() must be strings (an array, a list) or an iterable of batches of "
                            f"strings; received {type(data).__name__}.")
        if steps is not None:
            batches = itertools.islice(batches, conventions.as_integer(steps, "steps", minimum=1))
        counts, doc_counts, n_docs = {}, {}, 0
        for batch in batches:
            for doc in self._documents(batch[0] if isinstance(batch, tuple) else batch):
                for t in doc:
                    counts[t] = counts.get(t, 0) + 1
                for t in set(doc):
                    doc_counts[t] = doc_counts.get(t, 0) + 1
                n_docs += 1
        if not counts:
            raise ValueError("`data` of adapt() holds no tokens.")
        self._lookup._learn_vocabulary(counts, doc_counts, n_docs)
        return self

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary ("" and "[UNK]" first in "int" mode)."""
        return self._lookup.get_vocabulary(include_special_tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (and tf-idf weights)."""
        self._lookup.set_vocabulary(vocabulary, idf_weights)

    def vocabulary_size(self):
        return self._lookup.vocabulary_size()

    def get_config(self):
        config = super().get_config()
        lookup = self._lookup.get_config()
        for fn, key in ((self.standardize, "standardize"), (self.split, "split")):
            if callable(fn):
                raise TypeError(f"Cannot serialize layer '{self.name}': its `{key}` is a function (a file holds no "
                                f"code).")
        config.update({
            "max_tokens": lookup["max_tokens"], "standardize": self.standardize, "split": self.split,
            "ngrams": list(self.ngrams) if isinstance(self.ngrams, (list, tuple)) else self.ngrams,
            "output_mode": self.output_mode, "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": lookup["pad_to_max_tokens"], "sparse": False, "ragged": False,
            "vocabulary": lookup["vocabulary"], "idf_weights": lookup["idf_weights"], "encoding": lookup["encoding"],
        })
        return config
