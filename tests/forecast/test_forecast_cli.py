"""``powerlab forecast`` and ``forecast-table``: JSON contract and one-line errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from powerlab.cli import app

runner = CliRunner()


def test_forecast_json_contract() -> None:
    res = runner.invoke(app, ["forecast", "--first-trial", "1/300", "--until", "2036", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"probability", "by_year", "parameters", "provenance"}
    # Davidson (2021) Sec. 4.2: 1/300 -> 4.2%; closed form 16/379
    assert doc["probability"] == pytest.approx(16 / 379, rel=1e-9)
    assert list(doc["by_year"]) == [str(y) for y in range(2021, 2037)]
    vals = list(doc["by_year"].values())
    assert vals == sorted(vals) and vals[-1] == doc["probability"]
    assert doc["parameters"]["start"] == 1956 and doc["parameters"]["trials"] == "calendar"


@pytest.mark.parametrize("trials", ["researcher", "compute", "lifetime", "evolution", "mixture"])
def test_forecast_other_trials(trials: str) -> None:
    res = runner.invoke(app, ["forecast", "--trials", trials, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert 0 < doc["probability"] < 1


def test_forecast_researcher_report_value() -> None:
    """Table 6.1.2: ftp_cal 1/300, g_act 11% prints 8 (%)."""
    res = runner.invoke(app, ["forecast", "--trials", "researcher", "--g-act", "0.11", "--json"])
    assert round(100 * json.loads(res.stdout)["probability"]) == 8


def test_forecast_plot_and_table(tmp_path: Path) -> None:
    out = tmp_path / "curve.png"
    res = runner.invoke(app, ["forecast", "--until", "2100", "--plot", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 1000
    assert "2100" in res.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--first-trial", "0"], "first-trial probability"),
        (["--first-trial", "1"], "first-trial probability"),
        (["--first-trial", "3/2"], "first-trial probability"),
        (["--first-trial", "abc"], "--first-trial"),
        (["--virtual-successes", "0"], "virtual successes"),
        (["--start", "2040", "--until", "2036"], "after the end year"),
        (["--start", "2030"], "after the last observed year"),
        (["--until", "2010"], "before the last observed year"),
        (["--trials", "weekly"], "trials"),
        (["--trials", "compute", "--until", "2050"], "compute data"),
        (["--spend", "both"], "--spend both"),
        (["--trials", "compute", "--spend", "lavish"], "spend"),
    ],
)
def test_forecast_bad_input(args: list[str], needle: str) -> None:
    res = runner.invoke(app, ["forecast", *args])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr


def test_forecast_table_json_and_text() -> None:
    res = runner.invoke(app, ["forecast-table", "4.2", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [r[0] for r in doc["percent_2sf"]] == [12, 8.9, 5.7, 4.2, 2.8, 1.5, 0.77, 0.52]
    res = runner.invoke(app, ["forecast-table", "5.2.2"])
    assert res.exit_code == 0 and "1/600" in res.stdout


def test_forecast_table_unknown() -> None:
    res = runner.invoke(app, ["forecast-table", "9.9"])
    assert res.exit_code == 2 and "table" in res.stderr


def test_forecast_mixture_default_is_central_estimate() -> None:
    """Davidson (2021): central all-things-considered pr(AGI by 2036) "around 8%"."""
    res = runner.invoke(app, ["forecast", "--trials", "mixture", "--json"])
    doc = json.loads(res.stdout)
    assert round(100 * doc["probability"]) == 8 and doc["parameters"]["spend"] == "both"
    assert len(doc["parameters"]["rules"]) == 9
