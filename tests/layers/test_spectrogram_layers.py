"""Audio preprocessing layers (STFT spectrogram; mel spectrogram): Keras 3 parity of outputs and of
the gradients with respect to the input and the kernels (float32, rel <= 1e-5), the initial kernels
(Keras' STFT initializer), the shared harness (finite differences in float64), shapes and argument
errors."""

import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from layer_harness import run_layer_test
from numerics import rel_err

import rkeras as rk
from rkeras.layers.preprocessing.mel_spectrogram import MelSpectrogram
from rkeras.layers.preprocessing.stft_spectrogram import STFTSpectrogram

assert keras.backend.backend() == "jax"


def _signal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


STFT_CASES = [
    {"mode": "log", "frame_length": 16},
    {"mode": "magnitude", "frame_length": 12, "frame_step": 5, "fft_length": 16, "padding": "same"},
    {"mode": "psd", "frame_length": 8, "window": "hamming", "periodic": True, "scaling": "spectrum"},
    {"mode": "real", "frame_length": 8, "expand_dims": True},
    {"mode": "imag", "frame_length": 8, "data_format": "channels_first", "padding": "same"},
    {"mode": "angle", "frame_length": 8, "window": None},
    {"mode": "stft", "frame_length": 10, "frame_step": 3, "data_format": "channels_first", "expand_dims": True},
]


@pytest.mark.parametrize("kw", STFT_CASES)
def test_stft_spectrogram_parity(kw):
    shape = (2, 3, 40) if kw.get("data_format") == "channels_first" else (2, 40, 3)
    x = _signal(shape)
    k_layer, r_layer = keras.layers.STFTSpectrogram(**kw), STFTSpectrogram(**kw)
    assert set(k_layer.get_config()) == set(r_layer.get_config())
    k_layer.build(shape)
    r_layer.build(shape)
    k_weights = [np.asarray(w) for w in k_layer.weights]
    r_weights = r_layer.get_weights()
    assert len(k_weights) == len(r_weights)
    for kw_, rw in zip(k_weights, r_weights):  # the STFT initializer
        assert rel_err(rw, kw_) <= 1e-5
    r_layer.set_weights(k_weights)
    ky = np.asarray(k_layer(x))
    g = np.random.default_rng(1).normal(size=ky.shape).astype("float32")

    def fn(v, weights):
        return k_layer.stateless_call(weights, [], v)[0]

    _, pullback = jax.vjp(fn, x, [w.value for w in k_layer.trainable_weights])
    kdx, kdw = pullback(g)
    ry, rdx, rdw = rk.vjp(r_layer, x, g)
    assert ry.shape == ky.shape == r_layer.compute_output_shape(shape)
    errors = [rel_err(ry, ky), rel_err(rdx, np.asarray(kdx))]
    rdw = list(rdw.values()) if isinstance(rdw, dict) else list(rdw)
    assert len(rdw) == len(kdw) == len(k_weights)
    errors += [rel_err(np.asarray(r), np.asarray(k)) for r, k in zip(rdw, kdw)]
    assert max(errors) <= 1e-5, errors


@pytest.mark.parametrize("kw", STFT_CASES[:1] + STFT_CASES[2:6])
def test_stft_spectrogram_harness(kw):
    shape = (2, 2, 30) if kw.get("data_format") == "channels_first" else (2, 30, 2)
    x = np.random.default_rng(0).normal(size=shape)
    run_layer_test(STFTSpectrogram, input_data=x.astype("float32"), init_kwargs=kw, grad_input_data=x,
                   check_float16=False)


def test_stft_spectrogram_is_the_dft():
    # magnitude of a windowless, unscaled frame equals |rfft|
    x = _signal((1, 16, 1))
    layer = STFTSpectrogram(mode="magnitude", frame_length=16, window=None, dtype="float64")
    y = layer(x.astype("float64"))
    np.testing.assert_allclose(y[0, 0], np.abs(np.fft.rfft(x[0, :, 0].astype("float64"))), rtol=1e-10, atol=1e-6)


@pytest.mark.parametrize("make,match", [
    (lambda: STFTSpectrogram(mode="power"), "mode"),
    (lambda: STFTSpectrogram(frame_length=8, frame_step=9), "frame_step"),
    (lambda: STFTSpectrogram(frame_length=8, fft_length=4), "fft_length"),
    (lambda: STFTSpectrogram(window="nope"), "window"),
    (lambda: STFTSpectrogram(scaling="power"), "scaling"),
    (lambda: STFTSpectrogram(padding="causal"), "padding"),
])
def test_stft_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


MEL_CASES = [
    {"fft_length": 64, "sequence_stride": 16, "num_mel_bins": 10, "sampling_rate": 8000},
    {"fft_length": 32, "sequence_stride": 8, "sequence_length": 24, "window": "hamming", "num_mel_bins": 6,
     "power_to_db": False, "mag_exp": 1.0, "min_freq": 100.0, "max_freq": 3000.0, "sampling_rate": 8000},
    {"fft_length": 32, "sequence_stride": 10, "window": None, "num_mel_bins": 8, "top_db": 20.0, "ref_power": 2.0,
     "sampling_rate": 8000},
]


@pytest.mark.parametrize("kw", MEL_CASES)
def test_mel_spectrogram_parity(kw):
    x = _signal((2, 100))
    k_layer, r_layer = keras.layers.MelSpectrogram(**kw), MelSpectrogram(**kw)
    assert set(k_layer.get_config()) == set(r_layer.get_config())
    ky, pullback = jax.vjp(lambda v: k_layer(v), x)
    ky = np.asarray(ky)
    g = np.random.default_rng(1).normal(size=ky.shape).astype("float32")
    kdx = np.asarray(pullback(g)[0])
    ry, rdx, _ = rk.vjp(r_layer, x, g)
    assert ry.shape == ky.shape == r_layer.compute_output_shape(x.shape)
    errors = (rel_err(ry, ky), rel_err(rdx, kdx))
    assert max(errors) <= 1e-5, errors


@pytest.mark.parametrize("kw", MEL_CASES)
def test_mel_spectrogram_harness(kw):
    x = np.random.default_rng(0).normal(size=(2, 70))
    run_layer_test(MelSpectrogram, input_data=x.astype("float32"), init_kwargs=kw, grad_input_data=x,
                   check_float16=False, grad_tol=1e-5)


def test_mel_spectrogram_unbatched_and_errors():
    layer = MelSpectrogram(fft_length=32, sequence_stride=8, num_mel_bins=5)
    x = _signal((2, 64))
    np.testing.assert_allclose(layer(x[0]), layer(x[:1])[0], rtol=1e-6)
    with pytest.raises(ValueError, match="sequence_length"):
        MelSpectrogram(fft_length=16, sequence_length=32)
    with pytest.raises(ValueError, match="window"):
        MelSpectrogram(window="blackman")
    with pytest.raises(ValueError, match="min_freq"):
        MelSpectrogram(min_freq=9000.0, sampling_rate=16000)


def test_wrappers_compose():
    model = rk.keras_model_sequential(input_shape=(160, 1)) | rk.layer_stft_spectrogram(frame_length=64,
                                                                                          expand_dims=True)
    assert model.output_shape == (None, 4, 33, 1)
    x = _signal((2, 160, 1))
    assert model(x).shape == (2, 4, 33, 1)
    model = rk.keras_model_sequential(input_shape=(1600,)) | rk.layer_mel_spectrogram(fft_length=256,
                                                                                        sequence_stride=128,
                                                                                        num_mel_bins=32)
    assert model.output_shape == (None, 32, 13)
    assert model(_signal((2, 1600))).shape == (2, 32, 13)


def test_keras_files_interoperate(tmp_path):
    """A model with an STFT spectrogram (trainable kernels) saved by rkeras loads in Keras 3 with equal
    predictions, and the other way round."""
    x = _signal((2, 160, 1))
    model = rk.keras_model_sequential(input_shape=(160, 1)) | rk.layer_stft_spectrogram(frame_length=32,
                                                                                          mode="magnitude")
    model.layers[0].set_weights([w * 1.5 for w in model.layers[0].get_weights()])  # not the initial kernels
    path = str(tmp_path / "r.keras")
    rk.save_model(model, path)
    assert rel_err(np.asarray(keras.saving.load_model(path)(x)), model(x)) <= 1e-5
    k_model = keras.Sequential([keras.Input((160, 1)), keras.layers.STFTSpectrogram(frame_length=32, mode="log"),
                                keras.layers.Dense(3)])
    path = str(tmp_path / "k.keras")
    k_model.save(path)
    assert rel_err(rk.load_model(path)(x), np.asarray(k_model(x))) <= 1e-5
