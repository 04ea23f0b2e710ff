"""R-style wrappers of the recurrent layers and cells: build the layer (or cell), compose it with `object`."""

import re
import textwrap

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.rnn.bidirectional import Bidirectional
from ..layers.rnn.conv_lstm1d import ConvLSTM1D
from ..layers.rnn.conv_lstm2d import ConvLSTM2D
from ..layers.rnn.conv_lstm3d import ConvLSTM3D
from ..layers.rnn.gru import GRU
from ..layers.rnn.gru_cell import GRUCell
from ..layers.rnn.lstm import LSTM
from ..layers.rnn.lstm_cell import LSTMCell
from ..layers.rnn.rnn import RNN
from ..layers.rnn.simple_rnn import SimpleRNN
from ..layers.rnn.simple_rnn_cell import SimpleRNNCell
from ..layers.rnn.stacked_rnn_cells import StackedRNNCells
from ..layers.rnn.time_distributed import TimeDistributed

__all__ = [
    "layer_bidirectional", "layer_conv_lstm_1d", "layer_conv_lstm_2d", "layer_conv_lstm_3d", "layer_gru",
    "layer_lstm", "layer_rnn", "layer_simple_rnn", "layer_time_distributed", "rnn_cell_gru", "rnn_cell_lstm",
    "rnn_cell_simple", "rnn_cells_stack",
]

# Parameter entries shared by the recurrent wrappers, expanded from `[[name]]` lines (before `shared_doc`).
_PIECES = {
    "units": """\
units : int
    Positive integer, dimensionality of the output space. Required.""",
    "activation": """\
activation : None or str
    Activation function to use. Default: hyperbolic tangent ("tanh"). None means linear
    (`a(x) = x`). The fused recurrent kernels accept "tanh", "sigmoid", "relu",
    "hard_sigmoid" and "linear"; any other value is a ValueError.""",
    "recurrent_activation": """\
recurrent_activation : None or str
    Activation function to use for the recurrent step (the gates). Default: sigmoid
    ("sigmoid"). Same accepted values as `activation`.""",
    "weights": """\
use_bias : bool
    Whether the layer uses a bias vector.
kernel_initializer : str, initializer or callable
    Initializer for the `kernel` weights matrix, used for the linear transformation of the
    inputs. Default: "glorot_uniform".
recurrent_initializer : str, initializer or callable
    Initializer for the `recurrent_kernel` weights matrix, used for the linear transformation of
    the recurrent state. Default: "orthogonal".
bias_initializer : str, initializer or callable
    Initializer for the bias vector. Default: "zeros".""",
    "unit_forget_bias": """\
unit_forget_bias : bool
    If True, add 1 to the bias of the forget gate at initialization (the forget block of the
    bias starts at ones, whatever `bias_initializer`), as recommended by Jozefowicz et al.""",
    "regularizers": """\
kernel_regularizer : None, str, regularizer or callable
    Regularizer function applied to the `kernel` weights matrix.
recurrent_regularizer : None, str, regularizer or callable
    Regularizer function applied to the `recurrent_kernel` weights matrix.
bias_regularizer : None, str, regularizer or callable
    Regularizer function applied to the bias vector.""",
    "activity_regularizer": """\
activity_regularizer : None
    Regularizer function applied to the output of the layer. Not supported by rkeras: only
    None is accepted, anything else is a ValueError.""",
    "constraints": """\
kernel_constraint : None, str, constraint or callable
    Constraint function applied to the `kernel` weights matrix.
recurrent_constraint : None, str, constraint or callable
    Constraint function applied to the `recurrent_kernel` weights matrix.
bias_constraint : None, str, constraint or callable
    Constraint function applied to the bias vector.""",
    "dropout": """\
dropout : float
    Float between 0 and 1. Fraction of the units to drop for the linear transformation of the
    inputs (training only; one mask per call, shared by all timesteps).
recurrent_dropout : float
    Float between 0 and 1. Fraction of the units to drop for the linear transformation of the
    recurrent state (training only; one mask per call, per gate block as Keras).""",
    "seed": """\
seed : None or int
    Random seed for dropout.""",
    "sequence_options": """\
return_sequences : bool
    Whether to return the last output in the output sequence, or the full sequence. Default
    False.
return_state : bool
    Whether to return the last state in addition to the output (the result is then a list:
    the output, then the states). Default False.
go_backwards : bool
    If True, process the input sequence backwards and return the reversed sequence (the
    sequence output is in processing order, as Keras). Default False.
stateful : bool
    If True, the last state for each sample at index i in a batch will be used as initial state
    for the sample of index i in the following batch (the batch size must stay the same; reset
    with `layer$reset_state()`, i.e. `layer.reset_state()`). Default False.
unroll : bool
    Accepted for compatibility: the time loop is compiled (Numba) whether or not it is
    "unrolled", with the same results. Default False.""",
    "use_cudnn": """\
use_cudnn : str or bool
    "auto" (default) or False: rkeras runs on the CPU and has no cuDNN; True is a ValueError.""",
    "call_args": """\
inputs : array or tensor
    A 3D tensor, with shape `(batch, timesteps, feature)`.
mask : bool array, optional
    Binary tensor of shape `(batch, timesteps)` indicating whether a given timestep should be
    masked (False) or not (True); given automatically after `layer_embedding(mask_zero=TRUE)`
    or `layer_masking()`. A masked step keeps the states of the sample and its output is the
    previous output.
training : bool
    Whether the layer should behave in training mode or in inference mode. Only relevant if
    `dropout` or `recurrent_dropout` is used.""",
    "returns": """\
The return value depends on the value provided for the first argument. If `object` is:

- a `keras_model_sequential()`, then the layer is added to the sequential model (which is
  modified in place). To enable piping, the sequential model is also returned.
- a `keras_input()` (or any symbolic tensor), then the output tensor from calling
  `layer(input)` is returned: `(batch, units)`, or `(batch, timesteps, units)` with
  `return_sequences`; a list of the output and the states with `return_state`.
- a numpy array, then the layer is called on it and the output array (or list) is returned.
- None or missing, then a `Layer` instance is returned.""",
    "conv_lstm_args": """\
filters : int
    The dimension of the output space (the number of filters of the convolutions, the channels
    of the states). Required.
kernel_size : int or list of int
    The size of the convolution window, one integer per spatial dimension (one integer means
    the same size for every dimension). Required.
strides : int or list of int
    The strides of the input convolution. `strides > 1` is incompatible with `dilation_rate > 1`.
    (The recurrent convolution always has stride 1 and `"same"` padding.)
padding : str
    `"valid"` (no padding) or `"same"` (zeros evenly around the input so that, with stride 1, the
    output has the spatial shape of the input); case-insensitive.
data_format : None or str
    `"channels_last"` (inputs `(batch, time, ..., channels)`) or `"channels_first"` (inputs
    `(batch, time, channels, ...)`). None means `"channels_last"`.
dilation_rate : int or list of int
    The dilation rate of the input convolution.""",
    "conv_lstm_options": """\
return_sequences : bool
    Whether to return the last output in the output sequence, or the full sequence. Default
    False.
return_state : bool
    Whether to return the last state in addition to the output (the result is then a list:
    the output, then the states h and c). Default False.
go_backwards : bool
    If True, process the input sequence backwards and return the reversed sequence. Default
    False.
stateful : bool
    If True, the last state for each sample at index i in a batch will be used as initial state
    for the sample of index i in the following batch. Default False.
unroll : None or bool
    Accepted for compatibility (the time loop runs the same either way).""",
    "conv_lstm_call_args": """\
inputs : array or tensor
    A `(3 + rank)`-D tensor `(batch, timesteps, *spatial, channels)` (channels-last) or
    `(batch, timesteps, channels, *spatial)` (channels-first).
mask : bool array, optional
    Binary tensor of shape `(batch, timesteps)`: a masked step (False) keeps the states of the
    sample and its output is the previous output.
training : bool
    Whether the layer should behave in training mode or in inference mode. Only relevant if
    `dropout` or `recurrent_dropout` is used.""",
    "conv_lstm_math": """\
At each timestep, with the gate blocks i, f, c, o (in this order) of the weights:
`z = conv(x_t, kernel) + conv(h_prev, recurrent_kernel) + bias`; `i, f, o` are
`recurrent_activation` of their blocks; `c = f * c_prev + i * activation(z_c)`;
`h = o * activation(c)`. The input convolution has the layer's `strides`, `padding` and
`dilation_rate`; the recurrent one stride 1 and `"same"` padding. Weights: `kernel`
`(*kernel_size, channels, 4 * filters)`, `recurrent_kernel` `(*kernel_size, filters, 4 *
filters)`, `bias` `(4 * filters,)`, as Keras 3 (paths `<layer>/conv_lstm_cell/kernel`, ...).
The convolutions are patch gathers (Numba) and BLAS products (the input one for all steps at
once); the gates run in the fused LSTM kernels. With `dropout` / `recurrent_dropout`, one mask
per gate block of a step's input (state) shape is drawn per call and used at every step.""",
    "conv_lstm_returns": """\
The return value depends on the value provided for the first argument. If `object` is:

- a `keras_model_sequential()`, then the layer is added to the sequential model (which is
  modified in place). To enable piping, the sequential model is also returned.
- a `keras_input()` (or any symbolic tensor), then the output tensor from calling
  `layer(input)` is returned: `(batch, *new_spatial, filters)` (channels-last) or `(batch,
  filters, *new_spatial)`, with `return_sequences` `(batch, timesteps, ...)`; a list of the
  output and the states h and c with `return_state`.
- a numpy array, then the layer is called on it and the output array (or list) is returned.
- None or missing, then a `Layer` instance is returned.""",
    "cell_kwargs": """\
**kwargs
    Base layer keyword arguments: `name`, `dtype`, `trainable`. Any other name is a TypeError.""",
}

_LOCAL = re.compile(r"^(?P<indent>[ \t]*)\[\[(?P<name>\w+)\]\][ \t]*$", re.MULTILINE)


def _pieces(fn):
    fn.__doc__ = _LOCAL.sub(lambda m: textwrap.indent(_PIECES[m["name"]], m["indent"]), fn.__doc__)
    return shared_doc(fn)


@_pieces
def layer_simple_rnn(object=None, units=None, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                     recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                     recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                     recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                     stateful=False, unroll=False, seed=None, **kwargs):
    """Fully-connected RNN where the output is to be fed back as the new input.

    At each timestep, `h = activation(x_t @ kernel + bias + h_prev @ recurrent_kernel)`; the
    output is `h`, the single state. Weights, created at the first call: `kernel`
    `(input_dim, units)`, `recurrent_kernel` `(units, units)`, `bias` `(units,)` (paths
    `simple_rnn/simple_rnn_cell/kernel`, ..., as Keras 3). The time loop runs compiled (Numba),
    with the matrix products through BLAS.

    Parameters
    ----------
    {{layer_object}}
    [[units]]
    [[activation]]
    [[weights]]
    [[regularizers]]
    [[activity_regularizer]]
    [[constraints]]
    [[dropout]]
    [[sequence_options]]
    [[seed]]
    {{layer_kwargs}}

    Call arguments
    --------------
    [[call_args]]

    Returns
    -------
    [[returns]]

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(32, 10, 8)).astype("float32")
    >>> layer_simple_rnn(x, units=4).shape
    (32, 4)
    >>> out = layer_simple_rnn(x, units=4, return_sequences=True, return_state=True)
    >>> [o.shape for o in out]
    [(32, 10, 4), (32, 4)]
    """
    check_object(object, "layer_simple_rnn(units={!r})")
    layer = SimpleRNN(units=units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                      recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                      kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                      bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                      kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                      bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                      return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                      stateful=stateful, unroll=unroll, seed=seed, **kwargs)
    return compose(layer, object)


@_pieces
def layer_lstm(object=None, units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
               kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
               unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
               activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
               dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
               go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
    """Long Short-Term Memory layer - Hochreiter 1997.

    At each timestep, with the gate blocks i, f, c, o (in this order) of the weights:
    `z = x_t @ kernel + h_prev @ recurrent_kernel + bias`; `i, f, o` are
    `recurrent_activation` of their blocks; `c = f * c_prev + i * activation(z_c)`;
    `h = o * activation(c)`. The output is `h`; the states are `[h, c]`. Weights, created at the
    first call: `kernel` `(input_dim, 4 * units)`, `recurrent_kernel` `(units, 4 * units)`,
    `bias` `(4 * units,)` (paths `lstm/lstm_cell/kernel`, ..., as Keras 3, so weights carry
    over). The time loop runs compiled (Numba): the input projection of all timesteps is one
    BLAS product, the recurrent product one per step, the gates fused; backward through time the
    same, and the weight gradients are one product over all steps.

    Parameters
    ----------
    {{layer_object}}
    [[units]]
    [[activation]]
    [[recurrent_activation]]
    [[weights]]
    [[unit_forget_bias]]
    [[regularizers]]
    [[activity_regularizer]]
    [[constraints]]
    [[dropout]]
    [[seed]]
    [[sequence_options]]
    [[use_cudnn]]
    {{layer_kwargs}}

    Call arguments
    --------------
    [[call_args]]

    Returns
    -------
    [[returns]]

    Examples
    --------
    >>> model = (keras_model_sequential(input_shape=(10, 8)) | layer_lstm(units=16)
    ...          | layer_dense(units=1))
    >>> x = keras_input(shape=(None,), dtype="int32")
    >>> h = x | layer_embedding(input_dim=100, output_dim=8, mask_zero=True) | layer_lstm(units=4)
    """
    check_object(object, "layer_lstm(units={!r})")
    layer = LSTM(units=units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                 kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                 bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                 kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                 bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                 kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                 bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
                 return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                 stateful=stateful, unroll=unroll, use_cudnn=use_cudnn, **kwargs)
    return compose(layer, object)


@_pieces
def layer_gru(object=None, units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
              kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
              kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
              kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
              recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
              stateful=False, unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
    """Gated Recurrent Unit - Cho et al. 2014.

    At each timestep, with the gate blocks z (update), r (reset), h (candidate) of the weights:
    `z`, `r` are `recurrent_activation` of `x_t @ kernel + h_prev @ recurrent_kernel` (+ biases);
    with `reset_after = TRUE` (default, the cuDNN-compatible variant)
    `hh = activation(x_t W_h + b_h + r * (h_prev U_h + rb_h))`, otherwise
    `hh = activation(x_t W_h + b_h + (r * h_prev) U_h)`; then `h = z * h_prev + (1 - z) * hh`.
    Weights: `kernel` `(input_dim, 3 * units)`, `recurrent_kernel` `(units, 3 * units)`, `bias`
    `(2, 3 * units)` with `reset_after` (input bias, recurrent bias) or `(3 * units,)` (paths
    `gru/gru_cell/kernel`, ..., as Keras 3). The time loop runs compiled (Numba), the matrix
    products through BLAS.

    Parameters
    ----------
    {{layer_object}}
    [[units]]
    [[activation]]
    [[recurrent_activation]]
    [[weights]]
    [[regularizers]]
    [[activity_regularizer]]
    [[constraints]]
    [[dropout]]
    [[seed]]
    [[sequence_options]]
    reset_after : bool
        GRU convention (whether to apply the reset gate after or before the matrix
        multiplication). True = "after" (default, the cuDNN-compatible variant).
    [[use_cudnn]]
    {{layer_kwargs}}

    Call arguments
    --------------
    [[call_args]]

    Returns
    -------
    [[returns]]

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(32, 10, 8)).astype("float32")
    >>> layer_gru(x, units=4).shape
    (32, 4)
    """
    check_object(object, "layer_gru(units={!r})")
    layer = GRU(units=units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
                recurrent_dropout=recurrent_dropout, seed=seed, return_sequences=return_sequences,
                return_state=return_state, go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                reset_after=reset_after, use_cudnn=use_cudnn, **kwargs)
    return compose(layer, object)


@_pieces
def layer_rnn(object=None, cell=None, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
              unroll=False, zero_output_for_mask=False, **kwargs):
    """Base class for recurrent layers.

    Runs `cell` over the timesteps of its input. `cell` is one of `rnn_cell_simple()`,
    `rnn_cell_lstm()`, `rnn_cell_gru()`, a list of them or `rnn_cells_stack()` (stacked cells:
    each reads the output of the one below at the same step, and the states are those of every
    cell in order, as one flat list). The cell's weights take the layer's name as prefix
    (`rnn/lstm_cell/kernel`, as Keras 3).

    Parameters
    ----------
    {{layer_object}}
    cell : cell or list of cells
        An RNN cell (`rnn_cell_simple()`, `rnn_cell_lstm()`, `rnn_cell_gru()`), a list of cells
        (stacked, as `rnn_cells_stack()`), or `rnn_cells_stack()`. Required.
    [[sequence_options]]
    zero_output_for_mask : bool
        Whether the output should use zeros for the masked timesteps (otherwise a masked step
        outputs the previous output). Only relevant with `return_sequences` and a mask.
    {{layer_kwargs}}

    Call arguments
    --------------
    [[call_args]]

    Returns
    -------
    [[returns]]

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(8, 5, 3)).astype("float32")
    >>> layer_rnn(x, cell=rnn_cell_lstm(units=4)).shape
    (8, 4)
    >>> layer_rnn(x, cell=[rnn_cell_gru(units=6), rnn_cell_gru(units=2)]).shape
    (8, 2)
    """
    check_object(object, "layer_rnn(cell={!r})")
    layer = RNN(cell=cell, return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                stateful=stateful, unroll=unroll, zero_output_for_mask=zero_output_for_mask, **kwargs)
    return compose(layer, object)


@_pieces
def layer_bidirectional(object=None, layer=None, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
    """Bidirectional wrapper for RNNs.

    Runs a copy of `layer` over the sequence (named `forward_<name>`) and a second copy with
    `go_backwards = TRUE` (`backward_<name>`), or `backward_layer`, over the reversed sequence,
    and merges their outputs. With `return_sequences`, the backward outputs are put back in
    time order before merging, and masked steps output zeros. With `return_state`, the states of
    the forward layer, then of the backward layer, follow the output(s).

    Parameters
    ----------
    {{layer_object}}
    layer : Layer
        A recurrent layer: `layer_simple_rnn()`, `layer_lstm()`, `layer_gru()` or `layer_rnn()`
        (called without `object`). Its config is copied for both directions. Required.
    merge_mode : None or str
        Mode by which outputs of the forward and backward RNNs will be combined. One of
        "sum", "mul", "concat", "ave", None. If None, the outputs will not be combined, they
        will be returned as a list. Default "concat".
    weights : None or list of arrays
        Initial weights: those of the forward layer, then those of the backward layer (set when
        the layer is built).
    backward_layer : None or Layer
        Optional recurrent layer to handle backwards input processing. If None, the backward
        layer is a copy of `layer` with `go_backwards = TRUE`. It must have the opposite
        `go_backwards` and the same `stateful`, `return_sequences` and `return_state` as `layer`.
    {{layer_kwargs}}

    Call arguments
    --------------
    [[call_args]]

    Returns
    -------
    [[returns]]

    Examples
    --------
    >>> model = (keras_model_sequential(input_shape=(5, 10))
    ...          | layer_bidirectional(layer=layer_lstm(units=10, return_sequences=True))
    ...          | layer_bidirectional(layer=layer_lstm(units=10)) | layer_dense(units=5))
    """
    check_object(object, "layer_bidirectional(layer=...)")
    if weights is not None:
        kwargs["weights"] = weights
    wrapper = Bidirectional(layer=layer, merge_mode=merge_mode, backward_layer=backward_layer, **kwargs)
    return compose(wrapper, object)


@shared_doc
def layer_time_distributed(object=None, layer=None, **kwargs):
    """This layer wrapper allows to apply a layer to every temporal slice of an input.

    Every input should be at least 3D, and the dimension of index one of the first input will be
    considered to be the temporal dimension. The wrapped layer is applied, with the same weights,
    to every timestep: an input `(batch, timesteps, ...)` is computed as one batch of
    `batch * timesteps` samples.

    Parameters
    ----------
    {{layer_object}}
    layer : Layer
        A layer instance (e.g. `layer_dense(units = 8)`). Required.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of shape `(batch, timesteps, ...)`.
    training : bool
        Passed to the wrapped layer.
    mask : bool array, optional
        Binary tensor of shape `(batch, timesteps)`, passed on to the next layers (and to the
        wrapped layer, reshaped to `(batch * timesteps)`).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, timesteps, ...)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = keras_input(shape=(10, 16))
    >>> layer_time_distributed(x, layer=layer_dense(units=8)).shape
    (None, 10, 8)
    """
    check_object(object, "layer_time_distributed(layer=...)")
    wrapper = TimeDistributed(layer=layer, **kwargs)
    return compose(wrapper, object)


# ------------------------------------------------------------------------------------------------ cells
@_pieces
def rnn_cell_simple(units=None, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                    recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                    recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                    recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                    **kwargs):
    """Cell class for SimpleRNN.

    Processes one timestep of `layer_rnn()`: `h = activation(x_t @ kernel + bias + h_prev @
    recurrent_kernel)`. Use it inside `layer_rnn(cell = ...)`; for the whole-sequence layer use
    `layer_simple_rnn()`.

    Parameters
    ----------
    [[units]]
    [[activation]]
    [[weights]]
    [[regularizers]]
    [[constraints]]
    [[dropout]]
    [[seed]]
    [[cell_kwargs]]

    Returns
    -------
    A cell, for `layer_rnn()` or `rnn_cells_stack()`.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(8, 5, 3)).astype("float32")
    >>> layer_rnn(x, cell=rnn_cell_simple(units=4)).shape
    (8, 4)
    """
    return SimpleRNNCell(units=units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)


@_pieces
def rnn_cell_lstm(units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                  kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                  unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                  kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                  recurrent_dropout=0.0, seed=None, **kwargs):
    """Cell class for the LSTM layer.

    Processes one timestep of `layer_rnn()` (see `layer_lstm()` for the equations); its states
    are `[h, c]`. Use it inside `layer_rnn(cell = ...)`.

    Parameters
    ----------
    [[units]]
    [[activation]]
    [[recurrent_activation]]
    [[weights]]
    [[unit_forget_bias]]
    [[regularizers]]
    [[constraints]]
    [[dropout]]
    [[seed]]
    [[cell_kwargs]]

    Returns
    -------
    A cell, for `layer_rnn()` or `rnn_cells_stack()`.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(8, 5, 3)).astype("float32")
    >>> layer_rnn(x, cell=rnn_cell_lstm(units=4)).shape
    (8, 4)
    """
    return LSTMCell(units=units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                    kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                    bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                    kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                    bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                    recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
                    recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)


@_pieces
def rnn_cell_gru(units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
    """Cell class for the GRU layer.

    Processes one timestep of `layer_rnn()` (see `layer_gru()` for the equations). Use it inside
    `layer_rnn(cell = ...)`.

    Parameters
    ----------
    [[units]]
    [[activation]]
    [[recurrent_activation]]
    [[weights]]
    [[regularizers]]
    [[constraints]]
    [[dropout]]
    reset_after : bool
        GRU convention (whether to apply the reset gate after or before the matrix
        multiplication). True = "after" (default, the cuDNN-compatible variant).
    [[seed]]
    [[cell_kwargs]]

    Returns
    -------
    A cell, for `layer_rnn()` or `rnn_cells_stack()`.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(8, 5, 3)).astype("float32")
    >>> layer_rnn(x, cell=rnn_cell_gru(units=4)).shape
    (8, 4)
    """
    return GRUCell(units=units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                   kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                   bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                   recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                   kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                   bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                   reset_after=reset_after, seed=seed, **kwargs)


@_pieces
def rnn_cells_stack(cells=None, **kwargs):
    """Wrapper allowing a stack of RNN cells to behave as a single cell.

    Used to implement efficient stacked RNNs: at each timestep the first cell reads the input and
    each next cell the output of the one below; the output is the last cell's. The states are
    those of every cell, in order, as one flat list.

    Parameters
    ----------
    cells : list of cells
        List of RNN cell instances (`rnn_cell_simple()`, `rnn_cell_lstm()`, `rnn_cell_gru()`).
    [[cell_kwargs]]

    Returns
    -------
    A cell, for `layer_rnn()`.

    Examples
    --------
    >>> cells = rnn_cells_stack(cells=[rnn_cell_lstm(units=8), rnn_cell_lstm(units=4)])
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    >>> layer_rnn(x, cell=cells).shape
    (2, 4)
    """
    return StackedRNNCells(cells=cells, **kwargs)


@_pieces
def layer_conv_lstm_1d(object=None, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None,
                       dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                       kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                       bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                       recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                       kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                       recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                       go_backwards=False, stateful=False, unroll=None, **kwargs):
    """1D Convolutional LSTM.

    Similar to an LSTM layer, but the input transformations and recurrent transformations are
    both convolutional, over the steps of each timestep's sequence.

    [[conv_lstm_math]]

    Parameters
    ----------
    {{layer_object}}
    [[conv_lstm_args]]
    [[activation]]
    [[recurrent_activation]]
    [[weights]]
    [[unit_forget_bias]]
    [[regularizers]]
    [[activity_regularizer]]
    [[constraints]]
    [[dropout]]
    [[seed]]
    [[conv_lstm_options]]
    {{layer_kwargs}}

    Call arguments
    --------------
    [[conv_lstm_call_args]]

    Returns
    -------
    [[conv_lstm_returns]]

    References
    ----------
    - Shi et al., "Convolutional LSTM Network: A Machine Learning Approach for Precipitation
      Nowcasting", 2015 (the current implementation does not include the feedback loop on the
      cells output).

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 8, 3))
    >>> layer_conv_lstm_1d(x, filters=4, kernel_size=3, padding="same").shape
    (2, 8, 4)
    """
    check_object(object, "layer_conv_lstm_1d(filters={!r}, kernel_size=...)")
    layer = ConvLSTM1D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                       data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                       recurrent_activation=recurrent_activation, use_bias=use_bias,
                       kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                       kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                       kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                       seed=seed, return_sequences=return_sequences, return_state=return_state,
                       go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
    return compose(layer, object)


@_pieces
def layer_conv_lstm_2d(object=None, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None,
                       dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                       kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                       bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                       recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                       kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                       recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                       go_backwards=False, stateful=False, unroll=None, **kwargs):
    """2D Convolutional LSTM.

    Similar to an LSTM layer, but the input transformations and recurrent transformations are
    both convolutional, over the rows and columns of each timestep's image.

    [[conv_lstm_math]]

    Parameters
    ----------
    {{layer_object}}
    [[conv_lstm_args]]
    [[activation]]
    [[recurrent_activation]]
    [[weights]]
    [[unit_forget_bias]]
    [[regularizers]]
    [[activity_regularizer]]
    [[constraints]]
    [[dropout]]
    [[seed]]
    [[conv_lstm_options]]
    {{layer_kwargs}}

    Call arguments
    --------------
    [[conv_lstm_call_args]]

    Returns
    -------
    [[conv_lstm_returns]]

    References
    ----------
    - Shi et al., "Convolutional LSTM Network: A Machine Learning Approach for Precipitation
      Nowcasting", 2015 (the current implementation does not include the feedback loop on the
      cells output).

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 8, 8, 3))
    >>> layer_conv_lstm_2d(x, filters=4, kernel_size=3, padding="same").shape
    (2, 8, 8, 4)
    """
    check_object(object, "layer_conv_lstm_2d(filters={!r}, kernel_size=...)")
    layer = ConvLSTM2D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                       data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                       recurrent_activation=recurrent_activation, use_bias=use_bias,
                       kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                       kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                       kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                       seed=seed, return_sequences=return_sequences, return_state=return_state,
                       go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
    return compose(layer, object)


@_pieces
def layer_conv_lstm_3d(object=None, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None,
                       dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                       kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                       bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                       recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                       kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                       recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                       go_backwards=False, stateful=False, unroll=None, **kwargs):
    """3D Convolutional LSTM.

    Similar to an LSTM layer, but the input transformations and recurrent transformations are
    both convolutional, over the depth, rows and columns of each timestep's volume.

    [[conv_lstm_math]]

    Parameters
    ----------
    {{layer_object}}
    [[conv_lstm_args]]
    [[activation]]
    [[recurrent_activation]]
    [[weights]]
    [[unit_forget_bias]]
    [[regularizers]]
    [[activity_regularizer]]
    [[constraints]]
    [[dropout]]
    [[seed]]
    [[conv_lstm_options]]
    {{layer_kwargs}}

    Call arguments
    --------------
    [[conv_lstm_call_args]]

    Returns
    -------
    [[conv_lstm_returns]]

    References
    ----------
    - Shi et al., "Convolutional LSTM Network: A Machine Learning Approach for Precipitation
      Nowcasting", 2015 (the current implementation does not include the feedback loop on the
      cells output).

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 3, 4, 4, 4, 2))
    >>> layer_conv_lstm_3d(x, filters=4, kernel_size=3, padding="same").shape
    (2, 4, 4, 4, 4)
    """
    check_object(object, "layer_conv_lstm_3d(filters={!r}, kernel_size=...)")
    layer = ConvLSTM3D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                       data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                       recurrent_activation=recurrent_activation, use_bias=use_bias,
                       kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                       kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                       kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                       seed=seed, return_sequences=return_sequences, return_state=return_state,
                       go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
    return compose(layer, object)
