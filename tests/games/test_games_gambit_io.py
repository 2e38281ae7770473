"""Gambit's formats: .efg round trip (write, read, same equilibria), .nfg, refusals."""

from __future__ import annotations

import io
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.errors import InputError
from powerlab.games import load_game
from powerlab.games.gambit_io import parse_efg, parse_nfg, write_efg
from powerlab.games.solve import solve_set

EX = Path(__file__).resolve().parents[2] / "examples" / "games"
EXAMPLES = sorted(p for p in EX.glob("*.yaml") if not p.stem.startswith("sequential-"))


def _same_game(g, h) -> bool:  # type: ignore[no-untyped-def]
    if (g.players, g.types, g.actions) != (h.players, h.types, h.actions):
        return False
    if not np.array_equal(g.prior, h.prior):
        return False
    support = [t for t in g.type_profiles() if g.prior[t] != 0]
    return all(np.array_equal(g.payoffs[(slice(None), *t)], h.payoffs[(slice(None), *t)])
               for t in support)  # fmt: skip


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_efg_round_trip_same_game(path: Path, tmp_path: Path) -> None:
    g = load_game(path)
    out = write_efg(g, tmp_path / "g.efg")
    assert _same_game(g, load_game(out))


@pytest.mark.parametrize(
    "name", ["bos-meet-or-avoid", "entry-game", "coordination-segment-bystander"]
)
def test_efg_round_trip_same_equilibria(name: str, tmp_path: Path) -> None:
    """The written tree, read back, has the same equilibria (strategies, POWER, components)."""
    g = load_game(EX / f"{name}.yaml")
    h = load_game(write_efg(g, tmp_path / "g.efg"))
    a, b = solve_set(g, all_equilibria=True), solve_set(h, all_equilibria=True)

    def key(res):  # type: ignore[no-untyped-def]
        return sorted(
            (tuple(x for s in e.strategies for x in s.flat), tuple(e.power)) for e in res.equilibria
        )

    assert key(a) == key(b) and a.complete and b.complete
    assert len(a.components or []) == len(b.components or [])


def test_gambit_reads_the_export(tmp_path: Path) -> None:
    """pygambit parses the exported file: players and chance probabilities as written."""
    import pygambit as gbt

    g = load_game(EX / "entry-unknown-cost.yaml")
    text = write_efg(g, tmp_path / "g.efg").read_text()
    G = gbt.read_efg(io.StringIO(text))
    assert [str(p) for p in G.players] == ["Entrant", "Incumbent"]
    assert '"e,low" 2/3 "e,high" 1/3' in text


def test_hand_written_bayesian_tree() -> None:
    """Two chance moves draw independent types (1/2 each); each player then moves once at the
    information set of its type. P1 gets 1 when its action matches its type (x for a, y for b)
    in state (a, .) and 2 in state (b, .); P2 gets 0. Types: P1 {A, B}, P2 {C, D}, prior 1/4
    each; r_1(t, a) does not depend on P2's type or action."""
    lines = ['EFG 2 R "two types" { "P1" "P2" }', '""']
    lines.append('c "" 1 "" { "a" 1/2 "b" 1/2 } 0')
    k = 0
    for t1, label1 in ((1, "A"), (2, "B")):
        lines.append('c "" 2 "" { "c" 1/2 "d" 1/2 } 0')
        for t2, label2 in ((1, "C"), (2, "D")):
            lines.append(f'p "" 1 {t1} "{label1}" {{ "x" "y" }} 0')
            for a1 in range(2):
                lines.append(f'p "" 2 {t2} "{label2}" {{ "u" "v" }} 0')
                for _ in range(2):
                    k += 1
                    win = (a1 == t1 - 1) * t1
                    lines.append(f't "" {k} "" {{ {win}, 0 }}')
    g = parse_efg("\n".join(lines), "two.efg")
    assert g.types == (("A", "B"), ("C", "D"))
    assert (g.prior == F(1, 4)).all()
    assert g.payoffs[0, 0, 1, 0, 1] == 1 and g.payoffs[0, 1, 0, 1, 0] == 2
    assert g.payoffs[0, 0, 0, 1, 0] == 0 and (g.payoffs[1] == 0).all()


def test_nfg_payoff_and_outcome_versions() -> None:
    """Prisoners' dilemma; Gambit lists contingencies with player 1's strategy varying fastest:
    (C,C), (D,C), (C,D), (D,D) -> (3,3), (5,0), (0,5), (1,1)."""
    pay = 'NFG 1 R "PD" { "A" "B" } { { "C" "D" } { "C" "D" } }\n3 3 5 0 0 5 1 1\n'
    out = (
        'NFG 1 R "PD" { "A" "B" } { 2 2 } ""\n'
        '{ { "cc" 3, 3 } { "dc" 5, 0 } { "cd" 0, 5 } { "dd" 1, 1 } }\n1 2 3 4\n'
    )
    g, h = parse_nfg(pay, "pd.nfg"), parse_nfg(out, "pd2.nfg")
    assert g.payoffs[0, 0, 0, 1, 0] == 5 and g.payoffs[1, 0, 0, 1, 0] == 0
    assert np.array_equal(g.payoffs, h.payoffs)
    assert g.actions == (("C", "D"), ("C", "D")) and h.actions == (("1", "2"), ("1", "2"))
    (eq,) = solve_set(g, all_equilibria=True).equilibria
    assert eq.strategies[0][0, 1] == 1 and eq.power == [F(1), F(1)]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("NFG 1 R", "expected a quoted label"),
        ('NFG 1 R "x" { "A" } { 2 }\n1', "expected a word"),
        ('EFG 2 R "x" { "A" }\nc "" 1 "" { "h" 1/2 "t" 1/3 } 0', "sum to 1"),
        ('EFG 2 R "x" { "A" }\np "" 1 1 "" { "h" "t" } 0\nt "" 1 "" { 1 }\nt "" 2', "outcome 2"),
        ('EFG 2 R "x" { "A" "B" }\np "" 1 1 "" { "h" } 0\nt "" 1 "" { 1, 1 }', "before every"),
        ("GAME 1", "not a Gambit"),
    ],
)
def test_malformed_gambit_files(text: str, needle: str) -> None:
    parse = parse_nfg if text.startswith("NFG") else parse_efg
    with pytest.raises(InputError, match=needle):
        parse(text, "bad")


def test_cli_export_then_solve(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "game.efg"
    res = runner.invoke(app, ["game", str(EX / "matching-pennies.yaml"), "--export", str(out)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["game", str(out), "--all", "--json"])
    assert res.exit_code == 0, res.output
    assert '"power_sum": "0"' in res.stdout
    bad = runner.invoke(app, ["game", str(EX / "matching-pennies.yaml"), "--export", "g.nfg"])
    assert bad.exit_code == 2 and "only .efg" in bad.stderr
