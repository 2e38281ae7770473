"""``powerlab multiagent``: JSON on stdout, one-line errors with exit status 2, plots."""

import json

from typer.testing import CliRunner

from powerlab.cli import app

runner = CliRunner()


def test_json_best_response(examples, tmp_path):
    env = str(examples / "multiagent" / "3x3_gridworld.gv")
    out = tmp_path / "rho.png"
    res = runner.invoke(
        app,
        [
            "multiagent",
            env,
            "--gamma",
            "0.6",
            "--rho",
            "-1",
            "1",
            "--samples",
            "50",
            "--plot",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rows = {(r["rho"], r["agent"]): r for r in doc["summary"]}
    # Constant-sum at ρ = −1: POWER_H + POWER_A = 1 exactly (test_multiagent_power).
    assert abs(rows[(-1.0, "H")]["power"] + rows[(-1.0, "A")]["power"] - 1) < 1e-6
    assert out.stat().st_size > 0


def test_fixed_policy_and_heatmap(examples, tmp_path):
    env = str(examples / "multiagent" / "3x3_gridworld.gv")
    pol = str(examples / "multiagent" / "joint_3x3_gridworld_agent_A_uniform_random.gv")
    out = tmp_path / "heat.png"
    res = runner.invoke(
        app,
        [
            "multiagent",
            env,
            "--ai",
            f"fixed:{pol}",
            "--gamma",
            "0.6",
            "--samples",
            "20",
            "--plot",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "POWER" in res.stdout and out.stat().st_size > 0


def test_errors(examples):
    env = str(examples / "multiagent" / "3x3_gridworld.gv")
    for args, msg in [
        (["--rho", "2"], "--rho"),
        (["--gamma", "1"], "--gamma"),
        (["--ai", "nash"], "--ai"),
        (["--ai", "fixed:"], "policy file"),
        (["--samples", "1"], "--samples"),
    ]:
        res = runner.invoke(app, ["multiagent", env, *args])
        assert res.exit_code == 2, (args, res.output)
        assert res.stderr.startswith("error:") and msg in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
