"""Goal models (Turner's critique of Krakovna & Kramár 2023 made computable): training γ
apart from evaluation γ, priors side by side with Theorem 2's bound, and the CLI flags."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.goals import load_training, training_from_policy
from powerlab.goals.compare import compare_models
from powerlab.goals.model import GoalModel
from powerlab.mdp import from_edges, load_mdp
from powerlab.power.distributions import Beta, parse_dist

EX = Path(__file__).resolve().parents[2] / "examples" / "goals"
TOY, TOY_TRAIN = str(EX / "shutdown_toy.yaml"), str(EX / "shutdown_toy_train.yaml")


def test_training_gamma_fixes_the_goal_set():
    """t0 -> a (then the dead end d) or t0 -> b (then the loop g); trained t0 -> b. Under
    the Q reading at discount γ, G_T = {θb + kθg >= θa + kθd}, k = γ/(1-γ). Formed at the
    training discount 0.5 (k = 1), it stays that set when decisions are evaluated at 0.9."""
    m = from_edges({"t0": ["a", "b"], "a": ["d"], "b": ["g"], "d": ["d"], "g": ["g"]})
    td = training_from_policy(m, {"t0": "b"})
    R = np.random.default_rng(1).random((4000, 5))
    i = m.state_index
    gs = GoalModel(train_gamma=0.5).goal_set(m, td, 0.9, "q")
    want = R[:, i("b")] + R[:, i("g")] >= R[:, i("a")] + R[:, i("d")]
    np.testing.assert_array_equal(gs.contains(R), want)
    assert gs.gamma == 0.5


def test_priors_side_by_side_with_the_bound():
    """The toy's S_reach is free of training constraints, so an i.i.d. prior keeps Theorem
    2's per-orbit counting (the bound applies; every measured fraction must clear it),
    while a per-state override on a state of S_reach breaks exchangeability."""
    m = load_mdp(TOY)
    td = load_training(m, TOY_TRAIN)
    models = [GoalModel(), GoalModel(prior=Beta(2, 2)), GoalModel(prior=parse_dist(
        "uniform;r1=bernoulli:0.5", m.state_index))]  # fmt: skip
    f = compare_models(m, td, "s", "halt", [0.9], models, rng=0, samples=800, sampler="rejection")
    assert list(f["goal_model"]) == ["uniform", "beta:2,2", "uniform;r1=bernoulli:0.5"]
    for row in f.to_dict("records")[:2]:
        assert row["bound"] is not None and row["high"] >= float(row["bound"])
    last = f.to_dict("records")[2]
    assert last["bound"] is None and "prior_exchangeable_on_s_reach" in last["failed_premises"]


def test_cli_prior_epsilon_features(tmp_path):
    run = CliRunner().invoke
    r = run(app, ["goals", "sample", TOY, "--train", TOY_TRAIN, "--samples", "50", "--sampler",
                  "rejection", "--prior", "beta:2,2", "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["prior"] == "beta:2,2"
    r = run(app, ["goals", "sample", TOY, "--train", TOY_TRAIN, "--epsilon", "0.1", "--json"])
    assert r.exit_code == 2 and "rejection" in r.stderr
    r = run(app, ["goals", "sample", TOY, "--train", TOY_TRAIN, "--epsilon", "0.1",
                  "--sampler", "rejection", "--samples", "50", "--json"])  # fmt: skip
    assert r.exit_code == 0 and json.loads(r.stdout)["epsilon"] == 0.1
    env, tr, fe = (
        str(EX / n)
        for n in ("coinrun_levels.yaml", "coinrun_levels_train.yaml", "coinrun_features.yaml")
    )
    r = run(app, ["goals", "sample", env, "--train", tr, "--features", fe, "--samples", "60",
                  "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["features"] == ["coin", "exit", "floor"]
    r = run(app, ["shutdown", TOY, "--train", TOY_TRAIN, "--new-state", "s", "--shutdown-action",
                  "halt", "--gamma", "0.9", "--samples", "200", "--sampler", "rejection",
                  "--prior", "beta:2,2", "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [x["goal_model"] for x in doc["by_model"]] == ["uniform", "beta:2,2"]
