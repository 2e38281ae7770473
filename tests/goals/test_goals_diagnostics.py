"""Intervals, ESS caps and mixing warnings of goal samples (Krakovna & Kramár 2023, Def 6;
Wilson 1927; Vehtari et al. 2021), with closed forms in the docstrings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from powerlab.goals import goal_set, load_training, sample_hit_and_run
from powerlab.goals.diagnostics import mixing_warnings, wilson
from powerlab.goals.samples import GoalSamples
from powerlab.mdp import load_mdp

EX = Path(__file__).resolve().parents[2] / "examples" / "goals"
Z = 1.959963984540054


def _iid(values: np.ndarray) -> GoalSamples:
    n = len(values)
    return GoalSamples(np.zeros((n, 1)), "rejection", "q", 0.9, 0.0, np.full(n, -1))


def test_fraction_of_one_has_positive_width():
    """All N draws succeed: the plug-in s.e. √(p(1-p)/N) is 0, but Wilson's lower end is
    (p + z²/2N - z√(z²/4N²))/(1 + z²/N) = 1/(1 + z²/N) = N/(N + z²) at p = 1."""
    n = 400
    est = _iid(np.ones(n)).fraction(np.ones(n))
    assert est.value == 1.0 and est.high == 1.0
    assert est.low == pytest.approx(n / (n + Z * Z), rel=1e-12)
    assert (
        est.stderr == pytest.approx((1 - n / (n + Z * Z)) / (2 * Z), rel=1e-12) and est.stderr > 0
    )
    zero = _iid(np.zeros(n)).fraction(np.zeros(n))
    assert zero.low == 0.0 and zero.high == pytest.approx(Z * Z / (n + Z * Z), rel=1e-12)


def test_wilson_midrange_matches_plug_in():
    """For p = 1/2 and large n the Wilson half-width tends to z√(p(1-p)/n)."""
    lo, hi = wilson(0.5, 1e6)
    assert (hi - lo) / 2 == pytest.approx(Z * 0.5 / 1e3, rel=1e-5)


def test_ess_is_capped_at_n():
    """Two antithetic chains alternating 0, 1, 0, 1: lag-1 autocorrelation -1, so the
    autocorrelation estimate of ESS exceeds N; the reported ESS is capped at N."""
    n = 200
    vals = np.tile([0.0, 1.0], n)
    gs = GoalSamples(np.zeros((2 * n, 1)), "hit-and-run", "q", 0.9, 0.0, np.repeat([0, 1], n))
    assert gs.ess_of(vals) == 2 * n
    assert gs.fraction(vals).ess <= 2 * n


def test_mixing_warnings_thresholds():
    """R-hat above 1.01 and ESS below 10% of N each give one warning line."""
    assert mixing_warnings(1000, 500.0, 1.005) == ()
    w = mixing_warnings(1000, 50.0, 1.2)
    assert len(w) == 2 and "R-hat 1.200 > 1.01" in w[0] and "below 10%" in w[1]


def test_coinrun_mixes_at_gamma_099():
    """CoinRun example at γ = 0.99: training to walk right makes every θ(a_i) at most
    about (1-γ) θ(exit), a cone narrowing towards 0 in which plain hit-and-run gave R-hat
    1.75-2.47; with the polar Gibbs step and default thinning the chains mix (R-hat
    <= 1.01, ESS >= 10% of N) and no warning is raised."""
    mdp = load_mdp(EX / "coinrun.yaml")
    gs = goal_set(mdp, load_training(mdp, EX / "coinrun_train.yaml"), 0.99)
    res = sample_hit_and_run(gs, 2000, rng=0)
    assert res.rhat is not None and res.rhat <= 1.01
    assert res.ess >= 200 and res.warnings == ()
    assert np.all(gs.contains(res.samples))
