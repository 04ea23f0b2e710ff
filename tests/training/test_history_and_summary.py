"""plot(history) renders labelled panels; as_data_frame(); summary() prints once and returns the model;
print(model) shows the summary; progress lines order the metrics as Keras."""

import sys

import numpy as np
import pytest

import rkeras as rk


def _trained(epochs=3, **fit_kwargs):
    model = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=5, activation="relu")
             | rk.layer_dense(units=3, activation="softmax"))
    model | rk.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 4)), rng.integers(0, 3, 40)
    return model, model | rk.fit(x, y, epochs=epochs, verbose=0, **fit_kwargs)


def test_plot_history_renders_labelled_panels(tmp_path):
    pytest.importorskip("matplotlib")
    _, h = _trained(epochs=12, validation_split=0.25)
    path = tmp_path / "history.png"
    fig = rk.plot(h, filename=str(path))
    assert path.stat().st_size > 10_000 and path.read_bytes()[:4] == b"\x89PNG"
    axes = fig.axes
    assert [a.get_ylabel() for a in axes] == ["loss", "accuracy"] and axes[-1].get_xlabel() == "epoch"
    styles = {l.get_linestyle() for l in axes[0].lines if l.get_linestyle() != "None"}
    assert styles == {"-", "--"}  # training solid, validation dashed
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["training", "validation"]
    x_points = axes[0].lines[0].get_xdata()
    assert list(x_points) == list(range(1, 13))  # epochs 1-based
    assert len(rk.plot(h, metrics="loss").axes) == 1
    with pytest.raises(ValueError, match="metrics"):
        rk.plot(h, metrics=["mae"])
    with pytest.raises(TypeError, match="history"):
        rk.plot(np.ones(3))
    import matplotlib.pyplot as plt
    plt.close("all")


def test_as_data_frame_long_form():
    _, h = _trained(epochs=2, validation_split=0.25)
    text = repr(h)
    assert text.startswith("Final epoch (2 recorded") and f"val_loss: {h.history['val_loss'][-1]:.4g}" in text
    df = rk.as_data_frame(h)
    cols = {k: list(df[k]) for k in ("epoch", "value", "metric", "data")}
    assert len(cols["epoch"]) == 8  # 2 epochs x (loss, accuracy) x (training, validation)
    rows = list(zip(cols["epoch"], cols["metric"], cols["data"], cols["value"]))
    assert (2, "loss", "validation", h.history["val_loss"][1]) in rows
    assert (1, "accuracy", "training", h.history["accuracy"][0]) in rows


def test_summary_prints_once_returns_the_model_and_print_shows_it(capsys, monkeypatch):
    model, _ = _trained(epochs=1)
    out = model | rk.summary()
    assert out is model
    table = capsys.readouterr().out
    assert table.count("Total params: 43") == 1
    assert str(model) == repr(model) == format(model) == table.rstrip("\n")
    wide = format(model | rk.summary(show_trainable=True, line_length=90, print_fn=lambda t: None))
    assert "┃ Trainable" not in wide and wide == table.rstrip("\n")  # format() is the default table
    text = []
    model | rk.summary(show_trainable=True, line_length=90, print_fn=text.append)
    assert "┃ Trainable" in text[0] and " Y " in text[0] and len(text[0].splitlines()[1]) == 90
    # at an interactive prompt the returned model is not echoed (R's invisible())
    monkeypatch.setattr(sys, "ps1", ">>> ", raising=False)
    shown = []
    monkeypatch.setattr(sys, "displayhook", shown.append)
    sys.displayhook(model | rk.summary(print_fn=lambda t: None))
    sys.displayhook(model)
    assert shown == [model]


def test_summary_expand_nested():
    inner = rk.keras_model_sequential(input_shape=(3,), name="inner") | rk.layer_dense(units=2, name="core")
    outer = rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=3) | inner
    text = []
    outer | rk.summary(expand_nested=True, print_fn=text.append)
    assert "inner (Sequential)" in text[0] and "└ core (Dense)" in text[0]
    assert "core" not in format(outer)


def test_progress_lines_order_metrics_as_keras(capsys):
    _trained(epochs=1)
    model, _ = _trained(epochs=1)
    rng = np.random.default_rng(1)
    model | rk.fit(rng.normal(size=(8, 4)), rng.integers(0, 3, 8), epochs=1, verbose=2, validation_split=0.5)
    line = [l for l in capsys.readouterr().out.splitlines() if "loss" in l][-1]
    keys = [part.split(":")[0].strip() for part in line.split(" - ") if ":" in part]
    assert keys == ["accuracy", "loss", "val_accuracy", "val_loss"]
