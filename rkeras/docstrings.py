"""Documentation shared by many functions, written once (roxygen's `@inheritParams` in R keras3).

A docstring marks a shared piece with a line holding only `{{name}}`; `shared_doc` replaces that line by
`SECTIONS[name]`, indented like the marker, when the function is defined. `help()` and the generated
`man/` pages (rkeras.tools.document) both see the complete text. `inherit_parameters(cls, fn)` copies the
entries of a function's "Parameters" section to a class that takes the same arguments (a loss class and its
`loss_*()` function, an optimizer class and its `optimizer_*()`).

    @shared_doc
    def layer_flatten(object=None, data_format=None, **kwargs):
        '''...
        Parameters
        ----------
        {{layer_object}}
        ...
        '''
"""

import inspect
import re
import textwrap

SECTIONS = {
    # Parameters of the `layer_*` wrappers
    "layer_object": """\
object : None, model, tensor or array
    Object to compose the layer with. A tensor, array, or sequential model. See "Returns".""",
    "layer_kwargs": """\
**kwargs
    Base layer keyword arguments: `name`, `dtype`, `trainable`, `input_shape`, `batch_size`,
    `input_dim`. Any other name is a TypeError.""",
    "data_format_2d": """\
data_format : None or str
    `"channels_last"` (inputs `(batch, height, width, channels)`) or `"channels_first"`
    (inputs `(batch, channels, height, width)`). None means `"channels_last"`.""",
    "data_format_3d": """\
data_format : None or str
    `"channels_last"` (inputs `(batch, depth, height, width, channels)`) or `"channels_first"`
    (inputs `(batch, channels, depth, height, width)`). None means `"channels_last"`.""",
    # "Returns" of the `layer_*` wrappers: the bullet for a symbolic tensor, which names the output
    # shape, stands between these two
    "layer_returns_head": """\
The return value depends on the value provided for the first argument. If `object` is:

- a `keras_model_sequential()`, then the layer is added to the sequential model (which is
  modified in place). To enable piping, the sequential model is also returned.""",
    "layer_returns_tail": """\
- a numpy array, then the layer is called on it and the output array is returned.
- None or missing, then a `Layer` instance is returned.""",
    # "Returns" of the merge layers (add, multiply, concatenate)
    "merge_returns": """\
The return value depends on the value provided for the first argument. If `object` (with
`*inputs`) is:

- a list of symbolic tensors (from `keras_input()` or layer calls), then the output tensor
  from calling `layer(list)` is returned, for functional models.
- a list of numpy arrays, then the layer is called on it and the output array is returned.
- one tensor or array (not a list) and no `*inputs`, then the layer waits for its first input:
  `x | layer_add(y)` (R's `x |> layer_add(y)`) merges `[x, y]`.
- None or missing, then a `Layer` instance is returned.""",
    # the convolution layers (1D, 2D): groups, activation and the weights' initializers, regularizers and
    # constraints
    "conv_args": """\
groups : int
    A positive integer specifying the number of groups in which the input is split along the
    channel axis. Each group is convolved separately with `filters / groups` filters. The
    output is the concatenation of all the groups results along the channel axis. Input
    channels and `filters` must both be divisible by `groups`.
activation : None, str or callable
    Activation function. If None, no activation is applied. A name ("relu", "sigmoid",
    "tanh", "softmax", ... see `layer_dense()`) or a plain elementwise function `f(x)`.
use_bias : bool
    If True, bias will be added to the output.
kernel_initializer : str, initializer or callable
    Initializer for the convolution kernel. If None, the default initializer
    (`"glorot_uniform"`) will be used.
bias_initializer : str, initializer or callable
    Initializer for the bias vector. If None, the default initializer (`"zeros"`) will be used.
kernel_regularizer : None, str, regularizer or callable
    Optional regularizer for the convolution kernel (its penalty is added to the training loss).
bias_regularizer : None, str, regularizer or callable
    Optional regularizer for the bias vector.
activity_regularizer : None
    Optional regularizer function for the output. Not supported by rkeras: only None is
    accepted, anything else is a ValueError.
kernel_constraint : None, str, constraint or callable
    Optional projection function to be applied to the kernel after being updated by an
    optimizer (e.g. to implement norm constraints or value constraints for layer weights).
bias_constraint : None, str, constraint or callable
    Optional projection function to be applied to the bias after being updated by an optimizer.""",
    # the 2D pooling layers (max, average): their arguments, the output shape, the bullet of "Returns" for a
    # symbolic tensor
    "pooling_2d_args": """\
pool_size : int or list of 2 int
    Size of the pooling window (rows, cols); one integer means the same size for both
    dimensions.
strides : None, int or list of 2 int
    How far the pooling window moves for each pooling step; one integer means the same stride
    for both dimensions. None (default) means `pool_size`.
padding : str
    `"valid"` (no padding) or `"same"` (case-insensitive): see above.""",
    "pooling_3d_args": """\
pool_size : int or list of 3 int
    Size of the pooling window (depth, rows, cols); one integer means the same size for the
    three dimensions.
strides : None, int or list of 3 int
    How far the pooling window moves for each pooling step; one integer means the same stride
    for the three dimensions. None (default) means `pool_size`.
padding : str
    `"valid"` (no padding) or `"same"` (case-insensitive): see above.""",
    "pooling_2d_output_shape": """\
The resulting output when using the `"valid"` padding option has a spatial shape (number of
rows or columns) of `output_shape = floor((input_shape - pool_size) / strides) + 1` (when
`input_shape >= pool_size`). The resulting output shape when using the `"same"` padding
option is `output_shape = ceil(input_shape / strides)`.""",
    "pooling_2d_returns_tensor": """\
- a `keras_input()` (or any symbolic tensor), then the output tensor from calling
  `layer(input)` is returned: `(batch, pooled_rows, pooled_cols, channels)` (channels-last)
  or `(batch, channels, pooled_rows, pooled_cols)` (channels-first).""",
    "global_pooling_2d_returns_tensor": """\
- a `keras_input()` (or any symbolic tensor), then the output tensor from calling
  `layer(input)` is returned: `(batch, channels)`, or with `keepdims` `(batch, 1, 1, channels)`
  (channels-last) / `(batch, channels, 1, 1)` (channels-first).""",
    # the transposed, depthwise and separable convolutions: activation and the weights' options
    "conv_weights_args": """\
activation : None, str or callable
    Activation function. If None, no activation is applied. A name ("relu", "sigmoid",
    "tanh", "softmax", ... see `layer_dense()`) or a plain elementwise function `f(x)`.
use_bias : bool
    If True, bias will be added to the output.
kernel_initializer : str, initializer or callable
    Initializer for the convolution kernel. If None, the default initializer
    (`"glorot_uniform"`) will be used.
bias_initializer : str, initializer or callable
    Initializer for the bias vector. If None, the default initializer (`"zeros"`) will be used.
kernel_regularizer : None, str, regularizer or callable
    Optional regularizer for the convolution kernel (its penalty is added to the training loss).
bias_regularizer : None, str, regularizer or callable
    Optional regularizer for the bias vector.
activity_regularizer : None
    Optional regularizer function for the output. Not supported by rkeras: only None is
    accepted, anything else is a ValueError.
kernel_constraint : None, str, constraint or callable
    Optional projection function to be applied to the kernel after being updated by an
    optimizer (e.g. to implement norm constraints or value constraints for layer weights).
bias_constraint : None, str, constraint or callable
    Optional projection function to be applied to the bias after being updated by an optimizer.""",
    "depthwise_weights_args": """\
activation : None, str or callable
    Activation function. If None, no activation is applied. A name ("relu", "sigmoid",
    "tanh", "softmax", ... see `layer_dense()`) or a plain elementwise function `f(x)`.
use_bias : bool
    If True, bias will be added to the output.
depthwise_initializer : str, initializer or callable
    Initializer for the depthwise convolution kernel. If None, the default initializer
    (`"glorot_uniform"`) will be used.
bias_initializer : str, initializer or callable
    Initializer for the bias vector. If None, the default initializer (`"zeros"`) will be used.
depthwise_regularizer : None, str, regularizer or callable
    Optional regularizer for the depthwise convolution kernel.
bias_regularizer : None, str, regularizer or callable
    Optional regularizer for the bias vector.
activity_regularizer : None
    Optional regularizer function for the output. Not supported by rkeras: only None is
    accepted, anything else is a ValueError.
depthwise_constraint : None, str, constraint or callable
    Optional projection function to be applied to the depthwise kernel after being updated by
    an optimizer (e.g. to implement norm constraints or value constraints for layer weights).
bias_constraint : None, str, constraint or callable
    Optional projection function to be applied to the bias after being updated by an optimizer.""",
    "pointwise_weights_args": """\
pointwise_initializer : str, initializer or callable
    Initializer for the pointwise convolution kernel. If None, the default initializer
    (`"glorot_uniform"`) will be used.
pointwise_regularizer : None, str, regularizer or callable
    Optional regularizer for the pointwise convolution kernel.
pointwise_constraint : None, str, constraint or callable
    Optional projection function to be applied to the pointwise kernel after being updated by
    an optimizer.""",
    # the random affine augmentation layers (rotation, zoom, translation)
    "affine_fill_args": """\
fill_mode : str
    How points outside the boundaries of the input are filled: `"reflect"` (`(d c b a | a b c d
    | d c b a)`, reflecting about the edge of the last pixel), `"constant"` (`(k k k k | a b c
    d | k k k k)`, with `k = fill_value`), `"wrap"` (`(a b c d | a b c d | a b c d)`) or
    `"nearest"` (`(a a a a | a b c d | d d d d)`).
interpolation : str
    `"bilinear"` or `"nearest"`.
seed : None or int
    A non-negative integer seeds the layer's random generator: its sequence of transformations
    repeats. None derives the generator from the package-wide random state
    (`set_random_seed()`).
fill_value : float
    The value to fill points outside the boundaries with when `fill_mode = "constant"`.""",
    "augmentation_note": """\
The layer is active only in training (in `fit()`, or a call with `training = TRUE`); in
inference (the default of an eager call, `predict()` and `evaluate()`) it returns its input
unchanged. The random draws come from the layer's own generator, made when the layer is
created from `seed` (or, without a seed, from the package-wide state that
`set_random_seed()` resets). The gradient flows back to the input through the sampled
transformation (a linear map of the image).""",
    "color_augmentation_note": """\
The layer is active only in training (in `fit()`, or a call with `training = TRUE`); in
inference (the default of an eager call, `predict()` and `evaluate()`) it returns its input
unchanged. The random draws come from the layer's own generator, made when the layer is
created from `seed` (or, without a seed, from the package-wide state that
`set_random_seed()` resets). The gradient flows back to the input through the drawn
transformation (zero where a value was clipped to `value_range`).""",
    "augmentation_seed": """\
seed : None or int
    A non-negative integer seeds the layer's random generator: its sequence of draws repeats.
    None derives the generator from the package-wide random state (`set_random_seed()`).""",
    "value_range_255": """\
value_range : list of 2 numbers
    The range of the input values, `c(low, high)`: typically `c(0, 255)` or `c(0, 1)`.
    Defaults to `c(0, 255)`.""",
    "image_call_args": """\
inputs : array or tensor
    A 4D batch of images, or a single 3D image.
training : bool
    Transform only when TRUE.""",
    "image_returns_tensor": """\
- a `keras_input()` (or any symbolic tensor), then the output tensor from calling
  `layer(input)` is returned (images of the same layout: `(batch, rows, cols, channels)` or
  `(batch, channels, rows, cols)`).""",
    # initializers
    "initializer_seed": """\
seed : None or int
    A non-negative integer makes the initializer deterministic: it returns the same values on
    every call. None draws fresh values on each call from the package-wide random state, which
    `set_random_seed()` makes reproducible.""",
    # losses and optimizers
    "loss_reduction": """\
reduction : str
    `"sum_over_batch_size"` (default: mean of the per-sample losses), `"mean"`, `"sum"` or
    `"none"`.""",
    "loss_returns": """\
A loss object for `compile(loss = ...)`, or the per-sample losses when both `y_true` and
`y_pred` are given.""",
    "optimizer_common": """\
clipnorm : float or None
    If set, each gradient is rescaled so that its L2 norm is at most this value.
clipvalue : float or None
    If set, each gradient element is clipped to `[-clipvalue, clipvalue]`.
global_clipnorm : float or None
    If set, all gradients are rescaled together so that their global L2 norm is at most this value.
    Only one of `clipnorm`, `clipvalue` and `global_clipnorm` may be set.
name : str
    Name of the optimizer.""",
}

_MARKER = re.compile(r"^(?P<indent>[ \t]*)\{\{(?P<name>\w+)\}\}[ \t]*$", re.MULTILINE)


def shared_doc(fn):
    """Replaces the `{{name}}` lines of `fn`'s docstring by the shared sections (see the module)."""
    def expand(match):
        name = match["name"]
        if name not in SECTIONS:
            raise KeyError(f"{fn.__qualname__}: no shared documentation section named {name!r}; "
                           f"known: {', '.join(sorted(SECTIONS))}.")
        return textwrap.indent(SECTIONS[name], match["indent"])

    if fn.__doc__:
        fn.__doc__ = _MARKER.sub(expand, fn.__doc__)
    return fn


def inherit_parameters(cls, fn) -> None:
    """Append to `cls.__doc__` the entries of `fn`'s "Parameters" section that `cls.__init__` takes."""
    doc = inspect.getdoc(fn)
    if not doc or not cls.__doc__:  # python -OO strips docstrings
        return
    section = doc.split("Parameters\n----------\n", 1)[1].split("\n\n", 1)[0].splitlines()
    wanted = set(inspect.signature(cls.__init__).parameters) - {"self"}
    kept, keep = [], False
    for line in section:
        if not line.startswith(" "):
            keep = line.split(" :")[0].strip("*") in wanted
        if keep:
            kept.append(line)
    cls.__doc__ = inspect.getdoc(cls) + "\n\nParameters\n----------\n" + "\n".join(kept) + "\n"
