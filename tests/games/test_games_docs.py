"""The examples in docs/games.md and docs/games-sequential.md run as doctests."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["games.md", "games-sequential.md"])
def test_docs_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    res = doctest.testfile(
        str(ROOT / "docs" / name),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE,
    )
    assert res.attempted > 0 and res.failed == 0
