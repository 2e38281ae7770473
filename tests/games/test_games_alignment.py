"""Open question (a): the common-payoff comparison on a game solved by hand."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import numpy as np

from powerlab.games.alignment import common_payoff_comparison, is_common_payoff
from powerlab.games.io import load_game
from powerlab.games.random_games import correlated_game

EX = Path(__file__).resolve().parents[2] / "examples" / "games"


def test_coordination_common_payoff() -> None:
    """examples/games/coordination-common-payoff.yaml, solved by hand.

    Common payoff; P1 knows Good (2/3) / Bad (1/3). With P2 playing A, Good plays A (2 > 0)
    and Bad is indifferent; P2 then gets 4/3 from A and at most 1/3 from B, so every
    (Good A, Bad any; A) is a BNE worth 4/3 = V* (extreme points: Bad A, Bad B). With P2 on B
    both types play B and P2 keeps B: a BNE worth 1. The mixed BNE: Bad plays B, Good
    mixes 1/2 (P2 indifferent: 4p/3 = 1 - 2p/3), P2 plays A w.p. 1/3 (Good indifferent:
    2y = 1 - y); its value is 2/3·(1/3 + 1/3) + 1/3·2/3 = 2/3. Best case: B_1 = B_2 = V* = 4/3.
    So Σ POWER = 2U(σ) equals Σ B = 8/3 exactly at the two team-optimal extreme equilibria.
    """
    g = load_game(EX / "coordination-common-payoff.yaml")
    assert is_common_payoff(g)
    cmp = common_payoff_comparison(g, "enummixed")
    assert cmp.best_case == [F(4, 3), F(4, 3)] and cmp.best_case_sum == F(8, 3)
    eq_rows = [r for r in cmp.rows if r.label.startswith("equilibrium")]
    assert sorted(r.power_sum for r in eq_rows) == [F(4, 3), F(2), F(8, 3), F(8, 3)]
    for r in eq_rows:
        assert r.power_sum == 2 * r.payoffs[0]  # at a BNE, POWER(i) = U(σ)
        assert r.holds == (r.payoffs[0] == F(4, 3))
    team = cmp.rows[-1]
    assert team.label == "team optimum" and team.holds and team.payoffs[0] == F(4, 3)


def test_random_common_payoff_team_optimum_holds() -> None:
    """ρ = 1 random games: the conjecture holds at the team optimum; equilibria never exceed it."""
    for seed in range(5):
        g = correlated_game(2, 2, 2, 1.0, np.random.default_rng(seed))
        cmp = common_payoff_comparison(g, "lcp", all_equilibria=False)
        assert cmp.common_payoff and cmp.rows[-1].holds
        for r in cmp.rows:
            assert float(r.gap) >= -1e-9
