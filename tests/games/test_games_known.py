"""Known answers: textbook Bayesian games whose equilibria are derived by hand below."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest

from powerlab.games import (
    best_case_power,
    check_bne,
    conservation,
    constant_sum_value,
    expected_payoffs,
    interim_utility,
    load_game,
    power,
    profile_from_names,
    solve,
)

EX = Path(__file__).resolve().parents[2] / "examples" / "games"


def _same(sig, ref) -> bool:
    return all(
        np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
        for a, b in zip(sig, ref, strict=True)
    )


def test_osborne_bos_meet_or_avoid() -> None:
    """Osborne (2004), Example 273.1: BoS where P2 wishes to meet (1/2) or avoid (1/2) P1.

    Let p = P(P1 plays B), q_m, q_a = P(type plays B). P1: B pays q_m + q_a, S pays
    1 - (q_m + q_a)/2, so P1 is indifferent iff q_m + q_a = 2/3. Type meet: B pays p,
    S pays 2(1 - p) (indifferent at p = 2/3); type avoid: B pays 1 - p, S pays 2p
    (indifferent at p = 1/3). Hence exactly three BNE:
      * p = 1: meet B, avoid S (Osborne's pure equilibrium; q_m + q_a = 1 > 2/3 keeps B best);
      * p = 2/3: avoid S, meet mixes q_m = 2/3;
      * p = 1/3: meet S, avoid mixes q_a = 2/3.
    (p = 0 would need meet S, avoid B, and then q_m + q_a = 1 makes B strictly better.)
    POWER at the pure one: P1 max(1, 1/2) = 1; P2 (1/2)·1 + (1/2)·2 = 3/2.
    """
    g = load_game(EX / "bos-meet-or-avoid.yaml")
    pure = profile_from_names(g, {"P1": {"only": "B"}, "P2": {"meet": "B", "avoid": "S"}})
    assert check_bne(g, pure).is_bne
    assert power(g, pure) == [F(1), F(3, 2)]
    assert expected_payoffs(g, pure) == [F(1), F(3, 2)]
    m1 = [
        np.array([[F(2, 3), F(1, 3)]], dtype=object),
        np.array([[F(2, 3), F(1, 3)], [F(0), F(1)]], dtype=object),
    ]
    m2 = [
        np.array([[F(1, 3), F(2, 3)]], dtype=object),
        np.array([[F(0), F(1)], [F(2, 3), F(1, 3)]], dtype=object),
    ]
    expected = [pure, m1, m2]
    eqs = solve(g, "enummixed")
    assert len(eqs) == 3
    for ref in expected:
        assert any(_same(e.strategies, ref) for e in eqs)
    assert all(e.is_bne and e.exact for e in eqs)
    # not an equilibrium: everyone plays S
    alls = profile_from_names(g, {"P1": {"only": "S"}, "P2": {"meet": "S", "avoid": "S"}})
    assert not check_bne(g, alls).is_bne


def test_simultaneous_poker_zero_sum() -> None:
    """One-card poker with simultaneous moves (examples/games/simultaneous-poker.yaml).

    High raising is weakly dominant (2 or 1 against 1). With b = P(Low raises), P1 earns
    1/2 - b/2 if P2 calls and b if P2 folds, so P2 mixes only if b = 1/3. Low is
    indifferent iff -2q + (1 - q) = -1, i.e. q = P(call) = 2/3. b = 0 or 1 leads to a
    contradiction, so the BNE is unique: (High Raise, Low 1/3 Raise; Call 2/3), value 1/3.
    POWER: Dealer 1/2·max(5/3, 1) + 1/2·(-1) = 1/3; Caller -1/3; sum 0 = c.
    """
    g = load_game(EX / "simultaneous-poker.yaml")
    assert constant_sum_value(g) == 0
    eq = profile_from_names(
        g,
        {
            "Dealer": {"High": "Raise", "Low": {"Raise": "1/3", "Check": "2/3"}},
            "Caller": {"c": {"Call": "2/3", "Fold": "1/3"}},
        },
    )
    assert check_bne(g, eq).is_bne
    assert power(g, eq) == [F(1, 3), F(-1, 3)]
    rep = conservation(g, eq)
    assert rep is not None and rep.slack == 0 and rep.is_bne
    for name in ("lcp", "enummixed"):
        eqs = solve(g, name)
        assert len(eqs) == 1 and _same(eqs[0].strategies, eq)
    # off equilibrium: the slack is positive
    uni = profile_from_names(g, {})
    rep = conservation(g, uni)
    assert rep is not None and rep.slack > 0 and not rep.is_bne


def test_matching_pennies_complete_information() -> None:
    """Matching pennies: the unique NE mixes 1/2-1/2; each POWER is 0 = value."""
    g = load_game(EX / "matching-pennies.yaml")
    eqs = solve(g, "lcp")
    assert len(eqs) == 1
    assert [list(s[0]) for s in eqs[0].strategies] == [[F(1, 2), F(1, 2)]] * 2
    assert eqs[0].power == [0, 0]
    # best case: the opponent plays the matching action, so each gets 1
    assert best_case_power(g, 0).value == 1 and best_case_power(g, 1).value == 1


def test_gibbons_cournot_asymmetric_information() -> None:
    """Gibbons (1992), §3.1.A, with a = 10, c = 1, cH = 2, cL = 0, θ = 1/2.

    q2*(cH) = (a - 2cH + c)/3 + (1-θ)(cH - cL)/6 = 5/2, q2*(cL) = (a - 2cL + c)/3 -
    θ(cH - cL)/6 = 7/2, q1* = (a - 2c + θcH + (1-θ)cL)/3 = 3. Profits: firm 1
    (a - q1 - E q2 - c) q1 = 9; firm 2 (5/2)^2 = 25/4 if cH, (7/2)^2 = 49/4 if cL, ex ante 37/4.
    On the grid {2, 5/2, 3, 7/2, 4} these quantities remain best responses (concave profits).
    """
    g = load_game(EX / "cournot-asymmetric.yaml")
    eq = profile_from_names(g, {"Firm1": {"c1": "3"}, "Firm2": {"cH": "5/2", "cL": "7/2"}})
    chk = check_bne(g, eq)
    assert chk.is_bne
    assert expected_payoffs(g, eq) == [F(9), F(37, 4)]
    assert power(g, eq) == [F(9), F(37, 4)]
    f2 = interim_utility(g, eq, 1)
    assert f2[0, 1] == F(25, 4) and f2[1, 3] == F(49, 4)
    eqs = solve(g, "lcp")
    assert eqs and all(e.is_bne for e in eqs)
    # Best case for firm 1: firm 2 produces the least (2) whatever its cost; firm 1 then
    # maximizes (7 - q1) q1 at q1 = 7/2: 49/4. For firm 2: firm 1 produces 2; the high-cost
    # type maximizes (6 - q2) q2 (q2 = 3, 9), the low-cost one (8 - q2) q2 (q2 = 4, 16): 25/2.
    assert best_case_power(g, 0).value == F(49, 4)
    assert best_case_power(g, 1).value == F(25, 2)


def test_entry_with_unknown_cost() -> None:
    """Entry with an unknown cost. Out is the Entrant's best reply whenever P(fight) makes entry
    pay less than 0: In pays 2/3·(1 - 2x) + 1/3·(1 - 2y) with x, y the fight probabilities of the
    low and high type. The high type strictly prefers Accommodate only if the Entrant enters;
    with Out every Incumbent action ties. Entry would make low Fight (1 > 0) and high
    Accommodate (1 > -1), so In pays 2/3·(-1) + 1/3·1 = -1/3 < 0: every BNE has Out, and
    POWER(Entrant) = max(0, In) where In pays <= 0; POWER(Incumbent) = 2/3·3 + 1/3·2 = 8/3.
    """
    g = load_game(EX / "entry-unknown-cost.yaml")
    eqs = solve(g, "enummixed")
    assert eqs and all(e.is_bne for e in eqs)
    for e in eqs:
        assert e.strategies[0][0, 1] == 1
        assert e.power == [F(0), F(8, 3)]


@pytest.mark.parametrize("solver", ["gnm", "ipa", "logit", "enumpoly"])
def test_float_solvers_rationalized(solver: str) -> None:
    """Float solvers on the poker game: the unique BNE comes back as exact rationals."""
    g = load_game(EX / "simultaneous-poker.yaml")
    eqs = solve(g, solver)
    assert eqs and all(e.is_bne for e in eqs)
    assert eqs[0].exact and eqs[0].strategies[1][0, 0] == F(2, 3)


@pytest.mark.parametrize("solver", ["logit", "gnm", "enumpoly"])
def test_three_firm_entry(solver: str) -> None:
    """examples/games/three-firm-entry.yaml: In is strictly dominant for Low (3 - k >= 1 > 0),
    Out for High (-1/2 - k < 0), so the unique BNE is "In iff Low". Other firms enter with
    probability 1/2 each, so E[k] = 1 and POWER(i) = 1/2·(3 - 1) + 1/2·0 = 1 for every firm."""
    g = load_game(EX / "three-firm-entry.yaml")
    eqs = solve(g, solver)
    assert len(eqs) == 1 and eqs[0].is_bne and eqs[0].exact
    assert eqs[0].power == [1, 1, 1]
    for s in eqs[0].strategies:
        assert s.tolist() == [[1, 0], [0, 1]]
