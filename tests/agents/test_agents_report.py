"""The demo section renders whatever protocol results are committed, training nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from powerlab.report.sections.agents import COMMAND, RESULTS, build


def _examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ex = tmp_path / "examples"
    monkeypatch.setenv("POWERLAB_EXAMPLES", str(ex))
    return ex / "agents" / RESULTS


def test_section_without_results_says_how_to_make_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _examples(tmp_path, monkeypatch)
    sec = build(tmp_path, quick=True)
    assert "No protocol results" in sec.html and "run_agents_protocol.py" in sec.command
    assert COMMAND in sec.html.replace("&amp;", "&")
    assert "seed" not in sec.html.replace("seeds", "")  # no source-document wording


def test_section_shows_unanalysed_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = _examples(tmp_path, monkeypatch)
    (d / "chunks").mkdir(parents=True)
    rec = {
        "seed": 0,
        "k": 3,
        "gamma": 0.95,
        "gate": {"rate": 0.5, "episodes": 10, "passed": False},
        "cpu_seconds": {"train": 10.0, "evaluate": 1.0},
    }
    (d / "chunks" / "s00-k3-g0.950.json").write_text(json.dumps(rec))
    sec = build(tmp_path, quick=True)
    assert "FAIL (excluded)" in sec.html and "not yet analysed" in sec.html
    assert ("agents protocol: chunks committed", "1") in sec.summary


def test_cli_import_does_not_load_torch() -> None:
    code = "import sys, powerlab.cli; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
