"""R-style wrappers of the preprocessing layers (`layer_normalization()`, the audio spectrograms
`layer_stft_spectrogram()` and `layer_mel_spectrogram()`) and the `adapt()` verb."""

from ..compose import Deferred, check_object, compose
from ..core.layer import Layer
from ..docstrings import shared_doc
from ..layers.preprocessing.mel_spectrogram import MelSpectrogram
from ..layers.preprocessing.normalization import Normalization
from ..layers.preprocessing.stft_spectrogram import STFTSpectrogram


@shared_doc
def layer_normalization(object=None, axis=-1, mean=None, variance=None, invert=False, **kwargs):
    """A preprocessing layer that normalizes continuous features.

    This layer will shift and scale inputs into a distribution centered around 0 with standard
    deviation 1. It accomplishes this by precomputing the mean and variance of the data, and
    calling `(input - mean) / sqrt(var)` at runtime (the standard deviation is floored at 1e-7).

    The mean and variance values for the layer must be either supplied on construction or learned
    via `adapt()`. `adapt()` will compute the mean and variance of the data and store them as the
    layer's weights (`mean`, `variance` and `count`, non-trainable). `adapt()` should be called
    before `fit()`, `evaluate()`, or `predict()`; before it the layer normalizes with mean 0 and
    variance 1.

    Parameters
    ----------
    {{layer_object}}
    axis : None, int or list of int
        The axis or axes that should have a separate mean and variance for each index in the
        shape, R style: `axis=k > 0` is the k-th dimension counted from 1 *including the batch
        dimension*; negative values count from the end. For example, if shape is
        `(NULL, 5)` and `axis=2` (or the default `-1`), the layer will track 5 separate mean and
        variance values for the last axis. If `axis` is set to None, the layer will normalize all
        elements in the input by a scalar mean and variance. Note that in the specific case of
        batched scalar inputs where the only axis is the batch axis, the default will normalize
        each index in the batch separately; in this case, consider passing `axis=None`.
    mean : None, number or array
        The mean value(s) to use during normalization. The passed value(s) will be broadcast to
        the shape of the kept axes above; if the value(s) cannot be broadcast, an error will be
        raised when this layer's `build()` method is called. `mean` and `variance` must be
        specified together.
    variance : None, number or array
        The variance value(s) to use during normalization. The passed value(s) will be broadcast
        to the shape of the kept axes above; if the value(s) cannot be broadcast, an error will be
        raised when this layer's `build()` method is called.
    invert : bool
        If True, this layer will apply the inverse transformation to its inputs: it would turn a
        normalized input back into its original form (`mean + input * sqrt(var)`).
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any rank; the kept axes must have the sizes the layer was built (or adapted) for.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - https://keras.io/api/layers/preprocessing_layers/numerical/normalization

    Examples
    --------
    >>> adapt_data = np.array([[0., 7., 4.], [2., 9., 6.], [0., 7., 4.], [2., 9., 6.]], dtype="float32")
    >>> layer = layer_normalization(axis=-1)
    >>> layer | adapt(adapt_data)
    >>> layer(np.array([[0., 7., 4.]]))
    >>> layer_normalization(mean=3., variance=2.)(np.array([[1.], [2.], [3.]]))
    """
    check_object(object, "layer_normalization(axis={!r})")
    layer = Normalization(axis=axis, mean=mean, variance=variance, invert=invert, **kwargs)
    return compose(layer, object)


def adapt(object=None, data=None, *, batch_size=None, steps=None, **kwargs):
    """Fits the state of a preprocessing layer to the data being passed.

    After calling `adapt()` on a `layer_normalization()`, its `mean`, `variance` and `count`
    weights hold the statistics of `data`. The data are read batch by batch and the statistics are
    merged with a numerically stable parallel formula (Chan et al.) in float64, so data larger than
    memory can be streamed from a generator, and adapting on batches equals adapting on all of the
    data at once. Called without a layer, `adapt(data)` returns a deferred call for the pipe:
    `layer | adapt(data)`.

    Parameters
    ----------
    object : Layer
        A preprocessing layer with state to adapt (`layer_normalization()`).
    data : array or iterable
        The data to adapt on: an array (batch first), or an iterable (a list or a generator) of
        arrays or of `(x, y)` tuples, one batch each.
    batch_size : None or int
        Number of samples per state update when `data` is an array. None: the whole array at once.
    steps : None or int
        Total number of batches to read before stopping (None: all of them). With a generator that
        never ends, give `steps`.
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    The layer, adapted (R returns it invisibly).

    Examples
    --------
    >>> layer = layer_normalization()
    >>> batches = (np.random.default_rng(i).normal(size=(100, 3)) for i in range(10))
    >>> layer | adapt(batches)
    """
    if kwargs:
        raise TypeError(f"Unknown keyword argument(s) for adapt(): {', '.join(map(repr, kwargs))}. "
                        f"Accepted: object, data, batch_size, steps.")
    if not isinstance(object, Layer):
        if object is not None and data is not None:
            raise TypeError(f"`object` of adapt() must be a preprocessing layer such as layer_normalization(); "
                            f"received {type(object).__name__}.")
        # without a layer, the first argument is the data: `layer | adapt(data)`
        return Deferred(adapt, (), {"data": object if data is None else data, "batch_size": batch_size,
                                    "steps": steps})
    if not hasattr(object, "adapt"):
        raise TypeError(f"`object` of adapt() must be a layer with state to adapt (layer_normalization()); "
                        f"received layer '{object.name}' of type {type(object).__name__}.")
    return object.adapt(data, batch_size=batch_size, steps=steps)


@shared_doc
def layer_stft_spectrogram(object=None, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann",
                           periodic=False, scaling="density", padding="valid", expand_dims=False, data_format=None,
                           **kwargs):
    """Layer to compute the Short-Time Fourier Transform (STFT) on a 1D signal.

    Each channel of the input signals is cut into frames of `frame_length` samples every
    `frame_step`; each frame is multiplied by two kernels: the windowed cosines and sines of the
    discrete Fourier transform (`fft_length / 2 + 1` frequency bins), stored as the weights
    `real_kernel` and `imag_kernel`. The kernels are trainable (Keras' default): the layer can be
    trained jointly within a model, or frozen with `trainable = FALSE` to act as a fixed
    preprocessing layer.

    Parameters
    ----------
    {{layer_object}}
    mode : str
        The output: `"log"` (log of the magnitude, default), `"magnitude"`, `"psd"` (power
        spectral density), `"real"`, `"imag"`, `"angle"` or `"stft"` (real and imaginary parts
        concatenated along the frequency axis).
    frame_length : int
        The window length in samples. Defaults to 256.
    frame_step : None or int
        The step between frames, in [1, frame_length]. None (default) means `frame_length / 2`.
    fft_length : None or int
        The size of the FFT, at least `frame_length`. None (default) means the smallest power of 2
        not below `frame_length`.
    window : None or str
        The name of a window of `scipy.signal.get_window()` (default `"hann"`), or None for no
        window.
    periodic : bool
        Use the periodic (DFT-even) window instead of the symmetric one. Defaults to FALSE.
    scaling : None or str
        The kernels' normalization: `"density"` (divide by the window's norm, default),
        `"spectrum"` (by its sum) or None.
    padding : str
        `"valid"` (default) or `"same"` framing of the signal.
    expand_dims : bool
        FALSE (default): outputs `(batch, frames, channels * bins)` (channels-last); TRUE:
        `(batch, frames, bins, channels)`, ready for 2D convolutions.
    data_format : None or str
        `"channels_last"` (inputs `(batch, time, channels)`) or `"channels_first"` (inputs
        `(batch, channels, time)`). None means `"channels_last"`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D batch of signals.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, frames, channels * bins)` (see `expand_dims` and
      `data_format` for the other layouts; `bins` doubles with `mode = "stft"`).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 160, 1))
    >>> layer_stft_spectrogram(x, frame_length=64, frame_step=32).shape
    (2, 4, 33)
    """
    check_object(object, "layer_stft_spectrogram(mode={!r})")
    layer = STFTSpectrogram(mode=mode, frame_length=frame_length, frame_step=frame_step, fft_length=fft_length,
                            window=window, periodic=periodic, scaling=scaling, padding=padding,
                            expand_dims=expand_dims, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_mel_spectrogram(object=None, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                          sampling_rate=16000, num_mel_bins=128, min_freq=20, max_freq=None, power_to_db=True,
                          top_db=80, mag_exp=2, min_power=1e-10, ref_power=1, **kwargs):
    """A preprocessing layer to convert raw audio signals to Mel spectrograms.

    Each signal, reflect-padded by `fft_length / 2` samples at both ends, is cut into frames of
    `fft_length` samples every `sequence_stride`, windowed (a window of `sequence_length` samples,
    centered in the frame) and Fourier transformed. The magnitudes, raised to `mag_exp`, are
    mapped onto `num_mel_bins` triangular bands of the mel scale (HTK's, between `min_freq` and
    `max_freq`) and, with `power_to_db`, converted to decibels:
    `10 log10(max(x, min_power) / max(|ref_power|, min_power))`, floored at `top_db` below the
    largest value of the batch (as Keras 3: one maximum over the whole batch). The layer has no
    weights; gradients flow back to the signal.

    Parameters
    ----------
    {{layer_object}}
    fft_length : int
        The size of the FFT (and of the frames). Defaults to 2048.
    sequence_stride : int
        The step between frames, in samples. Defaults to 512.
    sequence_length : None or int
        The window length, at most `fft_length`; None (default) means `fft_length`.
    window : None or str
        `"hann"` (default), `"hamming"` or None (a rectangular window).
    sampling_rate : int
        The samples per second of the signals. Defaults to 16000.
    num_mel_bins : int
        The number of mel bands. Defaults to 128.
    min_freq, max_freq : None or float
        The frequency range of the mel bands, in Hz. `min_freq` defaults to 20; None for
        `max_freq` means `sampling_rate / 2`.
    power_to_db : bool
        Convert to decibels (default TRUE).
    top_db : float
        The floor below the batch's maximum, in dB. Defaults to 80.
    mag_exp : float
        The exponent of the magnitudes: 1 for magnitude, 2 (default) for power.
    min_power : float
        The smallest value before the logarithm. Defaults to 1e-10.
    ref_power : float
        The reference of the decibels. Defaults to 1.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 2D batch of signals `(batch, time)`, or one signal `(time,)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, num_mel_bins, frames)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 1600))
    >>> layer_mel_spectrogram(x, fft_length=256, sequence_stride=128, num_mel_bins=32).shape
    (2, 32, 13)
    """
    check_object(object, "layer_mel_spectrogram(fft_length={!r})")
    layer = MelSpectrogram(fft_length=fft_length, sequence_stride=sequence_stride, sequence_length=sequence_length,
                           window=window, sampling_rate=sampling_rate, num_mel_bins=num_mel_bins, min_freq=min_freq,
                           max_freq=max_freq, power_to_db=power_to_db, top_db=top_db, mag_exp=mag_exp,
                           min_power=min_power, ref_power=ref_power, **kwargs)
    return compose(layer, object)
