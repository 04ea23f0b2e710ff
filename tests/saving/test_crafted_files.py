"""Crafted `.keras` / `.weights.h5` files: loading must refuse them with a clear error and run nothing."""

import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import rkeras as rk


def _good_parts(tmp_path):
    m = rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=2)
    path = str(tmp_path / "good.keras")
    m.save(path)
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(tmp_path, parts, name="bad.keras", compression=zipfile.ZIP_STORED):
    path = str(tmp_path / name)
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return path


def _with_config(tmp_path, edit):
    parts = _good_parts(tmp_path)
    config = json.loads(parts["config.json"])
    edit(config)
    parts["config.json"] = json.dumps(config)
    return _write(tmp_path, parts)


def _dense(config):
    return next(e for e in config["config"]["layers"] if e["class_name"] == "Dense")


SENTINEL = "/tmp/rkeras_h19_pwned"

CONFIG_CASES = {
    "unknown class": (lambda c: _dense(c).update(class_name="EvilLayer"), "Unknown class 'EvilLayer'"),
    "module path outside keras": (lambda c: _dense(c).update(module="os", class_name="system",
                                                             config={"command": f"touch {SENTINEL}"}),
                                  "module 'os' is refused"),
    "known class under a foreign module": (lambda c: _dense(c).update(module="subprocess"),
                                           "module 'subprocess' is refused"),
    "dunder class name": (lambda c: _dense(c).update(class_name="__import__"), "dunders"),
    "dunder in a config key": (lambda c: _dense(c)["config"].update(__class__="x"), "dunders"),
    "lambda layer": (lambda c: _dense(c).update(class_name="Lambda", config={
        "function": {"class_name": "__lambda__", "config": {"code": "print('pwned')"}}}), "Unknown class 'Lambda'|'__lambda__' is refused"),  # code is never loaded
    "function by module path": (lambda c: _dense(c)["config"].update(activation={
        "module": "os", "class_name": "function", "config": "system", "registered_name": "system"}),
        "Unknown function"),
    "object-dtype numpy value": (lambda c: _dense(c)["config"].update(units={
        "class_name": "__numpy__", "config": {"value": [1], "dtype": "object"}}), "refused"),
    "absurd input shape": (lambda c: c["config"]["layers"][0]["config"].update(batch_shape=[None, 10 ** 7, 10 ** 7]),
                           "absurdly large"),
    "absurd weight from units": (lambda c: _dense(c)["config"].update(units=10 ** 10), "Refusing to create weight"),
    "deep nesting": (lambda c: _dense(c)["config"].update(kernel_initializer=json.loads(
        "[" * 200 + "]" * 200)), "deeper"),
}


@pytest.mark.parametrize("case", CONFIG_CASES, ids=list(CONFIG_CASES))
def test_crafted_config_is_refused(case, tmp_path):
    edit, message = CONFIG_CASES[case]
    path = _with_config(tmp_path, edit)
    with pytest.raises(ValueError, match=message):
        rk.load_model(path)
    assert not os.path.exists(SENTINEL)


def test_functional_graph_with_dangling_history_is_refused(tmp_path):
    inp = rk.keras_input((3,))
    m = rk.keras_model(inp, rk.layer_dense(inp, units=2))
    path = str(tmp_path / "f.keras")
    m.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    config = json.loads(parts["config.json"])
    config["config"]["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["ghost", 0, 0]
    parts["config.json"] = json.dumps(config)
    with pytest.raises(ValueError, match="no layer of the config produces"):
        rk.load_model(_write(tmp_path, parts))


def test_not_a_zip_missing_members_and_bad_json(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"PK\x03\x04 definitely not a zip" * 10)
    with pytest.raises(ValueError, match="not a valid .keras file"):
        rk.load_model(str(junk))
    parts = _good_parts(tmp_path)
    with pytest.raises(ValueError, match="'config.json' is missing"):
        rk.load_model(_write(tmp_path, {k: v for k, v in parts.items() if k != "config.json"}))
    with pytest.raises(ValueError, match="malformed JSON"):
        rk.load_model(_write(tmp_path, {**parts, "config.json": b"{not json"}))
    with pytest.raises(ValueError, match="members"):
        rk.load_model(_write(tmp_path, {**parts, **{f"extra{i}": b"" for i in range(100)}}))


def test_zip_bomb_is_refused(tmp_path):
    parts = _good_parts(tmp_path)
    bomb = json.dumps(json.loads(parts["config.json"])).encode() + b" " * (20 * 2 ** 20)
    path = _write(tmp_path, {**parts, "config.json": bomb}, compression=zipfile.ZIP_DEFLATED)
    assert os.path.getsize(path) < 2 ** 20
    with pytest.raises(ValueError, match="zip bomb"):
        rk.load_model(path)


def _h5(fill) -> bytes:
    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        fill(h5)
    return buf.getvalue()


def test_malformed_hdf5_is_refused(tmp_path):
    parts = _good_parts(tmp_path)
    with pytest.raises(ValueError, match="not a valid HDF5"):
        rk.load_model(_write(tmp_path, {**parts, "model.weights.h5": b"\x89HDF\r\n\x1a\n garbage"}))

    def strings(h5):
        h5.create_dataset("layers/dense/vars/0", data=np.array([b"a", b"b"]))
    with pytest.raises(ValueError, match="not a numeric dataset"):
        rk.load_model(_write(tmp_path, {**parts, "model.weights.h5": _h5(strings)}))

    def huge(h5):  # declared 4 TB, stored in a few bytes (chunked, never written)
        h5.create_dataset("layers/dense/vars/0", shape=(10 ** 6, 10 ** 6), dtype="f4", chunks=(1, 16))
    with pytest.raises(ValueError, match="absurd shape"):
        rk.load_model(_write(tmp_path, {**parts, "model.weights.h5": _h5(huge)}))

    weights = tmp_path / "w.weights.h5"
    weights.write_bytes(b"not hdf5 at all")
    m = rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=2)
    with pytest.raises(ValueError, match="not a valid HDF5"):
        rk.load_model_weights(m, str(weights))


def test_unsafe_mode_is_not_offered(tmp_path):
    parts = _good_parts(tmp_path)
    with pytest.raises(ValueError, match="safe_mode"):
        rk.load_model(_write(tmp_path, parts), safe_mode=False)
