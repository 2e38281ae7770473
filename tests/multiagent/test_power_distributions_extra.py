"""Pareto, Jaynes' prior and tied states: KS tests against their CDFs at α = 1e-3."""

import math

import numpy as np
import pytest
from scipy import stats

from powerlab.errors import InputError
from powerlab.power import parse_dist
from powerlab.power.distributions import Jaynes, Pareto, Tied, Uniform

ALPHA = 1e-3


def test_pareto_cdf():
    """F(x) = 1 − (x_m / x)^α on [x_m, ∞)."""
    R = Pareto(2.0, 3.0).sample(np.random.default_rng(0), 20_000, 1)[:, 0]
    assert R.min() >= 2.0
    assert stats.kstest(R, lambda x: 1 - (2.0 / np.maximum(x, 2.0)) ** 3).pvalue > ALPHA


def test_jaynes_cdf():
    """Density ∝ 1/(x(1−x)) on [ε, 1−ε]: F(x) = (logit x − logit ε) / (−2 logit ε)."""
    eps = 0.01
    R = Jaynes(eps).sample(np.random.default_rng(1), 20_000, 1)[:, 0]
    lo = math.log(eps / (1 - eps))

    def cdf(x):
        x = np.clip(x, eps, 1 - eps)
        return (np.log(x / (1 - x)) - lo) / (-2 * lo)

    assert stats.kstest(R, cdf).pvalue > ALPHA


def test_tied_and_specs():
    names = {"a": 0, "b": 1, "c": 2, "d": 3}
    D = parse_dist("uniform;tie:a,c", names.__getitem__)
    assert isinstance(D, Tied)
    R = D.sample(np.random.default_rng(2), 100, 4)
    assert np.array_equal(R[:, 0], R[:, 2]) and not np.array_equal(R[:, 0], R[:, 1])
    assert parse_dist(D.spec, names.__getitem__).spec == D.spec
    assert parse_dist("pareto:1,2").spec == "pareto:1,2"
    assert parse_dist("jaynes").spec == "jaynes"
    with pytest.raises(InputError, match="disjoint"):
        Tied(Uniform(), ((0, 1), (1, 2)))
    with pytest.raises(InputError, match="pareto"):
        parse_dist("pareto:1,-1")
    with pytest.raises(InputError, match="eps"):
        parse_dist("jaynes:0.7")
