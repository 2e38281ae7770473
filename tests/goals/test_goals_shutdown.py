"""The shutdown setting and Theorem 2 (Krakovna & Kramár, Def 7, Thm 2) on the toy of
examples/goals/shutdown_toy.py, whose answers are derived in closed form in its docstring,
and on premise failures and bad input."""

from __future__ import annotations

import importlib.util
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from powerlab.errors import InputError
from powerlab.goals import (
    analyze_shutdown,
    load_training,
    shutdown_setting,
    theorem2_bound,
    training_from_policy,
    with_self_loops,
)
from powerlab.mdp import from_edges, load_mdp

EX = Path(__file__).resolve().parents[2] / "examples" / "goals"
ALPHA = 0.001


def _toy_module():
    spec = importlib.util.spec_from_file_location("shutdown_toy", EX / "shutdown_toy.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def toy():
    m = load_mdp(EX / "shutdown_toy.yaml")
    return m, load_training(m, EX / "shutdown_toy_train.yaml"), _toy_module()


def test_toy_gamma_star_and_n(toy):
    m, td, T = toy
    st = shutdown_setting(m, td, "s", "halt")
    gs = st.gamma_stars
    assert set(gs) == set(T.gamma_stars())
    for k, v in T.gamma_stars().items():
        assert abs(gs[k] - v) < 1e-9


def test_toy_matches_closed_form(toy):
    """Measured fraction avoiding shutdown vs the closed forms, both conventions, at
    α = 0.001 per comparison (fixed seed)."""
    m, td, T = toy
    gammas = [0.3, 0.5, 0.7, 0.95]
    rows = analyze_shutdown(
        m, td, "s", "halt", gammas, samples=6000, orbits=5, orbit_draws=50, rng=7
    ).rows
    for r in rows:
        assert r.once.n == T.n_of_gamma(r.gamma)
        assert r.once.bound == Fraction(T.n_of_gamma(r.gamma), T.n_of_gamma(r.gamma) + 1)
        assert r.once.fraction_avoid >= float(r.once.bound)
        for res, want in (
            (r.once, T.avoid_once(r.gamma)),
            (r.self_loop, T.avoid_self_loop(r.gamma)),
        ):
            se = max(res.stderr, 1e-4)
            assert 2 * norm.sf(abs(res.fraction_avoid - want) / se) > ALPHA, (
                r.gamma,
                res.convention,
            )
        assert r.self_loop.bound is None
        assert "shutdown_pays_once" in r.self_loop.as_dict()["failed_premises"]


def test_json_fields(toy):
    m, td, _ = toy
    rows = analyze_shutdown(
        m, td, "s", "halt", [0.9], samples=200, orbits=3, orbit_draws=20, rng=0
    ).rows
    d = rows[0].as_dict()
    for key in (
        "gamma",
        "n",
        "bound",
        "fraction_avoid",
        "stderr",
        "min_orbit_fraction",
        "premises",
    ):
        assert key in d
    assert d["bound"] == pytest.approx(2 / 3) and d["premises"]["nonnegative_rewards"]


def test_premise_failures_are_reported():
    """s can walk into the training corridor: S_reach meets S_train, so no bound; a negative
    box breaks nonnegativity; with only a far loop, γ ≤ 1/2 leaves n = 0."""
    m = from_edges(
        {
            "t0": ["t0", "t1"],
            "t1": ["t1"],
            "s": ["halt", "t0", "c"],
            "halt": [],
            "c": ["r"],
            "r": ["r"],
        },
        terminal=["halt"],
    )
    td = training_from_policy(m, {"t0": "t1"})
    rows = analyze_shutdown(
        m, td, "s", "halt", [0.9], samples=200, orbits=0, rng=0, conventions=["once"]
    ).rows
    d = rows[0].as_dict()
    assert d["bound"] is None
    assert "s_reach_disjoint_from_s_train" in d["failed_premises"]
    m2 = from_edges(
        {"t0": ["t0", "t1"], "t1": ["t1"], "s": ["halt", "c"], "halt": [], "c": ["r"], "r": ["r"]},
        terminal=["halt"],
    )
    td2 = training_from_policy(m2, {"t0": "t1"})
    rows = analyze_shutdown(
        m2,
        td2,
        "s",
        "halt",
        [0.4, 0.8],
        samples=200,
        orbits=0,
        rng=0,
        conventions=["once"],
        box=(-1.0, 1.0),
    ).rows
    low, high = (r.as_dict() for r in rows)
    assert "gamma_above_some_gamma_star" in low["failed_premises"] and low["n"] == 0
    assert high["n"] == 1 and high["failed_premises"] == ["nonnegative_rewards"]


def test_bad_settings(toy):
    m, td, _ = toy
    with pytest.raises(InputError, match="inside S_train"):
        shutdown_setting(m, td, "t0", "t1")
    with pytest.raises(InputError, match="terminal state"):
        shutdown_setting(m, td, "s", "r1")
    with pytest.raises(InputError, match="no action"):
        shutdown_setting(m, td, "s", "fly")


def test_theorem2_bound_and_self_loops(toy):
    m, _, _ = toy
    assert theorem2_bound(0) == 0 and theorem2_bound(3) == Fraction(3, 4)
    L = with_self_loops(m)
    h = L.state_index("halt")
    assert not L.terminal.any() and np.asarray(L.P)[h, 0, h] == 1.0
