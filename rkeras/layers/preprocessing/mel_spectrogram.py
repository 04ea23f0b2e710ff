"""Mel spectrograms, as Keras 3's `MelSpectrogram`: each signal (reflect-padded by `fft_length / 2` at
both ends) is cut into frames of `fft_length` samples every `sequence_stride`, windowed (a periodic
window of `sequence_length` samples, centered), Fourier transformed; the magnitudes raised to
`mag_exp` are mapped onto `num_mel_bins` triangular mel bands (HTK's mel scale) and, with
`power_to_db`, converted to decibels relative to `ref_power`, floored at `top_db` below the largest
value of the batch (as Keras: one maximum over the whole batch). Output `(batch, num_mel_bins,
frames)`; a 1-D signal gives `(num_mel_bins, frames)`. The layer has no weights; the gradient flows
back to the signal."""

import numpy as np
import scipy.signal

from ... import conventions
from ...conventions import check_float
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input

MEL_BREAK_FREQUENCY_HERTZ = 700.0
MEL_HIGH_FREQUENCY_Q = 1127.0


def hertz_to_mel(frequencies):
    return MEL_HIGH_FREQUENCY_Q * np.log(1.0 + frequencies / MEL_BREAK_FREQUENCY_HERTZ)


def mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz, upper_edge_hertz):
    """Keras' `linear_to_mel_weight_matrix` (num_spectrogram_bins, num_mel_bins), in float32."""
    f32 = np.float32
    linear = np.linspace(f32(0), f32(sampling_rate / 2.0), num_spectrogram_bins, dtype=f32)[1:]
    bins_mel = hertz_to_mel(linear.astype(f32)).astype(f32)[:, None]
    edges = np.linspace(hertz_to_mel(f32(lower_edge_hertz)), hertz_to_mel(f32(upper_edge_hertz)), num_mel_bins + 2,
                        dtype=f32)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = np.maximum(f32(0), np.minimum(lower_slopes, upper_slopes)).astype(f32)
    return np.pad(weights, [(1, 0), (0, 0)])


def reflect_indices(length, pad):
    """Source index of each sample of `np.pad(x, pad, mode = "reflect")`."""
    i = np.arange(-pad, length + pad)
    i = np.abs(i)
    return np.where(i >= length, 2 * (length - 1) - i, i)


class MelSpectrogram(Layer):
    """Mel spectrograms of signals; see `layer_mel_spectrogram()`."""

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann", sampling_rate=16000,
                 num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0,
                 min_power=1e-10, ref_power=1.0, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_mel_spectrogram()")
        self.fft_length = conventions.as_integer(fft_length, "fft_length", minimum=1)
        self.sequence_stride = conventions.as_integer(sequence_stride, "sequence_stride", minimum=1)
        length = fft_length if sequence_length is None else sequence_length
        self.sequence_length = conventions.as_integer(length, "sequence_length", minimum=1)
        if self.fft_length < self.sequence_length:
            raise ValueError(f"`fft_length` must be >= `sequence_length`; received fft_length = {fft_length!r}, "
                             f"sequence_length = {sequence_length!r}.")
        if window is not None and window not in ("hann", "hamming"):
            raise ValueError(f"`window` must be None, 'hann' or 'hamming'; received {window!r}.")
        self.window = window
        self.sampling_rate = conventions.as_integer(sampling_rate, "sampling_rate", minimum=1)
        self.num_mel_bins = conventions.as_integer(num_mel_bins, "num_mel_bins", minimum=1)
        self.min_freq = check_float(min_freq, "min_freq")
        self.max_freq = check_float(max_freq, "max_freq") if max_freq is not None else int(sampling_rate / 2)
        if not 0 <= self.min_freq < self.max_freq:
            raise ValueError(f"`min_freq` and `max_freq` must satisfy 0 <= min_freq < max_freq; received "
                             f"{min_freq!r}, {max_freq!r}.")
        if not isinstance(power_to_db, (bool, np.bool_)):
            raise TypeError(f"`power_to_db` must be TRUE or FALSE; received {power_to_db!r}.")
        self.power_to_db = bool(power_to_db)
        self.top_db = check_float(top_db, "top_db")
        self.mag_exp = check_float(mag_exp, "mag_exp")
        self.min_power = check_float(min_power, "min_power")
        self.ref_power = check_float(ref_power, "ref_power")
        super().__init__(**kwargs)

    def _frames(self, length):
        return (length + 2 * (self.fft_length // 2) - self.fft_length) // self.sequence_stride + 1

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) not in (1, 2):
            raise ValueError(f"Layer '{self.name}' expects signals (batch, time) or (time,); received an input of "
                             f"shape {input_shape}.")
        frames = None if input_shape[-1] is None else self._frames(input_shape[-1])
        return (self.num_mel_bins, frames) if len(input_shape) == 1 else (input_shape[0], self.num_mel_bins, frames)

    def _window(self, dtype):
        n, length = self.fft_length, self.sequence_length
        left = (n - length) // 2
        win = np.zeros(n, dtype=dtype)
        win[left:left + length] = 1.0 if self.window is None else scipy.signal.get_window(self.window, length)
        return win

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)
        work = compute_dtype(x.dtype)
        work = work if work in (np.float32, np.float64) else np.dtype(np.float32)
        signals = x.reshape(-1, x.shape[-1]).astype(work)
        length = signals.shape[-1]
        pad = self.fft_length // 2
        if pad >= length:
            raise ValueError(f"Layer '{self.name}' needs signals longer than fft_length / 2 = {pad} samples (reflect "
                             f"padding); received {length}.")
        source = reflect_indices(length, pad)
        padded = signals[:, source]
        frames = self._frames(length)
        starts = np.arange(frames) * self.sequence_stride
        taps = starts[:, None] + np.arange(self.fft_length)[None, :]
        win = self._window(work)
        windowed = padded[:, taps] * win  # (b, frames, fft)
        spectrum = np.fft.rfft(windowed.astype(np.float64), axis=-1)
        real, imag = spectrum.real.astype(work), spectrum.imag.astype(work)
        magnitude = np.sqrt(real * real + imag * imag)
        spec = np.power(magnitude, work.type(self.mag_exp))
        matrix = mel_weight_matrix(self.num_mel_bins, spec.shape[-1], self.sampling_rate, self.min_freq,
                                   self.max_freq).astype(work)
        mel = spec @ matrix  # (b, frames, mel)
        out = mel
        db_cache = None
        if self.power_to_db:
            log_spec = 10.0 * np.log10(np.maximum(mel, work.type(self.min_power)))
            log_spec = log_spec - 10.0 * np.log10(max(abs(self.ref_power), self.min_power))
            floor = log_spec.max() - self.top_db
            out = np.maximum(log_spec, work.type(floor)).astype(work)
            db_cache = (mel, log_spec, floor, int(np.argmax(log_spec)))
        y = np.swapaxes(out, -1, -2)
        y = y.reshape(x.shape[:-1] + y.shape[-2:])
        cache = (x.shape, x.dtype, source, taps, win, real, imag, magnitude, matrix, db_cache, length)
        return y.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        shape, in_dtype, source, taps, win, real, imag, magnitude, matrix, db_cache, length = cache
        work = real.dtype
        g = np.swapaxes(np.asarray(grad_outputs).astype(work).reshape((-1,) + np.asarray(grad_outputs).shape[-2:]),
                        -1, -2)  # (b, frames, mel)
        if db_cache is not None:
            mel, log_spec, floor, arg = db_cache
            above = log_spec >= floor
            g_log = np.where(above, g, 0).astype(np.float64)
            g_log.reshape(-1)[arg] += np.where(above, 0, g).sum(dtype=np.float64)  # the floor follows the maximum
            g = (g_log * np.where(mel > self.min_power, 10.0 / (np.log(10.0) * mel), 0)).astype(work)
        g_spec = g @ matrix.T
        p = self.mag_exp
        safe = np.where(magnitude > 0, magnitude, 1)
        d_mag = np.where(magnitude > 0, p * np.power(safe, p - 2), 0)  # d spec / d part = p |z|^(p-2) part
        g_real, g_imag = g_spec * d_mag * real, g_spec * d_mag * imag
        # adjoint of rfft: Re(N * ifft(spectrum of the gradients, upper bins zero))
        n = self.fft_length
        z = np.zeros(g_real.shape[:-1] + (n,), dtype=np.complex128)
        z[..., :g_real.shape[-1]] = g_real + 1j * g_imag
        d_windowed = (np.fft.ifft(z, axis=-1).real * n) * win
        d_padded = np.zeros((d_windowed.shape[0], len(source)), dtype=np.float64)
        for j in range(taps.shape[0]):
            d_padded[:, taps[j]] += d_windowed[:, j]
        dx = np.zeros((d_windowed.shape[0], length), dtype=np.float64)
        np.add.at(dx, (slice(None), source), d_padded)
        return dx.reshape(shape).astype(in_dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config.update({"fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                       "sequence_length": self.sequence_length, "window": self.window,
                       "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                       "min_freq": self.min_freq, "max_freq": self.max_freq, "power_to_db": self.power_to_db,
                       "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
                       "ref_power": self.ref_power})
        return config
