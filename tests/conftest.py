"""Shared test setup: make the helpers in tests/ (harness, references) importable, and make the property
tests deterministic.

Hypothesis draws new examples on every run by default, so a CI gate could fail on a case no change
introduced (it happened: a property test's tolerance was too tight for one random seed). The default
profile here derandomizes them (the same examples every run, derived from each test); run
`HYPOTHESIS_PROFILE=explore python -m pytest` to search new examples as well.
"""

import os
import sys

from hypothesis import settings

# the Keras parity tests drive Keras 3 through JAX (the `test` extra installs both); set before any import
os.environ.setdefault("KERAS_BACKEND", "jax")

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
