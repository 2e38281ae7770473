"""The CoinRun example (Krakovna & Kramár 2023, CoinRun example) with the coin as a feature
of its own: G_T holds both coin-rewarding and exit-rewarding goals, the misgeneralization
table, and the demo section."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest

from powerlab.goals import goal_set, load_training
from powerlab.goals.features import load_features
from powerlab.goals.generalization import destinations, misgeneralization
from powerlab.mdp import load_mdp

EX = Path(__file__).resolve().parents[2] / "examples" / "goals"
ALPHA = 0.001


@pytest.fixture(scope="module")
def levels():
    mdp = load_mdp(EX / "coinrun_levels.yaml")
    td = load_training(mdp, EX / "coinrun_levels_train.yaml")
    return mdp, td, load_features(mdp, EX / "coinrun_features.yaml")


def test_goal_set_holds_coin_and_exit_goals(levels):
    """Goals θ = Φw, w = (coin, exit, floor). In level A the end a_end pays w_c + w_e once;
    a floor cell pays w_f per step. Walking right is optimal at a4 iff
    γ(w_c + w_e) >= γ w_f/(1-γ) (exit now vs stay forever), and then at every a_i, so
    G_T = {w_c + w_e >= w_f/(1-γ)}: both the coin goal (1, 0, 0) and the exit goal
    (0, 1, 0) are members, and at γ = 0.9 the floor goal (0, 0, 1) is not. In level B the
    coin goal ends at b_coin and the exit goal at b_exit."""
    mdp, td, phi = levels
    gs = goal_set(mdp, td, 0.9, features=phi.matrix, feature_names=phi.names)
    W = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.5, 0.5, 0.1], [0.5, 0.4, 0.1]])
    np.testing.assert_array_equal(gs.contains_coords(W), [True, True, False, True, False])
    dest = destinations(mdp, gs.to_theta(W[:2]), 0.9, "b0")
    assert dest == {"b_coin": 1, "b_exit": 1}


def test_misgeneralization_table(levels):
    """vol(G_T)/vol(box) = P(w_f <= (w_c + w_e)/10) = E[(w_c + w_e)/10] = 1/10 at γ = 0.9
    (w_c + w_e <= 2 < 10), checked by a binomial test at α = 0.001 on the prior draws;
    both coin and exit goals appear among G_T's destinations, and conditioning on G_T
    raises the odds of both terminal destinations."""
    mdp, td, phi = levels
    res = misgeneralization(mdp, td, phi, "b0", 0.9, 2000, rng=0)
    k = round(res.acceptance * 2000)
    assert binomtest(k, 2000, 0.1).pvalue > ALPHA
    rows = {r["destination"]: r for r in res.frame.to_dict("records")}
    assert rows["b_coin"]["g_t"] > 0.1 and rows["b_exit"]["g_t"] > 0.1
    assert rows["b_coin"]["odds_ratio"] > 1 and rows["b_exit"]["odds_ratio"] > 1
    assert res.warnings == ()


def test_demo_section(tmp_path):
    from powerlab.report.sections.shutdown import build

    sec = build(tmp_path, quick=True)
    assert (tmp_path / "shutdown-coinrun.png").stat().st_size > 0
    assert "n/(n+1)" in sec.html and sec.command.startswith("powerlab shutdown")
    assert "powerlab goals misgeneralization" in sec.html
    assert "seed" not in sec.html.replace("--seed", "")
