"""Every equilibrium: components from Gambit's cliques, and honest completeness statements."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.games import load_game, make_game
from powerlab.games.reduce import drop_choiceless_players
from powerlab.games.solve import solve_set

EX = Path(__file__).resolve().parents[2] / "examples" / "games"


def _p2_mix(eq) -> F:  # type: ignore[no-untyped-def]
    return eq.strategies[1][0, 0]


def test_segment_with_bystander_is_found_whole() -> None:
    """A coordination game with private types, a segment of equilibria and a one-action player.

    P1 knows the state (Good/Bad, 1/2 each); P2 plays A with probability q; D has one action
    and payoff 0. Good's payoffs: A pays 3q, B pays 1 - q (A iff q >= 1/4); Bad's: A pays q,
    B pays 2(1 - q) (A iff q >= 2/3). P2 gets 1 at (A, A) in Good and at (B, B) in both
    states: A pays x_G/2, B pays (2 - x_G - x_B)/2 with x = P(type plays A), so P2 mixes only
    if 2 x_G + x_B = 2. For q in (1/4, 2/3) the types play x_G = 1, x_B = 0, which fits, and
    at the ends the indifferent type is pinned by the same equation; q < 1/4 (x = 0, 0) and
    q > 2/3 (x = 1, 1) do not fit. With q = 1 both types play A, with q = 0 both play B.
    Σ POWER on the segment: POWER_1 = (1/2)3q + (1/2)2(1 - q) = 1 + q/2, POWER_2 = 1/2,
    POWER_D = 0, total 3/2 + q/2: 13/8 at q = 1/4 and 11/6 at q = 2/3. At q = 1: 2 + 1/2;
    at q = 0: 3/2 + 1. The segment's ends are the lowest Σ POWER, and a polynomial
    enumeration skips the segment's support (its solution set is not isolated).
    """
    g = load_game(EX / "coordination-segment-bystander.yaml")
    res = solve_set(g, all_equilibria=True)
    assert res.solver == "enummixed" and res.complete and res.reason == ""
    assert res.dropped_players == ["D"]
    assert sorted(e.power_sum for e in res.equilibria) == [F(13, 8), F(11, 6), F(5, 2), F(5, 2)]
    assert all(e.is_bne for e in res.equilibria)
    assert res.components is not None and len(res.components) == 3
    (seg,) = [c for c in res.components if len(c.members) == 2]
    assert (seg.power_sum_min, seg.power_sum_max) == (F(13, 8), F(11, 6))
    ends = sorted(_p2_mix(res.equilibria[m]) for m in seg.members)
    assert ends == [F(1, 4), F(2, 3)]
    for m in seg.members:
        e = res.equilibria[m]
        assert e.component == seg.index
        assert e.power == [1 + _p2_mix(e) / 2, F(1, 2), F(0)]


def test_enumpoly_says_it_skipped_the_segment() -> None:
    """Forced onto the same game, enumpoly meets the segment's support as a continuum, skips
    it (missing both ends, Σ POWER 13/8 and 11/6) and says so; it does not claim completeness."""
    for g in (
        load_game(EX / "coordination-segment-bystander.yaml"),
        drop_choiceless_players(load_game(EX / "coordination-segment-bystander.yaml"))[0],
    ):
        res = solve_set(g, "enumpoly")
        assert not res.complete
        assert "continuum" in res.reason and "skipped" in res.reason
        found = [e.power_sum for e in res.equilibria]
        assert F(13, 8) not in found and F(11, 6) not in found


def test_three_players_are_not_complete() -> None:
    """Three players who all choose: enumpoly is the default for --all and is not complete."""
    rng = np.random.default_rng(3)
    pay = rng.integers(-3, 4, size=(3, 1, 1, 1, 2, 2, 2))
    g = make_game(np.ones((1, 1, 1), dtype=object), pay.astype(object))
    res = solve_set(g, all_equilibria=True)
    assert res.solver == "enumpoly" and not res.complete
    assert "isolated equilibria only" in res.reason
    assert res.components is None


def test_entry_game_components() -> None:
    """Osborne (2004), §5.1, the entry game in strategic form.

    Payoffs: Out gives (1, 2) whatever the incumbent does; (In, Acquiesce) gives (2, 1);
    (In, Fight) gives (0, 0). Let f = P(Fight). In pays 2(1 - f), Out pays 1, so Out is a best
    reply iff f >= 1/2; against Out the incumbent is indifferent. Against In, Acquiesce is
    strictly better, so the equilibria are (In, Acquiesce) and {Out} x {f in [1/2, 1]}: two
    components, the second with extreme points f = 1/2 and f = 1. POWER: at (In, Acquiesce)
    max(2, 1) + max(1, 0) = 3; on the segment max(2(1 - f), 1) + max(2, 2) = 1 + 2 = 3.
    """
    g = load_game(EX / "entry-game.yaml")
    res = solve_set(g, all_equilibria=True)
    assert res.complete and res.components is not None
    sizes = sorted(len(c.members) for c in res.components)
    assert sizes == [1, 2]
    (seg,) = [c for c in res.components if len(c.members) == 2]
    fights = sorted(res.equilibria[m].strategies[1][0, 1] for m in seg.members)
    assert fights == [F(1, 2), F(1)]
    assert all(res.equilibria[m].strategies[0][0, 1] == 1 for m in seg.members)
    assert all(e.power_sum == 3 for e in res.equilibria)


def test_cli_all_reports_components_and_completeness() -> None:
    runner = CliRunner()
    res = runner.invoke(
        app, ["game", str(EX / "coordination-segment-bystander.yaml"), "--all", "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["complete"] is True and doc["incomplete_reason"] is None
    ranges = sorted((c["power_sum_min"], c["power_sum_max"]) for c in doc["components"])
    assert ("13/8", "11/6") in ranges
    assert all(isinstance(e["component"], int) for e in doc["equilibria"])
    table = runner.invoke(app, ["game", str(EX / "coordination-segment-bystander.yaml"), "--all"])
    assert "complete: yes" in table.stdout and "component" in table.stdout


def test_cli_incomplete_is_stated() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["game", str(EX / "matching-pennies.yaml"), "--json"])
    doc = json.loads(res.stdout)
    assert doc["complete"] is False and "lcp" in doc["incomplete_reason"]
    text = runner.invoke(app, ["game", str(EX / "matching-pennies.yaml")]).stdout
    assert "complete: no" in text
    helptext = runner.invoke(app, ["game", "--help"]).stdout
    assert "complete" in helptext and "enumpoly" in helptext


def test_lp_solves_zero_sum_exactly() -> None:
    """One-card poker (zero-sum): the unique BNE has the Caller call with probability 2/3
    (see test_games_cli); lp finds it exactly and says it does not enumerate."""
    g = load_game(EX / "simultaneous-poker.yaml")
    res = solve_set(g, "lp")
    (eq,) = res.equilibria
    assert eq.exact and eq.strategies[1][0, 0] == F(2, 3) and eq.power_sum == 0
    assert not res.complete and "does not enumerate" in res.reason


def test_lp_refuses_general_sum() -> None:
    import pytest

    from powerlab.errors import InputError

    with pytest.raises(InputError, match="constant-sum"):
        solve_set(load_game(EX / "bos-meet-or-avoid.yaml"), "lp")


def test_enumpure_finds_the_pure_equilibrium_only() -> None:
    """BoS meet-or-avoid (Osborne 2004, Example 273.1): one pure BNE (B; meet B, avoid S)."""
    res = solve_set(load_game(EX / "bos-meet-or-avoid.yaml"), "enumpure")
    (eq,) = res.equilibria
    assert eq.power == [F(1), F(3, 2)] and "pure equilibria only" in res.reason


def test_simpdiv_and_liap_verified() -> None:
    """simpdiv on the poker game returns its unique BNE (Caller calls w.p. 2/3), rounded to an
    exact equilibrium; liap on matching pennies returns the unique (1/2, 1/2)."""
    eqs = solve_set(load_game(EX / "simultaneous-poker.yaml"), "simpdiv").equilibria
    assert eqs and all(e.is_bne for e in eqs)
    assert eqs[0].strategies[1][0, 0] == F(2, 3)
    eqs = solve_set(load_game(EX / "matching-pennies.yaml"), "liap").equilibria
    assert len(eqs) == 1 and eqs[0].is_bne and eqs[0].strategies[0][0, 0] == F(1, 2)
