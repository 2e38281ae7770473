"""The demo report's distillations section: three figures and reproducible numbers."""

from __future__ import annotations

from pathlib import Path

from powerlab.report.sections.distillations import build


def test_distillations_section(tmp_path: Path) -> None:
    section = build(tmp_path, quick=True)
    for name in ("distill-forecast.png", "distill-imitation.png", "distill-lowstakes.png"):
        assert (tmp_path / name).stat().st_size > 1000
        assert name in section.html
    assert "powerlab forecast" in section.command and len(section.summary) == 3
    # Davidson (2021) Sec. 4.2 prints 4.2% for ftp 1/300
    assert section.summary[0][1].startswith("4.22%")
