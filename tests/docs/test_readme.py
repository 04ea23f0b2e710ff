"""README.md's Python code blocks run as written (in order, in one namespace), and its two commands
name things that exist."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_python_blocks_run(capsys):
    blocks = _blocks("python")
    assert blocks, "README.md has no python code block"
    namespace = {"__name__": "readme"}
    for code in blocks:
        exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - the README's own examples
    history = namespace["history"]
    assert len(history.history["loss"]) == 10 and history.history["val_accuracy"][-1] > 0.85
    result = namespace["model"].evaluate(namespace["x_test"], namespace["y_test"], verbose=0)
    assert np.isfinite(result["loss"]) and result["accuracy"] > 0.85


def test_the_two_commands_name_real_things():
    commands = "\n".join(_blocks("bash"))
    assert "python -m rkeras.examples.train_digits" in commands and "python -m pytest" in commands
    from rkeras.examples import train_digits
    assert callable(train_digits.main)
    pyproject = (README.parent / "pyproject.toml").read_text()
    assert re.search(r"^test = \[", pyproject, flags=re.MULTILINE)  # the `.[test]` extra of the second command
