"""What the recurrent cells share: their options, weights, dropout masks and recurrent products.

A cell (`SimpleRNNCell`, `LSTMCell`, `GRUCell`) owns Keras' three weights, created in this order:
`kernel` (input_dim, k*units), `recurrent_kernel` (units, k*units) and `bias`, with k gate blocks
(1, 4 or 3). It runs whole sequences for the `RNN` layer that holds it, time-major:

- `sequence_forward(x, states, keep, training) -> (outputs, final_states, cache)` with `x` of
  shape (steps, batch, input_dim) in processing order, `keep` (steps, batch) uint8 (0 = masked step:
  the state is carried over) and `outputs` (steps, batch, units), the state h after each step;
- `sequence_backward(cache, d_outputs, out_weight, d_final_states) -> (dx, d_initial_states, grads)`,
  where the output of step t receives `d_outputs[t] * out_weight[t]` (0 for a masked step whose
  output is zeroed).

Dropout follows Keras' `DropoutRNNCell`: in training, one input mask (batch, input_dim) and one
recurrent mask (batch, units) are drawn per call and used at every step; with `recurrent_dropout`,
LSTM and GRU cells draw one mask per gate block (Keras' implementation 1).
"""

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ... import random as rk_random
from ...core.layer import Layer
from ...kernels.rnn import ACTIVATION_CODES
from ..core import activations


def fused_activation(identifier, arg_name):
    """An activation the fused recurrent kernels implement (its derivative comes from its output)."""
    act = activations.get(identifier, arg_name=arg_name)
    if act.name not in ACTIVATION_CODES or activations.serialize(act) != act.name:
        raise ValueError(f"`{arg_name}`: the recurrent layers of rkeras accept the activations "
                         f"{', '.join(repr(n) for n in ACTIVATION_CODES)} (or None for linear); received "
                         f"{identifier!r}.")
    return act


class RecurrentCell(Layer):
    """Base of the cells: options checked in the constructor, weights created by `build`."""

    gate_count = 1  # k: gate blocks of `kernel` and `recurrent_kernel`
    has_recurrent_activation = False

    def __init__(self, units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, *, where, **kwargs):
        conventions.check_kwargs(kwargs, where=where)
        if units is None:
            raise ValueError(f"`units` must be given to {where}: the dimensionality of the output space, a "
                             f"positive integer; received None.")
        self.units = conventions.as_integer(units, "units", minimum=1)
        self.activation = fused_activation(activation, "activation")
        self.act_code = ACTIVATION_CODES[self.activation.name]
        if self.has_recurrent_activation:
            self.recurrent_activation = fused_activation(recurrent_activation, "recurrent_activation")
            self.ract_code = ACTIVATION_CODES[self.recurrent_activation.name]
        self.use_bias = conventions.as_bool(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer, arg_name="kernel_initializer")
        self.recurrent_initializer = initializers.get(recurrent_initializer, arg_name="recurrent_initializer")
        self.bias_initializer = initializers.get(bias_initializer, arg_name="bias_initializer")
        self.kernel_regularizer = regularizers.get(kernel_regularizer, arg_name="kernel_regularizer")
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer, arg_name="recurrent_regularizer")
        self.bias_regularizer = regularizers.get(bias_regularizer, arg_name="bias_regularizer")
        self.kernel_constraint = constraints.get(kernel_constraint, arg_name="kernel_constraint")
        self.recurrent_constraint = constraints.get(recurrent_constraint, arg_name="recurrent_constraint")
        self.bias_constraint = constraints.get(bias_constraint, arg_name="bias_constraint")
        self.dropout = check_rate(dropout, "dropout")
        self.recurrent_dropout = check_rate(recurrent_dropout, "recurrent_dropout")
        self.seed = None if seed is None else conventions.as_seed(seed)
        super().__init__(**kwargs)
        self._generator = rk_random.make_generator(self.seed)
        self.kernel = self.recurrent_kernel = self.bias = None
        self.input_dim = None

    # ----------------------------------------------------------------------------- shapes, weights
    @property
    def state_size(self):
        return [self.units]

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self):
        return (self.gate_count * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        """`input_shape` is one step's: (batch, input_dim)."""
        input_dim = tuple(input_shape)[-1]
        if input_dim is None:
            raise ValueError(f"Cell '{self.name}': the last dimension of the input (shape {tuple(input_shape)}) "
                             f"must be known.")
        self.input_dim = int(input_dim)
        k = self.gate_count * self.units
        self.kernel = self.add_weight("kernel", (self.input_dim, k), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, k), self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(), self._bias_initializer(),
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def forward(self, inputs, training=False, mask=None):
        raise TypeError(f"The cell '{self.name}' runs inside a recurrent layer: use it as "
                        f"`layer_rnn(cell = ...)`, not on its own.")

    # ----------------------------------------------------------------------------- dropout
    def _mask_count(self):
        return 1 if self.recurrent_dropout == 0.0 or self.gate_count == 1 else self.gate_count

    def _draw(self, rate, shape, work):
        keep = 1.0 - rate
        draw = np.float64 if work == np.float64 else np.float32
        return np.multiply(self._generator.random(shape, dtype=draw) >= rate, work.type(1.0 / keep), dtype=work)

    def dropout_masks(self, batch, training, work):
        """(input masks (n, batch, input_dim) or None, recurrent masks (n, batch, units) or None)."""
        n = self._mask_count()
        in_masks = rec_masks = None
        if training and 0.0 < self.dropout < 1.0:
            in_masks = self._draw(self.dropout, (n, batch, self.input_dim), work)
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rec_masks = self._draw(self.recurrent_dropout, (n, batch, self.units), work)
        return in_masks, rec_masks

    # ----------------------------------------------------------------------------- products
    def _weights(self, work):
        kernel = self.kernel.value.astype(work, copy=False)
        recurrent = self.recurrent_kernel.value.astype(work, copy=False)
        bias = self.bias.value.astype(work, copy=False) if self.use_bias else None
        return kernel, recurrent, bias

    def input_projection(self, x, kernel, in_masks, bias_row):
        """x (T, B, in) @ kernel for all steps at once (per gate block with per-gate dropout masks)."""
        t_, b_, d_ = x.shape
        k = kernel.shape[1]
        if in_masks is None:
            xz = (x.reshape(t_ * b_, d_) @ kernel).reshape(t_, b_, k)
        elif in_masks.shape[0] == 1:
            xz = ((x * in_masks[0]).reshape(t_ * b_, d_) @ kernel).reshape(t_, b_, k)
        else:
            xz = np.empty((t_, b_, k), dtype=x.dtype)
            u = self.units
            for g in range(in_masks.shape[0]):
                xg = (x * in_masks[g]).reshape(t_ * b_, d_)
                xz[:, :, g * u:(g + 1) * u] = (xg @ kernel[:, g * u:(g + 1) * u]).reshape(t_, b_, u)
        if bias_row is not None:
            xz += bias_row
        return xz

    def input_backward(self, x, dxz, kernel, in_masks):
        """Gradients of the input projection: (dx (T, B, in), d kernel)."""
        t_, b_, d_ = x.shape
        k = kernel.shape[1]
        dz2 = dxz.reshape(t_ * b_, k)
        if in_masks is None or in_masks.shape[0] == 1:
            xin = x if in_masks is None else x * in_masks[0]
            dkernel = xin.reshape(t_ * b_, d_).T @ dz2
            dx = (dz2 @ kernel.T).reshape(t_, b_, d_)
            if in_masks is not None:
                dx *= in_masks[0]
            return dx, dkernel
        u = self.units
        dkernel = np.empty_like(kernel)
        dx = np.zeros((t_, b_, d_), dtype=x.dtype)
        for g in range(in_masks.shape[0]):
            cols = slice(g * u, (g + 1) * u)
            dzg = np.ascontiguousarray(dz2[:, cols])
            dkernel[:, cols] = (x * in_masks[g]).reshape(t_ * b_, d_).T @ dzg
            dx += (dzg @ kernel[:, cols].T).reshape(t_, b_, d_) * in_masks[g]
        return dx, dkernel

    def recurrent_product(self, h, recurrent, rec_masks, out):
        """out = h @ recurrent (per gate block, on h * mask, with recurrent dropout)."""
        if rec_masks is None:
            np.matmul(h, recurrent, out=out)
            return
        u = self.units
        for g in range(recurrent.shape[1] // u):
            m = rec_masks[g if rec_masks.shape[0] > 1 else 0]
            out[:, g * u:(g + 1) * u] = (h * m) @ recurrent[:, g * u:(g + 1) * u]

    def recurrent_product_backward(self, dz, recurrent_t, rec_masks, out):
        """out = dz @ recurrent.T, the gradient reaching h through `recurrent_product`."""
        if rec_masks is None:
            np.matmul(dz, recurrent_t, out=out)
            return
        u = self.units
        n = recurrent_t.shape[0] // u
        out[...] = 0
        for g in range(n):
            m = rec_masks[g if rec_masks.shape[0] > 1 else 0]
            out += (dz[:, g * u:(g + 1) * u] @ recurrent_t[g * u:(g + 1) * u]) * m

    def recurrent_kernel_grad(self, h_prev, dz, rec_masks, n_blocks=None):
        """Gradient of `recurrent_kernel[:, :n_blocks*U]` over all steps: one matrix product (per
        gate block with recurrent dropout)."""
        t_, b_, u = h_prev.shape
        n = (dz.shape[-1] // u) if n_blocks is None else n_blocks
        hp = h_prev.reshape(t_ * b_, u)
        dz2 = dz.reshape(t_ * b_, dz.shape[-1])[:, :n * u]
        if rec_masks is None:
            return hp.T @ dz2
        out = np.empty((u, n * u), dtype=dz.dtype)
        for g in range(n):
            m = rec_masks[g if rec_masks.shape[0] > 1 else 0]
            hm = (h_prev * m).reshape(t_ * b_, u)
            out[:, g * u:(g + 1) * u] = hm.T @ dz2[:, g * u:(g + 1) * u]
        return out

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "activation": activations.serialize(self.activation)})
        if self.has_recurrent_activation:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config.update({
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config


def check_rate(value, arg_name):
    return conventions.check_float(value, arg_name, lambda v: 0.0 <= v <= 1.0,
                                   "a number in [0, 1] (a fraction of units to drop)")
