"""Refinements: weakly dominated strategies and (two players) trembling-hand perfection."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.games import load_game, make_game
from powerlab.games.refine import refine
from powerlab.games.solve import solve_set

EX = Path(__file__).resolve().parents[2] / "examples" / "games"


def test_selten_game_only_the_undominated_equilibrium_is_perfect() -> None:
    """The standard example of trembling-hand perfection (Selten 1975; Fudenberg & Tirole
    1991, §8.4): payoffs (1,1) at (U,L) and (0,0) elsewhere. Both (U,L) and (D,R) are Nash
    equilibria; D and R are weakly dominated (0 <= 1 against U/L, 0 = 0 otherwise), so only
    (U,L) is perfect. Mixed profiles are not equilibria: against P(L) = q > 0, U pays q > 0."""
    pay = np.zeros((2, 1, 1, 2, 2), dtype=object)
    pay[:, 0, 0, 0, 0] = 1
    g = make_game(np.ones((1, 1), dtype=object), pay)
    res = solve_set(g, all_equilibria=True)
    flags = {
        (int(e.strategies[0][0, 0]), int(e.strategies[1][0, 0])): refine(g, e.strategies)
        for e in res.equilibria
    }
    assert set(flags) == {(1, 1), (0, 0)}
    assert flags[(1, 1)].perfect and flags[(1, 1)].undominated
    assert not flags[(0, 0)].perfect and flags[(0, 0)].dominated == ["P1", "P2"]


def test_entry_game_segment_is_dominated() -> None:
    """Osborne (2004), §5.1, the entry game: Fight gives the incumbent 0 < 1 against In and 2 =
    2 against Out, so it is weakly dominated by Acquiesce; every equilibrium of the segment
    (Out, P(Fight) >= 1/2) puts weight on it, and only (In, Acquiesce) is perfect."""
    g = load_game(EX / "entry-game.yaml")
    for e in solve_set(g, all_equilibria=True).equilibria:
        ref = refine(g, e.strategies)
        entered = e.strategies[0][0, 0] == 1
        assert ref.perfect == entered
        assert ref.dominated == ([] if entered else ["Incumbent"])


def test_type_dominance_in_a_bayesian_game() -> None:
    """Entry with unknown cost: after In the low type prefers Fight (1 > 0) and the high type
    Accommodate (1 > -1), and after Out both actions pay the same, so the pure strategy (low
    Fight, high Accommodate) weakly dominates every other. All equilibria have Out, with
    fight probabilities (x, y) such that In pays 2/3(1 - 2x) + 1/3(1 - 2y) <= 0; exactly one of
    them, x = 1, y = 0, is undominated."""
    g = load_game(EX / "entry-unknown-cost.yaml")
    res = solve_set(g, all_equilibria=True)
    good = [e for e in res.equilibria if refine(g, e.strategies).perfect]
    assert len(good) == 1
    inc = good[0].strategies[1]
    assert inc[0, 0] == 1 and inc[1, 1] == 1
    assert len(res.equilibria) > 1


def test_cli_json_reports_perfection() -> None:
    res = CliRunner().invoke(app, ["game", str(EX / "entry-game.yaml"), "--all", "--json"])
    doc = json.loads(res.stdout)
    perfect = [e for e in doc["equilibria"] if e["perfect"]]
    assert len(perfect) == 1 and perfect[0]["power"] == ["2", "1"]
    assert all(
        e["weakly_dominated"] == ["Incumbent"] for e in doc["equilibria"] if not e["perfect"]
    )
    assert F(perfect[0]["power_sum"]) == 3
