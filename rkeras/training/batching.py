"""The data `fit()`, `evaluate()` and `predict()` take, checked up front and cut into batches.

Two kinds of data, as Keras: arrays (`x`, `y`, `sample_weight`, cut into batches of `batch_size`,
shuffled per epoch) and an iterable of batches (a generator, a list of batches, any object with
`__iter__`) yielding `(x, y)` or `(x, y, sample_weight)` tuples (`x` alone for `predict()`).
`EpochBatches` walks either kind epoch by epoch with Keras' `steps_per_epoch` rules.
"""

from numbers import Number

import numpy as np

from .. import random as rk_random
from ..user_warnings import warn

_ACCEPTED = ("a numeric array (or nested list of numbers), a list of arrays (one per model input), a dict "
             "of arrays by input name, or a generator / iterable of batches")


def _input_names(model) -> list:
    inputs = getattr(model, "inputs", None)
    if inputs is None:  # a sequential model: keras_model_sequential(input_name =)
        return [getattr(model, "input_name", None) or "input"]
    return [t.name or t.node.layer.name for t in inputs]


def output_names(model) -> list:
    outputs = getattr(model, "outputs", None)
    if outputs is None:
        return [model.layers[-1].name if model.layers else "output"]
    return [t.node.layer.name for t in outputs]


def _numeric_array(value, arg):
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise TypeError(f"`{arg}` must be {_ACCEPTED}; received a {type(value).__name__} numpy cannot convert "
                        f"to one array (ragged or mixed nesting: {err}).") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"`{arg}` must hold numbers (bool, integer or float); received "
                        f"{'a ragged or mixed list' if array.dtype.kind == 'O' else f'dtype {array.dtype}'}.")
    if array.ndim == 0:
        raise ValueError(f"`{arg}` must have a first (samples) dimension; received the scalar {value!r}.")
    return array


def as_structure(value, names, arg):
    """One array per model input/output, in order: a list for several, the array itself for one."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        missing = [n for n in names if n not in value]
        if unknown or missing:
            raise ValueError(f"`{arg}` is a dict whose names must be {names}; received {sorted(value)}.")
        value = [value[n] for n in names]
    if len(names) == 1:
        if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], np.ndarray):
            value = value[0]
        return _numeric_array(value, arg)
    if not isinstance(value, (list, tuple)) or len(value) != len(names):
        got = f"a list of {len(value)}" if isinstance(value, (list, tuple)) else f"a {type(value).__name__}"
        raise ValueError(f"`{arg}` must give one array per model {'input' if arg.startswith('x') else 'output'} "
                         f"({len(names)}: {', '.join(names)}) as a list or a dict by name; received {got}.")
    return [_numeric_array(v, f"{arg}[[{i + 1}]]") for i, v in enumerate(value)]


def n_samples(data) -> int:
    return len(data[0]) if isinstance(data, list) else len(data)


def take(data, idx):
    if data is None:
        return None
    if isinstance(data, list):
        return [d[idx] if d is not None else None for d in data]
    return data[idx]


def _is_batch(b) -> bool:
    return isinstance(b, tuple) and 2 <= len(b) <= 3 and (
        isinstance(b[0], (np.ndarray, dict)) or (isinstance(b[0], list) and b[0] and
                                                 all(isinstance(a, np.ndarray) for a in b[0])))


def is_batch_iterable(x) -> bool:
    """A generator or iterable of batches (not an array, list of arrays, dict or number).

    A list whose every element is a tuple `(x, y)` or `(x, y, sample_weight)` of arrays is a list of
    batches; any other list is data (one array, or one array per input).
    """
    if isinstance(x, list) and x and all(_is_batch(b) for b in x):
        return True
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict, str, bytes, Number, np.generic)):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def class_weight_to_sample_weight(y, class_weight):
    """Keras' rule: each sample weighs `class_weight[class]`, the class from integer labels or argmax."""
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = np.argmax(labels, axis=-1) if labels.shape[-1] != 1 else np.squeeze(labels, axis=-1)
    labels = np.round(labels).astype(np.int64).reshape(len(labels), -1)[:, 0] if labels.ndim > 1 else \
        np.round(labels).astype(np.int64)
    out = np.ones(len(labels), dtype=np.float64)
    for i, c in enumerate(labels):
        out[i] = class_weight.get(int(c), 1.0)
    return out


def check_class_weight(class_weight, n_outputs):
    """`{class: weight}` with integer classes (R: a named list whose names are the class values)."""
    if class_weight is None:
        return None
    if n_outputs > 1:
        raise ValueError("`class_weight` is only supported for models with a single output (as in Keras); "
                         "use `sample_weight` for several outputs.")
    if not isinstance(class_weight, dict):
        raise TypeError(f"`class_weight` must be a dict (R: a named list) mapping class indices to weights, "
                        f"e.g. {{0: 1, 1: 5}}; received {type(class_weight).__name__}.")
    out = {}
    for k, w in class_weight.items():
        try:
            key = int(k)
            if isinstance(k, (float, str)) and float(k) != key:
                raise ValueError
        except (TypeError, ValueError):
            raise ValueError(f"`class_weight` keys must be integer class indices (or their names, \"0\", "
                             f"\"1\", ...); received the key {k!r}.") from None
        if isinstance(w, bool) or not isinstance(w, (Number, np.number)) or not np.isfinite(w):
            raise ValueError(f"`class_weight[{k!r}]` must be a finite number; received {w!r}.")
        out[key] = float(w)
    return out


def check_sample_weight(sample_weight, n, arg="sample_weight"):
    if sample_weight is None:
        return None
    sw = _numeric_array(sample_weight, arg).astype(np.float64)
    if sw.ndim != 1 or len(sw) != n:
        raise ValueError(f"`{arg}` must be a vector with one weight per sample ({n}); received shape "
                         f"{sw.shape}.")
    if not np.all(np.isfinite(sw)):
        raise ValueError(f"`{arg}` must hold finite numbers; received non-finite values.")
    return sw


class ArrayBatches:
    """Arrays cut into batches of `batch_size` (a fresh order per pass when shuffling)."""

    def __init__(self, x, y, sample_weight, batch_size, shuffle=False):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size, self.shuffle = batch_size, shuffle
        self.n = n_samples(x)
        self.num_batches = (self.n + batch_size - 1) // batch_size
        self._generator = rk_random.make_generator() if shuffle else None

    def iterator(self):
        order = self._generator.permutation(self.n) if self.shuffle else np.arange(self.n)
        for i in range(0, self.n, self.batch_size):
            idx = order[i:i + self.batch_size]
            yield take(self.x, idx), take(self.y, idx), take(self.sample_weight, idx)


class IterableBatches:
    """Batches drawn from an iterable; each pass calls `iter()` again (a generator is used up once)."""

    def __init__(self, data, arg, x_names, y_names, with_targets=True):
        self.data, self.arg = data, arg
        self.x_names, self.y_names, self.with_targets = x_names, y_names, with_targets
        try:
            self.num_batches = len(data)
        except TypeError:
            self.num_batches = None

    def iterator(self):
        for batch in iter(self.data):
            yield self.unpack(batch)

    def unpack(self, batch):
        if isinstance(batch, dict) or not isinstance(batch, tuple):
            parts = (batch,)
        else:
            parts = batch
        if self.with_targets and not 2 <= len(parts) <= 3:
            raise ValueError(f"Each batch of `{self.arg}` must be a tuple (x, y) or (x, y, sample_weight); "
                             f"received a {type(batch).__name__}"
                             f"{f' of length {len(parts)}' if isinstance(batch, tuple) else ''}.")
        if not 1 <= len(parts) <= 3:
            raise ValueError(f"Each batch of `{self.arg}` must be x, (x,), (x, y) or (x, y, sample_weight); "
                             f"received a tuple of length {len(parts)}.")
        x = as_structure(parts[0], self.x_names, f"x (a batch of `{self.arg}`)")
        n = n_samples(x)
        if n == 0:
            raise ValueError(f"A batch of `{self.arg}` has 0 samples.")
        y = sw = None
        if self.with_targets:
            y = as_structure(parts[1], self.y_names, f"y (a batch of `{self.arg}`)")
            if n_samples(y) != n:
                raise ValueError(f"A batch of `{self.arg}` has {n} samples in x and {n_samples(y)} in y.")
            if len(parts) == 3 and parts[2] is not None:
                sw = check_sample_weight(parts[2], n, f"sample_weight (a batch of `{self.arg}`)")
        return x, y, sw


class EpochBatches:
    """Batches epoch by epoch, with Keras' `steps_per_epoch` rules (`EpochIterator`).

    Without `steps_per_epoch` an epoch is one pass over the data. With it, an epoch is that many
    batches, continuing where the previous epoch stopped, and a new pass starts when the data is used
    up; data that runs out within an epoch ends that epoch with Keras' warning (`ran_out` is then set).
    """

    def __init__(self, source, steps_per_epoch=None, quiet=False):
        self.source, self.steps_per_epoch, self.quiet = source, steps_per_epoch, quiet
        self._iterator = None
        self._seen = 0
        self.ran_out = False

    @property
    def num_batches(self):
        return self.steps_per_epoch or self.source.num_batches

    def _warn_ran_out(self):
        self.ran_out = True
        if self.quiet:
            return
        warn("Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
             "generate at least `steps_per_epoch * epochs` batches.")

    def epoch(self):
        """Yields (step, (x, y, sample_weight)) for one epoch, step 0-based."""
        total = self.source.num_batches
        if self.steps_per_epoch is None:
            step = -1
            for step, batch in enumerate(self.source.iterator()):
                yield step, batch
            if step < 0:
                self._warn_ran_out()
            return
        if self._iterator is None:
            self._iterator, self._seen = self.source.iterator(), 0
        for step in range(self.steps_per_epoch):
            if total is not None and self._seen >= total:
                self._warn_ran_out()
                break
            try:
                batch = next(self._iterator)
            except StopIteration:
                self._iterator = None
                self._warn_ran_out()
                return
            self._seen += 1
            yield step, batch
        if total is not None and self._seen >= total:
            self._iterator, self._seen = self.source.iterator(), 0
