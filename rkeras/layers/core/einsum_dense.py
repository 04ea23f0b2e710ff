"""A dense layer of any shape, as Keras 3's `EinsumDense`: `activation(einsum(equation, inputs, kernel) + bias)`.

The equation has Keras' three forms: `ab,bc->ac` (every axis named), `...b,bc->...c` (leading axes
elided) and `ab...,bc->ac...` (trailing axes elided). Each letter names an axis at most once per
operand. The kernel's shape comes from the input's (letters shared with the input) and from
`output_shape` (letters shared with the output), exactly as Keras derives it, so weights and files are
interchangeable; `bias_axes` names the output axes the bias spans (it broadcasts over the others).

At build the ellipsis is written out with unused letters, giving a plain equation. The forward and the
backward are `numpy.einsum` with `optimize=True` (a two-operand contraction goes to a BLAS `tensordot`):
the gradient of one operand is the einsum of the output gradient with the other operand; a letter
found in one operand only (summed away) gets its gradient by broadcasting. The bias gradient is a
float64 sum.
"""

import re
import string

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..kernel_and_bias import KernelAndBias

_FORMS = (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", "none"),
          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", "left"),
          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", "right"))


def parse_equation(equation):
    """(input spec, weight spec, output spec, where the ellipsis is: "none", "left" or "right")."""
    if not isinstance(equation, str):
        raise TypeError(f"`equation` must be a string such as 'ab,bc->ac'; received {equation!r}.")
    replaced = re.sub(r"\.\.\.", "0", equation.replace(" ", ""))
    for pattern, elided in _FORMS:
        match = re.fullmatch(pattern, replaced)
        if match:
            specs = match.groups()
            for spec, what in zip(specs, ("input", "kernel", "output")):
                if len(set(spec)) != len(spec):
                    raise ValueError(f"`equation` '{equation}': the {what} spec '{spec}' names an axis twice; "
                                     f"each letter may appear once per operand.")
            return specs[0], specs[1], specs[2], elided
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], "
                     f"...[X],[Y]->...[Z], or [X]...,[Y]->[Z]... (letters a-z, A-Z).")


def analyze(equation, bias_axes, input_shape, output_shape):
    """Keras' `_analyze_einsum_string`: (kernel shape, bias shape or None, full output shape,
    input axes of the kernel, output axes of the kernel)."""
    input_spec, weight_spec, output_spec, where = parse_equation(equation)
    input_shape = tuple(input_shape)
    left = where == "left"
    elided = len(input_shape) - len(input_spec)
    if elided < 0 or (where == "none" and elided != 0):
        raise ValueError(f"`equation` '{equation}' expects inputs of rank {len(input_spec)}"
                         f"{'' if where == 'none' else ' or more'}; received an input of shape {input_shape}.")
    output_shape = [output_shape] if not isinstance(output_shape, (list, tuple)) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left:
        output_shape[1:1] = input_shape[1:elided]  # in order (Keras inserts them reversed)
    elif elided > 0:
        for i in range(len(input_shape) - elided, len(input_shape)):
            output_shape.append(input_shape[i])
    if left:
        input_dim_map = {d: (i + elided) - len(input_shape) for i, d in enumerate(input_spec)}
        output_dim_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        input_dim_map = {d: i for i, d in enumerate(input_spec)}
        output_dim_map = {d: i for i, d in enumerate(output_spec)}
    if len(output_shape) != len(output_spec) + max(elided, 0):
        raise ValueError(f"`output_shape` {tuple(output_shape[1:len(output_spec)])} must give one size per output "
                         f"axis after the first of '{output_spec}' in `equation` '{equation}' "
                         f"({len(output_spec) - 1} sizes).")
    for d in input_spec:
        if d in output_dim_map:
            out_d = output_shape[output_dim_map[d]]
            if out_d is not None and input_shape[input_dim_map[d]] is not None \
                    and out_d != input_shape[input_dim_map[d]]:
                raise ValueError(f"Input shape and output shape do not match at shared dimension '{d}'. Input "
                                 f"shape is {input_shape[input_dim_map[d]]}, and output shape is {out_d}.")
            if out_d is None:  # known from the input (Keras leaves it None)
                output_shape[output_dim_map[d]] = input_shape[input_dim_map[d]]
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(f"Dimension '{d}' was specified in the output '{output_spec}' but has no "
                             f"corresponding dim in the input spec '{input_spec}' or weight spec '{weight_spec}'.")
    kernel_shape, input_axes, output_axes = [], [], []
    for i, d in enumerate(weight_spec):
        if d in output_dim_map:
            kernel_shape.append(output_shape[output_dim_map[d]])
            output_axes.append(i)
        elif d in input_dim_map:
            kernel_shape.append(input_shape[input_dim_map[d]])
            input_axes.append(i)
        else:
            raise ValueError(f"Weight dimension '{d}' did not have a match in either the input spec "
                             f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the weight "
                             f"must be fully specified.")
    bias_shape = None
    if bias_axes is not None:
        n_left = elided if left else 0
        sizes = {c: output_shape[i + n_left] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"`bias_axes`: bias dimension '{c}' was requested, but is not part of the "
                                 f"output spec '{output_spec}'.")
        first = min(output_spec.find(c) for c in bias_axes)
        bias_shape = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left:
            bias_shape.extend([1] * elided)
    return kernel_shape, bias_shape, output_shape, input_axes, output_axes


def explicit_specs(equation, rank):
    """The equation for inputs of `rank`, the ellipsis written out with unused letters: (in, kernel, out)."""
    input_spec, weight_spec, output_spec, where = parse_equation(equation)
    elided = rank - len(input_spec)
    if where == "none" or elided <= 0:
        return input_spec, weight_spec, output_spec
    free = [c for c in string.ascii_letters if c not in input_spec + weight_spec + output_spec][:elided]
    extra = "".join(free)
    if where == "left":
        return extra + input_spec, weight_spec, extra + output_spec
    return input_spec + extra, weight_spec, output_spec + extra


def operand_grad(grad, grad_spec, other, other_spec, spec, shape):
    """Gradient of the operand `spec` (of `shape`) of `einsum(spec, other_spec -> grad_spec)`."""
    kept = "".join(c for c in spec if c in grad_spec or c in other_spec)
    g = np.einsum(f"{grad_spec},{other_spec}->{kept}", grad, other, optimize=True)
    if kept == spec:
        return g
    # letters of this operand alone were summed away: their gradient is the same along them
    g = g.reshape([g.shape[kept.index(c)] if c in kept else 1 for c in spec])  # `kept` is in `spec`'s order
    return np.broadcast_to(g, shape)


class EinsumDense(KernelAndBias, Layer):
    """A dense layer defined by an einsum equation; see `layer_einsum_dense()`."""

    supports_masking = False

    def __init__(self, equation=None, output_shape=None, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 lora_alpha=None, activity_regularizer=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_einsum_dense()")
        if equation is None:
            raise ValueError("`equation` must be given: an einsum equation such as 'ab,bc->ac'; received None.")
        parse_equation(equation)
        self.equation = equation
        if output_shape is None:
            raise ValueError("`output_shape` must be given: the expected output shape without the batch "
                             "dimension (None for a dimension to infer); received None.")
        dims = list(output_shape) if isinstance(output_shape, (list, tuple)) else [output_shape]
        self.partial_output_shape = tuple(None if d is None else conventions.as_integer(d, "output_shape", minimum=1)
                                          for d in dims)
        if bias_axes is not None:
            if not isinstance(bias_axes, str) or not bias_axes.isalpha():
                raise TypeError(f"`bias_axes` must be None or a string of output axis letters (e.g. 'd'); "
                                f"received {bias_axes!r}.")
            output_spec = parse_equation(equation)[2]
            bad = [c for c in bias_axes if c not in output_spec]
            if bad:
                raise ValueError(f"`bias_axes`: bias dimension '{bad[0]}' was requested, but is not part of the "
                                 f"output spec '{output_spec}' of `equation` '{equation}'.")
        self.bias_axes = bias_axes
        for arg, value in (("lora_rank", lora_rank), ("lora_alpha", lora_alpha)):
            if value is not None:
                raise ValueError(f"`{arg}` (LoRA) is not supported by rkeras' layer_einsum_dense(); only None is "
                                 f"accepted; received {value!r}.")
        self.lora_rank = self.lora_alpha = None
        self._set_kernel_and_bias_options(activation, bias_axes is not None, kernel_initializer, bias_initializer,
                                          kernel_regularizer, bias_regularizer, activity_regularizer,
                                          kernel_constraint, bias_constraint)
        super().__init__(**kwargs)

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        kernel_shape, bias_shape, _, _, _ = analyze(self.equation, self.bias_axes, input_shape,
                                                    self.partial_output_shape)
        if any(d is None for d in kernel_shape) or (bias_shape is not None and any(d is None for d in bias_shape)):
            raise ValueError(f"Layer '{self.name}': the kernel shape {tuple(kernel_shape)} of `equation` "
                             f"'{self.equation}' is not fully known from the input shape {input_shape} and "
                             f"`output_shape` {self.partial_output_shape}.")
        self._add_kernel_and_bias(tuple(kernel_shape), None if bias_shape is None else tuple(bias_shape))
        self._built_rank = len(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(analyze(self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape)[2])

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        if x.ndim != self._built_rank:
            raise ValueError(f"Layer '{self.name}' was built for inputs of rank {self._built_rank}; received an "
                             f"input of shape {x.shape}.")
        work = compute_dtype(x.dtype)
        xs, ks, os_ = explicit_specs(self.equation, x.ndim)
        xw = x.astype(work, copy=False)
        kernel = self.kernel.value.astype(work, copy=False)
        for c, d in zip(ks, kernel.shape):
            if c in xs and x.shape[xs.index(c)] != d:
                raise ValueError(f"Layer '{self.name}': axis '{c}' of the input (shape {x.shape}) has size "
                                 f"{x.shape[xs.index(c)]}; the kernel {kernel.shape} expects {d}.")
        z = np.einsum(f"{xs},{ks}->{os_}", xw, kernel, optimize=True)
        if self.use_bias:
            z = z + self.bias.value.astype(work, copy=False)
        z = np.ascontiguousarray(z, dtype=work)
        act = self.activation
        y = act.forward(z)
        cache = (xw, z if act.needs_input else None, y if act.needs_output else None, (xs, ks, os_), x.dtype)
        return y.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        xw, z, y, (xs, ks, os_), in_dtype = cache
        work = xw.dtype
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz = self.activation.backward(z, y, g)
        kernel = self.kernel.value.astype(work, copy=False)
        grads = {}
        if self.kernel.trainable:
            gk = operand_grad(gz, os_, xw, xs, ks, kernel.shape)
            grads[self.kernel] = np.asarray(gk).astype(self.kernel.dtype)
        if self.use_bias and self.bias.trainable:
            b = self.bias
            lead = gz.ndim - len(b.shape)
            axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(b.shape) if d == 1)
            gb = gz.sum(axis=axes, dtype=np.float64, keepdims=True).reshape(b.shape)  # float64 (issue 17)
            grads[b] = gb.astype(b.dtype)
        dx = operand_grad(gz, os_, kernel, ks, xs, xw.shape)
        return np.asarray(dx).astype(in_dtype), grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        kb = self._kernel_and_bias_config()
        del kb["use_bias"]
        config.update({
            "output_shape": list(self.partial_output_shape),
            "equation": self.equation,
            "bias_axes": self.bias_axes,
            **kb,
            "lora_rank": None,
            "lora_alpha": None,
        })
        return config
