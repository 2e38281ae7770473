"""Smoke test of the demo report section (quick mode)."""

from __future__ import annotations

from pathlib import Path

from powerlab.report.sections.games import build


def test_games_section_quick(tmp_path: Path) -> None:
    sec = build(tmp_path, quick=True)
    assert (tmp_path / "games_rho_sweep.png").stat().st_size > 0
    assert "Bayesian" in sec.title and sec.command.startswith("powerlab game ")
    # the zero-sum example meets the conservation theorem with equality at its BNE
    assert ("simultaneous-poker: max conservation slack at BNE", "0") in sec.summary
