"""Fuzz-suite settings: a lowered memory budget and single-threaded numerics in every case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fuzz_harness import MEMORY_BUDGET


@pytest.fixture(autouse=True)
def _fuzz_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A lowered memory budget and single-threaded numerics for every fuzz case."""
    monkeypatch.setenv("POWERLAB_MAX_MEMORY", MEMORY_BUDGET)
    monkeypatch.setenv("NUMBA_NUM_THREADS", "1")
    yield
