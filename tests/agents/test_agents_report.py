"""The demo section renders the shipped quick-run results without training anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from powerlab.report.sections.agents import FILES, build


def test_section_renders_shipped_results(tmp_path: Path) -> None:
    sec = build(tmp_path, quick=True)
    assert len(sec.summary) == 2 * len(FILES)
    assert "H_uniform" in sec.html and "Wilson" in sec.html
    assert all((tmp_path / f"agents-{Path(f).stem}.png").is_file() for f, _ in FILES)
    assert "powerlab agents train maze" in sec.command


def test_cli_import_does_not_load_torch() -> None:
    code = "import sys, powerlab.cli; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
