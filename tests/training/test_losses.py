"""Losses against hand formulas, central finite differences (float64) and each other."""

import numpy as np
import pytest

from rkeras.training import losses as L
from rkeras.training.losses import (
    Loss,
    loss_binary_crossentropy,
    loss_categorical_crossentropy,
    loss_mean_absolute_error,
    loss_mean_squared_error,
    loss_sparse_categorical_crossentropy,
)

RNG = np.random.default_rng(0)
P = RNG.uniform(0.05, 0.95, (5, 3))  # probabilities away from the clip bounds
Z = RNG.normal(0, 2, (5, 3))  # logits
T_BIN = (RNG.uniform(size=(5, 3)) > 0.5).astype(float)
LABELS = np.array([0, 2, 1, 1, 0])
ONE_HOT = np.eye(3)[LABELS]


def finite_diff(loss, y_true, y_pred, h=1e-6):
    g = np.zeros_like(y_pred, dtype=np.float64)
    for i in np.ndindex(y_pred.shape):
        up, dn = y_pred.astype(np.float64), y_pred.astype(np.float64)
        up[i] += h
        dn[i] -= h
        g[i] = (loss(y_true, up) - loss(y_true, dn)) / (2 * h)
    return g


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- hand formulas --------------------------------------------------------------------------------


def test_hand_values():
    yt, yp = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.5, 2.0], [2.0, 7.0]])
    assert L.get("mse")(yt, yp) == pytest.approx((0.25 + 0 + 1 + 4) / 4)
    assert L.get("mae")(yt, yp) == pytest.approx((0.5 + 0 + 1 + 2) / 4)
    np.testing.assert_allclose(loss_mean_squared_error(yt, yp), [0.125, 2.5])
    t, p = np.array([[1.0], [0.0], [1.0]]), np.array([[0.8], [0.3], [0.4]])
    bce = -(np.log(0.8) + np.log(0.7) + np.log(0.4)) / 3
    assert L.get("binary_crossentropy")(t, p) == pytest.approx(bce, rel=1e-12)
    probs = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    cce = -(np.log(0.5) + np.log(0.8)) / 2
    assert L.get("categorical_crossentropy")(np.array([[0, 1, 0], [0, 0, 1]]), probs) == pytest.approx(cce)
    assert L.get("sparse_categorical_crossentropy")(np.array([1, 2]), probs) == pytest.approx(cce)
    np.testing.assert_allclose(
        loss_sparse_categorical_crossentropy([1, 2], probs), [-np.log(0.5), -np.log(0.8)]
    )


def test_reductions():
    yt, yp = np.zeros((4, 2)), np.arange(8.0).reshape(4, 2)
    per = np.mean(yp**2, axis=1)
    assert loss_mean_squared_error(reduction="sum")(yt, yp) == pytest.approx(per.sum())
    assert loss_mean_squared_error(reduction="mean")(yt, yp) == pytest.approx(per.mean())
    np.testing.assert_allclose(loss_mean_squared_error(reduction="none")(yt, yp), per)
    _, g = loss_mean_squared_error(reduction="sum").value_and_grad(yt, yp)
    np.testing.assert_allclose(g, yp)  # d/dyp sum_i mean_j yp^2 = 2 yp / 2
    with pytest.raises(ValueError, match="reduction"):
        loss_mean_squared_error(reduction="none").value_and_grad(yt, yp)


# --- gradients vs central finite differences ------------------------------------------------------

GRAD_CASES = [
    ("mse", loss_mean_squared_error(), T_BIN, P),
    ("mae", loss_mean_absolute_error(), T_BIN, P),
    ("mse_sum", loss_mean_squared_error(reduction="sum"), T_BIN, Z),
    ("bce", loss_binary_crossentropy(), T_BIN, P),
    ("bce_soft", loss_binary_crossentropy(label_smoothing=0.2), RNG.uniform(size=(5, 3)), P),
    ("bce_logits", loss_binary_crossentropy(from_logits=True), T_BIN, Z),
    ("bce_logits_ls", loss_binary_crossentropy(from_logits=True, label_smoothing=0.1), T_BIN, Z),
    ("bce_axis1", loss_binary_crossentropy(axis=1), T_BIN, P),
    ("cce", loss_categorical_crossentropy(), ONE_HOT, P),  # P rows do not sum to 1
    ("cce_ls", loss_categorical_crossentropy(label_smoothing=0.3), ONE_HOT, P),
    ("cce_logits", loss_categorical_crossentropy(from_logits=True), ONE_HOT, Z),
    ("cce_logits_soft", loss_categorical_crossentropy(from_logits=True), softmax(Z.T).T, Z),
    (
        "cce_axis2_of_3",
        loss_categorical_crossentropy(axis=2),
        np.eye(3)[[0, 1, 2, 0]].reshape(2, 3, 2),
        RNG.uniform(0.1, 0.9, (2, 3, 2)),
    ),
    ("scce", loss_sparse_categorical_crossentropy(), LABELS, P),
    ("scce_col", loss_sparse_categorical_crossentropy(), LABELS[:, None].astype(float), P),
    ("scce_logits", loss_sparse_categorical_crossentropy(from_logits=True), LABELS, Z),
    (
        "scce_rank3",
        loss_sparse_categorical_crossentropy(from_logits=True),
        np.array([[0, 1], [2, 2]]),
        RNG.normal(size=(2, 2, 3)),
    ),
]


@pytest.mark.parametrize("name,loss,yt,yp", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradient_matches_finite_differences(name, loss, yt, yp):
    value, grad = loss.value_and_grad(yt, yp)
    assert value == pytest.approx(loss(yt, yp), rel=1e-14)
    assert grad.shape == yp.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, finite_diff(loss, yt, yp), rtol=1e-6, atol=1e-8)


def test_gradient_hand_formulas():
    n = Z.size
    _, g = loss_binary_crossentropy(from_logits=True).value_and_grad(T_BIN, Z)
    np.testing.assert_allclose(g, (sigmoid(Z) - T_BIN) / n, rtol=1e-12)
    _, g = loss_categorical_crossentropy(from_logits=True).value_and_grad(ONE_HOT, Z)
    np.testing.assert_allclose(g, (softmax(Z) - ONE_HOT) / len(Z), rtol=1e-12, atol=1e-15)
    _, g = loss_mean_squared_error().value_and_grad(T_BIN, P)
    np.testing.assert_allclose(g, 2 * (P - T_BIN) / n, rtol=1e-12)


def test_clipped_region_has_zero_gradient_and_keras_bounds():
    t = np.array([[0.0], [1.0], [1.0]], np.float32)
    p = np.array([[1.0], [0.0], [0.5]], np.float32)
    v, g = loss_binary_crossentropy().value_and_grad(t, p)
    hi = float(np.float32(1) - np.float32(1e-7))  # Keras clips in float32
    lo = float(np.float32(1e-7))
    want = (-np.log(1 - hi) - np.log(lo) - np.log(0.5)) / 3
    assert v == pytest.approx(want, rel=1e-6)
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g[:2], 0.0)
    assert g[2, 0] == pytest.approx(-1 / 0.5 / 3)


def test_from_logits_agrees_with_probabilities():
    z = np.clip(Z, -4, 4)
    assert loss_binary_crossentropy(from_logits=True)(T_BIN, z) == pytest.approx(
        loss_binary_crossentropy()(T_BIN, sigmoid(z)), rel=1e-9
    )
    assert loss_categorical_crossentropy(from_logits=True)(ONE_HOT, z) == pytest.approx(
        loss_categorical_crossentropy()(ONE_HOT, softmax(z)), rel=1e-9
    )
    assert loss_sparse_categorical_crossentropy(from_logits=True)(LABELS, z) == pytest.approx(
        loss_sparse_categorical_crossentropy()(LABELS, softmax(z)), rel=1e-9
    )
    # gradients w.r.t. logits = chain rule through sigmoid/softmax of the probability gradients
    _, gp = loss_binary_crossentropy().value_and_grad(T_BIN, sigmoid(z))
    _, gz = loss_binary_crossentropy(from_logits=True).value_and_grad(T_BIN, z)
    np.testing.assert_allclose(gz, gp * sigmoid(z) * (1 - sigmoid(z)), rtol=1e-8)


def test_logits_are_stable_for_large_values():
    z = np.array([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 5.0]])
    for loss, yt in [
        (loss_binary_crossentropy(from_logits=True), np.array([[1, 0, 1], [0, 1, 0.0]])),
        (loss_categorical_crossentropy(from_logits=True), np.array([[0, 1, 0], [1, 0, 0.0]])),
        (loss_sparse_categorical_crossentropy(from_logits=True), np.array([1, 0])),
    ]:
        v, g = loss.value_and_grad(yt, z)
        assert np.isfinite(v) and np.all(np.isfinite(g))
    assert loss_sparse_categorical_crossentropy(from_logits=True)(np.array([1, 0]), z) == pytest.approx(
        (2000 + 1600) / 2
    )


def test_label_smoothing():
    ls = 0.2
    smoothed = T_BIN * (1 - ls) + 0.5 * ls
    assert loss_binary_crossentropy(label_smoothing=ls)(T_BIN, P) == pytest.approx(
        loss_binary_crossentropy()(smoothed, P), rel=1e-12
    )
    smoothed = ONE_HOT * (1 - ls) + ls / 3
    assert loss_categorical_crossentropy(from_logits=True, label_smoothing=ls)(ONE_HOT, Z) == pytest.approx(
        loss_categorical_crossentropy(from_logits=True)(smoothed, Z), rel=1e-12
    )
    manual = np.mean(-np.sum(smoothed * np.log(P / P.sum(1, keepdims=True)), axis=1))
    assert loss_categorical_crossentropy(label_smoothing=ls)(ONE_HOT, P) == pytest.approx(manual, rel=1e-12)


def test_categorical_renormalizes_and_axis():
    cce = loss_categorical_crossentropy()
    assert cce(ONE_HOT, P) == pytest.approx(cce(ONE_HOT, P / P.sum(1, keepdims=True)), rel=1e-12)
    assert cce(ONE_HOT, 3 * P) == pytest.approx(cce(ONE_HOT, P), rel=1e-12)
    assert loss_categorical_crossentropy(axis=2)(ONE_HOT, P) == pytest.approx(cce(ONE_HOT, P), rel=1e-14)
    assert loss_categorical_crossentropy(axis=1)(ONE_HOT.T, P.T) == pytest.approx(cce(ONE_HOT, P), rel=1e-12)


def test_sparse_label_forms_agree_with_one_hot():
    want = loss_categorical_crossentropy()(ONE_HOT, P)
    scce = loss_sparse_categorical_crossentropy()
    for labels in [
        LABELS,
        LABELS[:, None],
        LABELS.astype(np.float32),
        LABELS[:, None].astype(float),
        LABELS.astype(np.int8),
    ]:
        assert scce(labels, P) == pytest.approx(want, rel=1e-12)


def test_shape_alignment_and_dtypes():
    yt = RNG.uniform(size=6)
    yp = RNG.uniform(0.1, 0.9, (6, 1)).astype(np.float32)
    for loss in [L.get("mse"), L.get("mae"), L.get("binary_crossentropy")]:
        v1, g1 = loss.value_and_grad(yt, yp)
        v2, g2 = loss.value_and_grad(yt[:, None], yp)
        assert v1 == pytest.approx(v2) and g1.shape == (6, 1) and g1.dtype == np.float32
        np.testing.assert_array_equal(g1, g2)
        _, g3 = loss.value_and_grad(yt[:, None], yp[:, 0])
        assert g3.shape == (6,)
    _, g = L.get("mse").value_and_grad(np.zeros((2, 3)), np.ones((2, 3), np.float64))
    assert g.dtype == np.float64


def test_function_loss_by_finite_differences():
    def cubic(y_true, y_pred):
        return np.sum(np.abs(y_true - y_pred) ** 3, axis=-1)

    loss = L.get(cubic)
    assert loss.name == "cubic"
    v, g = loss.value_and_grad(T_BIN, P)
    assert v == pytest.approx(np.mean(np.sum(np.abs(T_BIN - P) ** 3, axis=-1)))
    np.testing.assert_allclose(g, 3 * (P - T_BIN) * np.abs(P - T_BIN) / len(P), rtol=1e-7, atol=1e-9)
    scalar = L.get(lambda a, b: np.mean((a - b) ** 2))
    _, g = scalar.value_and_grad(T_BIN, P)
    np.testing.assert_allclose(g, 2 * (P - T_BIN) / P.size, rtol=1e-7, atol=1e-10)


def test_get():
    for name, cls in [
        ("mse", L.MeanSquaredError),
        ("mean_squared_error", L.MeanSquaredError),
        ("MAE", L.MeanAbsoluteError),
        ("mean_absolute_error", L.MeanAbsoluteError),
        ("binary_crossentropy", L.BinaryCrossentropy),
        ("categorical_crossentropy", L.CategoricalCrossentropy),
        ("sparse_categorical_crossentropy", L.SparseCategoricalCrossentropy),
    ]:
        assert type(L.get(name)) is cls
    obj = loss_binary_crossentropy(from_logits=True)
    assert L.get(obj) is obj and isinstance(obj, Loss)
    assert type(L.get(loss_categorical_crossentropy)) is L.CategoricalCrossentropy
    with pytest.raises(ValueError) as e:
        L.get("hinges")
    msg = str(e.value)
    assert (
        "`loss`" in msg and "'hinges'" in msg and "'sparse_categorical_crossentropy'" in msg and "'mse'" in msg
    )
    with pytest.raises(ValueError, match="`loss`"):
        L.get(3)
    assert L.canonical_name("MSE") == "mean_squared_error"
    assert L.canonical_name(obj) == "binary_crossentropy"
    assert L.canonical_name(lambda a, b: 0) is None


def test_per_sample_form_and_config():
    np.testing.assert_allclose(
        loss_binary_crossentropy(T_BIN, P), -np.mean(T_BIN * np.log(P) + (1 - T_BIN) * np.log(1 - P), axis=-1)
    )
    assert loss_mean_absolute_error(T_BIN, P.astype(np.float32)).dtype == np.float32
    c = loss_categorical_crossentropy(from_logits=True, label_smoothing=0.1, axis=2).get_config()
    assert c == {
        "name": "categorical_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": True,
        "label_smoothing": 0.1,
        "axis": 2,
    }


@pytest.mark.parametrize(
    "call,arg,exc",
    [
        (lambda: loss_binary_crossentropy(label_smoothing=1.5), "label_smoothing", ValueError),
        (lambda: loss_categorical_crossentropy(label_smoothing=-0.1), "label_smoothing", ValueError),
        (lambda: loss_binary_crossentropy(from_logits="yes"), "from_logits", TypeError),
        (lambda: loss_sparse_categorical_crossentropy(from_logits=1), "from_logits", TypeError),
        (lambda: loss_categorical_crossentropy(axis=0), "axis", ValueError),
        (lambda: loss_categorical_crossentropy(axis=[1, 2]), "axis", TypeError),
        (lambda: loss_categorical_crossentropy(axis=5)(ONE_HOT, P), "axis", ValueError),
        (lambda: loss_mean_squared_error(reduction="avg"), "reduction", ValueError),
        (lambda: loss_mean_squared_error(np.zeros(3)), "y_pred", ValueError),
        (lambda: L.get("mse")(np.zeros((4, 3)), np.zeros((4, 2))), "y_true", ValueError),
        (lambda: L.get("mse")(np.zeros(3), np.zeros((3, 3))), "y_true", ValueError),
        (lambda: L.get("categorical_crossentropy")(LABELS, P), "y_true", ValueError),
        (lambda: L.get("mse")(np.array(["a", "b"]), np.zeros(2)), "y_true", TypeError),
        (
            lambda: L.get("sparse_categorical_crossentropy")(np.array([0, 3, 1, 1, 0]), P),
            "y_true",
            ValueError,
        ),
        (
            lambda: L.get("sparse_categorical_crossentropy")(np.array([0, -1, 1, 1, 0]), P),
            "y_true",
            ValueError,
        ),
        (
            lambda: L.get("sparse_categorical_crossentropy")(np.array([0, 1.5, 1, 1, 0]), P),
            "y_true",
            ValueError,
        ),
        (lambda: L.get("sparse_categorical_crossentropy")(ONE_HOT, P), "y_true", ValueError),
        (
            lambda: L.get("sparse_categorical_crossentropy")(np.array([0, np.inf, 1, 1, 0]), P),
            "y_true",
            ValueError,
        ),
        (
            lambda: L.get("sparse_categorical_crossentropy")(np.array([0, np.nan, 1, 1, 0]), P),
            "y_true",
            ValueError,
        ),
    ],
)
def test_errors_name_the_argument(call, arg, exc):
    with pytest.raises(exc) as e:
        call()
    assert f"`{arg}`" in str(e.value)
