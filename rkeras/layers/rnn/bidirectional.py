"""Bidirectional wrapper for RNNs, as Keras 3's `Bidirectional`.

A copy of the wrapped layer (`forward_<name>`) reads the sequence first to last, a second copy
(`backward_<name>`, `go_backwards = TRUE`) or the given `backward_layer` last to first; their outputs
are merged by `merge_mode` ("concat", "sum", "mul", "ave", or None for both outputs as a list). With
`return_sequences` the backward outputs are put back in time order first, and both copies zero the
outputs of masked steps (Keras sets their `zero_output_for_mask`). With `return_state` the states
of the forward copy, then of the backward one, follow the output(s).
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input
from .nested_config import deserialize_layer, serialize_layer
from .rnn import RNN

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _copy_layer(layer, **changes):
    config = layer.get_config()
    config.update(changes)
    return type(layer).from_config(config)


def _remove_prefix(name, prefix):
    return name.removeprefix(prefix)


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs; see `layer_bidirectional()`."""

    supports_masking = True

    def __init__(self, layer=None, merge_mode="concat", backward_layer=None, **kwargs):
        weights = kwargs.pop("weights", None)
        conventions.check_kwargs(kwargs, where="layer_bidirectional()")
        if isinstance(layer, dict):
            layer = deserialize_layer(layer, "layer")
        if isinstance(backward_layer, dict):
            backward_layer = deserialize_layer(backward_layer, "backward_layer")
        if not isinstance(layer, RNN):
            raise TypeError(f"`layer` must be a recurrent layer (layer_simple_rnn(), layer_lstm(), layer_gru(), "
                            f"layer_rnn()); received {type(layer).__name__}.")
        if backward_layer is not None and not isinstance(backward_layer, RNN):
            raise TypeError(f"`backward_layer` must be None or a recurrent layer; received "
                            f"{type(backward_layer).__name__}.")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"`merge_mode` must be one of 'sum', 'mul', 'ave', 'concat' or None; received "
                             f"{merge_mode!r}.")
        # the copies take the wrapper's dtype when the wrapped layer has none of its own
        dtype = {"dtype": kwargs["dtype"]} if kwargs.get("dtype") and layer._dtype is None else {}
        forward_layer = _copy_layer(layer, name=f"forward_{_remove_prefix(layer.name, 'forward_')}", **dtype)
        if backward_layer is None:
            backward_layer = _copy_layer(layer, go_backwards=True,
                                         name=f"backward_{_remove_prefix(layer.name, 'backward_')}", **dtype)
        if forward_layer.go_backwards == backward_layer.go_backwards:
            raise ValueError(f"The forward and backward layers must have different `go_backwards` values; both "
                             f"have {forward_layer.go_backwards}.")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(forward_layer, attr) != getattr(backward_layer, attr):
                raise ValueError(f"The forward and backward layers must have the same `{attr}`; received "
                                 f"{getattr(forward_layer, attr)} and {getattr(backward_layer, attr)}.")
        if weights is not None:
            weights = [np.asarray(w) for w in weights]
            if len(weights) % 2:
                raise ValueError(f"`weights` must hold the forward layer's weights then the backward layer's (an "
                                 f"even number of arrays); received {len(weights)}.")
        super().__init__(**kwargs)
        for sub in (forward_layer, backward_layer):
            sub.zero_output_for_mask = sub.return_sequences
            self._track_layer(sub)
        self.forward_layer, self.backward_layer = forward_layer, backward_layer
        self.merge_mode = merge_mode
        self.stateful = forward_layer.stateful
        self.return_sequences = forward_layer.return_sequences
        self.return_state = forward_layer.return_state
        self._initial_weights = weights

    # ----------------------------------------------------------------------------- shapes
    def build(self, input_shape):
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(input_shape)
                for v in sub.weights:
                    v.path = f"{self.name}/{v.path}"
        if self._initial_weights is not None:
            half = len(self._initial_weights) // 2
            self.forward_layer.set_weights(self._initial_weights[:half])
            self.backward_layer.set_weights(self._initial_weights[half:])
            self._initial_weights = None
        self.built = True

    def compute_output_shape(self, input_shape):
        out = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            out, states = out[0], out[1:]
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (None if out[-1] is None else 2 * out[-1],)
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return outs + states + states
        return outs if self.merge_mode is None else out

    def compute_mask(self, inputs, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out_mask = mask if self.return_sequences else None
        masks = [out_mask, out_mask] if self.merge_mode is None else [out_mask]
        if self.return_state:
            return masks + [None] * (2 * len(self.forward_layer.state_size))
        return masks if self.merge_mode is None else out_mask

    def reset_state(self):
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' must be stateful to reset its states.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        self.reset_state()

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return list(self.forward_layer.states) + list(self.backward_layer.states)
        return None

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        y, cache_f = self.forward_layer.forward(x, training=training, mask=mask)
        y_rev, cache_b = self.backward_layer.forward(x, training=training, mask=mask)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = np.ascontiguousarray(y_rev[:, ::-1])
        if self.merge_mode == "concat":
            out = [np.concatenate([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            out = [y + y_rev]
        elif self.merge_mode == "ave":
            out = [(y + y_rev) / y.dtype.type(2)]
        elif self.merge_mode == "mul":
            out = [y * y_rev]
        else:
            out = [y, y_rev]
        cache = (cache_f, cache_b, y, y_rev)
        outputs = out + states
        return (outputs if len(outputs) > 1 else outputs[0]), cache

    def backward(self, cache, grad_outputs):
        cache_f, cache_b, y, y_rev = cache
        n_out = 2 if self.merge_mode is None else 1
        grads = list(grad_outputs) if (self.merge_mode is None or self.return_state) else [grad_outputs]
        g_states = grads[n_out:]
        g = None if grads[0] is None else np.asarray(grads[0])
        if self.merge_mode is None:
            g_f, g_b = g, (None if grads[1] is None else np.asarray(grads[1]))
        elif g is None:
            g_f = g_b = None
        elif self.merge_mode == "concat":
            units = y.shape[-1]
            g_f, g_b = g[..., :units], g[..., units:]
        elif self.merge_mode == "sum":
            g_f = g_b = g
        elif self.merge_mode == "ave":
            g_f = g_b = g / g.dtype.type(2)
        else:
            g_f, g_b = g * y_rev, g * y
        if self.return_sequences and g_b is not None:
            g_b = g_b[:, ::-1]
        n = len(self.forward_layer.state_size)
        if self.return_state:
            g_f = [g_f] + list(g_states[:n])
            g_b = [g_b] + list(g_states[n:])
        dx_f, w_f = self.forward_layer.backward(cache_f, g_f)
        dx_b, w_b = self.backward_layer.backward(cache_b, g_b)
        return dx_f + dx_b, {**w_f, **w_b}

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({"merge_mode": self.merge_mode, "layer": serialize_layer(self.forward_layer),
                       "backward_layer": serialize_layer(self.backward_layer)})
        return config
