"""The metrics added for R keras3 against Keras 3, over two batches with sample weights."""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk

M = keras.metrics
RNG = np.random.default_rng(0)
N = 12
BIN_T, BIN_P = RNG.integers(0, 2, (N, 1)).astype("float32"), RNG.uniform(0, 1, (N, 1)).astype("float32")
CLS = RNG.integers(0, 5, N)
ONEHOT, SCORES = np.eye(5, dtype="float32")[CLS], RNG.dirichlet(np.ones(5), N).astype("float32")
REG_T, REG_P = RNG.normal(size=(N, 3)).astype("float32"), RNG.normal(size=(N, 3)).astype("float32")
MULTI_T = RNG.integers(0, 2, (N, 4)).astype("float32")
MULTI_P = RNG.uniform(0, 1, (N, 4)).astype("float32")
CASES = [
    ("auc", M.AUC, {}, (BIN_T, BIN_P)),
    ("auc", M.AUC, {"curve": "PR", "num_thresholds": 50}, (BIN_T, BIN_P)),
    ("auc", M.AUC, {"summation_method": "minoring"}, (MULTI_T, MULTI_P)),
    ("auc", M.AUC, {"curve": "PR", "summation_method": "majoring", "from_logits": True}, (BIN_T, REG_P[:, :1])),
    ("auc", M.AUC, {"multi_label": True}, (MULTI_T, MULTI_P)),
    ("auc", M.AUC, {"multi_label": True, "curve": "PR", "num_labels": 4, "label_weights": [1, 2, 0, 3]},
     (MULTI_T, MULTI_P)),
    ("auc", M.AUC, {"label_weights": [1, 0.5, 2, 1]}, (MULTI_T, MULTI_P)),
    ("precision", M.Precision, {}, (BIN_T, BIN_P)),
    ("precision", M.Precision, {"top_k": 2}, (MULTI_T, MULTI_P)),
    ("recall", M.Recall, {"thresholds": 0.3, "class_id": 1}, (MULTI_T, MULTI_P)),
    ("recall", M.Recall, {"thresholds": [0.2, 0.5, 0.8]}, (MULTI_T, MULTI_P)),
    ("precision", M.Precision, {"thresholds": [0.3, 0.6], "class_id": 2}, (MULTI_T, MULTI_P)),
    ("top_k_categorical_accuracy", M.TopKCategoricalAccuracy, {"k": 2}, (ONEHOT, SCORES)),
    ("sparse_top_k_categorical_accuracy", M.SparseTopKCategoricalAccuracy, {"k": 3}, (CLS, SCORES)),
    ("iou", M.IoU, {"num_classes": 5, "target_class_ids": [0, 2]}, (CLS, RNG.integers(0, 5, N))),
    ("mean_iou", M.MeanIoU, {"num_classes": 5, "ignore_class": 4}, (CLS, RNG.integers(0, 5, N))),
    ("binary_iou", M.BinaryIoU, {"threshold": 0.4}, (BIN_T, BIN_P)),
    ("one_hot_iou", M.OneHotIoU, {"num_classes": 5, "target_class_ids": [1, 3]}, (ONEHOT, SCORES)),
    ("one_hot_mean_iou", M.OneHotMeanIoU, {"num_classes": 5}, (ONEHOT, SCORES)),
    ("r2_score", M.R2Score, {}, (REG_T, REG_P)),
    ("r2_score", M.R2Score, {"class_aggregation": "variance_weighted_average", "num_regressors": 2},
     (REG_T, REG_P)),
    ("r2_score", M.R2Score, {"class_aggregation": None}, (REG_T, REG_P)),
    ("f1_score", M.F1Score, {}, (ONEHOT, SCORES)),
    ("f1_score", M.F1Score, {"average": "macro", "threshold": 0.3}, (MULTI_T, MULTI_P)),
    ("fbeta_score", M.FBetaScore, {"average": "weighted", "beta": 2.0}, (MULTI_T, MULTI_P)),
    ("fbeta_score", M.FBetaScore, {"average": "micro", "beta": 0.5}, (ONEHOT, SCORES)),
    ("root_mean_squared_error", M.RootMeanSquaredError, {}, (REG_T, REG_P)),
]


@pytest.mark.parametrize("name,k_cls,kwargs,data", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_keras_over_weighted_batches(name, k_cls, kwargs, data):
    yt, yp = data
    sw = np.linspace(0.5, 2.0, N).astype("float32")
    if "iou" in name:  # Keras' IoU metrics hold an integer confusion matrix: integer weights only
        sw = np.arange(N) % 3 + 1.0
    k_metric, r_metric = k_cls(**kwargs), getattr(rk, f"metric_{name}")(**kwargs)
    for half in (slice(0, N // 2), slice(N // 2, N)):
        k_metric.update_state(yt[half], yp[half], sample_weight=sw[half])
        r_metric.update_state(yt[half], yp[half], sample_weight=sw[half])
    expected = np.asarray(k_metric.result(), np.float64)
    got = np.asarray(r_metric.result(), np.float64)
    assert got.shape == expected.shape and np.allclose(got, expected, rtol=1e-5, atol=1e-6), (got, expected)
    r_metric.reset_state()
    k_metric.reset_state()
    r_metric.update_state(yt, yp)
    k_metric.update_state(yt, yp)
    assert np.allclose(r_metric.result(), np.asarray(k_metric.result()), rtol=1e-5, atol=1e-6)


def test_in_fit_by_name_and_errors():
    model = rk.keras_model_sequential(input_shape=(5,)) | rk.layer_dense(units=1, activation="sigmoid")
    model | rk.compile(optimizer="sgd", loss="binary_crossentropy",
                       metrics=["auc", "precision", "recall", rk.metric_f1_score(threshold=0.5)])
    h = model | rk.fit(SCORES, BIN_T, epochs=2, verbose=0, validation_data=(SCORES, BIN_T))
    assert {"auc", "precision", "recall", "f1_score", "val_auc"} <= set(h.history)
    with pytest.raises(ValueError, match="num_labels"):
        rk.metric_auc(num_labels=3)
    with pytest.raises(ValueError, match="target_class_ids"):
        rk.metric_iou(num_classes=2, target_class_ids=[3])
