"""Batch normalization (Ioffe & Szegedy, 2015), as Keras 3's `BatchNormalization`.

Training (`training=True` and `trainable`): normalize with the batch mean and biased variance over
every axis but the normalized ones, then `moving = moving * momentum + batch_stat * (1 - momentum)`.
Inference (the default, or `trainable = False`): normalize with the moving statistics.

The math runs in `rkeras.kernels.batch_norm` on a contiguous (outer, channels, inner) view of the
batch, so dense, channels-last and channels-first inputs share one kernel family and need no
transposed copy (only a non-contiguous set of several normalized axes is transposed once).
"""

import functools
from typing import NamedTuple

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ...core.layer import Layer, as_numeric_array, float_input
from ...core.state_transaction import state_transaction
from ...kernels import batch_norm as kernels
from .channel_view import ChannelView, ChannelViews, from_view, mask_view, to_view


class BatchNormCache(NamedTuple):
    """What the forward keeps for the backward."""

    x3: np.ndarray  # the input's (O, C, I) view, in the work dtype
    mask3: np.ndarray | None  # the mask's (O, I) view, None without a mask
    mean: np.ndarray  # float64 (C,): the statistics the forward normalized with
    invstd: np.ndarray  # float64 (C,)
    count: float  # positions counted in the batch statistics; 0: the statistics were constants (inference)
    training: bool
    view: ChannelView
    shape: tuple  # the input's shape and dtype
    dtype: np.dtype


# a BatchNormCache from one tuple of its fields in order, without the generated constructor's Python frame
# (measurable on small batches: benchmarks/NOTES.md)
_new_cache = functools.partial(tuple.__new__, BatchNormCache)


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
        self.momentum = conventions.check_float(momentum, "momentum", lambda v: 0.0 <= v <= 1.0,
                                                "a number in [0, 1]")
        self.epsilon = conventions.check_float(epsilon, "epsilon", lambda v: v > 0, "a number > 0")
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
        self._views = None  # (input shape, dtype) -> ChannelView, from the build on

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        axes = conventions.resolve_axes(self.axis, len(input_shape), "axis")
        param_shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in param_shape):
            raise ValueError(f"Layer '{self.name}': the normalized axis {self.axis!r} of input shape "
                             f"{input_shape} must have a known size.")
        self._views = ChannelViews(self.name, self.axis, axes, param_shape, len(input_shape))
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
        if self._views is not None:
            self._views.check(tuple(input_shape))
        return tuple(input_shape)

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        if type(inputs) is np.ndarray and inputs.dtype.kind == "f":
            x = inputs
        else:
            x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        if not self.built:
            self._maybe_build(x.shape)
        view = self._views.view(x.shape, x.dtype)
        mask3 = None if mask is None else mask_view(mask, view, self.name)
        x3 = x.reshape(view.shape) if view.direct and x.flags.c_contiguous else to_view(x, view)
        out = np.empty(view.shape, view.work)
        C = view.shape[1]
        mean, invstd = np.empty(C), np.empty(C)
        if training:
            if x.shape[0] == 0 and not self._distributed():  # a rank's empty share is the trainer's business
                raise ValueError(f"Layer '{self.name}': a training call needs at least one sample (the batch "
                                 f"statistics of an empty batch are undefined); received inputs of shape "
                                 f"{x.shape}.")
            reducer = self._reducer()
            # the moving statistics are updated on staged copies, written back when the step commits
            with state_transaction() as transaction:
                moving_mean, moving_variance, gamma, beta = self._kernel_variables(transaction)
                count = kernels.train(x3, mask3, gamma, beta, moving_mean, moving_variance, self.momentum,
                                      self.epsilon, out, mean, invstd,
                                      None if reducer is None else reducer.combine_moments)
                if moving_mean.dtype != self.moving_mean.dtype:  # lent as float32 copies
                    self.moving_mean.assign(moving_mean.reshape(self.moving_mean.shape))
                    self.moving_variance.assign(moving_variance.reshape(self.moving_variance.shape))
        else:
            moving_mean, moving_variance, gamma, beta = self._kernel_variables()
            count = 0.0
            kernels.inference(x3, gamma, beta, moving_mean, moving_variance, self.epsilon, out, mean, invstd)
        y = out.reshape(x.shape) if view.direct else from_view(out, x.shape, view, x.dtype)
        return y, _new_cache((x3, mask3, mean, invstd, count, bool(training), view, x.shape, x.dtype))

    def _kernel_variables(self, transaction=None):
        """moving_mean, moving_variance, gamma, beta as flat float32/float64 vectors for the kernels (None for
        a missing gamma or beta), read on every call (so always the committed state). float16 weights are
        lent as float32 copies (the forward writes them back). With a `transaction`, the moving statistics
        are its writable staged copies."""
        if transaction is not None:
            mm = transaction.writable(self.moving_mean).reshape(-1)
            mv = transaction.writable(self.moving_variance).reshape(-1)
        else:
            mm, mv = self.moving_mean.value.reshape(-1), self.moving_variance.value.reshape(-1)
        gamma = self.gamma.value.reshape(-1) if self.scale else None
        beta = self.beta.value.reshape(-1) if self.center else None
        if mm.dtype == np.float16:
            mm, mv = mm.astype(np.float32), mv.astype(np.float32)
            gamma = None if gamma is None else gamma.astype(np.float32)
            beta = None if beta is None else beta.astype(np.float32)
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

    def backward(self, cache, grad_outputs):
        x3, mask3, mean, invstd, count, training, view, shape, dtype = cache
        g = grad_outputs
        if type(g) is np.ndarray and view.perm is None and g.dtype == x3.dtype and g.shape == shape \
                and g.flags.c_contiguous:
            g3 = g.reshape(x3.shape)
        else:
            g3 = to_view(as_numeric_array(g, "grad_outputs"), view._replace(direct=False))
        C = x3.shape[1]
        sum_g, sum_gxhat = np.empty(C), np.empty(C)
        dx3 = np.empty(x3.shape, x3.dtype)
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
        kernels.backward(g3, x3, mask3, mean, invstd, gamma, count, dx3, sum_g, sum_gxhat, reduce_sums)
        dx = from_view(dx3, shape, view, dtype)
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


