"""The open questions on the CLI: the common-payoff comparison and sequential games."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.errors import InputError, ResourceError
from powerlab.games.stochastic_io import load_sequential_game

EX = Path(__file__).resolve().parents[2] / "examples" / "games"


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_common_payoff_cli() -> None:
    """Coordination game (types Good 2/3, Bad 1/3): team optimum value 4/3 for each player, so
    Σ best case = 8/3; the BNE (B, B; B) has U = 1 and Σ POWER = 2 (gap 2/3)."""
    res = _run("game", str(EX / "coordination-common-payoff.yaml"), "--common-payoff", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["common_payoff"] is True and doc["best_case_sum"] == "8/3"
    gaps = {r["power_sum"]: r["gap"] for r in doc["rows"]}
    assert gaps["2"] == "2/3" and gaps["8/3"] == "0"
    assert doc["rows"][-1]["profile"] == "team optimum" and doc["rows"][-1]["holds"]


def test_sequential_chain_cli() -> None:
    """One player, horizon 3: stay pays 1 per stage (3), go-go-collect pays 0 + 0 + 5 = 5, so
    the optimal total, and the first-stage POWER at the optimum, is 5."""
    res = _run("game-sequential", str(EX / "sequential-chain.yaml"), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["horizon"] == 3 and doc["equilibria"]
    assert all(e["power"] == ["5"] and e["is_nash"] for e in doc["equilibria"])


def test_sequential_pennies_conservation() -> None:
    """Matching pennies twice: zero-sum each stage, so Σ first-stage POWER = H c = 0 at an
    equilibrium (the conservation theorem carried over to the tree)."""
    res = _run("game-sequential", str(EX / "sequential-pennies.yaml"), "--json")
    doc = json.loads(res.stdout)
    (eq,) = doc["equilibria"]
    assert eq["power_sum"] == "0" and eq["power"] == ["0", "0"] and eq["is_nash"]


@pytest.mark.parametrize(
    ("edit", "error", "needle"),
    [
        (("horizon: 3", "horizon: 0"), InputError, "horizon"),
        (("horizon: 3", "horizon: 40"), ResourceError, "leaves"),
        (('s2: {"stay": {s2: 1}, "go": {s2: 1}}', 's2: {"stay": {s2: 1}}'), InputError, "all 2"),
        (("initial: {s0: 1}", "initial: {s0: 1/2}"), InputError, "sum to 1/2"),
        (("initial: {s0: 1}", "initial: {s9: 1}"), InputError, "unknown state 's9'"),
        (('s1: {"stay": [0], "go": [0]}', 's1: {"stay": [0], "go": [0], "go ": [1]}'),
         InputError, "duplicate action profile"),
    ],
)  # fmt: skip
def test_sequential_file_errors(tmp_path: Path, edit, error, needle) -> None:  # type: ignore[no-untyped-def]
    text = (EX / "sequential-chain.yaml").read_text()
    assert edit[0] in text
    p = tmp_path / "s.yaml"
    p.write_text(text.replace(edit[0], edit[1]))
    with pytest.raises(error, match=needle):
        load_sequential_game(p)
    res = _run("game-sequential", str(p))
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1
