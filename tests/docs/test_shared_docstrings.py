"""Shared documentation sections (rkeras/docstrings.py): markers expand, unknown ones fail, none is left."""

import inspect

import pytest

import rkeras as rk
from rkeras.docstrings import SECTIONS, shared_doc


def test_a_marker_is_replaced_by_the_section_indented_like_it():
    def f():
        """Title.

        Parameters
        ----------
        {{layer_object}}
        """
    shared_doc(f)
    assert "    object : None, model, tensor or array\n" in f.__doc__
    assert '        Object to compose the layer with.' in f.__doc__
    assert "{{" not in f.__doc__


def test_an_unknown_marker_is_an_error_naming_the_known_ones():
    def f():
        """{{no_such_section}}"""
    with pytest.raises(KeyError, match="no_such_section.*layer_object"):
        shared_doc(f)


def test_no_public_docstring_keeps_a_marker():
    left = [name for name in rk.__all__ if "{{" in (inspect.getdoc(getattr(rk, name)) or "")]
    assert left == []


def test_the_layer_wrappers_use_the_shared_sections():
    doc = inspect.getdoc(rk.layer_max_pooling_2d)
    for name in ("layer_object", "layer_kwargs", "data_format_2d", "layer_returns_head", "layer_returns_tail"):
        first_line = SECTIONS[name].splitlines()[0]
        assert first_line in doc, name
