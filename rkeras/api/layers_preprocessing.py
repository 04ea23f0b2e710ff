"""R-style wrappers of the preprocessing layers (normalization, lookups, hashing, text vectorization, discretization,
the audio spectrograms `layer_stft_spectrogram()` and `layer_mel_spectrogram()`, pipelines) and the `adapt()` verb."""

from .. import conventions
from ..compose import Deferred, check_object, compose
from ..core.layer import Layer
from ..docstrings import shared_doc
from ..layers.preprocessing.category_encoding import CategoryEncoding
from ..layers.preprocessing.discretization import Discretization
from ..layers.preprocessing.hashed_crossing import HashedCrossing
from ..layers.preprocessing.hashing import Hashing
from ..layers.preprocessing.integer_lookup import IntegerLookup
from ..layers.preprocessing.mel_spectrogram import MelSpectrogram
from ..layers.preprocessing.normalization import Normalization
from ..layers.preprocessing.pipeline import Pipeline
from ..layers.preprocessing.stft_spectrogram import STFTSpectrogram
from ..layers.preprocessing.string_lookup import StringLookup
from ..layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "adapt", "layer_category_encoding", "layer_discretization", "layer_hashed_crossing", "layer_hashing",
    "layer_integer_lookup", "layer_mel_spectrogram", "layer_normalization", "layer_pipeline",
    "layer_stft_spectrogram", "layer_string_lookup", "layer_text_vectorization",
]


@shared_doc
def layer_normalization(object=None, axis=-1, mean=None, variance=None, invert=False, **kwargs):
    """A preprocessing layer that normalizes continuous features.

    This layer will shift and scale inputs into a distribution centered around 0 with standard
    deviation 1. It accomplishes this by precomputing the mean and variance of the data, and
    calling `(input - mean) / sqrt(var)` at runtime (the standard deviation is floored at 1e-7).

    The mean and variance values for the layer must be either supplied on construction or learned
    via `adapt()`. `adapt()` will compute the mean and variance of the data and store them as the
    layer's weights (`mean`, `variance` and `count`, non-trainable). `adapt()` should be called
    before `fit()`, `evaluate()`, or `predict()`; before it the layer normalizes with mean 0 and
    variance 1.

    Parameters
    ----------
    {{layer_object}}
    axis : None, int or list of int
        The axis or axes that should have a separate mean and variance for each index in the
        shape, R style: `axis=k > 0` is the k-th dimension counted from 1 *including the batch
        dimension*; negative values count from the end. For example, if shape is
        `(NULL, 5)` and `axis=2` (or the default `-1`), the layer will track 5 separate mean and
        variance values for the last axis. If `axis` is set to None, the layer will normalize all
        elements in the input by a scalar mean and variance. Note that in the specific case of
        batched scalar inputs where the only axis is the batch axis, the default will normalize
        each index in the batch separately; in this case, consider passing `axis=None`.
    mean : None, number or array
        The mean value(s) to use during normalization. The passed value(s) will be broadcast to
        the shape of the kept axes above; if the value(s) cannot be broadcast, an error will be
        raised when this layer's `build()` method is called. `mean` and `variance` must be
        specified together.
    variance : None, number or array
        The variance value(s) to use during normalization. The passed value(s) will be broadcast
        to the shape of the kept axes above; if the value(s) cannot be broadcast, an error will be
        raised when this layer's `build()` method is called.
    invert : bool
        If True, this layer will apply the inverse transformation to its inputs: it would turn a
        normalized input back into its original form (`mean + input * sqrt(var)`).
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any rank; the kept axes must have the sizes the layer was built (or adapted) for.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - https://keras.io/api/layers/preprocessing_layers/numerical/normalization

    Examples
    --------
    >>> adapt_data = np.array([[0., 7., 4.], [2., 9., 6.], [0., 7., 4.], [2., 9., 6.]], dtype="float32")
    >>> layer = layer_normalization(axis=-1)
    >>> layer | adapt(adapt_data)
    >>> layer(np.array([[0., 7., 4.]]))
    >>> layer_normalization(mean=3., variance=2.)(np.array([[1.], [2.], [3.]]))
    """
    check_object(object, "layer_normalization(axis={!r})")
    layer = Normalization(axis=axis, mean=mean, variance=variance, invert=invert, **kwargs)
    return compose(layer, object)



@shared_doc
def layer_category_encoding(object=None, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
    """A preprocessing layer which encodes integer features.

    This layer provides options for condensing data into a categorical encoding when the total
    number of tokens are known in advance. It accepts integer values as inputs, and it outputs a
    dense representation of those inputs (in the layer's dtype, float32 by default). For integer
    inputs where the total number of tokens is not known, use `layer_integer_lookup()` instead.

    Parameters
    ----------
    {{layer_object}}
    num_tokens : int
        The total number of tokens the layer should support. All inputs to the layer must be
        integers in the range `0 <= value < num_tokens`, or an error will be thrown.
    output_mode : str
        Specification for the output of the layer. Values can be `"one_hot"`, `"multi_hot"` or
        `"count"` (`"binary"` is `"multi_hot"`), configuring the layer as follows:

        - `"one_hot"`: Encodes each individual element in the input into an array of `num_tokens`
          size, containing a 1 at the element index. If the last dimension is size 1, will encode
          on that dimension. If the last dimension is not size 1, will append a new dimension for
          the encoded output.
        - `"multi_hot"`: Encodes each sample in the input into a single array of `num_tokens`
          size, containing a 1 for each vocabulary term present in the sample. Treats the last
          dimension as the sample dimension: a rank-1 input is one sample.
        - `"count"`: Like `"multi_hot"`, but the int array contains a count of the number of times
          the token at that index appeared in the sample (the last dimension).
    sparse : bool
        Keras' sparse outputs. Not supported by rkeras: only False is accepted.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Integer category indices (whole-number floats are accepted).
    count_weights : array, optional
        Weights of the inputs' shape, summed instead of counting 1 per occurrence, for
        `output_mode = "count"` only.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer = layer_category_encoding(num_tokens=4, output_mode="one_hot")
    >>> layer(np.array([3, 2, 0, 1]))            # 4 x 4, one 1 per row
    >>> layer_category_encoding(np.array([[0, 1], [0, 0], [1, 2], [3, 1]]), num_tokens=4)
    """
    check_object(object, "layer_category_encoding(num_tokens={!r})")
    return compose(CategoryEncoding(num_tokens=num_tokens, output_mode=output_mode, sparse=sparse, **kwargs),
                   object)


@shared_doc
def layer_discretization(object=None, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                         sparse=False, dtype=None, name=None):
    """A preprocessing layer which buckets continuous features by ranges.

    This layer will place each element of its input data into one of several contiguous ranges
    and output an integer index indicating which range each element was placed in: with
    boundaries `[b0, b1, ...]` the buckets are `(-Inf, b0)`, `[b0, b1)`, ..., `[b_last, Inf)`.

    The boundaries are given with `bin_boundaries`, or learned from data with `adapt()` when
    `num_bins` is given: the approximate quantiles of the data (Keras' streaming quantile summary,
    so the same data give the same boundaries as in Keras).

    Parameters
    ----------
    {{layer_object}}
    bin_boundaries : None or numeric vector
        A list of sorted bin boundaries. The leftmost and rightmost bins will always extend to
        `-Inf` and `Inf`, so `bin_boundaries = c(0, 1, 2)` generates bins `(-Inf, 0)`, `[0, 1)`,
        `[1, 2)`, and `[2, +Inf)`. If this option is set, `adapt()` should not be called.
    num_bins : None or int
        The integer number of bins to compute. If this option is set, `adapt()` should be called
        to learn the bin boundaries.
    epsilon : float
        Error tolerance, typically a small fraction close to zero (e.g. 0.01). Higher values of
        epsilon increase the quantile approximation, and hence result in more unequal buckets,
        but could improve performance and resource consumption.
    output_mode : str
        `"int"` (the bucket indices, int32), `"one_hot"`, `"multi_hot"` or `"count"` (encoded as
        `layer_category_encoding()` does, with `len(bin_boundaries) + 1` tokens, in the layer's
        dtype).
    sparse : bool
        Keras' sparse outputs. Not supported by rkeras: only False is accepted.
    dtype : None or str
        The dtype of the encoded outputs (float; None: `config_floatx()`).
    name : None or str
        The name of the layer.

    Call arguments
    --------------
    inputs : array or tensor
        Continuous values of any shape.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    >>> layer_discretization(x, bin_boundaries=[0.0, 1.0, 2.0])      # [[0, 2, 3, 1], [1, 3, 2, 1]]
    >>> layer = layer_discretization(num_bins=4, epsilon=0.01)
    >>> layer | adapt(x)
    """
    check_object(object, "layer_discretization(bin_boundaries={!r})")
    layer = Discretization(bin_boundaries=bin_boundaries, num_bins=num_bins, epsilon=epsilon,
                           output_mode=output_mode, sparse=sparse, dtype=dtype, name=name)
    return compose(layer, object)



@shared_doc
def layer_integer_lookup(object=None, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                         vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int",
                         sparse=False, pad_to_max_tokens=False, name=None, **kwargs):
    """A preprocessing layer that maps integers to (possibly encoded) indices.

    This layer maps a set of arbitrary integer input tokens into indexed integer output via a
    table-based vocabulary lookup. The vocabulary is given with `vocabulary` or learned with
    `adapt()` (the most frequent values first, ties broken by the larger value). The output indices
    are laid out as: the mask token (index 0, when `mask_token` is set and `output_mode = "int"`),
    then `num_oov_indices` out-of-vocabulary indices (an unknown value `v` takes `v % num_oov_indices`),
    then the vocabulary.

    Parameters
    ----------
    {{layer_object}}
    max_tokens : None or int
        Maximum size of the vocabulary for this layer (mask and OOV indices included); only used
        when adapting or with `pad_to_max_tokens`. None: no cap.
    num_oov_indices : int
        The number of out-of-vocabulary tokens to use (0: unknown values are an error).
    mask_token : None or int
        An integer token that represents masked inputs: it maps to index 0 (`output_mode = "int"`
        only in rkeras). None: no mask term.
    oov_token : int
        The token returned for OOV indices when `invert = TRUE`. Defaults to -1.
    vocabulary : None or integer vector
        The vocabulary, optionally preceded by the mask and OOV tokens (as `get_vocabulary()`
        returns it). Each value once. If given, do not call `adapt()`.
    vocabulary_dtype : str
        `"int64"`, the only dtype Keras supports.
    idf_weights : None or numeric vector
        With `output_mode = "tf_idf"` and a `vocabulary`: the inverse document frequency weights,
        one per vocabulary entry (the OOV indices weigh their mean unless the vocabulary lists them).
    invert : bool
        If TRUE, the layer maps indices back to vocabulary items (`output_mode = "int"` only).
    output_mode : str
        `"int"` (the indices, int64), `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"` (as
        `layer_category_encoding()`, over the vocabulary size, the count times the idf weight for
        `"tf_idf"`).
    sparse : bool
        Keras' sparse outputs. Not supported by rkeras: only FALSE is accepted.
    pad_to_max_tokens : bool
        In the encoded modes, pad the output's last dimension to `max_tokens`.
    name : None or str
        The name of the layer.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Integers (whole-number floats are accepted).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer_integer_lookup(np.array([[12, 1138, 42], [42, 1000, 36]]), vocabulary=[12, 36, 1138, 42])
    >>> # [[1, 3, 4], [4, 0, 2]]
    """
    check_object(object, "layer_integer_lookup(max_tokens={!r})")
    layer = IntegerLookup(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                          oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype=vocabulary_dtype,
                          idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                          pad_to_max_tokens=pad_to_max_tokens, name=name, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_string_lookup(object=None, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                        vocabulary=None, idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False,
                        sparse=False, encoding="utf-8", name=None, vocabulary_dtype=None, **kwargs):
    """A preprocessing layer that maps strings to (possibly encoded) indices.

    This layer translates a set of arbitrary strings into integer output via a table-based
    vocabulary lookup, exactly as `layer_integer_lookup()` does for integers: the vocabulary is
    given with `vocabulary` or learned with `adapt()` (most frequent first, ties in reverse
    lexicographic order, as Keras), and the indices are laid out as the mask token (index 0, with
    `mask_token` and `output_mode = "int"`), the OOV index, then the vocabulary.

    rkeras calls it eagerly on numpy arrays (or lists) of strings, `bytes` (decoded with
    `encoding`) or objects holding strings; its outputs feed a model as numbers.

    Parameters
    ----------
    {{layer_object}}
    max_tokens : None or int
        Maximum size of the vocabulary (mask and OOV indices included), used when adapting or with
        `pad_to_max_tokens`. None: no cap.
    num_oov_indices : int
        The number of out-of-vocabulary tokens to use: 0 (unknown strings are an error) or 1
        (rkeras does not spread OOV strings over several indices, which needs Keras' FarmHash).
    mask_token : None or str
        A token that represents masked inputs (index 0, `output_mode = "int"` only in rkeras).
    oov_token : str
        The token returned for OOV indices when `invert = TRUE`. Defaults to `"[UNK]"`.
    vocabulary : None or character vector
        The vocabulary, optionally preceded by the mask and OOV tokens. If given, do not call
        `adapt()`.
    idf_weights : None or numeric vector
        With `output_mode = "tf_idf"`: the inverse document frequency weights, one per vocabulary
        entry (the OOV index weighs their mean unless the vocabulary lists it).
    invert : bool
        If TRUE, the layer maps indices to vocabulary items (`output_mode = "int"` only).
    output_mode : str
        `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"` (see `layer_integer_lookup()`).
    pad_to_max_tokens : bool
        In the encoded modes, pad the output's last dimension to `max_tokens`.
    sparse : bool
        Keras' sparse outputs. Not supported by rkeras: only FALSE is accepted.
    encoding : str
        The text encoding used to decode `bytes` inputs. Defaults to `"utf-8"`.
    name : None or str
        The name of the layer.
    vocabulary_dtype : None or str
        Accepted for R keras3's signature: None or `"string"`.
    {{layer_kwargs}}

    Returns
    -------
    {{layer_returns_head}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer_string_lookup([["a", "c", "d"], ["d", "z", "b"]], vocabulary=["a", "b", "c", "d"])
    >>> # [[1, 3, 4], [4, 0, 2]]
    """
    check_object(object, "layer_string_lookup(max_tokens={!r})")
    if vocabulary_dtype not in (None, "string"):
        raise ValueError(f"`vocabulary_dtype` must be None or 'string'; received {vocabulary_dtype!r}.")
    layer = StringLookup(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse,
                         encoding=encoding, name=name, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_text_vectorization(object=None, max_tokens=None, standardize="lower_and_strip_punctuation",
                             split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                             pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False, ragged=False,
                             encoding="utf-8", name=None, **kwargs):
    """A preprocessing layer which maps text features to integer sequences.

    The processing of each example contains the following steps:

    1. Standardize each example (usually lowercasing + punctuation stripping)
    2. Split each example into substrings (usually words)
    3. Recombine substrings into tokens (usually ngrams)
    4. Index tokens (associate a unique int value with each token)
    5. Transform each example using this index, either into a vector of ints or a dense float
       vector.

    The vocabulary is given with `vocabulary` or learned with `adapt()` (most frequent tokens
    first; in "int" mode index 0 is the padding token `""` and index 1 the OOV token `"[UNK]"`).
    rkeras calls the layer eagerly on numpy arrays or lists of strings (rank 1, or rank 2 with a
    last dimension of 1), and its numeric outputs feed a model.

    Parameters
    ----------
    {{layer_object}}
    max_tokens : None or int
        Maximum size of the vocabulary for this layer (padding and OOV tokens included); only used
        when adapting the vocabulary or with `pad_to_max_tokens`. None: no cap.
    standardize : None, str or function
        `"lower_and_strip_punctuation"` (default), `"lower"`, `"strip_punctuation"`, None (no
        standardization) or a function of one string returning the standardized string.
    split : None, str or function
        `"whitespace"` (default), `"character"` (unicode characters), None (each string is one
        token) or a function of one string returning its tokens.
    ngrams : None, int or vector of int
        An integer n creates the n-grams of widths 1 to n; a vector of integers those widths. None:
        no n-grams.
    output_mode : str
        `"int"` (token indices, padded), `"multi_hot"`, `"count"`, `"tf_idf"` (one vector of the
        vocabulary size per string), or `"one_hot"` (one token per string).
    output_sequence_length : None or int
        With `output_mode = "int"`: the outputs are padded (with 0) or truncated to this length.
        None: padded to the longest example of the call.
    pad_to_max_tokens : bool
        In the vector modes, pad the output's last dimension to `max_tokens`.
    vocabulary : None or character vector
        The vocabulary (optionally preceded by `""` and `"[UNK]"`). If given, do not call
        `adapt()`.
    idf_weights : None or numeric vector
        With `output_mode = "tf_idf"` and a `vocabulary`: the inverse document frequency weights.
    sparse : bool
        Keras' sparse outputs. Not supported by rkeras: only FALSE is accepted.
    ragged : bool
        Keras' ragged outputs. Not supported by rkeras: only FALSE is accepted.
    encoding : str
        The text encoding used to decode `bytes` inputs. Defaults to `"utf-8"`.
    name : None or str
        The name of the layer.
    {{layer_kwargs}}

    Returns
    -------
    {{layer_returns_head}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer = layer_text_vectorization(max_tokens=5000, output_sequence_length=4)
    >>> layer | adapt(["foo bar", "bar baz", "baz bada boom"])
    >>> layer([["foo qux bar"], ["qux baz"]])        # [[4, 1, 3, 0], [1, 2, 0, 0]]
    """
    check_object(object, "layer_text_vectorization(max_tokens={!r})")
    layer = TextVectorization(max_tokens=max_tokens, standardize=standardize, split=split, ngrams=ngrams,
                              output_mode=output_mode, output_sequence_length=output_sequence_length,
                              pad_to_max_tokens=pad_to_max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                              sparse=sparse, ragged=ragged, encoding=encoding, name=name, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_hashing(object=None, num_bins=None, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
    """A preprocessing layer which hashes and bins categorical features.

    This layer transforms categorical inputs to hashed output. It element-wise converts ints or
    strings to ints in a fixed range. The stable hash function uses FarmHash64 (Fingerprint64, as
    TensorFlow's `strings.to_hash_bucket_fast` that Keras uses, so the bins are Keras'), which
    gives the same output consistently across different platforms. Integers are hashed as their
    decimal text (and floats are truncated to integers first), as in Keras.

    Parameters
    ----------
    {{layer_object}}
    num_bins : int
        Number of hash bins. Note that this includes the `mask_value` bin, so the effective number
        of bins is `(num_bins - 1)` if `mask_value` is set.
    mask_value : None, str or int
        A value that represents masked inputs, which are mapped to index 0. None means no mask
        term will be added and the hashing will start at index 0.
    salt : None
        Keras' key for its SipHash64 strong hash. Not supported by rkeras: only None is accepted.
    output_mode : str
        `"int"` (the bin indices, int64), `"one_hot"`, `"multi_hot"` or `"count"` (encoded as
        `layer_category_encoding()` does, with `num_bins` tokens).
    sparse : bool
        Keras' sparse outputs. Not supported by rkeras: only FALSE is accepted.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array
        Strings (a numpy array or a list; `bytes` are read as UTF-8) or integers, called eagerly.

    Returns
    -------
    {{layer_returns_head}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer_hashing([["A"], ["B"], ["C"], ["D"], ["E"]], num_bins=3)      # [[1], [0], [1], [1], [2]]
    >>> layer_hashing([["A"], ["B"], [""], ["C"], ["D"]], num_bins=3, mask_value="")  # [[1], [1], [0], [2], [2]]
    """
    check_object(object, "layer_hashing(num_bins={!r})")
    layer = Hashing(num_bins=num_bins, mask_value=mask_value, salt=salt, output_mode=output_mode, sparse=sparse,
                    **kwargs)
    return compose(layer, object)


@shared_doc
def layer_hashed_crossing(object=None, num_bins=None, output_mode="int", sparse=False, name=None, dtype=None,
                          **kwargs):
    """A preprocessing layer which crosses features using the "hashing trick".

    This layer performs crosses of categorical features using the "hashing trick".
    Conceptually, the transformation can be thought of as: `hash(concatenate(features)) %
    num_bins`. Exactly, it is TensorFlow's `sparse.cross_hashed`, as in Keras: strings are hashed
    with FarmHash64, integers by their value, and the hashes combined in order, so the bins are
    Keras'.

    Parameters
    ----------
    {{layer_object}}
        The features to cross: a list of 2 or more arrays of one shape, `(batch,)` or
        `(batch, 1)`, of strings or integers.
    num_bins : int
        Number of hash bins.
    output_mode : str
        `"int"` (the bin indices, int64) or `"one_hot"` (a vector of `num_bins` per sample).
    sparse : bool
        Keras' sparse outputs. Not supported by rkeras: only FALSE is accepted.
    name : None or str
        Name to give to the layer.
    dtype : None or str
        The dtype of the one-hot outputs (a float type).
    {{layer_kwargs}}

    Returns
    -------
    {{layer_returns_head}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer_hashed_crossing(list(np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])),
    ...                       num_bins=5)        # [1, 4, 1, 1, 3]
    """
    check_object(object, "layer_hashed_crossing(num_bins={!r})")
    layer = HashedCrossing(num_bins=num_bins, output_mode=output_mode, sparse=sparse, name=name, dtype=dtype, **kwargs)
    return compose(layer, object)


def layer_pipeline(layers=None, name=None):
    """Applies a series of layers to an input.

    This class is useful to build a preprocessing pipeline, in particular an image data
    augmentation pipeline. Compared to a sequential model, a pipeline only accepts layers (no
    models) and it has no `fit()`: it is one layer, which applies its layers in turn, each on the
    previous one's output (with its mask), and trains the weights they hold.

    Parameters
    ----------
    layers : list of layers
        A list of layers (e.g. `list(layer_random_flip("horizontal"), layer_random_rotation(0.1))`).
    name : None or str
        String, name for the object.

    Returns
    -------
    A `Pipeline` layer: call it on an array or a tensor, or compose it (`x | layer`).

    Examples
    --------
    >>> preprocessing = layer_pipeline(list(layer_rescaling(scale=1 / 255), layer_center_crop(height=24, width=24)))
    >>> preprocessing(np.zeros((2, 32, 32, 3))).shape
    (2, 24, 24, 3)
    """
    return Pipeline(layers=layers, name=name)

def adapt(object=None, data=None, *, batch_size=None, steps=None, **kwargs):
    """Fits the state of a preprocessing layer to the data being passed.

    After calling `adapt()` on a `layer_normalization()`, its `mean`, `variance` and `count`
    weights hold the statistics of `data`; on a `layer_discretization(num_bins = ...)`, its
    `bin_boundaries` are the approximate quantiles of `data`; on a `layer_integer_lookup()`, its
    vocabulary (and, in "tf_idf" mode, its idf weights); the same on a `layer_string_lookup()` or a
    `layer_text_vectorization()` (which learns from the standardized, split tokens). The data are read batch by batch and the statistics are
    merged with a numerically stable parallel formula (Chan et al.) in float64, so data larger than
    memory can be streamed from a generator, and adapting on batches equals adapting on all of the
    data at once. Called without a layer, `adapt(data)` returns a deferred call for the pipe:
    `layer | adapt(data)`.

    Parameters
    ----------
    object : Layer
        A preprocessing layer with state to adapt (`layer_normalization()`).
    data : array or iterable
        The data to adapt on: an array (batch first), or an iterable (a list or a generator) of
        arrays or of `(x, y)` tuples, one batch each.
    batch_size : None or int
        Number of samples per state update when `data` is an array. None: the whole array at once.
    steps : None or int
        Total number of batches to read before stopping (None: all of them). With a generator that
        never ends, give `steps`.
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    The layer, adapted (R returns it invisibly).

    Examples
    --------
    >>> layer = layer_normalization()
    >>> batches = (np.random.default_rng(i).normal(size=(100, 3)) for i in range(10))
    >>> layer | adapt(batches)
    """
    conventions.check_kwargs(kwargs, (), "adapt()", accepted="object, data, batch_size, steps")
    if not isinstance(object, Layer):
        if object is not None and data is not None:
            raise TypeError(f"`object` of adapt() must be a preprocessing layer such as layer_normalization(); "
                            f"received {type(object).__name__}.")
        # without a layer, the first argument is the data: `layer | adapt(data)`
        return Deferred(adapt, (), {"data": object if data is None else data, "batch_size": batch_size,
                                    "steps": steps})
    if not hasattr(object, "adapt"):
        raise TypeError(f"`object` of adapt() must be a layer with state to adapt (layer_normalization()); "
                        f"received layer '{object.name}' of type {type(object).__name__}.")
    return object.adapt(data, batch_size=batch_size, steps=steps)


@shared_doc
def layer_stft_spectrogram(object=None, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann",
                           periodic=False, scaling="density", padding="valid", expand_dims=False, data_format=None,
                           **kwargs):
    """Layer to compute the Short-Time Fourier Transform (STFT) on a 1D signal.

    Each channel of the input signals is cut into frames of `frame_length` samples every
    `frame_step`; each frame is multiplied by two kernels: the windowed cosines and sines of the
    discrete Fourier transform (`fft_length / 2 + 1` frequency bins), stored as the weights
    `real_kernel` and `imag_kernel`. The kernels are trainable (Keras' default): the layer can be
    trained jointly within a model, or frozen with `trainable = FALSE` to act as a fixed
    preprocessing layer.

    Parameters
    ----------
    {{layer_object}}
    mode : str
        The output: `"log"` (log of the magnitude, default), `"magnitude"`, `"psd"` (power
        spectral density), `"real"`, `"imag"`, `"angle"` or `"stft"` (real and imaginary parts
        concatenated along the frequency axis).
    frame_length : int
        The window length in samples. Defaults to 256.
    frame_step : None or int
        The step between frames, in [1, frame_length]. None (default) means `frame_length / 2`.
    fft_length : None or int
        The size of the FFT, at least `frame_length`. None (default) means the smallest power of 2
        not below `frame_length`.
    window : None or str
        The name of a window of `scipy.signal.get_window()` (default `"hann"`), or None for no
        window.
    periodic : bool
        Use the periodic (DFT-even) window instead of the symmetric one. Defaults to FALSE.
    scaling : None or str
        The kernels' normalization: `"density"` (divide by the window's norm, default),
        `"spectrum"` (by its sum) or None.
    padding : str
        `"valid"` (default) or `"same"` framing of the signal.
    expand_dims : bool
        FALSE (default): outputs `(batch, frames, channels * bins)` (channels-last); TRUE:
        `(batch, frames, bins, channels)`, ready for 2D convolutions.
    data_format : None or str
        `"channels_last"` (inputs `(batch, time, channels)`) or `"channels_first"` (inputs
        `(batch, channels, time)`). None means `"channels_last"`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D batch of signals.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, frames, channels * bins)` (see `expand_dims` and
      `data_format` for the other layouts; `bins` doubles with `mode = "stft"`).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 160, 1))
    >>> layer_stft_spectrogram(x, frame_length=64, frame_step=32).shape
    (2, 4, 33)
    """
    check_object(object, "layer_stft_spectrogram(mode={!r})")
    layer = STFTSpectrogram(mode=mode, frame_length=frame_length, frame_step=frame_step, fft_length=fft_length,
                            window=window, periodic=periodic, scaling=scaling, padding=padding,
                            expand_dims=expand_dims, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_mel_spectrogram(object=None, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                          sampling_rate=16000, num_mel_bins=128, min_freq=20, max_freq=None, power_to_db=True,
                          top_db=80, mag_exp=2, min_power=1e-10, ref_power=1, **kwargs):
    """A preprocessing layer to convert raw audio signals to Mel spectrograms.

    Each signal, reflect-padded by `fft_length / 2` samples at both ends, is cut into frames of
    `fft_length` samples every `sequence_stride`, windowed (a window of `sequence_length` samples,
    centered in the frame) and Fourier transformed. The magnitudes, raised to `mag_exp`, are
    mapped onto `num_mel_bins` triangular bands of the mel scale (HTK's, between `min_freq` and
    `max_freq`) and, with `power_to_db`, converted to decibels:
    `10 log10(max(x, min_power) / max(|ref_power|, min_power))`, floored at `top_db` below the
    largest value of the batch (as Keras 3: one maximum over the whole batch). The layer has no
    weights; gradients flow back to the signal.

    Parameters
    ----------
    {{layer_object}}
    fft_length : int
        The size of the FFT (and of the frames). Defaults to 2048.
    sequence_stride : int
        The step between frames, in samples. Defaults to 512.
    sequence_length : None or int
        The window length, at most `fft_length`; None (default) means `fft_length`.
    window : None or str
        `"hann"` (default), `"hamming"` or None (a rectangular window).
    sampling_rate : int
        The samples per second of the signals. Defaults to 16000.
    num_mel_bins : int
        The number of mel bands. Defaults to 128.
    min_freq, max_freq : None or float
        The frequency range of the mel bands, in Hz. `min_freq` defaults to 20; None for
        `max_freq` means `sampling_rate / 2`.
    power_to_db : bool
        Convert to decibels (default TRUE).
    top_db : float
        The floor below the batch's maximum, in dB. Defaults to 80.
    mag_exp : float
        The exponent of the magnitudes: 1 for magnitude, 2 (default) for power.
    min_power : float
        The smallest value before the logarithm. Defaults to 1e-10.
    ref_power : float
        The reference of the decibels. Defaults to 1.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 2D batch of signals `(batch, time)`, or one signal `(time,)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, num_mel_bins, frames)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 1600))
    >>> layer_mel_spectrogram(x, fft_length=256, sequence_stride=128, num_mel_bins=32).shape
    (2, 32, 13)
    """
    check_object(object, "layer_mel_spectrogram(fft_length={!r})")
    layer = MelSpectrogram(fft_length=fft_length, sequence_stride=sequence_stride, sequence_length=sequence_length,
                           window=window, sampling_rate=sampling_rate, num_mel_bins=num_mel_bins, min_freq=min_freq,
                           max_freq=max_freq, power_to_db=power_to_db, top_db=top_db, mag_exp=mag_exp,
                           min_power=min_power, ref_power=ref_power, **kwargs)
    return compose(layer, object)
