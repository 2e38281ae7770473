"""Orbit subsets and n-majority (RDSP Defs. 3.1-3.2; Krakovna & Kramár 2023, Defs 1-3): known answers."""

from __future__ import annotations

import doctest
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

import powerlab.retarget.outcomes as outcomes_mod
from powerlab.errors import InputError
from powerlab.retarget import (
    labelled_outcomes,
    lottery_comparison,
    n_fraction,
    n_majority,
    orbit_counts,
    stabilizer_size,
)


def test_outcomes_doctest():
    res = doctest.testmod(outcomes_mod)
    assert res.failed == 0 and res.attempted > 0


def test_pacman_three_outcomes():
    # RDSP's outcome example: dying (A, one outcome) versus staying alive (B, two outcomes).
    # With distinct utilities the best outcome is equally likely to be any of the three
    # over the 3! = 6 orbit points: B wins 4, A wins 2, so n = 2 and n/(n+1) = 2/3.
    cmp = labelled_outcomes(["death", "candy", "hug"], A=["death"], B=["candy", "hug"])
    c = orbit_counts(np.array([0.0, 0.5, 1.0]), cmp)
    assert (c.orbit_size, c.b_over_a, c.a_over_b, c.ties) == (6, 4, 2, 0)
    assert c.largest_n == 2 and c.holds(2) and not c.holds(3)
    assert c.ratio == Fraction(2)
    assert c.fraction_b_over_a == Fraction(2, 3)
    assert n_majority(np.array([0.0, 0.5, 1.0]), cmp).fraction_b_at_least_a == Fraction(2, 3)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_one_versus_n_outcomes_closed_form(n):
    # |A| = 1, |B| = n unit outcomes, distinct utilities: |A>B| = n!, |B>A| = n * n!
    labels = [f"o{i}" for i in range(n + 1)]
    cmp = labelled_outcomes(labels, A=labels[:1], B=labels[1:])
    c = orbit_counts(np.arange(n + 1, dtype=float), cmp)
    assert c.orbit_size == math.factorial(n + 1)
    assert c.a_over_b == math.factorial(n)
    assert c.b_over_a == n * math.factorial(n)
    assert c.largest_n == n
    assert n_fraction(c.largest_n) == Fraction(n, n + 1)


def test_repeated_entries_counted_once():
    # theta = (0, 0, 1): the orbit *set* has 3 points; the best outcome is outcome 0 in one
    # of them (A > B) and in B for the other two.
    cmp = labelled_outcomes(["a", "b", "c"], A=["a"], B=["b", "c"])
    c = orbit_counts(np.array([0.0, 0.0, 1.0]), cmp)
    assert (c.orbit_size, c.b_over_a, c.a_over_b) == (3, 2, 1)
    # the multiset convention multiplies every count by |Stab| = 2! and keeps the ratio
    assert stabilizer_size([0.0, 0.0, 1.0]) == 2


def test_ties_with_constant_theta():
    cmp = labelled_outcomes(["a", "b"], A=["a"], B=["b"])
    c = orbit_counts(np.array([1.0, 1.0]), cmp)
    assert (c.orbit_size, c.b_over_a, c.a_over_b, c.ties) == (1, 0, 0, 1)
    assert c.largest_n is None and c.fraction_b_over_a == 1


def test_restriction_to_theta_set():
    # Theta = {theta : theta_c <= theta_b}: only orbit points where b beats c remain
    cmp = labelled_outcomes(["a", "b", "c"], A=["a"], B=["b", "c"])
    c = orbit_counts(np.array([0.0, 1.0, 2.0]), cmp, predicate=lambda x: x[:, 2] <= x[:, 1])
    # the 3 points with theta_c < theta_b: a is best in one of them
    assert (c.orbit_size, c.b_over_a, c.a_over_b) == (3, 2, 1)


def test_report_over_several_orbits_takes_minimum():
    cmp = labelled_outcomes(["a", "b", "c"], A=["a"], B=["b", "c"])
    rep = n_majority(np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]), cmp)
    assert [c.largest_n for c in rep.counts] == [2, 2, None]
    assert rep.largest_n == 2 and rep.holds(2) and not rep.holds(3) and rep.exact


def test_sampled_counts_statistical():
    # 8 unit outcomes, A one, B seven: P(B > A) = 7/8 over the orbit; binomial test at
    # alpha = 0.001 with a fixed seed
    labels = [f"o{i}" for i in range(8)]
    cmp = labelled_outcomes(labels, A=labels[:1], B=labels[1:])
    c = orbit_counts(np.arange(8.0), cmp, sample=4000, rng=3)
    assert not c.exact and c.samples == 4000 and c.orbit_size == 4000
    assert c.standard_error is not None and 0 < c.standard_error < 0.01
    assert stats.binomtest(c.b_over_a, 4000, 7 / 8).pvalue > 0.001
    # same seed, same numbers
    assert orbit_counts(np.arange(8.0), cmp, sample=4000, rng=3) == c


def test_orbit_too_large_needs_sampling():
    labels = [f"o{i}" for i in range(10)]
    cmp = labelled_outcomes(labels, A=labels[:1], B=labels[1:])
    with pytest.raises(InputError, match="too large"):
        orbit_counts(np.arange(10.0), cmp)


def test_lottery_comparison_validation():
    with pytest.raises(InputError, match="overlap"):
        lottery_comparison(np.eye(3), [0], [0, 1])
    with pytest.raises(InputError, match="empty"):
        lottery_comparison(np.eye(3), [], [1])
    with pytest.raises(InputError, match="both"):
        labelled_outcomes(["a", "b"], A=["a"], B=["a", "b"])
    with pytest.raises(InputError, match="unknown"):
        labelled_outcomes(["a", "b"], A=["z"], B=["b"])
    with pytest.raises(InputError, match="duplicate"):
        labelled_outcomes(["a", "a"], A=["a"], B=["a"])
    cmp = lottery_comparison(np.eye(3), [0], [1])
    with pytest.raises(InputError):
        cmp(np.zeros((2, 4)))
