"""Shared test setup: make the helpers in tests/ (harness, references) importable."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
