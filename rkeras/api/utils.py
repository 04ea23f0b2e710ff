"""Utilities R keras3 users reach for around models and data: `get_layer()`, `pop_layer()`,
`pad_sequences()`, `to_categorical()`, `zip_lists()`."""

from numbers import Number

import numpy as np

from ..compose import model_verb
from ..models.sequential import Sequential

__all__ = [
    "get_layer", "pad_sequences", "pop_layer", "to_categorical", "zip_lists",
]


@model_verb
def get_layer(object, name=None, index=None):
    """A layer of a model, by its (unique) name or its 1-based index.

    Parameters
    ----------
    object : Model
        The model.
    name : str, optional
        Name of the layer.
    index : int, optional
        1-based position of the layer in `object$layers` (R's indexing).

    Returns
    -------
    The layer.
    """
    return object.get_layer(name=name, index=index)


@model_verb
def pop_layer(object, rebuild=True):
    """Remove the last layer of a sequential model (in place); returns the model.

    Parameters
    ----------
    object : Sequential
        The model.
    rebuild : bool
        Accepted for R compatibility: the model is always usable after the pop (output shapes are
        recomputed from the remaining layers).
    """
    if not isinstance(object, Sequential):
        raise TypeError(f"`object` must be a sequential model (keras_model_sequential()); received "
                        f"{type(object).__name__}.")
    if rebuild not in (True, False):
        raise ValueError(f"`rebuild` must be TRUE or FALSE; received {rebuild!r}.")
    object.pop()
    return object


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0):
    """Pad (or truncate) sequences to the same length; returns an array `(n_sequences, maxlen)`.

    As Keras' `pad_sequences`: sequences longer than `maxlen` lose values at the start (`truncating =
    "pre"`) or the end ("post"); shorter ones are filled with `value` before ("pre") or after ("post").

    Parameters
    ----------
    sequences : list of sequences
        Each a list or 1-d array of numbers (or of equally shaped arrays).
    maxlen : int, optional
        The length of the result (default: the longest sequence).
    dtype : str
        dtype of the result.
    padding : str
        "pre" or "post": where to pad.
    truncating : str
        "pre" or "post": where to cut longer sequences.
    value : number
        The padding value.
    """
    if padding not in ("pre", "post"):
        raise ValueError(f"`padding` must be 'pre' or 'post'; received {padding!r}.")
    if truncating not in ("pre", "post"):
        raise ValueError(f"`truncating` must be 'pre' or 'post'; received {truncating!r}.")
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError(f"`sequences` must be a list of sequences; received {type(sequences).__name__}.")
    seqs = []
    for i, s in enumerate(sequences):
        if isinstance(s, (str, bytes)) or not hasattr(s, "__len__"):
            raise ValueError(f"`sequences[[{i + 1}]]` must be a sequence (list or array); received {s!r}.")
        seqs.append(np.asarray(s))
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer))
                               or maxlen < 0):
        raise ValueError(f"`maxlen` must be a non-negative integer or None; received {maxlen!r}.")
    if maxlen is None:
        maxlen = max((len(s) for s in seqs), default=0)
    sample_shape = next((s.shape[1:] for s in seqs if len(s)), ())
    out = np.full((len(seqs), maxlen) + sample_shape, value, dtype=np.dtype(dtype))
    for i, s in enumerate(seqs):
        if not len(s) or maxlen == 0:
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        if trunc.shape[1:] != sample_shape:
            raise ValueError(f"`sequences[[{i + 1}]]` has elements of shape {trunc.shape[1:]}; the others "
                             f"have {sample_shape}.")
        if padding == "post":
            out[i, :len(trunc)] = trunc
        else:
            out[i, -len(trunc):] = trunc
    return out


def to_categorical(x, num_classes=None):
    """One-hot encode class values (integers from 0 to `num_classes - 1`); returns a float32 array.

    Parameters
    ----------
    x : array-like of int
        Class values (0-based, as Keras); a trailing dimension of 1 is dropped.
    num_classes : int, optional
        Number of classes (default `max(x) + 1`).
    """
    y = np.asarray(x)
    if y.dtype.kind not in "biuf" or (y.dtype.kind == "f" and np.any(y != np.round(y))):
        raise ValueError(f"`x` must hold integer class values; received {y.dtype} values.")
    y = y.astype(np.int64)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    if y.size and y.min() < 0:
        raise ValueError(f"`x` must hold class values >= 0 (0-based); received {int(y.min())}.")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer, float)) or \
            num_classes != int(num_classes) or num_classes < 1:
        raise ValueError(f"`num_classes` must be a positive integer; received {num_classes!r}.")
    num_classes = int(num_classes)
    if y.size and y.max() >= num_classes:
        raise ValueError(f"`x` has the class value {int(y.max())}, but `num_classes` = {num_classes} allows "
                         f"0..{num_classes - 1}.")
    return np.eye(num_classes, dtype=np.float32)[y]


def zip_lists(*args, **kwargs):
    """Zip lists element by element, R keras3's `zip_lists()`.

    `zip_lists([1, 2], [3, 4])` is `[[1, 3], [2, 4]]`; with names, `zip_lists(a=[1, 2], b=[3, 4])` is
    `[{"a": 1, "b": 3}, {"a": 2, "b": 4}]`. A single list of lists is zipped as its elements.

    Parameters
    ----------
    *args
        Lists of the same length (or one list of them).
    **kwargs
        Named lists of the same length (not together with unnamed ones).
    """
    if args and kwargs:
        raise ValueError("zip_lists(): give the lists either all named or all unnamed.")
    if len(args) == 1 and isinstance(args[0], (list, tuple)) and args[0] and \
            all(isinstance(a, (list, tuple)) for a in args[0]):
        args = tuple(args[0])
    if len(args) == 1 and isinstance(args[0], dict):
        kwargs, args = dict(args[0]), ()
    lists = list(kwargs.values()) if kwargs else list(args)
    for i, item in enumerate(lists):
        if isinstance(item, (str, bytes, Number)) or not hasattr(item, "__len__"):
            raise TypeError(f"zip_lists(): argument {i + 1} must be a list; received {type(item).__name__}.")
    lengths = {len(item) for item in lists}
    if len(lengths) > 1:
        raise ValueError(f"zip_lists(): the lists must have the same length; received lengths "
                         f"{[len(item) for item in lists]}.")
    if kwargs:
        return [dict(zip(kwargs, values)) for values in zip(*lists)]
    return [list(values) for values in zip(*lists)]
