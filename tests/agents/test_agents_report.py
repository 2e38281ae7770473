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


def test_section_names_a_configured_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from powerlab.agents.protocol import PRESETS

    d = _examples(tmp_path, monkeypatch)
    d.mkdir(parents=True)
    (d / "protocol.json").write_text(json.dumps({"config": PRESETS["full"].to_dict()}))
    sec = build(tmp_path, quick=True)
    assert f"{len(PRESETS['full'].chunks())} chunks planned" in sec.html


def test_section_shows_unanalysed_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from powerlab.agents.protocol import PRESETS

    d = _examples(tmp_path, monkeypatch)
    (d / "chunks").mkdir(parents=True)
    (d / "protocol.json").write_text(json.dumps({"config": PRESETS["full"].to_dict()}))
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
    assert "within 1.5x shortest (gate: ≥ 0.95)" in sec.html  # the stored protocol's gate
    assert ("agents protocol: chunks committed", "1") in sec.summary


def test_cli_import_does_not_load_torch() -> None:
    code = "import sys, powerlab.cli; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_section_renders_an_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = _examples(tmp_path, monkeypatch)
    d.mkdir(parents=True)
    model = {
        "name": "H_true",
        "fitted": [{"fold": 0, "beta": 2.0}, {"fold": 1, "beta": 3.0}],
        "ll_per_episode": -0.5,
        "ll_lo": -0.6,
        "ll_hi": -0.4,
        "diff_from_best": 0.0,
        "diff_lo": 0.0,
        "diff_hi": 0.0,
    }
    res = {
        "gate": {"rate": 0.9, "stretch": 1.25},
        "agents": [{"seed": 0, "k": 3, "gamma": 0.95, "gate_rate": 0.97, "passed": True}],
        "chunks_done": 1,
        "chunks_planned": 45,
        "cpu_seconds_total": 900.0,
        "comparison": {
            "3": {
                "seeds": [0],
                "episodes_scored": 100,
                "models": [model],
                "best": "H_true",
                "calibration": {"H_true": [[0.2, 0.25, 10], [0.8, 0.7, 10]]},
            }
        },
        "k_sweep": [{"k": 3, "decision_cheese": [0.4, 0.3, 0.5], "predicted": {"H_true": 0.9}}],
        "shutdown": [
            {
                "gamma": 0.95,
                "seeds": [0],
                "observed_avoid": [0.9, 0.8, 1.0],
                "theorem2_min": 0.95,
                "gt_uniform_avoid": 1.0,
                "training_reward_optimal_avoid": 1.0,
                "random_walk_avoid": 0.1,
            },
            {  # a discount with no competent agent: predictions only
                "gamma": 0.9,
                "seeds": [],
                "observed_avoid": None,
                "theorem2_min": 0.9,
                "gt_uniform_avoid": 1.0,
                "training_reward_optimal_avoid": 0.2,
                "random_walk_avoid": 0.1,
            },
        ],
    }
    (d / "analysis.json").write_text(json.dumps(res))
    sec = build(tmp_path, quick=True)
    assert ("agents protocol k=3: best predictor", "H_true") in sec.summary
    assert "Thm 2 n/(n+1)" in sec.html and "β=2.00" in sec.html
    assert "within 1.25x shortest (gate: ≥ 0.9)" in sec.html
    for f in ("agents-k-sweep.png", "agents-calibration.png", "agents-shutdown.png"):
        assert (tmp_path / f).is_file()
