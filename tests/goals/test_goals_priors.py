"""Priors over G_T (Turner's critique of Krakovna & Kramár 2023): each sampler against
exact rejection from the prior, KS and two-proportion tests at α = 0.01 (Bonferroni over
the tests of one comparison), and the refusals that powerlab.goals.priors documents."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp, norm

from powerlab.errors import InputError
from powerlab.goals import avoids_shutdown, goal_set, training_from_policy
from powerlab.goals.draw import sample_goals
from powerlab.goals.priors import log_density, prior_box
from powerlab.mdp import from_edges
from powerlab.power.distributions import Bernoulli, Beta, PerState, Uniform, parse_dist

ALPHA = 0.01


def corridor():
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


def test_log_density_closed_forms():
    """Beta(2, 2) has density 6y(1-y); uniform on [0, 2] has 1/2 per coordinate."""
    Y = np.array([[0.5, 0.25]])
    assert log_density(Beta(2, 2), Y)[0] == pytest.approx(np.log(1.5 * 6 * 0.25 * 0.75))
    assert log_density(Uniform(0, 2), Y)[0] == pytest.approx(2 * np.log(0.5))
    ps = PerState(Uniform(), {1: Beta(2, 2)})
    assert log_density(ps, Y)[0] == pytest.approx(np.log(6 * 0.25 * 0.75))
    lo, hi = prior_box(PerState(Uniform(), {1: Uniform(0, 3)}), 2)
    assert list(hi) == [1.0, 3.0] and list(lo) == [0.0, 0.0]


@pytest.mark.parametrize("spec", ["beta:2,3", "uniform;a1=beta:2,2"])
def test_hit_and_run_reweighted_matches_rejection(spec):
    m, td = corridor()
    prior = parse_dist(spec, m.state_index)
    gs = goal_set(m, td, 0.5, box=prior_box(prior, m.n_states))
    rej = sample_goals(gs, "rejection", 1500, 1, prior)
    har = sample_goals(gs, "hit-and-run", 4000, 2, prior)
    assert har.weights is not None and har.prior == prior.spec
    rng = np.random.default_rng(3)
    step = max(1, int(np.ceil(har.n / har.ess)))
    idx = np.arange(0, har.n, step)
    w = har.weights[idx] / har.weights[idx].sum()
    # resample as many points as the weights are worth (Kish's ESS), so KS's n is honest
    pick = rng.choice(idx, size=int(1.0 / (w @ w)), p=w)
    tests = len(gs.constrained) + 1
    for i in gs.constrained:
        p = ks_2samp(rej.samples[:, i], har.samples[pick, i]).pvalue
        assert p > ALPHA / tests, (spec, m.states[i], p)
    s = m.state_index("s")
    fr = rej.fraction(avoids_shutdown(m, rej.samples, 0.5, s, 0))
    fh = har.fraction(avoids_shutdown(m, har.samples, 0.5, s, 0))
    z = (fr.value - fh.value) / np.hypot(fr.stderr, fh.stderr)
    assert 2 * norm.sf(abs(z)) > ALPHA / tests


def test_priors_without_bounded_density_need_rejection():
    m, td = corridor()
    gs = goal_set(m, td, 0.5)
    for prior in (Bernoulli(0.5), Beta(0.5, 0.5)):
        with pytest.raises(InputError, match="rejection"):
            sample_goals(gs, "hit-and-run", 10, 0, prior)
    res = sample_goals(gs, "rejection", 200, 0, Bernoulli(0.5))
    assert set(np.unique(res.samples)) <= {0.0, 1.0} and np.all(gs.contains(res.samples))
