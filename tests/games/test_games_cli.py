"""CLI: ``powerlab game`` and ``powerlab game-sweep`` (JSON contract, bad input -> exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from powerlab.cli import app as powerlab_app

EX = Path(__file__).resolve().parents[2] / "examples" / "games"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """The ``powerlab`` application."""
    return powerlab_app


def _run(app: typer.Typer, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_game_json_contract(app: typer.Typer) -> None:
    res = _run(app, "game", str(EX / "simultaneous-poker.yaml"), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    for key in ("players", "constant_sum", "equilibria", "best_case_power"):
        assert key in doc
    assert doc["players"] == ["Dealer", "Caller"] and doc["constant_sum"] is True
    (eq,) = doc["equilibria"]
    assert set(eq) >= {"strategies", "payoffs", "power", "power_sum", "is_bne"}
    assert eq["power"] == ["1/3", "-1/3"] and eq["power_sum"] == "0" and eq["is_bne"] is True
    assert eq["strategies"]["Caller"]["c"] == {"Call": "2/3", "Fold": "1/3"}
    # best case for Dealer: Caller folds, both types get 1 -> 1 (calling gives 1/2·2 + 1/2·(-1)).
    # best case for Caller: Dealer checks High, raises Low; calling then gets 1/2·(-1) + 1/2·2.
    assert doc["best_case_power"] == ["1", "1/2"]


def test_game_all_table(app: typer.Typer) -> None:
    res = _run(app, "game", str(EX / "bos-meet-or-avoid.yaml"), "--all")
    assert res.exit_code == 0, res.output
    assert "enummixed" in res.stdout and "best case POWER" in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["game", "no-such-file.yaml"],
        ["game", "EX/matching-pennies.yaml", "--solver", "magic"],
        ["game", "EX/matching-pennies.yaml", "--timeout", "0"],
        ["game-sweep", "--rho", "2"],
        ["game-sweep", "--rho", "0,abc"],
        ["game-sweep", "--rho", "0", "--games", "0"],
        ["game-sweep", "--rho", "0", "--players", "1"],
    ],
)
def test_bad_input_exit_2(app: typer.Typer, args: list[str]) -> None:
    args = [a.replace("EX", str(EX)) for a in args]
    res = _run(app, *args)
    assert res.exit_code == 2
    assert "error" in res.output.lower() and "Traceback" not in res.output


def test_bad_file_one_line(app: typer.Typer, tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text((EX / "entry-unknown-cost.yaml").read_text().replace("1/3}", "1/2}"))
    res = _run(app, "game", str(p))
    assert res.exit_code == 2
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1 and "sum to 7/6" in lines[0] and "bad.yaml" in lines[0]


def test_game_sweep_json_and_plot(app: typer.Typer, tmp_path: Path) -> None:
    png = tmp_path / "sweep.png"
    res = _run(
        app,
        "game-sweep",
        "--rho",
        "-1",
        "--rho",
        "0,1",
        "--games",
        "3",
        "--seed",
        "1",
        "--plot",
        str(png),
        "--json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rows = {r["rho"]: r for r in doc["rows"]}
    # ρ = -1 is zero-sum: Σ POWER = 0 at every equilibrium (conservation theorem)
    assert set(rows) == {-1.0, 0.0, 1.0}
    assert abs(rows[-1.0]["power_sum_mean"]) < 1e-9
    assert png.stat().st_size > 0


def test_zero_probability_type_is_reported(app: typer.Typer, tmp_path: Path) -> None:
    p = tmp_path / "zero.yaml"
    p.write_text(
        (EX / "entry-unknown-cost.yaml")
        .read_text()
        .replace('prior: {"e,low": 2/3, "e,high": 1/3}', 'prior: {"e,low": 1}')
    )
    res = _run(app, "game", str(p), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["zero_probability_types"] == [["Incumbent", "high"]]
    assert any("unconstrained" in n for n in doc["notes"])
    assert all(e["is_bne"] for e in doc["equilibria"])
