"""Known answers and invariances for powerlab.retarget.rules (RDSP Sec. 3-4)."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import powerlab.retarget.rules as rules_mod
from powerlab.errors import InputError
from powerlab.retarget.rules import (
    AntiOpt,
    BestOfK,
    Boltzmann,
    FracOptimal,
    IsOptimal,
    Quantilizer,
    Satisfice,
    parse_rule,
)

ALL_RULES = [
    IsOptimal(),
    FracOptimal(),
    AntiOpt(),
    Boltzmann(0.7),
    BestOfK(3),
    Satisfice(1.5),
    Quantilizer(0.4),
]


def _mask(M, idx):
    m = np.zeros(M, dtype=bool)
    m[list(idx)] = True
    return m


def test_docstring_examples_run():
    res = doctest.testmod(rules_mod)
    assert res.failed == 0 and res.attempted > 0


def test_isoptimal_fracoptimal_antiopt_known_values():
    v = np.array([[1.0, 3.0, 3.0, 0.0]])
    X = _mask(4, [0, 1])
    assert IsOptimal().evaluate(v, X).tolist() == [1.0]
    # two optimal lotteries (indices 1, 2), one of them in X
    assert FracOptimal().evaluate(v, X).tolist() == [0.5]
    assert AntiOpt().evaluate(v, X).tolist() == [0.0]
    assert AntiOpt().evaluate(v, _mask(4, [3])).tolist() == [1.0]


def test_boltzmann_closed_form():
    v = np.array([[0.0, np.log(2.0), np.log(3.0)]])
    # e^{v/T} with T = 1 is (1, 2, 3): P = (1/6, 2/6, 3/6)
    got = Boltzmann(1.0).weights(v)[0]
    np.testing.assert_allclose(got, [1 / 6, 2 / 6, 3 / 6], rtol=1e-12)
    # T = 1/2 squares the weights: (1, 4, 9) / 14
    np.testing.assert_allclose(Boltzmann(0.5).weights(v)[0], [1 / 14, 4 / 14, 9 / 14])


@pytest.mark.parametrize("k", [1, 2, 5])
def test_bestof_closed_form_distinct(k):
    # distinct values, M = 4: the lottery of rank r (r worse ones) wins w.p. ((r+1)^k - r^k)/4^k
    v = np.array([[2.0, 0.0, 3.0, 1.0]])
    ranks = np.array([2, 0, 3, 1])
    want = ((ranks + 1) ** k - ranks**k) / 4**k
    np.testing.assert_allclose(BestOfK(k).weights(v)[0], want, rtol=1e-12)
    # k = 1 is a uniformly random choice
    if k == 1:
        np.testing.assert_allclose(BestOfK(1).weights(v)[0], 0.25)


def test_bestof_with_ties_closed_form():
    # values (1, 1, 0): P(max level) = 1 - (1/3)^2 = 8/9, shared by two tied lotteries
    got = BestOfK(2).weights(np.array([[1.0, 1.0, 0.0]]))[0]
    np.testing.assert_allclose(got, [4 / 9, 4 / 9, 1 / 9], rtol=1e-12)


def test_satisfice_known_values():
    v = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    X = _mask(3, [0, 1])
    # threshold 2: {2, 3} satisfice, one of them in X -> 1/2; nobody satisfices -> 0
    np.testing.assert_allclose(Satisfice(2.0).evaluate(v, X), [0.5, 0.0])


def test_quantilizer_known_values():
    v = np.array([[4.0, 3.0, 2.0, 1.0]])
    # q = 1/4 of M = 4: the single best lottery
    np.testing.assert_allclose(Quantilizer(0.25).weights(v)[0], [1, 0, 0, 0])
    # q = 3/8: qM = 1.5 -> best gets 1/1.5 = 2/3, second gets 0.5/1.5 = 1/3
    np.testing.assert_allclose(Quantilizer(0.375).weights(v)[0], [2 / 3, 1 / 3, 0, 0])
    # q = 1: uniform
    np.testing.assert_allclose(Quantilizer(1.0).weights(v)[0], 0.25)
    # a tie group straddling the boundary shares its mass: values (2, 1, 1, 0), q = 1/2
    # qM = 2: best gets 1/2, the two tied get (2 - 1)/2 = 1/2 between them
    np.testing.assert_allclose(
        Quantilizer(0.5).weights(np.array([[2.0, 1.0, 1.0, 0.0]]))[0], [0.5, 0.25, 0.25, 0.0]
    )


values = st.lists(st.integers(-3, 3), min_size=2, max_size=6).map(
    lambda xs: np.array([xs], dtype=float)
)


@given(values, st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_distribution_rules_sum_to_one_and_relabel(v, seed):
    M = v.shape[1]
    perm = np.random.default_rng(seed).permutation(M)
    for rule in (FracOptimal(), Boltzmann(0.7), BestOfK(3), Quantilizer(0.4)):
        w = rule.weights(v)
        assert math.isclose(w.sum(), 1.0, rel_tol=1e-12)
        assert np.all(w >= 0)
        # relabelling C relabels the weights (permutation equivariance)
        np.testing.assert_allclose(rule.weights(v[:, perm]), w[:, perm], atol=1e-12)
    for rule in ALL_RULES:
        X = np.zeros(M, dtype=bool)
        X[: M // 2] = True
        a = rule.evaluate(v, X)
        b = rule.evaluate(v[:, perm], X[perm])
        np.testing.assert_allclose(a, b, atol=1e-12)


@pytest.mark.parametrize(
    "spec, cls",
    [
        ("optimal", IsOptimal),
        ("fracoptimal", FracOptimal),
        ("antiopt", AntiOpt),
        ("boltzmann:0.5", Boltzmann),
        ("bestof:3", BestOfK),
        ("satisfice:0.2", Satisfice),
        ("quantilizer:0.25", Quantilizer),
    ],
)
def test_parse_rule(spec, cls):
    rule = parse_rule(spec)
    assert isinstance(rule, cls)
    assert parse_rule(rule.spec()) == rule


@pytest.mark.parametrize(
    "spec",
    [
        "greedy",
        "boltzmann",
        "boltzmann:0",
        "boltzmann:-1",
        "boltzmann:x",
        "bestof:0",
        "bestof:1.5",
        "quantilizer:0",
        "quantilizer:1.5",
        "satisfice:nan",
        "optimal:3",
    ],
)
def test_parse_rule_rejects(spec):
    with pytest.raises(InputError):
        parse_rule(spec)


def test_bad_values_shape():
    with pytest.raises(InputError):
        IsOptimal().evaluate(np.zeros(3), np.ones(3, dtype=bool))
    with pytest.raises(InputError):
        IsOptimal().evaluate(np.zeros((1, 3)), np.ones(2, dtype=bool))
