"""The reference pages man/*.md: generated from the docstrings, complete, and in sync."""

import inspect

import pytest

import rkeras as rk
from rkeras.tools import document, project_root

MAN = project_root() / "man"
PUBLIC_FUNCTIONS = [n for n in rk.__all__ if inspect.isfunction(inspect.unwrap(getattr(rk, n)))]


def test_man_is_in_sync_with_the_docstrings():
    stale = document.check()
    assert not stale, ("man/ is stale; run `python -m rkeras.tools.document`:\n"
                       + "\n".join(f"  {name}: {why}" for name, why in stale))


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_every_public_function_has_a_page(name):
    page = MAN / f"{name}.md"
    assert page.is_file(), f"no page man/{name}.md"
    assert f"# {name}\n" in page.read_text(encoding="utf-8")
    assert f"[`{name}()`]({name}.md)" in (MAN / "index.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_every_parameter_is_documented(name):
    obj = getattr(rk, name)
    assert document.check_parameters(obj, name) == []
    entries = document.parse_docstring(inspect.getdoc(obj)).entries("Parameters", name)
    documented = {n.lstrip("*") for e in entries for n in e.names}
    assert documented == set(inspect.signature(obj).parameters)


# --- the generator on small fake functions -------------------------------------------------------

def documented(x, y=2, **kwargs):
    """Add things.

    Parameters
    ----------
    x : int
        First.
    y : int
        Second.
    **kwargs
        Ignored.

    Returns
    -------
    int
        The sum.
    """


def missing_one(x, y=2):
    """Add things.

    Parameters
    ----------
    x : int
        First.
    """


def extra_one(x):
    """Add things.

    Parameters
    ----------
    x : int
        First.
    z : int
        Not a parameter.
    """


def undocumented_kwargs(x, *args, **kwargs):
    """No section at all."""


class FakePackage:
    """A stand-in for `rkeras` with a few public names."""
    __name__ = "fake"

    def __init__(self, **names):
        self.__all__ = list(names)
        for name, obj in names.items():
            setattr(self, name, obj)


def test_a_fully_documented_function_passes():
    assert document.check_parameters(documented) == []


def test_a_missing_parameter_is_an_error_naming_it():
    problems = document.check_parameters(missing_one)
    assert len(problems) == 1 and "not documented" in problems[0] and "y" in problems[0]
    with pytest.raises(document.DocumentationError, match=r"missing_one: .*not documented.*: y"):
        document.collect_topics(FakePackage(missing_one=missing_one))


def test_a_documented_parameter_not_in_the_signature_is_an_error():
    with pytest.raises(document.DocumentationError, match=r"extra_one: documented parameter.*: z"):
        document.collect_topics(FakePackage(extra_one=extra_one))


def test_star_arguments_must_be_documented_and_every_problem_is_listed():
    with pytest.raises(document.DocumentationError) as err:
        document.collect_topics(FakePackage(undocumented_kwargs=undocumented_kwargs, missing_one=missing_one))
    assert len(err.value.problems) == 2
    assert "x, *args, **kwargs" in str(err.value) and "missing_one" in str(err.value)


def test_the_command_fails_on_an_undocumented_parameter(monkeypatch, tmp_path, capsys):
    import rkeras
    monkeypatch.setattr(rkeras, "__all__", ["missing_one"])
    monkeypatch.setattr(rkeras, "missing_one", missing_one, raising=False)
    assert document.main(["--man-dir", str(tmp_path)]) != 0
    assert "missing_one" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_page_sections_usage_and_families():
    pages = document.generate(FakePackage(documented=documented, missing_none=documented))
    page = pages["documented.md"]
    for heading in ("# documented\n", "**Add things.**", "## Usage", "## Arguments", "## Value"):
        assert heading in page
    assert "```python\ndocumented(x, y=2, **kwargs)\n```" in page
    assert "- `**kwargs`: Ignored." in page and "*int*: The sum." in page
    assert "Other test man pages:\n[`missing_none()`](missing_none.md)" in page  # family from the module
    assert "[`documented()`](documented.md): Add things." in pages["index.md"]


def test_check_mode_lists_stale_missing_and_orphan_pages_and_writes_nothing(tmp_path, capsys):
    pages = document.generate()
    document.write_pages(pages, tmp_path)
    assert document.main(["--check", "--man-dir", str(tmp_path)]) == 0
    (tmp_path / "layer_dense.md").write_text("edited by hand\n")
    (tmp_path / "fit.md").unlink()
    (tmp_path / "layer_gone.md").write_text(pages["layer_dense.md"])
    assert document.main(["--check", "--man-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "layer_dense.md" in err and "fit.md: missing" in err and "layer_gone.md" in err
    assert (tmp_path / "layer_dense.md").read_text() == "edited by hand\n"  # check writes nothing
    assert not (tmp_path / "fit.md").exists()
    assert document.main(["--man-dir", str(tmp_path)]) == 0  # regenerate: fixed, orphan deleted
    assert document.stale_pages(pages, tmp_path) == []


def test_usage_is_the_real_signature_one_argument_a_line_like_r():
    signature = inspect.signature(rk.layer_batch_normalization)
    usage = document.format_usage("layer_batch_normalization", signature)
    lines = usage.splitlines()
    assert lines[0] == "layer_batch_normalization(" and lines[-1] == ")"
    assert '    beta_initializer="zeros",' in lines and "    **kwargs" in lines
    assert len(lines) == 2 + len(signature.parameters)


def test_family_is_derived_from_the_module():
    assert document.family_of("rkeras.api.layers_normalization") == "normalization layers"
    assert document.family_of("rkeras.api.layers_core") == "core layers"
    assert document.family_of("rkeras.api.layers_convolutional") == "convolutional layers"
    assert document.family_of("rkeras.api.layers_pooling") == "pooling layers"
    assert document.family_of("rkeras.api.layers_embedding") == "embedding and masking layers"
    assert document.family_of("rkeras.api.layers_merging") == "merging layers"
    assert document.family_of("rkeras.api.verbs") == "model functions"
    assert document.family_of("rkeras.initializers") == "initializers"
    assert document.family_of("rkeras.training.optimizers") == "optimizers"
    assert document.family_of("rkeras.datasets.digits") == "datasets"


# --- the page of layer_batch_normalization carries the facts of the R man page ---------------------

R_ARGUMENTS = ["object", "axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
               "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
               "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint",
               "synchronized", "**kwargs"]
R_FACTS = [
    "Layer that normalizes its inputs.",
    "maintains the mean output close to 0 and\nthe output standard deviation close to 1",
    "works differently during training and during inference",
    "`gamma * (batch - mean(batch)) / sqrt(var(batch) + epsilon) + beta`",
    "`moving_mean = moving_mean * momentum + mean(batch) * (1 - momentum)`",
    "`moving_var = moving_var * momentum + var(batch) * (1 - momentum)`",
    "similar statistics as the inference data",
    "\"Frozen state\" and \"inference mode\"",
    "run in inference mode",
    "recursively set the `trainable`",
    "until `compile()` is called again",
    "use `axis=2`",
    "Ioffe and Szegedy, 2015",
    "https://arxiv.org/abs/1502.03167",
    "keras.io/api/layers/normalization_layers/batch_normalization",
    "until their momentum expires",
    "Base layer keyword arguments",
]


def test_batch_normalization_page_has_every_fact_of_the_r_page():
    pages = document.generate()
    page = pages["layer_batch_normalization.md"]
    for name in R_ARGUMENTS:
        assert f"- `{name}`" in page, name
    for heading in ("## Description", "## Usage", "## Arguments", "## Value", "## Call arguments",
                    "## References", "## See also"):
        assert heading in page
    call_args = page.split("## Call arguments")[1].split("\n## ")[0]
    for name in ("inputs", "training", "mask"):
        assert f"- `{name}`" in call_args
    for fact in R_FACTS:
        assert fact in page, fact
    see_also = page.split("## See also")[1]
    assert "Other layers:" in see_also and "[`layer_dense()`](layer_dense.md)" in see_also
    for name in see_also.split("`")[1::2]:  # only functions that exist
        if name.endswith("()"):
            assert hasattr(rk, name[:-2]), name
    # R keras3's "Other normalization layers" (the preprocessing layer_normalization() is not one of them)
    others = see_also.split("Other normalization layers:")[1].split("\n\n")[0]
    for name in ("group", "layer", "rms", "spectral", "unit"):
        assert f"[`layer_{name}_normalization()`]" in others, name
    assert "[`layer_normalization()`]" not in others
    assert inspect.getdoc(rk.layer_batch_normalization).splitlines()[0] == "Layer that normalizes its inputs."
