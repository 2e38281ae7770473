"""Shared test configuration: single-threaded BLAS, headless matplotlib, bounded hypothesis runs.

The MDPs the tests share are in ``catalogue.py`` next to this file.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from catalogue import EXAMPLES

settings.register_profile(
    "powerlab", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("powerlab")


@pytest.fixture
def examples() -> Path:
    """The bundled examples folder."""
    return EXAMPLES
