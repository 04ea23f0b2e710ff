"""Batch normalization (Ioffe & Szegedy, 2015), as Keras 3's `BatchNormalization`.

Training (`training=True` and `trainable`): normalize with the batch mean and biased variance over
every axis but the normalized ones, then `moving = moving * momentum + batch_stat * (1 - momentum)`.
Inference (the default, or `trainable = False`): normalize with the moving statistics.

The math runs in `rkeras.kernels.batch_norm` on a contiguous (outer, channels, inner) view of the
batch, so dense, channels-last and channels-first inputs share one kernel family and need no
transposed copy (only a non-contiguous set of several normalized axes is transposed once).
"""

import math
from collections import OrderedDict

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ...core.state_transaction import state_transaction
from ...kernels import batch_norm as kernels

_NO_MASK = np.ones((0, 0), dtype=np.bool_)
_NO_MASK_FLAT = _NO_MASK.reshape(-1)
MEMO_SHAPES = 48  # input shapes (and dtypes) whose layouts a layer remembers: a few dozen cover a model's


class _LruMemo(OrderedDict):
    """The per-input-shape memo of a layer, bounded to the MEMO_SHAPES most recently used shapes (a model
    fed ever new shapes, e.g. variable sequence lengths, must not grow it without end)."""

    def get(self, key, default=None):
        value = super().get(key, default)
        if value is not default:
            self.move_to_end(key)
        return value

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if len(self) > MEMO_SHAPES:
            self.popitem(last=False)


class BatchNormalization(Layer):
    """Layer that normalizes its inputs; see `layer_batch_normalization()` for the full story."""

    r_axis_config_keys = ("axis",)

    supports_masking = True
    training_follows_trainable = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, synchronized=False, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_batch_normalization()")
        self.axis = conventions.validate_r_axis(axis, "axis")
        self.momentum = _check_float(momentum, "momentum", lambda v: 0.0 <= v <= 1.0, "a number in [0, 1]")
        self.epsilon = _check_float(epsilon, "epsilon", lambda v: v > 0, "a number > 0")
        self.center = conventions.as_bool(center, "center")
        self.scale = conventions.as_bool(scale, "scale")
        self.synchronized = conventions.as_bool(synchronized, "synchronized")
        self.beta_initializer = initializers.get(beta_initializer, arg_name="beta_initializer")
        self.gamma_initializer = initializers.get(gamma_initializer, arg_name="gamma_initializer")
        self.moving_mean_initializer = initializers.get(moving_mean_initializer, arg_name="moving_mean_initializer")
        self.moving_variance_initializer = initializers.get(moving_variance_initializer,
                                                            arg_name="moving_variance_initializer")
        self.beta_regularizer = regularizers.get(beta_regularizer, arg_name="beta_regularizer")
        self.gamma_regularizer = regularizers.get(gamma_regularizer, arg_name="gamma_regularizer")
        self.beta_constraint = constraints.get(beta_constraint, arg_name="beta_constraint")
        self.gamma_constraint = constraints.get(gamma_constraint, arg_name="gamma_constraint")
        super().__init__(**kwargs)
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None
        self._axes = None  # 0-based normalized axes, fixed at build
        self._layouts = _LruMemo()  # input shape -> (permutation, (outer, channels, inner))
        self._fast_layouts = _LruMemo()  # (input shape, dtype) -> see _fast_layout

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        axes = conventions.resolve_axes(self.axis, len(input_shape), "axis")
        param_shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in param_shape):
            raise ValueError(f"Layer '{self.name}': the normalized axis {self.axis!r} of input shape "
                             f"{input_shape} must have a known size.")
        self._axes = axes
        self._input_rank = len(input_shape)
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape, self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", param_shape, self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", param_shape, self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param_shape,
                                               self.moving_variance_initializer, trainable=False)
        self.built = True

    def compute_output_shape(self, input_shape):
        if self._axes is not None:
            self._check_shape(tuple(input_shape))
        return tuple(input_shape)

    # ----------------------------------------------------------------------------- views
    def _check_shape(self, shape):
        if len(shape) != self._input_rank:
            raise ValueError(f"Layer '{self.name}' was built for inputs of rank {self._input_rank}; "
                             f"received an input of shape {shape}.")
        expected = self.moving_mean.shape
        got = tuple(shape[a] for a in self._axes)
        if got != expected:
            raise ValueError(f"Layer '{self.name}': the normalized axis {self.axis!r} of the input has size "
                             f"{got}, but the layer was built for {expected} (input shape {shape}).")

    def _layout(self, shape):
        """(permutation or None, (outer, channels, inner)) for a valid input of `shape` (memoized)."""
        layout = self._layouts.get(shape)
        if layout is None:
            self._check_shape(shape)
            layout = self._layouts[shape] = self._compute_layout(shape)
        return layout

    def _compute_layout(self, shape):
        return channel_view(shape, self._axes)

    def _to_view(self, x, perm, view_shape, dtype):
        if perm is not None:
            x = np.transpose(x, perm)
        return np.ascontiguousarray(x, dtype=dtype).reshape(view_shape)

    def _from_view(self, y3, shape, perm, dtype):
        if perm is None:
            y = y3.reshape(shape)
        else:
            y = y3.reshape(tuple(shape[a] for a in perm)).transpose(np.argsort(perm))
        return y if y.dtype == dtype else y.astype(dtype)

    def _mask_view(self, mask, shape, view_shape):
        if mask is None:
            return _NO_MASK, False
        mask = np.asarray(mask)
        if mask.dtype.kind not in "biuf":
            raise TypeError(f"`mask` of layer '{self.name}' must be boolean; received dtype {mask.dtype}.")
        if mask.dtype != np.bool_:
            if not np.all((mask == 0) | (mask == 1)):
                raise ValueError(f"`mask` of layer '{self.name}' must hold booleans (or 0/1); received other values.")
            mask = mask != 0
        reduced = tuple(d for a, d in enumerate(shape) if a not in self._axes)
        try:
            mask = np.broadcast_to(mask, reduced)
        except ValueError:
            raise ValueError(f"`mask` of layer '{self.name}' has shape {mask.shape}; it must be broadcastable "
                             f"to the input shape without the normalized axes, {reduced}.") from None
        return np.ascontiguousarray(mask).reshape(view_shape[0], view_shape[2]), True

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        if type(inputs) is np.ndarray and inputs.dtype.kind == "f":
            x = inputs
        else:
            x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        if not self.built:
            self._maybe_build(x.shape)
        fast = self._fast_layouts.get((x.shape, x.dtype))
        if fast is None:
            fast = self._fast_layout(x.shape, x.dtype)
        perm, view_shape, work, C, I, reduced, direct = fast
        if mask is None:
            mask3, mflat, has_mask = _NO_MASK, _NO_MASK_FLAT, False
        else:
            if type(mask) is np.ndarray and mask.dtype == np.bool_ and mask.shape == reduced \
                    and mask.flags.c_contiguous:
                mask3 = mask.reshape(view_shape[0], I)
            else:
                mask3, _ = self._mask_view(mask, x.shape, view_shape)
            mflat, has_mask = mask3.reshape(-1), True
        if direct and x.flags.c_contiguous:
            x3 = x.reshape(view_shape)
        else:
            x3 = self._to_view(x, perm, view_shape, work)
        xflat = x3.reshape(-1)
        out = np.empty(x3.shape, work)
        mean, invstd = np.empty(C), np.empty(C)
        if training:
            reduction = self._moments_reduction()
            if x.shape[0] == 0 and not self._distributed():  # a rank's empty share is the trainer's business
                raise ValueError(f"Layer '{self.name}': a training call needs at least one sample (the batch "
                                 f"statistics of an empty batch are undefined); received inputs of shape "
                                 f"{x.shape}.")
            # the moving statistics are updated on staged copies, written back when the step commits
            with state_transaction() as transaction:
                moving_mean, moving_variance, gamma, beta = self._kernel_variables(transaction)
                count = kernels.layer_train(xflat, mflat, has_mask, C, I, gamma, self.scale, beta, self.center,
                                            moving_mean, moving_variance, self.momentum, self.epsilon,
                                            out.reshape(-1), mean, invstd, reduction)
                if moving_mean.dtype != self.moving_mean.dtype:  # lent as float32 copies
                    self.moving_mean.assign(moving_mean.reshape(self.moving_mean.shape))
                    self.moving_variance.assign(moving_variance.reshape(self.moving_variance.shape))
        else:
            moving_mean, moving_variance, gamma, beta = self._kernel_variables()
            count = None
            kernels.layer_inference(xflat, C, I, gamma, self.scale, beta, self.center, moving_mean,
                                    moving_variance, self.epsilon, out.reshape(-1), mean, invstd)
        y = out.reshape(x.shape) if direct else self._from_view(out, x.shape, perm, x.dtype)
        return y, (x3, mask3, has_mask, mean, invstd, count, bool(training), x.shape, perm, x.dtype, xflat, mflat)

    def _fast_layout(self, shape, dtype):
        """(perm, view_shape, work dtype, C, I, reduced shape, direct) for inputs of shape and dtype; direct:
        no transposition and no dtype conversion (a C-contiguous input is its own view)."""
        perm, view_shape = self._layout(shape)
        work = compute_dtype(dtype)
        reduced = tuple(d for a, d in enumerate(shape) if a not in self._axes)
        fast = (perm, view_shape, work, view_shape[1], view_shape[2], reduced, perm is None and work == dtype)
        self._fast_layouts[(shape, dtype)] = fast
        return fast

    def _kernel_variables(self, transaction=None):
        """moving_mean, moving_variance, gamma, beta as flat float32/float64 vectors for the kernels, read on
        every call (so always the committed state). Missing gamma or beta: moving_mean stands in
        (the kernels ignore it). float16 weights are lent as float32 copies (the forward writes them back).
        With a `transaction`, the moving statistics are its writable staged copies."""
        if transaction is not None:
            mm = transaction.writable(self.moving_mean).reshape(-1)
            mv = transaction.writable(self.moving_variance).reshape(-1)
        else:
            mm, mv = self.moving_mean.value.reshape(-1), self.moving_variance.value.reshape(-1)
        gamma = self.gamma.value.reshape(-1) if self.scale else mm
        beta = self.beta.value.reshape(-1) if self.center else mm
        if mm.dtype == np.float16:
            mm, mv, gamma, beta = (v.astype(np.float32) for v in (mm, mv, gamma, beta))
        return mm, mv, gamma, beta

    def replica_statistics(self, training) -> list:
        """synchronized = FALSE: a training call moves the moving statistics with this replica's batch
        alone, so a data-parallel step averages them over the replicas (see `Layer.replica_statistics`)."""
        if self.synchronized or not training or self.moving_mean is None:
            return []
        return [self.moving_mean, self.moving_variance]

    def _reducer(self):
        """The active distribution's reducer when this layer synchronizes its statistics, else None."""
        if not self.synchronized:
            return None
        from ...distribute import current_reducer
        return current_reducer()

    def _distributed(self):
        from ...distribute import current_reducer
        reducer = current_reducer()
        return reducer is not None and reducer.size > 1

    def _moments_reduction(self):
        """synchronized = TRUE under a data-parallel distribution: the global batch's statistics."""
        reducer = self._reducer()
        return None if reducer is None else reducer.combine_moments

    def backward(self, cache, grad_outputs):
        x3, _mask3, has_mask, mean, invstd, count, training, shape, perm, in_dtype, xflat, mflat = cache
        work = x3.dtype
        g = grad_outputs
        if type(g) is np.ndarray and perm is None and g.dtype == work and g.shape == shape \
                and g.flags.c_contiguous:
            gflat = g.reshape(-1)
        else:
            gflat = self._to_view(as_numeric_array(g, "grad_outputs"), perm, x3.shape, work).reshape(-1)
        C = x3.shape[1]
        sum_g, sum_gxhat = np.empty(C), np.empty(C)
        dx3 = np.empty(x3.shape, work)
        _, _, gamma, _ = self._kernel_variables()
        local = {}
        reduce_sums = None
        reducer = self._reducer() if training else None
        if reducer is not None:
            def reduce_sums(s_g, s_gxhat):
                # the input gradient needs the global batch's sums; the weight gradients stay this
                # replica's (the trainer all-reduces every weight gradient)
                local["g"], local["gxhat"] = s_g.copy(), s_gxhat.copy()
                reducer.sum_arrays(s_g, s_gxhat)
        kernels.layer_backward(gflat, xflat, mflat, has_mask, C, x3.shape[2], mean, invstd, gamma, self.scale,
                               float(count or 0.0), bool(training and count), dx3.reshape(-1), sum_g, sum_gxhat,
                               reduce_sums)
        dx = self._from_view(dx3, shape, perm, in_dtype)
        grads = {}
        if self.scale and self.gamma.trainable:
            grads[self.gamma] = local.get("gxhat", sum_gxhat).reshape(self.gamma.shape).astype(self.gamma.dtype)
        if self.center and self.beta.trainable:
            grads[self.beta] = local.get("g", sum_g).reshape(self.beta.shape).astype(self.beta.dtype)
        return dx, grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
        })
        return config


def _check_float(value, name, ok, accepted):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"`{name}` must be {accepted}; received {value!r}.")
    value = float(value)
    if not ok(value):
        raise ValueError(f"`{name}` must be {accepted}; received {value!r}.")
    return value


def channel_view(shape, axes):
    """(permutation or None, (outer, channels, inner)): the C-contiguous view of an input of `shape` whose
    0-based `axes` (sorted) become the channels; a non-contiguous set of axes is moved together first."""
    contiguous = axes == tuple(range(axes[0], axes[-1] + 1))
    perm = None
    if not contiguous:
        before = [a for a in range(len(shape)) if a < axes[0]]
        after = [a for a in range(len(shape)) if a > axes[0] and a not in axes]
        perm = before + list(axes) + after
        shape = tuple(shape[a] for a in perm)
        first, last = len(before), len(before) + len(axes)
    else:
        first, last = axes[0], axes[-1] + 1
    return perm, (math.prod(shape[:first]), math.prod(shape[first:last]), math.prod(shape[last:]))
