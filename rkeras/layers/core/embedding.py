"""Embedding, as Keras 3's `Embedding`: integer indices -> rows of a trainable (input_dim, output_dim) table.

The forward pass is a numpy gather; the gradient of the table is a scatter-add of the upstream rows
(`rkeras.kernels.embedding`). Indices are not differentiable: the input gradient is None. With
`mask_zero=True`, index 0 is padding: `compute_mask()` gives `inputs != 0`, which the next layers
receive (batch normalization leaves those positions out of its statistics, global average pooling
out of its average, ...).
"""

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array
from ...kernels import embedding as kernels


class Embedding(Layer):
    """Turns nonnegative integers (indexes) into dense vectors of fixed size; see `layer_embedding()`."""

    #: the output has the layer's dtype whatever the (integer) input dtype
    output_dtype_follows_layer = True

    def __init__(self, input_dim=None, output_dim=None, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, weights=None,
                 lora_rank=None, **kwargs):
        conventions.check_kwargs(kwargs, allowed=tuple(k for k in conventions.BASE_LAYER_KWARGS if k != "input_dim"),
                                 where="layer_embedding()")
        if input_dim is None:
            raise ValueError("`input_dim` must be given: the size of the vocabulary (maximum index + 1), a "
                             "positive integer; received None.")
        if output_dim is None:
            raise ValueError("`output_dim` must be given: the dimension of the dense embedding, a positive "
                             "integer; received None.")
        self.input_dim = conventions.as_integer(input_dim, "input_dim", minimum=1)
        self.output_dim = conventions.as_integer(output_dim, "output_dim", minimum=1)
        self.embeddings_initializer = initializers.get(
            "uniform" if embeddings_initializer is None else embeddings_initializer,
            arg_name="embeddings_initializer")
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer, arg_name="embeddings_regularizer")
        self.embeddings_constraint = constraints.get(embeddings_constraint, arg_name="embeddings_constraint")
        self.mask_zero = conventions.as_bool(mask_zero, "mask_zero")
        if lora_rank is not None:
            raise ValueError(f"`lora_rank` is not supported by rkeras (only None is accepted); received "
                             f"{lora_rank!r}.")
        initial = self._check_initial_weights(weights)
        super().__init__(**kwargs)
        self.embeddings = None
        if initial is not None:  # as Keras: build now and start from the given table
            self.build(None)
            self.embeddings.assign(initial)

    def _check_initial_weights(self, weights):
        if weights is None:
            return None
        if isinstance(weights, (list, tuple)) and len(weights) == 1:
            weights = weights[0]
        table = np.asarray(weights)
        if table.dtype.kind not in "biuf" or table.shape != (self.input_dim, self.output_dim):
            raise ValueError(f"`weights` must be a numeric matrix of shape (input_dim, output_dim) = "
                             f"{(self.input_dim, self.output_dim)} (or a list holding one); received "
                             f"{'shape ' + str(table.shape) if table.dtype.kind in 'biuf' else repr(weights)}.")
        return table

    @property
    def supports_masking(self):
        return self.mask_zero

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        if self.embeddings is None:
            self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                              self.embeddings_initializer, regularizer=self.embeddings_regularizer,
                                              constraint=self.embeddings_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, inputs, mask):
        if not self.mask_zero:
            return None
        return np.asarray(inputs) != 0

    # ----------------------------------------------------------------------------- math
    def _indices(self, inputs):
        x = as_numeric_array(inputs, "inputs")
        if x.dtype.kind == "f":
            with np.errstate(invalid="ignore"):
                integral = np.all(np.isfinite(x)) and np.all(x == np.floor(x))
            if not integral:
                raise ValueError(f"The inputs of layer '{self.name}' must be integer indices (whole numbers); "
                                 f"received non-integer values.")
        if x.size:
            low, high = x.min(), x.max()
            if low < 0 or high >= self.input_dim:
                bad = (low if low < 0 else high).item()
                raise ValueError(f"The inputs of layer '{self.name}' must be indices in [0, input_dim - 1] = "
                                 f"[0, {self.input_dim - 1}]; received {bad!r}. Increase `input_dim` or check "
                                 f"the data.")
        return x.astype(np.int64, copy=False)

    def forward(self, inputs, training=False, mask=None):
        idx = self._indices(inputs)
        self._maybe_build(idx.shape)
        return self.embeddings.value[idx], idx

    def backward(self, cache, grad_outputs):
        idx = cache
        grads = {}
        if self.embeddings.trainable:
            work = compute_dtype(self.embeddings.dtype)
            g = np.ascontiguousarray(np.asarray(grad_outputs), dtype=work).reshape(-1, self.output_dim)
            table = np.zeros((self.input_dim, self.output_dim), dtype=np.float64)  # repeated rows add in float64
            kernels.scatter_add_rows(np.ascontiguousarray(idx).reshape(-1), g, table)
            grads[self.embeddings] = table.astype(self.embeddings.dtype, copy=False)
        return None, grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "weights": None,
            "lora_rank": None,
        })
        return config
