"""Smoke test of the demo report's retargetability section."""

from __future__ import annotations

from powerlab.report.sections.retarget import build


def test_section_builds(tmp_path):
    sec = build(tmp_path, quick=True)
    assert (tmp_path / "retarget-pacman.png").is_file()
    # |A| = 1 outcome against 3: IsOptimal gives 18 : 6 over the 4! orbit (n = 3, 3/4)
    assert sec.summary[0][1] == "18 : 6 (n = 3, 3/4)"
    # Turner et al. 2021 Fig. 1: B holds 3 copies of A = {dead}: n = 3
    assert sec.summary[1][1] == "3, 3/4"
    assert sec.command.startswith("powerlab retarget outcomes")
