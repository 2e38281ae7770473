"""``powerlab imitate``: JSON contract and one-line errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from powerlab.cli import app

runner = CliRunner()


def test_imitate_json(tmp_path: Path) -> None:
    out = tmp_path / "im.png"
    res = runner.invoke(
        app,
        ["imitate", "--models", "8", "--deceptive", "2", "--alpha", "0.02", "--steps", "300",
         "--seed", "4", "--plot", str(out), "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["steps"] == 300 and len(doc["cumulative_queries"]) == 300
    assert set(doc["p_catastrophe_any_step"]) == {"conservative", "mixture", "map"}
    assert doc["parameters"]["alpha"] == 0.02 and len(doc["triggers"]) == 2
    assert doc["ville_bound_alpha_over_w_mu"] == pytest.approx(0.16)
    assert out.stat().st_size > 1000


def test_imitate_text() -> None:
    res = runner.invoke(app, ["imitate", "--steps", "200"])
    assert res.exit_code == 0 and "conservative" in res.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--alpha", "1.5"], "alpha"),
        (["--alpha", "x"], "--alpha"),
        (["--deceptive", "20"], "deceptive"),
        (["--models", "0"], "models"),
        (["--steps", "0"], "steps"),
        (["--rule", "median"], "rule"),
        (["--epsilon", "0"], "epsilon"),
        (["--prior", "flat"], "prior"),
    ],
)
def test_imitate_bad_input(args: list[str], needle: str) -> None:
    res = runner.invoke(app, ["imitate", "--steps", "50", *args])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr
