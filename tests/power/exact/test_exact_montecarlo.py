"""Exact mode against the Monte Carlo estimators of :mod:`powerlab.power` (within 4 standard
errors, fixed seeds; two-sided α ≈ 6e-5 per comparison under the normal approximation)."""

from fractions import Fraction as Fr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import catalogue
import powerlab.power as P
from powerlab.power.exact import exact_optimality_probability, exact_power

Z = 4.0


@pytest.mark.parametrize("gamma", [Fr(0), Fr(1, 2), Fr(9, 10), Fr(1)])
def test_fig1_power_matches_monte_carlo(gamma):
    mdp = catalogue.fig1()
    exact = exact_power(mdp, gamma)
    mc = P.power(mdp, float(gamma), samples=20_000, rng=3)
    for (_, e), (_, m) in zip(exact.iterrows(), mc.iterrows(), strict=True):
        assert e.state == m.state
        assert abs(float(e.power) - m.power) <= Z * m.stderr + m.solver_error + 1e-12


@pytest.mark.parametrize("gamma", [Fr(1, 2), Fr(9, 10), Fr(1)])
def test_fig1_optimality_matches_monte_carlo(gamma):
    mdp = catalogue.fig1()
    exact = exact_optimality_probability(mdp, "start", gamma)
    mc = P.optimality_probability(mdp, "start", float(gamma), samples=20_000, rng=4)
    assert sum(exact.probability) == 1
    for (_, e), (_, m) in zip(exact.iterrows(), mc.iterrows(), strict=True):
        assert e.action == m.action
        assert abs(float(e.probability) - m.probability) <= Z * max(m.stderr, 1e-3)


@settings(max_examples=6)
@given(st.integers(0, 10_000), st.sampled_from([Fr(1, 3), Fr(4, 5)]))
def test_random_small_mdps_match_monte_carlo(seed, gamma):
    """Property: on random deterministic MDPs of 4 states, exact POWER lies within 4 standard
    errors of Monte Carlo, and exact optimality probabilities of distinct successors sum to 1."""
    mdp = catalogue.random_deterministic(seed, 4)
    exact = exact_power(mdp, gamma)
    mc = P.power(mdp, float(gamma), samples=4_000, rng=seed)
    for (_, e), (_, m) in zip(exact.iterrows(), mc.iterrows(), strict=True):
        assert abs(float(e.power) - m.power) <= Z * m.stderr + m.solver_error + 1e-12
    opt = exact_optimality_probability(mdp, "x0", gamma)
    succ = mdp.successor[0]
    distinct = {int(x): p for x, p in zip(succ, opt.probability, strict=False)}
    assert sum(distinct.values()) == 1
