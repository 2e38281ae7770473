"""Tests for powerlab.retarget.orbits and .permutations (RDSP Def. 3.1; Krakovna & Kramár 2023, Def 1)."""

from __future__ import annotations

import doctest
import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import powerlab.retarget.orbits as orbits_mod
import powerlab.retarget.permutations as perms_mod
from powerlab.errors import InputError
from powerlab.retarget import (
    all_permutations,
    apply_permutation,
    compose,
    inverse,
    orbit,
    orbit_size,
    random_permutations,
    restrict,
    sample_orbit,
    sample_orbits,
    stabilizer_size,
    swap_blocks,
    transposition,
)

small_theta = st.lists(st.integers(0, 3), min_size=1, max_size=6).map(np.array)


@pytest.mark.parametrize("mod", [orbits_mod, perms_mod])
def test_docstring_examples_run(mod):
    res = doctest.testmod(mod)
    assert res.failed == 0 and res.attempted > 0


def test_permutation_convention():
    # perm[i] = phi(i): entry at i moves to phi(i); (phi.theta)_j = theta_{phi^{-1}(j)}
    phi = np.array([1, 2, 0])
    theta = np.array([10, 20, 30])
    out = apply_permutation(phi, theta)
    assert out[phi[0]] == theta[0] and out[phi[1]] == theta[1] and out[phi[2]] == theta[2]
    assert out.tolist() == [30, 10, 20]


@given(small_theta, st.integers(0, 2**32 - 1))
@settings(max_examples=50, deadline=None)
def test_left_action(theta, seed):
    d = theta.shape[0]
    phi, psi = random_permutations(d, 2, seed)
    lhs = apply_permutation(compose(phi, psi), theta)
    rhs = apply_permutation(phi, apply_permutation(psi, theta))
    assert np.array_equal(lhs, rhs)
    assert np.array_equal(apply_permutation(inverse(phi), apply_permutation(phi, theta)), theta)


def test_orbit_sizes_closed_form():
    # 3 entries with a pair repeated: 3! = 6 rows, 3!/2! = 3 distinct points
    assert orbit_size([0, 0, 1]) == 6
    assert orbit_size([0, 0, 1], distinct=True) == 3
    assert stabilizer_size([5, 5, 5, 1, 1]) == math.factorial(3) * math.factorial(2)
    assert orbit_size([5, 5, 5, 1, 1], distinct=True) == 10


@given(small_theta)
@settings(max_examples=60, deadline=None)
def test_orbit_multiset_vs_set(theta):
    multi = orbit(theta)
    dist = orbit(theta, distinct=True)
    assert multi.shape == (math.factorial(theta.shape[0]), theta.shape[0])
    # the set convention is exactly the distinct rows of the multiset
    assert np.array_equal(np.unique(multi, axis=0), dist)
    # every distinct point occurs |Stab(theta)| times in the multiset
    counts = Counter(map(tuple, multi.tolist()))
    assert set(counts.values()) == {stabilizer_size(theta)}
    # every orbit point is a rearrangement of theta
    assert np.array_equal(np.sort(multi, axis=1), np.broadcast_to(np.sort(theta), multi.shape))


def test_orbit_rows_follow_all_permutations():
    theta = np.array([1.0, 2.0, 3.0, 4.0])
    perms = all_permutations(4)
    pts = orbit(theta)
    for k in (0, 5, 17, 23):
        assert np.array_equal(pts[k], apply_permutation(perms[k], theta))


def test_orbit_too_large_refused():
    with pytest.raises(InputError, match="too large"):
        orbit(np.arange(10.0))
    with pytest.raises(InputError, match="too large"):
        orbit(np.arange(4.0), max_size=23)
    # distinct points of a highly repeated vector are few even when d! is huge
    pts = orbit(np.array([0.0] * 11 + [1.0]), distinct=True)
    assert pts.shape == (12, 12)


def test_bad_theta_refused():
    with pytest.raises(InputError):
        orbit(np.zeros((2, 2)))
    with pytest.raises(InputError):
        orbit([1.0, np.nan])
    with pytest.raises(InputError):
        orbit([])


def test_sample_orbit_reproducible_and_in_orbit():
    theta = np.array([3.0, 1.0, 2.0, 2.0])
    a = sample_orbit(theta, 50, 7)
    b = sample_orbit(theta, 50, np.random.default_rng(7))
    assert np.array_equal(a, b)
    assert np.array_equal(np.sort(a, axis=1), np.broadcast_to(np.sort(theta), a.shape))
    batch = sample_orbits(np.stack([theta, theta + 10]), 5, 0)
    assert batch.shape == (2, 5, 4)
    assert np.all(batch[1] >= 10)


def test_sample_orbit_uniform_chi_squared():
    # alpha = 0.001, fixed seed: uniform over the 12 distinct points of (1, 2, 2, 3)
    theta = np.array([1, 2, 2, 3])
    draws = sample_orbit(theta, 12_000, 12345)
    pts = orbit(theta, distinct=True)
    index = {tuple(p): i for i, p in enumerate(pts.tolist())}
    counts = np.bincount([index[tuple(r)] for r in draws.tolist()], minlength=len(pts))
    assert stats.chisquare(counts).pvalue > 0.001


def test_random_permutations_uniform_chi_squared():
    perms = random_permutations(3, 6_000, 99)
    codes = [tuple(p) for p in perms.tolist()]
    counts = np.array(list(Counter(codes).values()))
    assert len(counts) == 6
    assert stats.chisquare(counts).pvalue > 0.001


def test_restrict():
    pts = orbit(np.array([0.0, 1.0, 2.0]))
    inside, mask = restrict(pts, lambda x: x[:, 0] == 0.0, return_mask=True)
    assert inside.shape == (2, 3) and mask.sum() == 2
    assert np.all(inside[:, 0] == 0.0)
    with pytest.raises(InputError, match="predicate"):
        restrict(pts, lambda x: x[:, 0])
    with pytest.raises(InputError, match="predicate"):
        restrict(pts, lambda x: np.ones(2, dtype=bool))


def test_transposition_and_swap_blocks():
    assert transposition(4, 1, 3).tolist() == [0, 3, 2, 1]
    perm = swap_blocks(6, [0, 1], [4, 5])
    assert perm.tolist() == [4, 5, 2, 3, 0, 1]
    assert np.array_equal(compose(perm, perm), np.arange(6))
    with pytest.raises(InputError):
        swap_blocks(6, [0, 1], [1, 2])
    with pytest.raises(InputError):
        transposition(3, 0, 3)
