"""Likelihoods on constructed agents whose behaviour is known by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from powerlab.agents.evaluate import Episode, clopper_pearson, run_rollouts, wilson
from powerlab.agents.families import FamilyConfig, build_suite, make_env
from powerlab.agents.hypotheses import (
    Hypothesis,
    action_probs,
    default_hypotheses,
    episode_loglik,
    parse_family,
    score,
)
from powerlab.errors import InputError
from powerlab.mdp import solve


class PlannerAgent:
    """Acts optimally for a feature reward of each case (its behaviour is known)."""

    stochastic = False

    def __init__(self, cases: list, feature: str, gamma: float) -> None:
        self.policies = {}
        for case in cases:
            sit = case.reset_options["situation"]
            pol = solve(case.mdp, case.features[feature], gamma, want_q=False).policy[0]
            self.policies[sit] = (case, pol)
        self.current = None

    def probs(self, obs: list) -> np.ndarray:
        case, pol = self.policies[self.env.situation]
        out = np.zeros((len(obs), 6))
        cell = self.env.cell
        s = case.mdp.state_index(f"{cell[0]},{cell[1]}")
        out[:, int(pol[s])] = 1.0
        return out


@pytest.fixture(scope="module")
def maze():
    cfg = FamilyConfig(m=4, k=3, gamma=0.9)
    cases = [c for c in build_suite(cfg, 2, rng=0) if c.kind in ("held-out", "decision")]
    assert sum(c.kind == "decision" for c in cases) == 2
    return cfg, cases


def _episodes(cfg, cases, feature):
    env = make_env(cfg)
    agent = PlannerAgent(cases, feature, cfg.gamma)
    agent.env = env
    return run_rollouts([(0, agent), (1, agent)], env, cases, 1)


def test_planner_for_the_cheese_is_best_explained_by_h_true(maze) -> None:
    cfg, cases = maze
    eps = _episodes(cfg, cases, "cheese")
    assert all(e.outcome == "cheese" for e in eps)
    res = score(default_hypotheses("maze"), cases, eps, gamma=cfg.gamma, samples=30, rng=0)
    assert res["best"] == "H_true" and res["best_outcome"] == "H_true"


def test_planner_for_the_region_is_best_explained_by_h_proxy(maze) -> None:
    cfg, cases = maze
    cases = [c for c in cases if c.kind == "decision"]  # cheese off the path to the region
    eps = _episodes(cfg, cases, "region")
    assert eps and all(e.outcome == "top-right" for e in eps)
    res = score(default_hypotheses("maze"), cases, eps, gamma=cfg.gamma, samples=30, rng=0)
    assert res["best_outcome"] == "H_proxy"
    ll = {h["name"]: h["loglik"] for h in res["hypotheses"]}
    # on actions H_proxy beats H_true; H_uniform may beat both, because once in the region
    # the planner rests on one cell and some uniform draws pin exactly that cell, while
    # H_proxy spreads its probability over every move inside the region (ties)
    assert ll["H_proxy"] > ll["H_true"]


def test_episode_loglik_closed_form(maze) -> None:
    # under H_true each step of the cheese planner is the unique optimal action (a tree
    # maze, a terminal cheese), except that moves into walls tie with "stay" -- so the
    # likelihood of a step is (1-ε)/|Opt(s)| + ε/|A(s)|, computed here by hand
    cfg, cases = maze
    case = cases[0]
    R = case.features["cheese"][None]
    eps_ = 0.2
    pi = action_probs(case, R, cfg.gamma, eps_)
    opt = solve(case.mdp, R, cfg.gamma).optimal[0]
    pol = solve(case.mdp, R, cfg.gamma, want_q=False).policy[0]
    s, states, slots = case.start, [case.start], []
    succ = case.mdp.successor
    while not case.mdp.terminal[s]:
        slots.append(int(pol[s]))
        s = int(succ[s, pol[s]])
        states.append(s)
    want = sum(
        math.log((1 - eps_) / opt[t].sum() + eps_ / case.mdp.available[t].sum())
        for t in states[:-1]
    )
    got = episode_loglik(pi, [Episode(0, 0, tuple(states), tuple(slots), "cheese")])
    assert got.shape == (1,) and got[0] == pytest.approx(want, rel=1e-12)


def test_user_family_with_noise_and_bad_families(maze) -> None:
    cfg, cases = maze
    eps = _episodes(cfg, cases, "cheese")
    fam = parse_family({"name": "cheese+noise", "weights": {"cheese": 1.0}, "noise": 0.05})
    res = score(
        [fam, Hypothesis("corner", "features", (("corner", 1.0),))],
        cases,
        eps,
        gamma=cfg.gamma,
        samples=20,
        rng=0,
    )
    assert res["best"] == "cheese+noise"
    with pytest.raises(InputError, match=r"weights\.cheese"):
        parse_family({"name": "x", "weights": {"cheese": "a"}})
    with pytest.raises(InputError, match="unknown key"):
        parse_family({"name": "x", "wieghts": {}})
    with pytest.raises(InputError, match="unknown feature"):
        score([parse_family({"name": "x", "weights": {"lava": 1}})], cases, eps, gamma=0.9)


def test_wilson_and_clopper_pearson_known_answers() -> None:
    z2 = 1.959963984540054**2
    assert wilson(0, 10)[1] == pytest.approx(z2 / (10 + z2), rel=1e-9)  # k = 0 closed form
    assert clopper_pearson(0, 10)[1] == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-9)
    assert clopper_pearson(10, 10)[0] == pytest.approx(0.025 ** (1 / 10), rel=1e-9)
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(1 - hi)  # symmetric at p = 1/2
