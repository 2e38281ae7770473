"""Reward samplers, tested statistically (fixed seed; KS and chi-squared tests at α = 0.001)."""

import numpy as np
import pytest
from scipy import stats

import powerlab.power as P
from powerlab.errors import InputError

ALPHA = 1e-3


def test_uniform_interval_ks():
    R = P.Uniform(-1.0, 3.0).sample(np.random.default_rng(0), 4000, 3)
    for col in R.T:
        assert stats.kstest(col, stats.uniform(loc=-1, scale=4).cdf).pvalue > ALPHA


def test_beta_ks():
    R = P.Beta(2.0, 5.0).sample(np.random.default_rng(1), 4000, 2)
    for col in R.T:
        assert stats.kstest(col, stats.beta(2, 5).cdf).pvalue > ALPHA


def test_bernoulli_chi_squared():
    R = P.Bernoulli(0.3).sample(np.random.default_rng(2), 5000, 4)
    ones = R.sum(axis=0)
    expected = np.array([0.7, 0.3]) * 5000
    for k in ones:
        assert stats.chisquare([5000 - k, k], expected).pvalue > ALPHA
    assert set(np.unique(R)) <= {0.0, 1.0}


def test_columns_are_independent():
    R = P.Uniform().sample(np.random.default_rng(3), 5000, 2)
    assert stats.pearsonr(R[:, 0], R[:, 1]).pvalue > ALPHA


def test_per_state_override_and_spec_roundtrip():
    names = {"a": 0, "b": 1, "c": 2}
    dist = P.parse_dist("uniform;b=bernoulli:1;c=uniform:5,6", names.__getitem__)
    R = dist.sample(np.random.default_rng(4), 1000, 3)
    assert np.all(R[:, 1] == 1.0) and np.all((R[:, 2] >= 5) & (R[:, 2] <= 6))
    assert stats.kstest(R[:, 0], "uniform").pvalue > ALPHA
    assert dist.spec == "uniform;b=bernoulli:1;c=uniform:5,6"


def test_callable_batches_are_concatenated():
    calls = []

    def draw(rng):
        calls.append(1)
        return rng.random((3, 2))

    R = P.as_distribution(draw).sample(np.random.default_rng(5), 7, 2)
    assert R.shape == (7, 2) and len(calls) == 3


def test_same_seed_same_numbers():
    d = P.parse_dist("beta:2,3")
    a = d.sample(np.random.default_rng(9), 10, 4)
    b = d.sample(np.random.default_rng(9), 10, 4)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gauss", "unknown distribution"),
        ("uniform:1", "takes 0 or 2"),
        ("uniform:2,1", "low < high"),
        ("beta:0,1", "positive"),
        ("bernoulli:1.5", r"\[0, 1\]"),
        ("beta:a,b", "bad numbers"),
        ("uniform;x", "STATE=DIST"),
    ],
)
def test_bad_specs(spec, message):
    with pytest.raises(InputError, match=message):
        P.parse_dist(spec, lambda s: 0)


def test_callable_with_wrong_shape():
    with pytest.raises(InputError, match="shape"):
        P.as_distribution(lambda rng: np.ones((2, 5))).sample(np.random.default_rng(0), 3, 4)
