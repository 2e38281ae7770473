"""Worst-case, best-case and informed best-case POWER, and POWER at a user's profile."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.games import best_case_power, load_game, power, random_profile
from powerlab.games.at_profile import analyze_profile, load_profile
from powerlab.games.bounds import _team_game, informed_best_case, worst_case_power
from powerlab.games.random_games import integer_game
from powerlab.games.solve import _lp_row, solve

EX = Path(__file__).resolve().parents[2] / "examples" / "games"


def test_bos_bounds_by_hand() -> None:
    """Osborne (2004), Example 273.1 (BoS, P2 wishes to meet or avoid P1, 1/2 each).

    P1 gets 2 at (B, B), 1 at (S, S), 0 otherwise; against P(B) = q (averaged over P2's types)
    POWER_1 = max(2q, 1 - q): worst case min_q = 2/3 at q = 1/3, best case 2 at q = 1.
    P1's payoff does not depend on P2's type, so its informed best case is also 2.
    P2 against p = P(P1 plays B): meet (1 at (B,B), 2 at (S,S)) gets max(p, 2 - 2p); avoid
    (2 at (B,S), 1 at (S,B)) gets max(1 - p, 2p). POWER_2 = (1/2)(max(p, 2 - 2p) +
    max(1 - p, 2p)) equals (2 - 2p + 2p)/2 = 1 on [1/3, 2/3] and is larger outside: worst
    case 1; at p in {0, 1} it is (2 + 1)/2 = 3/2, the best case. Knowing P2's type, P1 plays
    S for meet and B for avoid, and P2 gets 2 either way: informed best case 2.
    """
    g = load_game(EX / "bos-meet-or-avoid.yaml")
    assert [worst_case_power(g, i).value for i in range(2)] == [F(2, 3), F(1)]
    assert [best_case_power(g, i).value for i in range(2)] == [F(2), F(3, 2)]
    assert [informed_best_case(g, i) for i in range(2)] == [F(2), F(2)]


def test_zero_sum_worst_case_is_the_value() -> None:
    """In a 2-player zero-sum game the worst case is the game's value (minimax theorem): in the
    one-card poker example POWER at the equilibrium is (1/3, -1/3), so W = (1/3, -1/3)."""
    g = load_game(EX / "simultaneous-poker.yaml")
    assert [worst_case_power(g, i).value for i in range(2)] == [F(1, 3), F(-1, 3)]
    assert not worst_case_power(g, 0).correlated


def test_three_firms_worst_case() -> None:
    """Three-firm entry: a Low firm's In pays 3 - k >= 1 (k other entrants), High's Out pays 0.
    Worst case: both others enter, 1/2·1 + 1/2·0 = 1/2; best case: they stay out, 1/2·3 = 3/2."""
    g = load_game(EX / "three-firm-entry.yaml")
    wc = worst_case_power(g, 0)
    assert wc.value == F(1, 2) and wc.correlated
    assert best_case_power(g, 0).value == F(3, 2) == informed_best_case(g, 0)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000))
@example(555)  # a degenerate team game: lp's rows for P1 sum to 1/7 (see the test below)
def test_bounds_bracket_power(seed: int) -> None:
    """W_i <= POWER(i, σ) <= B_i <= B^inf_i for random exact games and random profiles."""
    g = integer_game(2, (2, 1), (2, 3), rng=seed)
    sigma = random_profile(g, rng=seed)
    p = power(g, sigma)
    for i in range(2):
        w = worst_case_power(g, i).value
        b = best_case_power(g, i).value
        inf = informed_best_case(g, i)
        assert float(w) - 1e-9 <= p[i] <= float(b) + 1e-9 and b <= inf


def test_worst_case_degenerate_lp_by_hand() -> None:
    """``integer_game(2, (2, 1), (2, 3), rng=555)``: P1 has types t0 (2/3), t1 (1/3) and actions
    a0, a1; P2 one type and actions b0, b1, b2. P1's payoffs (rows a0, a1; columns b0..b2):
    t0 [[4, -4, 3], [-4, -4, 2]], t1 [[-4, -4, 3], [4, -1, -3]].

    Upper bound: against b1, t0 gets max(-4, -4) = -4 and t1 max(-4, -1) = -1, so
    POWER_1 = 2/3·(-4) + 1/3·(-1) = -3. Lower bound: P1 playing a0 at t0 and a1 at t1 gets
    2/3·(4, -4, 3) + 1/3·(4, -1, -3) = (4, -3, 1) >= -3 against every b. So W_1 = -3
    (minimax theorem). Against b1 every action of t0 yields the least payoff -4, the
    degenerate case where Gambit's sequence-form LP reports t0's row unnormalised.
    """
    g = integer_game(2, (2, 1), (2, 3), rng=555)
    assert list(g.prior.flat) == [F(2, 3), F(1, 3)]
    assert g.payoffs[0][:, 0].tolist() == [
        [[4, -4, 3], [-4, -4, 2]],
        [[-4, -4, 3], [4, -1, -3]],
    ]
    assert worst_case_power(g, 0).value == F(-3)
    (eq,) = solve(_team_game(g, 0), "lp")
    assert eq.is_bne and eq.exact and eq.power[0] == F(-3)
    assert all(sum(row) == 1 for s in eq.strategies for row in s)


def test_lp_rows_rescaled_only_when_short() -> None:
    """A row summing to 1/7 becomes (1, 0); rows that sum to 1 are left as they are."""
    assert _lp_row([F(1, 7), F(0)]) == [F(1), F(0)]
    assert _lp_row([F(1, 4), F(1, 4)]) == [F(1, 2), F(1, 2)]
    assert _lp_row([F(1, 3), F(2, 3)]) == [F(1, 3), F(2, 3)]


def test_profile_file_by_hand(tmp_path: Path) -> None:
    """Entry with unknown cost (prior low 2/3, high 1/3); Entrant In, low Fights, high Fights
    w.p. 1/3. Entrant: In pays 2/3·(-1) + 1/3·(1/3·(-1) + 2/3·1) = -5/9, Out 0: POWER 0.
    Incumbent: low Fight 1 vs 0, high Accommodate 1 vs -1: POWER 2/3 + 1/3 = 1, U = 2/3 + 1/9
    = 7/9. Σ regret = 1 - (-5/9 + 7/9) = 7/9; not a BNE."""
    p = tmp_path / "prof.yaml"
    p.write_text(
        "Entrant: {e: In}\nIncumbent: {low: Fight, high: {Fight: 1/3, Accommodate: 2/3}}\n"
    )
    g = load_game(EX / "entry-unknown-cost.yaml")
    res = analyze_profile(g, load_profile(g, p))
    assert res.payoffs == [F(-5, 9), F(7, 9)] and res.power == [F(0), F(1)]
    assert res.regret_sum == F(7, 9) and not res.is_bne and res.constant is None


def test_profile_cli_conservation_slack(tmp_path: Path) -> None:
    """Matching pennies, both play H: POWER of each is max(±1, ∓1) = 1, so the slack is 2 - 0."""
    p = tmp_path / "hh.json"
    p.write_text(json.dumps({"Matcher": "H", "Mismatcher": {"H": 1}}))
    res = CliRunner().invoke(
        app, ["game", str(EX / "matching-pennies.yaml"), "--profile", str(p), "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["power"] == ["1", "1"] and doc["slack"] == "2" and doc["is_bne"] is False
    assert doc["worst_case_power"] == ["0", "0"] and "definitions" in doc


def test_profile_errors_name_the_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    for text, needle in (
        ("Entrant: {e: In}\n", "missing player 'Incumbent'"),
        ("Entrant: {e: In}\nIncumbent: {low: Fight}\n", "missing type 'high'"),
        ("Entrant: {e: Jump}\nIncumbent: {low: Fight, high: Fight}\n", "unknown action"),
        ("Entrant: {e: {In: 1/2, Out: 1/3}}\nIncumbent: {low: Fight, high: Fight}\n", "sum to"),
    ):
        p.write_text(text)
        res = CliRunner().invoke(
            app, ["game", str(EX / "entry-unknown-cost.yaml"), "--profile", str(p)]
        )
        assert res.exit_code == 2
        lines = res.stderr.splitlines()
        assert len(lines) == 1 and needle in lines[0] and "bad.yaml" in lines[0], res.stderr


def test_informed_best_case_closed_form() -> None:
    """2 players, P1 with types a (1/2), b (1/2); P2 one type. r_1 = 1 at (a, X, L) and at
    (b, X, R), else 0. Without knowing P1's type P2 can give 1 to only one type: B_1 = 1/2.
    Knowing it, P2 plays L for a and R for b: 1/2 + 1/2 = 1."""
    from powerlab.games import make_game

    prior = np.array([[F(1, 2)], [F(1, 2)]], dtype=object)
    pay = np.zeros((2, 2, 1, 2, 2), dtype=object)
    pay[0, 0, 0, 0, 0] = 1
    pay[0, 1, 0, 0, 1] = 1
    g = make_game(prior, pay)
    assert best_case_power(g, 0).value == F(1, 2) and informed_best_case(g, 0) == 1
