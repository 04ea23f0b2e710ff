"""Metrics against hand counts; the "accuracy" resolution rule; sample-weighted batch averaging."""

import numpy as np
import pytest

from rkeras.training import losses as L
from rkeras.training import metrics as M
from rkeras.training.metrics import (
    Mean,
    Metric,
    metric_accuracy,
    metric_binary_accuracy,
    metric_binary_crossentropy,
    metric_categorical_accuracy,
    metric_categorical_crossentropy,
    metric_mean,
    metric_mean_absolute_error,
    metric_mean_squared_error,
    metric_sparse_categorical_accuracy,
    metric_sparse_categorical_crossentropy,
)


def test_binary_accuracy_hand_counts():
    yt = np.array([[1], [0], [1], [0], [1]])
    yp = np.array([[0.9], [0.6], [0.5], [0.1], [0.51]])
    m = metric_binary_accuracy()
    m.update_state(yt, yp)
    assert m.result() == pytest.approx(3 / 5)  # 0.5 is not > 0.5
    m2 = metric_binary_accuracy(threshold=0.55)
    m2.update_state(yt[:, 0], yp)  # (N,) labels against (N, 1) predictions
    assert m2.result() == pytest.approx(2 / 5)
    np.testing.assert_array_equal(metric_binary_accuracy([1, 0, 1], [0.7, 0.2, 0.3]), [1, 1, 0])
    multi = metric_binary_accuracy()
    multi.update_state(np.array([[1, 0], [1, 1]]), np.array([[0.9, 0.8], [0.7, 0.6]]))
    assert multi.result() == pytest.approx(3 / 4)


def test_categorical_and_sparse_accuracy_hand_counts():
    yp = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.4, 0.4, 0.2]])
    labels = np.array([1, 1, 2, 0])  # last row: tie -> first maximal class (0)
    m = metric_categorical_accuracy()
    m.update_state(np.eye(3)[labels], yp)
    assert m.result() == pytest.approx(3 / 4)
    for form in [labels, labels[:, None], labels.astype(float), labels[:, None].astype(np.float32)]:
        s = metric_sparse_categorical_accuracy()
        s.update_state(form, yp)
        assert s.result() == pytest.approx(3 / 4)
    np.testing.assert_array_equal(metric_sparse_categorical_accuracy(labels, yp), [1, 0, 1, 1])


def test_accuracy_is_exact_equality():
    m = metric_accuracy()
    m.update_state(np.array([1, 2, 3, 4]), np.array([1.0, 2.0, 3.5, 0.0]))
    assert m.name == "accuracy" and m.result() == pytest.approx(0.5)


def test_batches_are_weighted_by_their_size_and_reset():
    rng = np.random.default_rng(0)
    yt, yp = rng.normal(size=(10, 3)), rng.normal(size=(10, 3))
    for make, per_elem in [(metric_mean_squared_error, lambda d: d**2), (metric_mean_absolute_error, np.abs)]:
        m = make()
        for sl in [slice(0, 7), slice(7, 9), slice(9, 10)]:
            m.update_state(yt[sl], yp[sl])
        assert m.result() == pytest.approx(np.mean(per_elem(yt - yp)), rel=1e-12)
        m.reset_state()
        assert m.result() == 0.0
        m.update_state(yt[:2], yp[:2])
        assert m.result() == pytest.approx(np.mean(per_elem(yt[:2] - yp[:2])), rel=1e-12)
    acc = metric_binary_accuracy()
    acc.update_state(np.ones((3, 1)), np.ones((3, 1)))  # 3 right
    acc.update_state(np.ones((1, 1)), np.zeros((1, 1)))  # 1 wrong
    assert acc.result() == pytest.approx(3 / 4)
    flat = metric_mean_squared_error()  # rank-1 outputs still count per sample
    flat.update_state(np.zeros(3), np.ones(3))
    flat.update_state(np.zeros(1), np.full(1, 3.0))
    assert flat.result() == pytest.approx((3 * 1 + 9) / 4)


def test_mean_metric_for_the_loss():
    m = metric_mean()
    assert isinstance(m, Mean) and m.name == "mean" and m.result() == 0.0
    m.update_state(2.0, sample_weight=30)  # batch of 30 samples with mean loss 2
    m.update_state(5.0, sample_weight=10)
    assert m.result() == pytest.approx((60 + 50) / 40)
    m.reset_state()
    m.update_state(np.array([1.0, 2.0, 6.0]))
    m.update_state(np.array([[1.0, 3.0]]))  # one sample, values averaged
    assert m.result() == pytest.approx((1 + 2 + 6 + 2) / 4)
    with pytest.raises(ValueError, match="sample_weight"):
        m.update_state(np.ones(3), sample_weight=np.ones(2))


def test_crossentropy_metrics_match_losses():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.1, 0.9, (6, 3))
    labels = rng.integers(0, 3, 6)
    for metric, loss, yt in [
        (metric_binary_crossentropy(), L.loss_binary_crossentropy(), np.eye(3)[labels]),
        (metric_categorical_crossentropy(), L.loss_categorical_crossentropy(), np.eye(3)[labels]),
        (metric_sparse_categorical_crossentropy(), L.loss_sparse_categorical_crossentropy(), labels),
    ]:
        metric.update_state(yt[:4], p[:4])
        metric.update_state(yt[4:], p[4:])
        assert metric.result() == pytest.approx(loss(yt, p), rel=1e-12)


# --- resolution of compile(metrics = ...) ---------------------------------------------------------


def _kind(metric):
    m = metric.resolved if hasattr(metric, "resolved") else metric
    return m.fn.__name__.lstrip("_")


@pytest.mark.parametrize(
    "loss,shape,kind",
    [
        ("binary_crossentropy", (None, 1), "binary_accuracy"),
        ("binary_crossentropy", (None, 4), "binary_accuracy"),  # multi-label
        (L.loss_binary_crossentropy(from_logits=True), (None, 1), "binary_accuracy"),
        ("sparse_categorical_crossentropy", (None, 10), "sparse_categorical_accuracy"),
        (L.loss_sparse_categorical_crossentropy(), (None, 10), "sparse_categorical_accuracy"),
        ("categorical_crossentropy", (None, 10), "categorical_accuracy"),
        (L.loss_categorical_crossentropy, (None, 10), "categorical_accuracy"),
        ("mse", (None, 1), "binary_accuracy"),  # by shape: last dim 1
        (None, (None,), "binary_accuracy"),
    ],
)
def test_accuracy_resolution_from_loss_and_output(loss, shape, kind):
    for ident in ["accuracy", "acc", "Accuracy"]:
        m = M.get(ident, loss=loss, output_shape=shape)
        assert m.name == ident and _kind(m) == kind


@pytest.mark.parametrize(
    "y_true_shape,kind",
    [
        ((8,), "sparse_categorical_accuracy"),
        ((8, 1), "sparse_categorical_accuracy"),
        ((8, 3), "categorical_accuracy"),
    ],
)
def test_accuracy_resolution_deferred_to_the_targets(y_true_shape, kind):
    m = M.get("accuracy", loss="mse", output_shape=(None, 3))
    assert m.result() == 0.0
    rng = np.random.default_rng(2)
    yp = rng.uniform(size=(8, 3))
    labels = rng.integers(0, 3, 8)
    yt = np.eye(3)[labels] if y_true_shape == (8, 3) else labels.reshape(y_true_shape)
    m.update_state(yt, yp)
    assert _kind(m) == kind and m.name == "accuracy"
    assert m.result() == pytest.approx(np.mean(np.argmax(yp, 1) == labels))
    m.reset_state()
    assert m.result() == 0.0
    no_shape = M.get("accuracy")
    no_shape.update_state(np.array([[1], [0]]), np.array([[0.8], [0.9]]))
    assert _kind(no_shape) == "binary_accuracy" and no_shape.result() == pytest.approx(0.5)


def test_get_names_and_kinds():
    for ident, kind in [
        ("mae", "per_sample"),
        ("mse", "per_sample"),
        ("mean_squared_error", "per_sample"),
        ("mean_absolute_error", "per_sample"),
        ("binary_accuracy", "binary_accuracy"),
        ("categorical_accuracy", "categorical_accuracy"),
        ("sparse_categorical_accuracy", "sparse_categorical_accuracy"),
    ]:
        m = M.get(ident)
        assert m.name == ident and _kind(m) == kind and isinstance(m, Metric)
    assert M.get("mae").fn.__self__.name == "mean_absolute_error"
    obj = metric_binary_accuracy(threshold=0.2)
    assert M.get(obj) is obj
    assert M.get(metric_mean_absolute_error).name == "mean_absolute_error"
    assert M.get(metric_accuracy).name == "accuracy"

    def within_one(y_true, y_pred):
        return (np.abs(np.asarray(y_true) - np.asarray(y_pred)) <= 1).astype(float)

    custom = M.get(within_one)
    custom.update_state(np.array([0, 0, 0, 0]), np.array([0.5, 2, 1, -3]))
    assert custom.name == "within_one" and custom.result() == pytest.approx(0.5)
    from_loss = M.get(L.loss_mean_squared_error())
    from_loss.update_state(np.zeros((2, 2)), np.ones((2, 2)))
    assert from_loss.name == "mean_squared_error" and from_loss.result() == pytest.approx(1.0)
    with pytest.raises(ValueError) as e:
        M.get("f1")
    msg = str(e.value)
    assert "`metrics`" in msg and "'f1'" in msg and "'accuracy'" in msg and "'mae'" in msg
    with pytest.raises(ValueError, match="`metrics`"):
        M.get(None)


@pytest.mark.parametrize(
    "call,arg,exc",
    [
        (lambda: metric_binary_accuracy(threshold="high"), "threshold", ValueError),
        (lambda: metric_binary_accuracy(np.ones(3)), "y_pred", ValueError),
        (lambda: metric_mean_squared_error(y_pred=np.ones(3)), "y_true", ValueError),
        (lambda: metric_categorical_accuracy(np.array([0, 1]), np.ones((2, 3))), "y_true", ValueError),
        (lambda: metric_sparse_categorical_accuracy(np.ones((2, 3)), np.ones((2, 3))), "y_true", ValueError),
        (lambda: metric_accuracy(np.ones((2, 3)), np.ones((2, 4))), "y_true", ValueError),
        (lambda: metric_accuracy(np.array(["a"]), np.ones(1)), "y_true", TypeError),
        (lambda: metric_mean(name=3), "name", TypeError),
    ],
)
def test_errors_name_the_argument(call, arg, exc):
    with pytest.raises(exc) as e:
        call()
    assert f"`{arg}`" in str(e.value)
