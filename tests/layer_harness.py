"""The shared layer-test harness (STYLE.md habit 5), after Keras' `run_layer_test`.

`run_layer_test(layer_factory, input_shape, ...)` runs the checks every layer owes, so a new layer
gets them for free:

- build on first call, output shape and dtype against `compute_output_shape()` (concrete and with
  an unknown batch size) and against `expected_output_shape`, weight counts and paths;
- a symbolic call on `keras_input()`, and the same results through a functional and a sequential
  model;
- training and inference calls (repeatable unless the layer is random in training);
- masking: `supports_masking`, a call with a mask, `compute_mask()`;
- `get_config()` holds every constructor argument; `from_config()` rebuilds a layer with the same
  config that, given the same weights, computes the same outputs;
- float16 inputs give float16 outputs, computed in float32 (when `dtype` is float32);
- gradients: `rkeras.training.vjp.vjp()` against central finite differences in float64, on the
  input and on every trainable weight, in the chosen mode, with and without the mask.

`numeric_grad(f, array)` is the finite-difference helper, usable on its own.
"""

import inspect

import numpy as np

from rkeras.core.layer import Layer
from rkeras.core.symbolic import KerasTensor, keras_input
from rkeras.models.functional import keras_model
from rkeras.models.sequential import keras_model_sequential
from rkeras.training.vjp import vjp


# --------------------------------------------------------------------------------------------- helpers
def numeric_grad(f, array, eps=1e-6):
    """Central finite differences of the scalar `f()` with respect to each element of `array`.

    `array` is perturbed in place, one element at a time, and restored, so `f` must read it: pass
    the input array that `f` closes over, or a variable's live `.value`. Returns a float64 array of
    `array`'s shape.
    """
    grad = np.zeros(array.shape, dtype=np.float64)
    for idx in np.ndindex(*array.shape):
        old = array[idx]
        array[idx] = old + eps
        f_plus = float(f())
        array[idx] = old - eps
        f_minus = float(f())
        array[idx] = old
        grad[idx] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def assert_close_grad(analytic, numeric, tol=1e-6, what="gradient"):
    """max |analytic - numeric| <= tol * max(1, max |numeric|)."""
    analytic = np.asarray(analytic, dtype=np.float64)
    assert analytic.shape == numeric.shape, f"{what}: shape {analytic.shape} != {numeric.shape}"
    scale = max(1.0, float(np.max(np.abs(numeric))) if numeric.size else 1.0)
    err = float(np.max(np.abs(analytic - numeric))) if numeric.size else 0.0
    assert err <= tol * scale, f"{what}: max abs error {err:.3g} > {tol * scale:.3g} (finite differences)"


def shape_matches(actual, expected) -> bool:
    """`expected` may hold None for 'any size'."""
    actual, expected = tuple(actual), tuple(expected)
    return len(actual) == len(expected) and all(e is None or e == a for a, e in zip(actual, expected))


def config_equal(a, b) -> bool:
    """Deep equality of two configs (arrays by value, other objects by `==`)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(config_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(config_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return a is b or a == b


def _all_layers(layer):
    out = [layer]
    for inner in getattr(layer, "_layers", []):
        out.extend(_all_layers(inner))
    return out


def _generators(layer) -> list:
    """Every numpy Generator held by the layer or its inner layers (dropout's noise source)."""
    return [v for l in _all_layers(layer) for v in vars(l).values() if isinstance(v, np.random.Generator)]


class FrozenRandomness:
    """Snapshot of a layer's random generators; `restore()` makes the next forward draw the same."""

    def __init__(self, layer):
        self.generators = _generators(layer)
        self.states = [g.bit_generator.state for g in self.generators]

    def restore(self):
        for g, s in zip(self.generators, self.states):
            g.bit_generator.state = s


def _constructor_params(cls) -> list:
    sig = inspect.signature(cls.__init__)
    return [p.name for p in list(sig.parameters.values())[1:]
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


# --------------------------------------------------------------------------------------------- harness
def run_layer_test(layer_factory, input_shape=None, *, init_kwargs=None, input_data=None, dtype="float32",
                   expected_output_shape=None, expected_output=None, expected_num_trainable_weights=None,
                   expected_num_non_trainable_weights=None, supports_masking=None, mask=None,
                   training=True, check_gradients=True, forward_only_deterministic=False,
                   randomize_weights=True, check_float16=True, check_symbolic=True, check_config=True,
                   grad_input_data=None, grad_tol=1e-6, eps=1e-6, output_rtol=1e-6, seed=0):
    """Run the shared checks on a single-input, single-output layer.

    Returns a dict: `layer` (the main layer, built), `output` (its inference output),
    `training_output`, and `gradient_layer` (the float64 layer of the gradient check).

    Parameters
    ----------
    layer_factory : callable
        `layer_factory(**init_kwargs, dtype=...)` returns a new, unbuilt layer: a layer class, or
        e.g. `lambda **kw: Dense(3, **kw)`. It must accept the base-layer keyword `dtype`.
    input_shape : tuple
        Full input shape, batch first (ignored when `input_data` is given).
    init_kwargs : dict, optional
        Constructor arguments passed to `layer_factory`.
    input_data : array, optional
        The input (default: standard normal values of `input_shape` in `dtype`).
    dtype : str
        dtype of the main layer and its input ("float32" or "float64").
    expected_output_shape : tuple, optional
        Expected output shape (None entries match any size).
    expected_output : array, optional
        Expected inference output for `input_data`.
    expected_num_trainable_weights, expected_num_non_trainable_weights : int, optional
        Expected numbers of weights once built.
    supports_masking : bool, optional
        Expected value of `layer.supports_masking`.
    mask : array, optional
        A mask to pass in a call (and in the gradient check); `compute_mask` must pass it on if the
        layer supports masking, else return None.
    training : bool
        The mode of the gradient check (and of the extra training-mode checks).
    check_gradients : bool
        Compare `vjp()` with finite differences in float64 (input and every trainable weight).
    forward_only_deterministic : bool
        The layer's forward is deterministic only in inference (random in training, like dropout):
        training outputs are not compared between calls or layers. (The gradient check always
        restores the layer's random generators before each forward, so every finite-difference
        evaluation draws the same noise.)
    randomize_weights : bool
        Before the gradient check, add N(0, 0.5) noise to every trainable weight (a zero bias or a
        unit scale could hide a bug).
    check_float16, check_symbolic, check_config : bool
        Run the float16, symbolic/model and config round-trip checks.
    grad_input_data : array, optional
        A different input for the gradient check (e.g. one away from an activation's kink).
    grad_tol : float
        Tolerance of the gradient check, relative to max(1, max |numeric gradient|).
    eps : float
        Finite-difference step.
    output_rtol : float
        Relative tolerance when comparing outputs of two layers or paths (float32).
    seed : int
        Seed of the random input, upstream gradients and weight noise.
    """
    rng = np.random.default_rng(seed)
    init_kwargs = dict(init_kwargs or {})

    def make(**kw):
        layer = layer_factory(**{**init_kwargs, **kw})
        assert isinstance(layer, Layer), f"layer_factory returned {type(layer).__name__}, not a Layer"
        return layer

    if input_data is None:
        assert input_shape is not None, "give input_shape or input_data"
        x = rng.normal(size=input_shape).astype(dtype)
    else:
        x = np.asarray(input_data)
        if x.dtype.kind == "f":
            x = x.astype(dtype)
    float_in = x.dtype.kind == "f"
    tol = {"rtol": output_rtol, "atol": output_rtol} if dtype != "float64" else {"rtol": 1e-12, "atol": 1e-12}
    result = {}

    # ---- build on first call, shapes, dtypes, weights
    layer = make(dtype=dtype)
    assert not layer.built, "a new layer must not be built before its first call"
    assert layer.weights == [], "a new layer must have no weights before it is built"
    y = layer(x)
    assert layer.built, "the first call must build the layer"
    assert isinstance(y, np.ndarray), f"an eager call must return a numpy array; got {type(y).__name__}"
    if float_in:
        assert y.dtype == x.dtype, f"output dtype {y.dtype} != input dtype {x.dtype}"
    shape = layer.compute_output_shape(x.shape)
    assert tuple(shape) == y.shape, f"compute_output_shape {shape} != actual {y.shape}"
    none_batch = layer.compute_output_shape((None,) + x.shape[1:])
    assert none_batch[0] is None and shape_matches(y.shape[1:], none_batch[1:]), \
        f"compute_output_shape with a None batch gives {none_batch}; actual {y.shape}"
    if expected_output_shape is not None:
        assert shape_matches(y.shape, expected_output_shape), \
            f"output shape {y.shape} != {expected_output_shape}"
    if expected_output is not None:
        np.testing.assert_allclose(y, expected_output, **tol)
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    for v in layer.weights:
        assert v.path.startswith(layer.name + "/"), f"weight path {v.path} must start with '{layer.name}/'"
        assert v.dtype == np.dtype(dtype) or v.dtype.kind != "f", \
            f"weight {v.path} has dtype {v.dtype}, layer dtype is {dtype}"  # integer counters keep theirs
    assert layer.count_params() == sum(int(np.prod(v.shape)) for v in layer.weights)
    y_again = layer(x)
    np.testing.assert_array_equal(y_again, y, err_msg="inference calls must repeat")
    result.update(layer=layer, output=y)

    # ---- training mode
    y_train = layer(x, training=True)
    assert y_train.shape == y.shape and y_train.dtype == y.dtype
    if not forward_only_deterministic:
        np.testing.assert_allclose(layer(x, training=True), y_train, **tol,
                                   err_msg="training calls of a deterministic layer must repeat")
    result["training_output"] = y_train

    # ---- masking
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking
    if mask is not None:
        y_masked = layer(x, mask=mask, training=training)
        assert y_masked.shape == y.shape
        out_mask = layer.compute_mask(x, mask)
        if layer.supports_masking:
            assert out_mask is not None and np.array_equal(out_mask, mask), \
                "compute_mask must pass the mask on"
        else:
            assert out_mask is None, "a layer without masking support must drop the mask"

    # ---- symbolic call, functional and sequential models
    if check_symbolic:
        inp = keras_input(shape=x.shape[1:], dtype=x.dtype.name)
        sym_layer = make(dtype=dtype)
        out = sym_layer(inp)
        assert isinstance(out, KerasTensor), \
            f"a symbolic call must return a KerasTensor; got {type(out).__name__}"
        assert out.shape[0] is None and shape_matches(y.shape[1:], out.shape[1:]), \
            f"symbolic output shape {out.shape} does not match the eager one {y.shape}"
        if float_in:
            assert out.dtype == y.dtype.name, f"symbolic dtype {out.dtype} != eager {y.dtype}"
        sym_layer.set_weights(layer.get_weights())
        model = keras_model(inp, out)
        np.testing.assert_allclose(model(x), layer(x), **tol, err_msg="functional model output differs")
        seq_layer = make(dtype=dtype)
        seq = keras_model_sequential(input_shape=x.shape[1:], input_dtype=x.dtype.name) | seq_layer
        assert seq_layer.built, "adding a layer to a sequential model with a known input shape builds it"
        seq_layer.set_weights(layer.get_weights())
        np.testing.assert_allclose(seq(x), layer(x), **tol, err_msg="sequential model output differs")

    # ---- config round trip
    if check_config:
        config = layer.get_config()
        missing = [p for p in _constructor_params(type(layer)) if p not in config]
        assert not missing, f"get_config() lacks constructor arguments {missing}"
        clone = type(layer).from_config(config)
        assert config_equal(clone.get_config(), config), "from_config(get_config()) must give the same config"
        clone(x)
        clone.set_weights(layer.get_weights())
        np.testing.assert_allclose(clone(x), layer(x), **tol,
                                   err_msg="the rebuilt layer computes differently")
        if not forward_only_deterministic:
            np.testing.assert_allclose(clone(x, training=True), layer(x, training=True), **tol,
                                       err_msg="the rebuilt layer computes differently in training")
        unbuilt = make(dtype=dtype)
        rebuilt = type(unbuilt).from_config(unbuilt.get_config())
        assert config_equal(rebuilt.get_config(), unbuilt.get_config()), "config round trip before build"

    # ---- float16 inputs: computed in float32, returned as float16
    if check_float16 and float_in and dtype == "float32":
        x16 = x.astype(np.float16)
        layer16 = make()
        layer16(x16)
        layer16.set_weights(layer.get_weights())
        y16 = layer16(x16)
        assert y16.dtype == np.float16, f"float16 input gave a {y16.dtype} output"
        ref = layer(x16.astype(np.float32))
        np.testing.assert_allclose(y16.astype(np.float32), ref, rtol=2e-3, atol=2e-3)
        up16 = rng.normal(size=y16.shape).astype(np.float16)
        _, dx16, _ = vjp(layer16, x16, up16, training=training, mask=mask)
        assert dx16.dtype == np.float16, f"the input gradient of a float16 input is {dx16.dtype}"

    # ---- gradients against finite differences, float64
    if check_gradients:
        gx = x if grad_input_data is None else np.asarray(grad_input_data)
        options = {"training": training, "randomize_weights": randomize_weights, "tol": grad_tol, "eps": eps}
        result["gradient_layer"] = _check_gradients(make, gx, rng, mask=mask, **options)
        if mask is not None:  # the unmasked call must be right too
            _check_gradients(make, gx, rng, mask=None, **options)
    return result


def _check_gradients(make, x, rng, *, training, mask, randomize_weights, tol, eps):
    """vjp() against finite differences in float64; random generators are restored before every
    forward, so a layer random in training (dropout) draws the same noise each time."""
    layer = make(dtype="float64")
    differentiable = x.dtype.kind == "f"
    xv = x.astype(np.float64) if differentiable else x.copy()
    layer(xv)  # build
    if randomize_weights:
        for v in layer.trainable_weights:
            v.assign(v.value + rng.normal(scale=0.5, size=v.shape))
    frozen = FrozenRandomness(layer)
    fixed = [(v, v.numpy()) for v in layer.non_trainable_weights]  # e.g. moving statistics
    saved = layer.get_weights()

    def reset():
        frozen.restore()
        for v, value in fixed:
            v.assign(value)

    reset()
    upstream = rng.normal(size=layer.compute_output_shape(xv.shape))
    outputs, dx, weight_grads = vjp(layer, xv, upstream, training=training, mask=mask)
    assert outputs.dtype == np.float64

    # the layer's own backward: keys are its trainable Variables, shapes and dtypes match
    reset()
    effective = layer.effective_training(training)
    out2, cache = layer.forward(layer._convert_inputs(xv), training=effective, mask=mask)
    np.testing.assert_allclose(out2, outputs, rtol=1e-12, atol=1e-12)
    _, raw = layer.backward(cache, upstream)
    own = {id(v) for v in layer.weights if v.trainable}
    for var, g in raw.items():
        assert id(var) in own, f"backward() returned a gradient for {var!r}, not a trainable weight"
        assert g.shape == var.shape and g.dtype == var.dtype, f"gradient of {var.path}: {g.shape} {g.dtype}"

    def loss():
        reset()
        y, _ = layer.forward(layer._convert_inputs(xv), training=effective, mask=mask)
        return np.sum(np.asarray(y, dtype=np.float64) * upstream)

    if differentiable:
        assert dx.shape == xv.shape and dx.dtype == np.float64, f"input gradient {dx.shape} {dx.dtype}"
        assert_close_grad(dx, numeric_grad(loss, xv, eps), tol, "input gradient")
    for v in layer.trainable_weights:
        numeric = numeric_grad(loss, v.value, eps)
        assert_close_grad(weight_grads[v.path], numeric, tol, f"gradient of {v.path}")
    layer.set_weights(saved)
    return layer
