"""Shared test configuration: single-threaded BLAS, headless matplotlib, bounded hypothesis runs."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "powerlab", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("powerlab")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def examples() -> Path:
    """The bundled examples folder."""
    return EXAMPLES
