"""The CoinRun-like example (Krakovna & Kramár, CoinRun example): G_T holds both "reach the
end" and "reach the coin" goals, and most of them ignore a moved coin; and the demo section."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from powerlab.goals import destinations, goal_set, load_training, sample_hit_and_run
from powerlab.mdp import load_mdp

EX = Path(__file__).resolve().parents[2] / "examples" / "goals"


def test_misgeneralization():
    mdp = load_mdp(EX / "coinrun.yaml")
    td = load_training(mdp, EX / "coinrun_train.yaml")
    gs = goal_set(mdp, td, 0.5)
    draws = sample_hit_and_run(gs, 800, rng=0)
    dest = destinations(mdp, draws.samples, 0.5, "b0")
    assert set(dest) == {"exit", "coin"}  # both kinds of goal are training-compatible
    assert dest["exit"] > 0.6 * draws.n  # most go to the end of the level, not the coin
    box = np.random.default_rng(1).random(draws.samples.shape)
    # training made the end of the level valuable
    assert destinations(mdp, box, 0.5, "b0")["exit"] < dest["exit"]


def test_demo_section(tmp_path):
    from powerlab.report.sections.shutdown import build

    sec = build(tmp_path, quick=True)
    assert (tmp_path / "shutdown-coinrun.png").stat().st_size > 0
    assert "n/(n+1)" in sec.html and sec.command.startswith("powerlab shutdown")
