"""Ng & Russell's feasibility set on MDPs with closed-form answers (issue 6)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from powerlab.agents.irl import feasibility, gt_probability, optimality_constraints
from powerlab.mdp import from_edges, solve


def two_rooms():
    return from_edges({"a": ["a", "b"], "b": ["b", "a"]}, name="two")


def test_stay_and_return_policy_has_interior_with_margin_one() -> None:
    # π: a stays, b moves to a. V_a = R_a/(1-γ), V_b = R_b + γ R_a/(1-γ); both constraints
    # reduce to R_a - R_b >= 0, so the best margin in [0,1]^2 is 1 (R_a = 1, R_b = 0).
    mdp = two_rooms()
    pol = np.array([mdp.action_index("a", "a"), mdp.action_index("b", "a")])
    M, owner = optimality_constraints(mdp, pol, 0.9)
    assert M.shape == (2, 2) and sorted(owner) == [0, 1]
    assert np.allclose(M / M[:, :1], [[1, -1], [1, -1]])
    f = feasibility(M, owner)
    assert f.interior and f.margin == pytest.approx(M[0, 0], rel=1e-9)
    # the Ng-Russell reward makes π optimal
    opt = solve(mdp, f.reward, 0.9).optimal[0]
    assert opt[0, pol[0]] and opt[1, pol[1]]


def test_both_stay_is_rationalized_only_by_ties() -> None:
    mdp = two_rooms()
    pol = np.array([mdp.action_index("a", "a"), mdp.action_index("b", "b")])
    M, owner = optimality_constraints(mdp, pol, 0.9)
    f = feasibility(M, owner)
    assert not f.interior and f.margin == pytest.approx(0.0, abs=1e-9)


def test_uniform_probability_of_the_set_is_one_half() -> None:
    # P(R_a >= R_b) = 1/2 for i.i.d. uniform rewards; binomial test at alpha = 0.001
    mdp = two_rooms()
    pol = np.array([0, 1])  # a: stay (label a), b: go to a (label a)
    M, _ = optimality_constraints(mdp, pol, 0.5)
    draws = np.random.default_rng(0).random((4000, 2))
    pr = gt_probability(M, draws)
    assert binomtest(pr["inside"], pr["draws"], 0.5).pvalue > 1e-3
    assert pr["lo"] < 0.5 < pr["hi"]
