"""Activation functions as forward/backward pairs, as Keras 3's `keras.activations`.

Each activation is an `ActivationFunction`: `forward(x) -> y` and `backward(x, y, grad) -> grad_x`
on float arrays (float32 or float64; callers convert float16 to float32 first). `needs_input` and
`needs_output` say which of `x` and `y` `backward` reads, so a layer caches only those (the other
argument may then be None).

`get(identifier)` resolves what users pass as `activation`: None (linear), a name ("relu",
"gelu", ...), an `ActivationFunction`, a `{"class_name": ..., "config": ...}` dict, or a plain
callable `f(x)`. A plain callable has no derivative of its own: its backward is computed by
central finite differences, elementwise, in float64 (see `CallableActivation`), so it must be an
elementwise function.

The exact GELU needs `erf`, which numpy lacks: it runs in a small Numba kernel (cached).
Branches are written as arithmetic on boolean masks (`x * (x > 0)`, `max(x, 0) + ...`) rather than
`np.where`, which is an order of magnitude slower on unpredictable masks; each form is exact (the
discarded term is an exact zero) and lets NaN through.
"""

import math

import numba
import numpy as np

from ...conventions import check_float
from ...core.config import compute_dtype, config_floatx
from ...kernels import elementwise

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class ActivationFunction:
    """An activation with its derivative. Subclasses set `name` and implement forward/backward."""

    name = "activation"
    needs_input = True
    needs_output = False
    __array_ufunc__ = None

    def forward(self, x):
        raise NotImplementedError

    def backward(self, x, y, grad):
        raise NotImplementedError

    def __call__(self, x):
        """`f(x)` on anything array-like: ints become `config_floatx()`, float16 is computed in float32."""
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"`x` must be numeric; received an array of dtype {x.dtype}.")
        if x.dtype.kind != "f":
            x = x.astype(config_floatx())
        work = compute_dtype(x.dtype)
        y = self.forward(x.astype(work, copy=False))
        return y.astype(x.dtype, copy=False)

    def get_config(self) -> dict:
        """The parameters of the activation (empty for the parameter-free ones)."""
        return {}

    def __eq__(self, other):
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self):
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"<activation {self.name}({params})>"


# --------------------------------------------------------------------------------------------- helpers
def _sigmoid(x):
    """1 / (1 + exp(-x)): relative accuracy of a few ulps everywhere; exp(-x) may overflow to inf
    for very negative x, which gives the right limit 0."""
    with np.errstate(over="ignore"):
        e = np.exp(-x)
    e += 1
    return np.reciprocal(e, out=e)


def _softplus(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))



@numba.njit(cache=True)
def _gelu_erf_forward(x, out):
    for i in range(x.size):
        v = x[i]
        out[i] = 0.5 * v * (1.0 + math.erf(v * _SQRT_HALF))


@numba.njit(cache=True)
def _gelu_erf_backward(x, grad, out):
    for i in range(x.size):
        v = x[i]
        cdf = 0.5 * (1.0 + math.erf(v * _SQRT_HALF))
        out[i] = grad[i] * (cdf + v * _INV_SQRT_2PI * math.exp(-0.5 * v * v))


def _flat_kernel(kernel, *arrays):
    """Run an elementwise kernel on contiguous flat views; returns the output in the first array's shape."""
    flats = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    out = np.empty_like(flats[0])
    kernel(*flats, out)
    return out.reshape(arrays[0].shape)


# --------------------------------------------------------------------------------------------- activations
class Linear(ActivationFunction):
    """`linear(x) = x`."""

    name = "linear"
    needs_input = False

    def forward(self, x):
        return x

    def backward(self, x, y, grad):
        return grad


class Relu(ActivationFunction):
    """Rectified linear unit, with Keras' optional `negative_slope`, `max_value` and `threshold`.

    `x` above `threshold`, else 0; clipped to `[0, max_value]` when `max_value` is given; then
    `- negative_slope * relu(threshold - x)`.
    """

    name = "relu"

    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.negative_slope = _number(negative_slope, "negative_slope", minimum=0.0)
        self.max_value = None if max_value is None else _number(max_value, "max_value", minimum=0.0)
        self.threshold = _number(threshold, "threshold")
        self.needs_input = not self._plain
        self.needs_output = self._plain

    @property
    def _plain(self):
        return self.negative_slope == 0.0 and self.max_value is None and self.threshold == 0.0

    def forward(self, x):
        if self._plain:
            if x.size < elementwise.PARALLEL_SIZE or not x.flags.c_contiguous or x.dtype.kind != "f":
                return np.maximum(x, 0)
            out = np.empty_like(x)
            elementwise.relu_forward(x.reshape(-1), out.reshape(-1))
            return out
        t = x.dtype.type(self.threshold)
        y = x * (x > t) if self.threshold != 0 else np.maximum(x, 0)
        if self.max_value is not None:
            y = np.clip(y, 0, x.dtype.type(self.max_value))
        if self.negative_slope != 0:
            y = y - x.dtype.type(self.negative_slope) * np.maximum(t - x, 0)
        return y

    def backward(self, x, y, grad):
        if self._plain:
            if (y.size < elementwise.PARALLEL_SIZE or y.dtype != grad.dtype or y.shape != grad.shape
                    or not (y.flags.c_contiguous and grad.flags.c_contiguous) or y.dtype.kind != "f"):
                return grad * (y > 0)
            out = np.empty_like(grad)
            elementwise.relu_backward(y.reshape(-1), grad.reshape(-1), out.reshape(-1))
            return out
        t = x.dtype.type(self.threshold)
        d = x > t
        if self.max_value is not None:  # the clip to [0, max_value] flattens both ends
            d = d & (x > 0) & (x < x.dtype.type(self.max_value))
        d = d.astype(x.dtype)
        if self.negative_slope != 0:
            d = d + x.dtype.type(self.negative_slope) * (x < t)
        return grad * d

    def get_config(self):
        return {"negative_slope": self.negative_slope, "max_value": self.max_value,
                "threshold": self.threshold}


class Relu6(ActivationFunction):
    """`relu6(x) = min(max(x, 0), 6)`."""

    name = "relu6"

    def forward(self, x):
        return np.clip(x, 0, 6)

    def backward(self, x, y, grad):
        return grad * ((x > 0) & (x < 6))


class LeakyRelu(ActivationFunction):
    """`leaky_relu(x) = x if x >= 0 else negative_slope * x` (Keras 3 default slope 0.2)."""

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = _number(negative_slope, "negative_slope", minimum=0.0)

    def forward(self, x):
        return np.maximum(x, 0) + x.dtype.type(self.negative_slope) * np.minimum(x, 0)

    def backward(self, x, y, grad):
        d = np.multiply(x <= 0, x.dtype.type(self.negative_slope), dtype=x.dtype)
        d += x > 0
        return grad * d

    def get_config(self):
        return {"negative_slope": self.negative_slope}


class Sigmoid(ActivationFunction):
    """`sigmoid(x) = 1 / (1 + exp(-x))`."""

    name = "sigmoid"
    needs_input = False
    needs_output = True

    def forward(self, x):
        return _sigmoid(x)

    def backward(self, x, y, grad):
        return grad * (y * (1 - y))


class HardSigmoid(ActivationFunction):
    """`hard_sigmoid(x) = relu6(x + 3) / 6` (Keras 3)."""

    name = "hard_sigmoid"

    def forward(self, x):
        return np.clip(x + 3, 0, 6) / x.dtype.type(6)

    def backward(self, x, y, grad):
        return grad * np.multiply((x > -3) & (x < 3), x.dtype.type(1 / 6), dtype=x.dtype)


class HardSilu(ActivationFunction):
    """`hard_silu(x) = x * relu6(x + 3) / 6` (also "hard_swish")."""

    name = "hard_silu"

    def forward(self, x):
        return x * np.clip(x + 3, 0, 6) / x.dtype.type(6)

    def backward(self, x, y, grad):
        d = (2 * x + 3) / x.dtype.type(6) * ((x > -3) & (x < 3))
        d += x >= 3
        return grad * d


class Tanh(ActivationFunction):
    """Hyperbolic tangent."""

    name = "tanh"
    needs_input = False
    needs_output = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, x, y, grad):
        return grad * (1 - y * y)


class Softmax(ActivationFunction):
    """`softmax(x) = exp(x) / sum(exp(x))` along `axis` (default the last one, 0-based numpy axis)."""

    name = "softmax"
    needs_input = False
    needs_output = True

    def __init__(self, axis=-1):
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"`axis` of softmax must be an integer; received {axis!r}.")
        self.axis = int(axis)

    def forward(self, x):
        e = np.exp(x - np.max(x, axis=self.axis, keepdims=True))
        return e / np.sum(e, axis=self.axis, keepdims=True)

    def backward(self, x, y, grad):
        return y * (grad - np.sum(grad * y, axis=self.axis, keepdims=True))

    def get_config(self):
        return {"axis": self.axis}


class LogSoftmax(Softmax):
    """`log_softmax(x) = x - log(sum(exp(x)))` along `axis`."""

    name = "log_softmax"

    def forward(self, x):
        shifted = x - np.max(x, axis=self.axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))

    def backward(self, x, y, grad):
        return grad - np.exp(y) * np.sum(grad, axis=self.axis, keepdims=True)


class Gelu(ActivationFunction):
    """Gaussian error linear unit: `x * Phi(x)`, exact (erf) by default, tanh form if `approximate`."""

    name = "gelu"

    def __init__(self, approximate=False):
        if not isinstance(approximate, (bool, np.bool_)):
            raise TypeError(f"`approximate` of gelu must be True or False; received {approximate!r}.")
        self.approximate = bool(approximate)

    def forward(self, x):
        if not self.approximate:
            return _flat_kernel(_gelu_erf_forward, x)
        c = x.dtype.type(_SQRT_2_OVER_PI)
        return 0.5 * x * (1 + np.tanh(c * (x + x.dtype.type(0.044715) * (x * x * x))))

    def backward(self, x, y, grad):
        if not self.approximate:
            grad = np.ascontiguousarray(np.broadcast_to(grad, x.shape), dtype=x.dtype)
            return _flat_kernel(_gelu_erf_backward, x, grad)
        c = x.dtype.type(_SQRT_2_OVER_PI)
        k = x.dtype.type(0.044715)
        t = np.tanh(c * (x + k * (x * x * x)))
        return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x))

    def get_config(self):
        return {"approximate": self.approximate}


class Silu(ActivationFunction):
    """`silu(x) = x * sigmoid(x)` (also "swish")."""

    name = "silu"

    def forward(self, x):
        return x * _sigmoid(x)

    def backward(self, x, y, grad):
        s = _sigmoid(x)
        return grad * (s * (1 + x * (1 - s)))


class Mish(ActivationFunction):
    """`mish(x) = x * tanh(softplus(x))`."""

    name = "mish"

    def forward(self, x):
        return x * np.tanh(_softplus(x))

    def backward(self, x, y, grad):
        t = np.tanh(_softplus(x))
        return grad * (t + x * _sigmoid(x) * (1 - t * t))


class Elu(ActivationFunction):
    """`elu(x) = x if x > 0 else alpha * (exp(x) - 1)`."""

    name = "elu"

    def __init__(self, alpha=1.0):
        self.alpha = _number(alpha, "alpha")

    def forward(self, x):
        return _elu(x, x.dtype.type(self.alpha))

    def backward(self, x, y, grad):
        return grad * _elu_derivative(x, x.dtype.type(self.alpha))

    def get_config(self):
        return {"alpha": self.alpha}


def _elu(x, alpha):
    return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0))


def _elu_derivative(x, alpha):
    d = alpha * np.exp(np.minimum(x, 0)) * (x <= 0)
    d += x > 0
    return d


class Selu(ActivationFunction):
    """`selu(x) = scale * elu(x, alpha)` with Klambauer et al.'s constants."""

    name = "selu"

    def forward(self, x):
        return x.dtype.type(_SELU_SCALE) * _elu(x, x.dtype.type(_SELU_ALPHA))

    def backward(self, x, y, grad):
        return grad * (x.dtype.type(_SELU_SCALE) * _elu_derivative(x, x.dtype.type(_SELU_ALPHA)))


class Softplus(ActivationFunction):
    """`softplus(x) = log(1 + exp(x))`, computed without overflow."""

    name = "softplus"

    def forward(self, x):
        return _softplus(x)

    def backward(self, x, y, grad):
        return grad * _sigmoid(x)


class Softsign(ActivationFunction):
    """`softsign(x) = x / (1 + |x|)`."""

    name = "softsign"

    def forward(self, x):
        return x / (1 + np.abs(x))

    def backward(self, x, y, grad):
        d = 1 + np.abs(x)
        return grad / (d * d)


class Exponential(ActivationFunction):
    """`exponential(x) = exp(x)`."""

    name = "exponential"
    needs_input = False
    needs_output = True

    def forward(self, x):
        return np.exp(x)

    def backward(self, x, y, grad):
        return grad * y


class CallableActivation(ActivationFunction):
    """A user's plain elementwise function `f(x)`, with a finite-difference derivative.

    The derivative is the central difference `D(h) = (f(x + h) - f(x - h)) / (2 h)` with
    `h = 1e-3 * max(1, |x|)`, refined by one Richardson step `(4 D(h/2) - D(h)) / 3` (error of order
    `h^4`), evaluated in float64 element by element (four vectorized calls of `f`). So `f` must act
    elementwise (not `softmax`-like) and be smooth at the scale of `h`; the large step keeps the
    result usable when `f` computes in float32. Smooth functions get about 1e-10 relative accuracy.
    """

    def __init__(self, fn):
        self.fn = fn
        self.name = getattr(fn, "__name__", type(fn).__name__)

    def _apply(self, x):
        y = np.asarray(self.fn(x))
        if y.shape != x.shape:
            raise ValueError(f"The activation function {self.name!r} must be elementwise (return an array of "
                             f"the input's shape {x.shape}); it returned shape {y.shape}.")
        return y

    def forward(self, x):
        return self._apply(x).astype(x.dtype, copy=False)

    def backward(self, x, y, grad):
        x64 = x.astype(np.float64)
        h = 1e-3 * np.maximum(1.0, np.abs(x64))
        d_h, d_half = self._central(x64, h), self._central(x64, h / 2)
        d = (4.0 * d_half - d_h) / 3.0
        return (grad * d).astype(x.dtype, copy=False)

    def _central(self, x, h):
        return (self._apply(x + h).astype(np.float64) - self._apply(x - h).astype(np.float64)) / (2 * h)

    def __eq__(self, other):
        return isinstance(other, CallableActivation) and other.fn is self.fn

    def __hash__(self):
        return hash(id(self.fn))

    def __repr__(self):
        return f"<activation {self.name} (plain callable, finite-difference derivative)>"


def _number(value, name, minimum=None):
    if minimum is None:
        return check_float(value, name)
    return check_float(value, name, lambda v: v >= minimum, f"a number >= {minimum}")


# --------------------------------------------------------------------------------------------- registry
_CLASSES = {cls.name: cls for cls in (Linear, Relu, Relu6, LeakyRelu, Sigmoid, HardSigmoid, HardSilu, Tanh,
                                      Softmax, LogSoftmax, Gelu, Silu, Mish, Elu, Selu, Softplus, Softsign,
                                      Exponential)}
_ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}

linear, relu, relu6, leaky_relu = Linear(), Relu(), Relu6(), LeakyRelu()
sigmoid, hard_sigmoid, hard_silu, tanh = Sigmoid(), HardSigmoid(), HardSilu(), Tanh()
softmax, log_softmax, gelu, silu, mish = Softmax(), LogSoftmax(), Gelu(), Silu(), Mish()
elu, selu, softplus, softsign, exponential = Elu(), Selu(), Softplus(), Softsign(), Exponential()
_DEFAULTS = {f.name: f for f in (linear, relu, relu6, leaky_relu, sigmoid, hard_sigmoid, hard_silu, tanh,
                                 softmax, log_softmax, gelu, silu, mish, elu, selu, softplus, softsign,
                                 exponential)}

#: the names `get()` accepts
NAMES = tuple(sorted(list(_DEFAULTS) + list(_ALIASES)))


def get(identifier, arg_name: str = "activation") -> ActivationFunction:
    """Resolve an activation: None (linear), a name, an `ActivationFunction`, a config dict or a callable.

    A callable carrying an `__rkeras_activation__` attribute (a name or an `ActivationFunction`)
    resolves to that activation, with its exact derivative; any other callable `f(x)` is wrapped in
    `CallableActivation` (finite-difference derivative, elementwise functions only).
    """
    if identifier is None:
        return linear
    if isinstance(identifier, ActivationFunction):
        return identifier
    if isinstance(identifier, str):
        key = _ALIASES.get(identifier, identifier)
        if key not in _DEFAULTS:
            raise ValueError(f"`{arg_name}`: unknown activation {identifier!r}. Accepted names: "
                             f"{', '.join(NAMES)}; or None, or a function f(x).")
        return _DEFAULTS[key]
    if isinstance(identifier, dict):
        name, config = identifier.get("class_name"), identifier.get("config", {}) or {}
        name = _ALIASES.get(name, name)
        if name not in _CLASSES or set(identifier) - {"class_name", "config"}:
            raise ValueError(f"`{arg_name}`: a dict must be {{'class_name': <activation name>, 'config': "
                             f"{{...}}}} with a name among {', '.join(NAMES)}; received {identifier!r}.")
        return _CLASSES[name](**config)
    if callable(identifier):
        tagged = getattr(identifier, "__rkeras_activation__", None)
        if tagged is not None:
            return get(tagged, arg_name)
        return CallableActivation(identifier)
    raise TypeError(f"`{arg_name}` must be None, an activation name (one of {', '.join(NAMES)}) or a "
                    f"function f(x); received {identifier!r}.")


def serialize(activation: ActivationFunction):
    """The R-style value that `get()` turns back into `activation`: its name when its parameters are the
    defaults, else a `{"class_name", "config"}` dict; a plain callable stays itself."""
    if isinstance(activation, CallableActivation):
        return activation.fn
    if _DEFAULTS.get(activation.name) == activation:
        return activation.name
    return {"class_name": activation.name, "config": activation.get_config()}
