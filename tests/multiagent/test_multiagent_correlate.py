"""Correlated rewards: exact marginal and Pearson correlation ρ (tested statistically)."""

import numpy as np
import pytest
from scipy import stats

from powerlab.errors import InputError
from powerlab.multiagent import correlated_rewards
from powerlab.power import Beta, Uniform

ALPHA = 1e-3


@pytest.mark.parametrize("rho", [-1.0, -0.4, 0.0, 0.3, 1.0])
def test_marginal_and_correlation(rho):
    """Marginal U[0,1] (KS at α = 1e-3) and correlation ρ (Fisher z at α = 1e-3)."""
    rng = np.random.default_rng(7)
    D = Uniform()
    R_H = D.sample(rng, 20_000, 1)
    R_A = correlated_rewards(R_H, rho, D, rng)
    assert stats.kstest(R_A[:, 0], "uniform").pvalue > ALPHA
    r = np.corrcoef(R_H[:, 0], R_A[:, 0])[0, 1]
    if abs(rho) == 1:
        assert r == pytest.approx(rho, abs=1e-12)
    else:
        z = (np.arctanh(r) - np.arctanh(rho)) * np.sqrt(len(R_H) - 3)
        assert 2 * stats.norm.sf(abs(z)) > ALPHA


def test_constant_sum_at_minus_one():
    """ρ = −1 reflects through the centre: R_A = low + high − R_H."""
    rng = np.random.default_rng(0)
    R_H = Uniform(-1, 3).sample(rng, 50, 4)
    assert np.allclose(correlated_rewards(R_H, -1, Uniform(-1, 3), rng), 2 - R_H)


def test_negative_needs_symmetry():
    R = np.zeros((3, 2))
    with pytest.raises(InputError, match="symmetric"):
        correlated_rewards(R, -0.5, Beta(1, 2), 0)
    with pytest.raises(InputError, match="rho"):
        correlated_rewards(R, 1.5, Uniform(), 0)
