"""The new normalization wrappers mirror R keras3's signatures exactly (names, order, defaults), read from
the shared reference usage file."""

import inspect
import re
from pathlib import Path

import pytest

import rkeras as rk

USAGE = Path("/work/shared/reference/keras3_usage.txt")
R_VALUES = {"TRUE": True, "FALSE": False, "NULL": None}


def r_signature(name):
    text = USAGE.read_text()
    match = re.search(rf"^{name}\((.*?)\)\s*$", text, re.DOTALL | re.MULTILINE)
    assert match, name
    params = []
    for part in re.split(r",\s*", match.group(1).strip()):
        key, _, default = (s.strip() for s in part.partition("="))
        if key == "...":
            params.append(("...", None))
            continue
        if default.endswith("L") and default[:-1].lstrip("-").isdigit():
            value = int(default[:-1])
        elif default in R_VALUES:
            value = R_VALUES[default]
        elif default.startswith('"'):
            value = default.strip('"')
        elif default:
            value = float(default)
        else:
            value = inspect.Parameter.empty
        params.append((key, value))
    return params


@pytest.mark.skipif(not USAGE.exists(), reason="the shared R reference is not available")
@pytest.mark.parametrize("name", ["layer_layer_normalization", "layer_group_normalization",
                                  "layer_unit_normalization", "layer_rms_normalization",
                                  "layer_spectral_normalization", "layer_normalization", "adapt"])
def test_signature_matches_r(name):
    ours = inspect.signature(getattr(rk, name)).parameters.values()
    expected = r_signature(name)
    got = [("..." if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) else p.name, p.default) for p in ours]
    exp_names = [k for k, _ in expected]
    assert [k for k, _ in got] == exp_names or \
        [k for k, _ in got if k != "..."] == [k for k in exp_names if k != "..."], (got, expected)
    defaults = dict(got)
    for key, value in expected:
        if key == "...":
            continue
        if value is inspect.Parameter.empty:  # R requires it; Python fills it by the pipe or by name
            assert defaults[key] is None, key
        else:
            assert defaults[key] == value and type(defaults[key]) is type(value), (key, defaults[key], value)
