"""The losses added for R keras3 against Keras 3 (values, reductions with sample weights) and their
gradients against float64 central finite differences."""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk

K = keras.losses
RNG = np.random.default_rng(0)
REG = (RNG.normal(size=(6, 4)), RNG.normal(size=(6, 4)))
POS = (RNG.uniform(0.1, 3, (6, 4)), RNG.uniform(0.1, 3, (6, 4)))
PROB_T = np.eye(4)[RNG.integers(0, 4, 6)]
PROB_P = RNG.dirichlet(np.ones(4), 6)
BIN_T, BIN_P = RNG.integers(0, 2, (6, 3)).astype(float), RNG.uniform(0.05, 0.95, (6, 3))
CASES = [
    ("huber", K.Huber, {"delta": 0.7}, REG),
    ("log_cosh", K.LogCosh, {}, REG),
    ("kl_divergence", K.KLDivergence, {}, (PROB_P[::-1].copy(), PROB_P)),
    ("poisson", K.Poisson, {}, POS),
    ("cosine_similarity", K.CosineSimilarity, {}, REG),
    ("hinge", K.Hinge, {}, (BIN_T, REG[1][:, :3])),
    ("squared_hinge", K.SquaredHinge, {}, (BIN_T, REG[1][:, :3])),
    ("categorical_hinge", K.CategoricalHinge, {}, (PROB_T, REG[1])),
    ("mean_absolute_percentage_error", K.MeanAbsolutePercentageError, {}, REG),
    ("mean_squared_logarithmic_error", K.MeanSquaredLogarithmicError, {}, POS),
    ("binary_focal_crossentropy", K.BinaryFocalCrossentropy, {"gamma": 1.5, "apply_class_balancing": True,
                                                              "label_smoothing": 0.1}, (BIN_T, BIN_P)),
    ("binary_focal_crossentropy", K.BinaryFocalCrossentropy, {"from_logits": True}, (BIN_T, REG[1][:, :3])),
    ("categorical_focal_crossentropy", K.CategoricalFocalCrossentropy, {"alpha": 0.5}, (PROB_T, PROB_P)),
    ("categorical_focal_crossentropy", K.CategoricalFocalCrossentropy, {"from_logits": True,
                                                                        "label_smoothing": 0.1}, (PROB_T, REG[1])),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,k_cls,kwargs,data", CASES, ids=IDS)
def test_values_match_keras(name, k_cls, kwargs, data):
    yt, yp = (a.astype("float32") for a in data)
    sw = np.linspace(0.2, 1.5, len(yt)).astype("float32")
    r_loss = getattr(rk, f"loss_{name}")(**kwargs)
    k_loss = k_cls(**kwargs)
    for weights in (None, sw):
        expected = float(k_loss(yt, yp, sample_weight=weights))
        got = r_loss.weighted_value_and_grad(yt, yp, weights)[0] if weights is not None else r_loss(yt, yp)
        assert abs(got - expected) <= 1e-5 * max(abs(expected), 1e-3), (name, weights is None, got, expected)
    per = getattr(rk, f"loss_{name}")(yt, yp, **kwargs)
    assert np.allclose(per, k_cls(reduction=None, **kwargs)(yt, yp), rtol=1e-5, atol=1e-6)
    assert rk.training.losses.get(name).name == r_loss.name or name == "huber"


@pytest.mark.parametrize("name,k_cls,kwargs,data", CASES, ids=IDS)
def test_gradients_match_finite_differences(name, k_cls, kwargs, data):
    yt, yp = (np.asarray(a, np.float64) for a in data)
    loss = getattr(rk, f"loss_{name}")(**kwargs)
    sw = np.linspace(0.2, 1.5, len(yt))
    _, grad = loss.weighted_value_and_grad(yt, yp, sw)
    h, num = 1e-6, np.zeros_like(yp)
    for idx in np.ndindex(yp.shape):
        up, down = yp.copy(), yp.copy()
        up[idx] += h
        down[idx] -= h
        num[idx] = (loss.weighted_value_and_grad(yt, up, sw)[0] - loss.weighted_value_and_grad(yt, down, sw)[0]) / (2 * h)
    assert np.max(np.abs(grad - num)) <= 1e-6 * max(1.0, np.max(np.abs(num))), name


def test_compile_by_name_and_config_round_trip():
    model = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=4, activation="relu")
    for name in ("huber", "log_cosh", "kld", "poisson", "mape", "msle", "squared_hinge"):
        model | rk.compile(optimizer="sgd", loss=name)
        h = model | rk.fit(POS[0], POS[1], verbose=0)
        assert np.isfinite(h.history["loss"][0]), name
    for name, k_cls, kwargs, _ in CASES:
        loss = getattr(rk, f"loss_{name}")(**kwargs)
        assert type(loss)(**loss.get_config()).get_config() == loss.get_config()
        # Keras' keys, plus the constructor arguments Keras' own config drops (Huber's delta, the axis of
        # CosineSimilarity), so that from_config(get_config()) rebuilds the same loss
        assert set(k_cls(**kwargs).get_config()) - {"dtype"} <= set(loss.get_config()), name
    with pytest.raises(ValueError, match="gamma"):
        rk.loss_binary_focal_crossentropy(gamma=-1)
