"""``powerlab multiagent``: JSON on stdout, one-line errors with exit status 2, plots."""

import json

import numpy as np
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


def test_fixed_policy_and_heatmap(tmp_path):
    """A fixed policy file written by policy_to_dot (A always stays) on a 1x3 grid YAML."""
    from powerlab.mdp import load_mdp
    from powerlab.mdp.dot import policy_to_dot
    from powerlab.multiagent import joint_mdp

    env = tmp_path / "line.yaml"
    env.write_text('grid: "..."\n')
    J = joint_mdp(load_mdp(env))
    labels = [J.base.action_labels[a] for a in J.pairs[:, 1]]
    pi = np.zeros((J.n_states, J.n_actions))
    pi[:, labels[0].index("stay")] = 1.0
    pol = tmp_path / "stay.gv"
    pol.write_text(policy_to_dot(J.states, labels, pi))
    out = tmp_path / "heat.png"
    res = runner.invoke(
        app,
        [
            "multiagent",
            str(env),
            "--graph",
            str(tmp_path / "env.gv"),
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
    assert load_mdp(tmp_path / "env.gv").n_states == 3


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


def test_plot_beside_game_sweep(tmp_path):
    """--beside-games draws game-sweep's Σ POWER beside the sequential POWER vs ρ."""
    env = tmp_path / "line.yaml"
    env.write_text('grid: ".."\n')
    out = tmp_path / "both.png"
    res = runner.invoke(
        app,
        [
            "multiagent",
            str(env),
            "--rho",
            "0",
            "1",
            "--samples",
            "10",
            "--gamma",
            "0.5",
            "--beside-games",
            "2",
            "--plot",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 0
    assert json.loads(res.stdout)["mode"] == "best-response"
