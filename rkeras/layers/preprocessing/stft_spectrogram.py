"""Short-time Fourier transform spectrograms, as Keras 3's `STFTSpectrogram`: each channel of a batch
of signals `(batch, time, channels)` (or channels-first) is cut into frames of `frame_length`
samples every `frame_step`, and each frame is multiplied by two kernels `(frame_length, 1, bins)`,
`bins = fft_length / 2 + 1`: the windowed cosines (`real_kernel`) and sines (`imag_kernel`) of the
DFT, as Keras' `STFT` initializer makes them. The kernels are trainable weights (Keras' default;
`trainable = FALSE` makes the layer a fixed transform). `mode` then gives the real or imaginary
parts, both (`"stft"`), their angle, the power spectral density (`"psd"`), the magnitude or its log.
"""

import math

import numpy as np
import scipy.signal

from ... import conventions
from ...conventions import check_choice
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..convolutional.conv_utils import standardize_data_format

MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")
EPSILON = 1e-7  # keras.config.epsilon()


def stft_kernel(side, window, scaling, periodic, frame_length, bins, dtype="float32"):
    """Keras' `initializers.STFT` in float32, in the same order of operations."""
    dtype = np.dtype(dtype)
    time = np.arange(frame_length, dtype=dtype).reshape(frame_length, 1, 1)
    freq = (np.arange(bins, dtype=dtype) / dtype.type((bins - 1) * 2)).reshape(1, 1, bins)
    args = ((dtype.type(-2) * time) * freq) * np.arccos(dtype.type(-1))
    kernel = (np.cos(args) if side == "real" else np.sin(args)).astype(dtype)
    if window is not None:
        win = np.asarray(scipy.signal.get_window(window, frame_length, periodic), dtype=dtype)
        win = win.reshape(frame_length, 1, 1)
        if scaling == "density":
            scale = np.sqrt(np.sum(np.square(win)))
        elif scaling == "spectrum":
            scale = np.sum(np.abs(win))
        else:
            scale = dtype.type(1)
        kernel = (kernel * win) / scale
    return kernel.astype(dtype)


class STFTSpectrogram(Layer):
    """Spectrograms of signals by short-time Fourier transform; see `layer_stft_spectrogram()`."""

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann", periodic=False,
                 scaling="density", padding="valid", expand_dims=False, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_stft_spectrogram()")
        self.mode = check_choice(mode, MODES, "mode")
        self.frame_length = conventions.as_integer(frame_length, "frame_length", minimum=1)
        self.frame_step = None if frame_step is None else conventions.as_integer(frame_step, "frame_step", minimum=1)
        if self.frame_step is not None and self.frame_step > self.frame_length:
            raise ValueError(f"`frame_step` must be in [1, frame_length = {self.frame_length}]; received {frame_step!r}.")
        self.fft_length = None if fft_length is None else conventions.as_integer(fft_length, "fft_length")
        if self.fft_length is not None and self.fft_length < self.frame_length:
            raise ValueError(f"`fft_length` must be >= frame_length = {self.frame_length}; received {fft_length!r}.")
        if window is not None:
            if not isinstance(window, str):
                raise TypeError(f"`window` must be None or the name of a scipy.signal window; received {window!r}.")
            try:
                scipy.signal.get_window(window, 1)
            except ValueError as err:
                raise ValueError(f"`window` must name a scipy.signal window; received {window!r} ({err}).") from None
        self.window = window
        if not isinstance(periodic, (bool, np.bool_)):
            raise TypeError(f"`periodic` must be TRUE or FALSE; received {periodic!r}.")
        self.periodic = bool(periodic)
        if scaling is not None:
            check_choice(scaling, ("density", "spectrum"), "scaling")
        self.scaling = scaling
        self.padding = check_choice(padding, ("valid", "same"), "padding")
        if not isinstance(expand_dims, (bool, np.bool_)):
            raise TypeError(f"`expand_dims` must be TRUE or FALSE; received {expand_dims!r}.")
        self.expand_dims = bool(expand_dims)
        self.data_format = standardize_data_format(data_format)
        self._frame_step = self.frame_step or self.frame_length // 2
        self._fft_length = self.fft_length or 2 ** math.ceil(math.log2(self.frame_length))
        self.real_kernel = self.imag_kernel = None
        super().__init__(**kwargs)

    @property
    def _bins(self):
        return self._fft_length // 2 + 1

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._bins)
        for side in ("real", "imag"):
            if (side == "real" and self.mode == "imag") or (side == "imag" and self.mode == "real"):
                continue
            init = (lambda s, dtype=None, side=side:
                    stft_kernel(side, self.window, self.scaling, self.periodic, s[0], s[2], dtype or "float32"))
            setattr(self, f"{side}_kernel", self.add_weight(f"{side}_kernel", shape, init))
        self.built = True

    def _check_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"Layer '{self.name}' expects signals of rank 3, (batch, time, channels) or "
                             f"(batch, channels, time); received an input of shape {input_shape}.")
        return input_shape

    def _frames(self, length):
        """(number of frames, left padding, padded length) of a signal of `length` samples."""
        step, size = self._frame_step, self.frame_length
        if self.padding == "valid":
            return (length - size) // step + 1, 0, length
        frames = -(-length // step)
        total = max((frames - 1) * step + size - length, 0)
        return frames, total // 2, length + total

    def compute_output_shape(self, input_shape):
        input_shape = self._check_shape(input_shape)
        if self.data_format == "channels_last":
            batch, length, channels = input_shape
        else:
            batch, channels, length = input_shape
        frames = None if length is None else self._frames(length)[0]
        bins = self._bins * (2 if self.mode == "stft" else 1)
        if self.expand_dims:
            return ((batch, frames, bins, channels) if self.data_format == "channels_last"
                    else (batch, channels, frames, bins))
        both = None if channels is None else channels * bins
        return (batch, frames, both) if self.data_format == "channels_last" else (batch, both, frames)

    def _layout(self, out):
        """(batch, channels, frames, bins) -> the output layout."""
        b, c, t, f = out.shape
        if self.data_format == "channels_last":
            return out.transpose(0, 2, 3, 1) if self.expand_dims else out.transpose(0, 2, 1, 3).reshape(b, t, c * f)
        return out if self.expand_dims else out.transpose(0, 1, 3, 2).reshape(b, c * f, t)

    def _unlayout(self, g, shape4):
        b, c, t, f = shape4
        if self.data_format == "channels_last":
            return g.transpose(0, 3, 1, 2) if self.expand_dims else g.reshape(b, t, c, f).transpose(0, 2, 1, 3)
        return g if self.expand_dims else g.reshape(b, c, f, t).transpose(0, 1, 3, 2)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self._check_shape(x.shape)
        work = compute_dtype(x.dtype)
        signals = x.transpose(0, 2, 1) if self.data_format == "channels_last" else x
        b, c, length = signals.shape
        frames, left, padded_length = self._frames(length)
        padded = np.zeros((b * c, padded_length), dtype=work)
        padded[:, left:left + length] = signals.reshape(b * c, length)
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.frame_length, axis=1)[:, ::self._frame_step]
        windows = np.ascontiguousarray(windows[:, :frames])  # (b c, frames, frame_length)
        parts = {}
        for side in ("real", "imag"):
            kernel = getattr(self, f"{side}_kernel")
            if kernel is not None:
                parts[side] = windows @ kernel.value[:, 0, :].astype(work)  # (b c, frames, bins)
        y, local_back = self._mode_forward(parts)
        out = self._layout(y.reshape(b, c, frames, -1))
        cache = (windows, parts, local_back, (b, c, frames, y.shape[-1]), left, length, padded_length, x.dtype)
        return out.astype(x.dtype, copy=False), cache

    def _mode_forward(self, parts):
        """The output of `mode` from the real and imaginary parts, and its backward to them."""
        mode = self.mode
        if mode in ("real", "imag"):
            return parts[mode], lambda g: {mode: g}
        real, imag = parts["real"], parts["imag"]
        if mode == "stft":
            bins = real.shape[-1]
            return np.concatenate([real, imag], axis=-1), lambda g: {"real": g[..., :bins], "imag": g[..., bins:]}
        if mode == "angle":
            r2 = real * real + imag * imag
            safe = np.where(r2 > 0, r2, 1)
            return np.arctan2(imag, real), lambda g: {"real": -g * imag / safe, "imag": g * real / safe}
        power = real * real + imag * imag
        if mode == "psd":
            double = np.ones(power.shape[-1], dtype=power.dtype)
            double[1:-1] = 2
            return power * double, lambda g: {"real": 2 * real * g * double, "imag": 2 * imag * g * double}
        magnitude = np.sqrt(np.maximum(power, EPSILON))
        d_power = np.where(power > EPSILON, 0.5 / magnitude, 0)
        if mode == "magnitude":
            return magnitude, lambda g: {"real": 2 * real * g * d_power, "imag": 2 * imag * g * d_power}
        log = np.log(np.maximum(magnitude, EPSILON))
        d_mag = np.where(magnitude > EPSILON, 1 / magnitude, 0)
        return log, lambda g: {"real": 2 * real * g * d_mag * d_power, "imag": 2 * imag * g * d_mag * d_power}

    def backward(self, cache, grad_outputs):
        windows, _parts, local_back, shape4, left, length, padded_length, in_dtype = cache
        work = windows.dtype
        g = self._unlayout(np.asarray(grad_outputs).astype(work, copy=False), shape4)
        b, c, frames, _ = shape4
        d_parts = local_back(np.ascontiguousarray(g).reshape(b * c, frames, -1))
        grads = {}
        d_windows = np.zeros_like(windows)
        flat = windows.reshape(-1, self.frame_length).astype(np.float64)
        for side, d in d_parts.items():
            kernel = getattr(self, f"{side}_kernel")
            k = kernel.value[:, 0, :].astype(work)
            d_windows += d @ k.T
            if kernel.trainable:  # sum over batch, channels and frames in float64
                dk = flat.T @ d.reshape(-1, d.shape[-1]).astype(np.float64)
                grads[kernel] = dk[:, None, :].astype(kernel.dtype)
        d_padded = np.zeros((b * c, padded_length), dtype=work)
        step, size = self._frame_step, self.frame_length
        if frames <= size:
            for j in range(frames):
                d_padded[:, j * step:j * step + size] += d_windows[:, j]
        else:
            for i in range(size):
                d_padded[:, i:i + step * frames:step] += d_windows[:, :, i]
        dx = d_padded[:, left:left + length].reshape(b, c, length)
        dx = dx.transpose(0, 2, 1) if self.data_format == "channels_last" else dx
        return np.ascontiguousarray(dx).astype(in_dtype, copy=False), grads

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "frame_length": self.frame_length, "frame_step": self.frame_step,
                       "fft_length": self.fft_length, "window": self.window, "periodic": self.periodic,
                       "scaling": self.scaling, "padding": self.padding, "expand_dims": self.expand_dims,
                       "data_format": self.data_format})
        return config
