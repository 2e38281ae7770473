"""``powerlab lowstakes``: JSON contract and one-line errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from powerlab.cli import app

runner = CliRunner()


def test_lowstakes_json(tmp_path: Path) -> None:
    out = tmp_path / "ls.png"
    res = runner.invoke(
        app,
        ["lowstakes", "--horizon", "2000", "--delay", "2", "--trap", "--plot", str(out), "--json"],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["horizon"] == 2000 and doc["delay"] == 2
    assert doc["hedge"]["within_bound"] and doc["ogd"]["within_bound"]
    assert doc["trap"]["regret"] > doc["trap"]["bound"]
    assert doc["curve"][-1]["T"] == 2000
    assert out.stat().st_size > 1000


def test_lowstakes_no_shift() -> None:
    res = runner.invoke(app, ["lowstakes", "--horizon", "1000", "--no-shift", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["shift"] is False and doc["hedge"]["within_bound"]


def test_lowstakes_text() -> None:
    res = runner.invoke(app, ["lowstakes", "--horizon", "500"])
    assert res.exit_code == 0 and "hedge" in res.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--horizon", "3"], "horizon"),
        (["--delay", "-2"], "delay"),
        (["--horizon", "20", "--delay", "20"], "delay"),
    ],
)
def test_lowstakes_bad_input(args: list[str], needle: str) -> None:
    res = runner.invoke(app, ["lowstakes", *args])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr
