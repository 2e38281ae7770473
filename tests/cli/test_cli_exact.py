"""CLI contract for ``powerlab power --exact`` and ``powerlab optimality --exact`` (Turner et al. 2021, Defs 4.3-4.4 and 5.2, exactly)."""

import json

from typer.testing import CliRunner

from powerlab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_power_exact_json(examples):
    res = run(
        "power",
        examples / "fig1.yaml",
        "--exact",
        "-g",
        "1/2",
        "-g",
        "1",
        "--states",
        "l_loop,dead",
        "--json",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["env"] == "fig1" and out["exact"] is True
    got = {(r["state"], r["gamma"]): r["power"] for r in out["results"]}
    # Turner et al. Fig. 3: (2/3 + γ/2)/(1 + γ) = 11/18 at γ = 1/2; limit 7/12 at γ -> 1.
    assert got == {
        ("l_loop", "1/2"): "11/18",
        ("dead", "1/2"): "1/2",
        ("l_loop", "1"): "7/12",
        ("dead", "1"): "1/2",
    }
    assert all(r["exact"] is True for r in out["results"])
    assert all(set(r) == {"state", "gamma", "power", "exact"} for r in out["results"])


def test_monte_carlo_json_unchanged(examples):
    res = run("power", examples / "fig1.yaml", "-g", "0.5", "-n", "200", "--json")
    out = json.loads(res.stdout)
    assert set(out) == {"env", "results", "provenance"}
    assert set(out["results"][0]) == {
        "state",
        "gamma",
        "power",
        "stderr",
        "samples",
        "solver_error",
    }


def test_optimality_exact_json(examples):
    res = run(
        "optimality",
        examples / "wait.yaml",
        "--state",
        "start",
        "--exact",
        "-g",
        "0",
        "-g",
        "1",
        "--json",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    got = {(r["action"], r["gamma"]): r["probability"] for r in out["results"]}
    assert got == {
        ("candy", "0"): "1/2",
        ("wait", "0"): "1/2",
        ("candy", "1"): "1/3",
        ("wait", "1"): "2/3",
    }
    assert out["exact"] is True and all(r["exact"] is True for r in out["results"])


def test_exact_table(examples):
    res = run("power", examples / "wait.yaml", "--exact", "-g", "1", "--states", "start")
    assert res.exit_code == 0, res.output
    assert "3/4" in res.stdout


def _one_line_error(res, *words):
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in res.output
    for w in words:
        assert w in res.output


def test_exact_refuses_stochastic(examples):
    res = run("power", examples / "coin.yaml", "--exact")
    _one_line_error(res, "deterministic", "Monte Carlo")


def test_exact_refuses_other_distributions(examples):
    res = run("optimality", examples / "fig1.yaml", "-s", "start", "--exact", "--dist", "beta:2,2")
    _one_line_error(res, "uniform", "Monte Carlo")


def test_exact_bad_gamma_and_state(examples):
    _one_line_error(run("power", examples / "fig1.yaml", "--exact", "-g", "3/2"), "gamma")
    _one_line_error(run("power", examples / "fig1.yaml", "--exact", "-g", "x"), "gamma")
    _one_line_error(
        run("optimality", examples / "fig1.yaml", "-s", "nowhere", "--exact"), "nowhere"
    )


def test_exact_refuses_plot(examples, tmp_path):
    res = run("power", examples / "fig1.yaml", "--exact", "--plot", tmp_path / "p.png")
    _one_line_error(res, "--plot")


def test_exact_refuses_too_large(tmp_path):
    """A complete graph on 9 states has far more visit-distribution functions than the limit."""
    names = [f"x{i}" for i in range(9)]
    body = "name: big\nedges:\n" + "".join(f"  {s}: [{', '.join(names)}]\n" for s in names)
    env = tmp_path / "big.yaml"
    env.write_text(body)
    res = run("power", env, "--exact", "--states", "x0")
    _one_line_error(res, "too many", "Monte Carlo")
