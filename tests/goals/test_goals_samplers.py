"""Samplers of G_T (Krakovna & Kramár, Def 6): hit-and-run against exact rejection sampling
(KS tests on marginals and a two-proportion test on shutdown avoidance, fixed seeds, stated
α), and the ESS / R-hat diagnostics on chains with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp, norm

from powerlab.goals import (
    EmptyGoalSet,
    avoids_shutdown,
    goal_set,
    sample_hit_and_run,
    sample_rejection,
    training_from_policy,
)
from powerlab.goals.diagnostics import ess, split_rhat
from powerlab.mdp import from_edges

ALPHA = 0.01  # family-wise, Bonferroni over the tests in one comparison


def corridor():
    """Three training cells with stay actions, walked right to the terminal exit; a new
    state s may halt, walk into the corridor, or go to a self-loop r."""
    m = from_edges(
        {
            "a0": ["a0", "a1"],
            "a1": ["a0", "a1", "a2"],
            "a2": ["a1", "a2", "exit"],
            "exit": [],
            "s": ["halt", "a1", "r"],
            "halt": [],
            "r": ["r"],
        },
        terminal=["exit", "halt"],
    )
    return m, training_from_policy(m, {"a0": "a1", "a1": "a2", "a2": "exit"})


@pytest.mark.parametrize("reading", ["q", "immediate"])
def test_hit_and_run_matches_rejection(reading):
    m, td = corridor()
    gs = goal_set(m, td, 0.5, reading)
    rej = sample_rejection(gs, 1500, rng=11)
    assert rej.n == 1500 and rej.acceptance is not None and rej.acceptance < 0.5
    har = sample_hit_and_run(gs, 3000, rng=12, thin=4)
    assert har.rhat is not None and har.rhat < 1.1
    # thin to about one draw per effective sample so that KS's independence holds roughly
    step = max(1, int(np.ceil(har.n / har.ess)))
    sub = har.samples[::step]
    tests = len(gs.constrained) + 2
    for i in gs.constrained:
        p = ks_2samp(rej.samples[:, i], sub[:, i]).pvalue
        assert p > ALPHA / tests, (m.states[i], p)
    s = m.state_index("s")
    fr = rej.fraction(avoids_shutdown(m, rej.samples, 0.5, s, 0))
    fh = har.fraction(avoids_shutdown(m, har.samples, 0.5, s, 0))
    z = (fr.value - fh.value) / np.hypot(fr.stderr, fh.stderr)
    assert 2 * norm.sf(abs(z)) > ALPHA / tests
    # and KS on the indicator itself, on the ESS-thinned draws
    ind_r = avoids_shutdown(m, rej.samples, 0.5, s, 0).astype(float)
    ind_h = avoids_shutdown(m, sub, 0.5, s, 0).astype(float)
    assert ks_2samp(ind_r, ind_h).pvalue > ALPHA / tests


def test_free_coordinates_are_uniform():
    m, td = corridor()
    gs = goal_set(m, td, 0.5)
    har = sample_hit_and_run(gs, 2000, rng=3)
    for i in gs.free:
        assert ks_2samp(har.samples[:, i], np.random.default_rng(4).random(2000)).pvalue > ALPHA


def test_same_seed_same_numbers():
    m, td = corridor()
    gs = goal_set(m, td, 0.5)
    a = sample_hit_and_run(gs, 200, rng=5)
    b = sample_hit_and_run(gs, 200, rng=5)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert np.all(gs.contains(a.samples))


def test_empty_goal_set_raises_finding():
    m = from_edges({"x": ["a", "b"], "y": ["a", "b"], "a": ["a"], "b": ["b"]})
    gs = goal_set(m, training_from_policy(m, {"x": "a", "y": "b"}), 0.9)
    with pytest.raises(EmptyGoalSet) as exc:
        sample_hit_and_run(gs, 10, rng=0)
    assert "state 'y' action 'b'" in str(exc.value)
    assert "measure zero" in str(exc.value)


def test_ess_of_ar1_chains():
    """AR(1) with coefficient ρ has integrated autocorrelation time (1+ρ)/(1-ρ)."""
    rng = np.random.default_rng(0)
    rho, M, N = 0.8, 4, 20_000
    x = np.empty((M, N))
    x[:, 0] = rng.standard_normal(M) / np.sqrt(1 - rho**2)
    for t in range(1, N):
        x[:, t] = rho * x[:, t - 1] + rng.standard_normal(M)
    want = M * N * (1 - rho) / (1 + rho)
    assert ess(x) == pytest.approx(want, rel=0.15)
    iid = rng.standard_normal((M, N))
    assert ess(iid) == pytest.approx(M * N, rel=0.1)
    assert split_rhat(iid) == pytest.approx(1.0, abs=0.01)
    shifted = iid + np.arange(M)[:, None]
    assert split_rhat(shifted) > 1.5


def test_rejection_reports_measure_zero_before_sampling():
    """x and y both choose between the self-loops a and b; trained x -> a and y -> b.
    Q reading: V(a) = θa/(1-γ), V(b) = θb/(1-γ), so x -> a needs θa >= θb and y -> b needs
    θb >= θa: G_T lies in the hyperplane θa = θb, of measure zero. Rejection would accept
    nothing however long it ran; it raises the finding instead, naming the pair."""
    m = from_edges({"x": ["a", "b"], "y": ["a", "b"], "a": ["a"], "b": ["b"]})
    for reading in ("q", "immediate"):
        gs = goal_set(m, training_from_policy(m, {"x": "a", "y": "b"}), 0.9, reading)
        with pytest.raises(EmptyGoalSet) as exc:
            sample_rejection(gs, 10, rng=0)
        assert "measure zero" in str(exc.value) and "state 'y' action 'b'" in str(exc.value)


def test_rejection_says_when_it_falls_short():
    """A proposal budget of 100 at acceptance 1/2 cannot give 1000 samples: the result
    holds fewer and says so."""
    m, td = corridor()
    gs = goal_set(m, td, 0.5)
    res = sample_rejection(gs, 1000, rng=0, max_proposals=100, batch=50)
    assert res.n < 1000 and res.requested == 1000
    assert res.warnings and "of the 1000 samples" in res.warnings[0]
