"""Def. 4 verification, search and Theorem 1 (RDSP Def. 3.5, Thm. 3.6; Krakovna & Kramár 2023, Def 4, Thm 1)."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import powerlab.retarget.search as search_mod
from powerlab.errors import InputError
from powerlab.retarget import (
    check_theorem1,
    copy_involutions,
    labelled_outcomes,
    lottery_comparison,
    orbit_counts,
    search_retargeting,
    transpositions,
    verify_retargetable,
)

RULES = [
    "optimal",
    "fracoptimal",
    "antiopt",
    "boltzmann:0.7",
    "bestof:2",
    "satisfice:1.5",
    "quantilizer:0.4",
]


def test_search_doctest():
    res = doctest.testmod(search_mod)
    assert res.failed == 0 and res.attempted > 0


def test_transpositions():
    t = transpositions(3)
    assert t.tolist() == [[1, 0, 2], [2, 1, 0], [0, 2, 1]]
    assert transpositions(1).shape == (0, 1)


@pytest.mark.parametrize("rule", RULES)
def test_copies_construction_verifies_for_every_rule(rule):
    # A = {e_0}, B = {e_1, e_2, e_3}: the transpositions (0 b) carry A onto its 3 copies in B
    cmp = labelled_outcomes(list("abcd"), A=["a"], B=["b", "c", "d"], rule=rule)
    perms = copy_involutions(np.eye(4), [0], [1, 2, 3])
    assert perms.tolist() == [[1, 0, 2, 3], [2, 1, 0, 3], [3, 1, 2, 0]]
    theta = np.array([0.0, 1.0, 2.0, 3.0])
    report = verify_retargetable(theta, perms, cmp)
    assert report.ok and report.exact and report.n == 3
    t1 = check_theorem1(theta, perms, cmp)
    assert t1.premise.ok and t1.conclusion and t1.consistent


def test_condition_1_failure_reported():
    # A = {a, b}, B = {c}; swapping a and c cannot make B win when b is the best outcome
    cmp = labelled_outcomes(list("abc"), A=["a", "b"], B=["c"])
    rep = verify_retargetable(np.array([0.0, 1.0, 2.0]), [[2, 1, 0]], cmp)
    assert not rep.ok and rep.failed_conditions() == {1}
    bad = {f.theta for f in rep.failures}
    assert bad == {(0.0, 2.0, 1.0), (1.0, 2.0, 0.0)}
    assert "condition 1" in rep.failures[0].message()


def test_condition_2_failure_reported():
    # Theta = {theta : theta_b != 2}. The A > B points (2, 0, 1) and (2, 1, 0) lie in Theta,
    # but swapping a and b moves the 2 onto b, outside Theta (condition 1 still holds).
    cmp = labelled_outcomes(list("abc"), A=["a"], B=["b", "c"])
    rep = verify_retargetable(
        np.array([0.0, 1.0, 2.0]), [[1, 0, 2]], cmp, predicate=lambda x: x[:, 1] != 2.0
    )
    assert not rep.ok
    assert rep.failed_conditions() == {2}
    assert rep.failures[0].theta[0] == 2.0


def test_condition_3_failure_reported():
    cmp = labelled_outcomes(list("abc"), A=["a"], B=["b", "c"])
    phi = [1, 0, 2]
    rep = verify_retargetable(np.array([0.0, 1.0, 2.0]), [phi, phi], cmp)
    assert rep.failed_conditions() == {3}
    f = rep.failures[0]
    assert {f.i, f.j} == {0, 1} and f.other is not None
    assert "condition 3" in f.message()


def test_sampled_verification_finds_same_failures():
    cmp = labelled_outcomes(list("abc"), A=["a"], B=["b", "c"])
    phi = [1, 0, 2]
    exact = verify_retargetable(np.array([0.0, 1.0, 2.0]), [phi, phi], cmp)
    sampled = verify_retargetable(np.array([0.0, 1.0, 2.0]), [phi, phi], cmp, sample=200, rng=0)
    assert not sampled.exact
    assert sampled.failed_conditions() == exact.failed_conditions() == {3}
    ok = verify_retargetable(
        np.arange(10.0),
        copy_involutions(np.eye(10), [0], list(range(1, 10))),
        labelled_outcomes([str(i) for i in range(10)], A=["0"], B=[str(i) for i in range(1, 10)]),
        sample=300,
        rng=1,
    )
    assert ok.ok and ok.n == 9 and not ok.exact


def test_search_finds_copies():
    cmp = labelled_outcomes(list("abcde"), A=["a"], B=["b", "c", "d"])
    found = search_retargeting(np.arange(5.0), cmp)
    # exactly the three transpositions (a b), (a c), (a d); (a e) does not retarget to B
    assert sorted(map(tuple, found.tolist())) == sorted(
        [(1, 0, 2, 3, 4), (2, 1, 0, 3, 4), (3, 1, 2, 0, 4)]
    )
    assert verify_retargetable(np.arange(5.0), found, cmp).ok


def test_search_two_element_copies():
    # A = {e0, e1}, B = {e2, e3, e4, e5}: B holds two disjoint copies of A
    C = np.eye(6)
    cands = copy_involutions(C, [0, 1], [2, 3, 4, 5])
    cmp = lottery_comparison(C, [0, 1], [2, 3, 4, 5])
    found = search_retargeting(np.arange(6.0), cmp, cands)
    assert len(found) == 2
    rep = check_theorem1(np.arange(6.0), found, cmp)
    assert rep.premise.ok and rep.conclusion
    assert rep.counts.largest_n == 2


def test_theorem1_needs_permutations():
    cmp = labelled_outcomes(list("ab"), A=["a"], B=["b"])
    with pytest.raises(InputError):
        check_theorem1(np.array([0.0, 1.0]), np.zeros((0, 2), dtype=int), cmp)
    with pytest.raises(InputError):
        verify_retargetable(np.array([0.0, 1.0]), [[0, 0]], cmp)


@st.composite
def instances(draw):
    d = draw(st.integers(3, 5))
    theta = np.array(draw(st.lists(st.integers(0, 3), min_size=d, max_size=d)), dtype=float)
    labels = list(range(d))
    roles = draw(st.lists(st.sampled_from("AB-"), min_size=d, max_size=d))
    A = ([i for i in labels if roles[i] == "A"] or [0])[: d - 1]
    B = [i for i in labels if roles[i] == "B" and i not in A]
    B = B or [i for i in labels if i not in A][:1]
    mode = draw(st.sampled_from(["search", "copies", "random"]))
    seed = draw(st.integers(0, 2**32 - 1))
    return d, theta, A, B, mode, seed


@pytest.mark.parametrize("rule", RULES)
@given(inst=instances())
@settings(max_examples=40, deadline=None)
def test_theorem1_property(rule, inst):
    """Whenever Def. 4 verifies for n permutations, the n-majority conclusion holds."""
    d, theta, A, B, mode, seed = inst
    C = np.eye(d)
    cmp = lottery_comparison(C, A, B, rule)
    if mode == "search":
        perms = search_retargeting(theta, cmp)
    elif mode == "copies":
        perms = copy_involutions(C, A, B)
    else:
        rng = np.random.default_rng(seed)
        perms = np.array([rng.permutation(d) for _ in range(int(rng.integers(1, 4)))])
    if len(perms) == 0:
        return
    report = verify_retargetable(theta, perms, cmp)
    counts = orbit_counts(theta, cmp)
    if report.ok:
        assert counts.b_over_a >= report.n * counts.a_over_b


def test_property_is_not_vacuous():
    # over a fixed grid, many instances verify with n >= 1 and most have A > B points
    verified = 0
    for d, rule in itertools.product([3, 4], RULES):
        C = np.eye(d)
        cmp = lottery_comparison(C, [0], list(range(1, d)), rule)
        perms = search_retargeting(np.arange(float(d)), cmp)
        if len(perms) and verify_retargetable(np.arange(float(d)), perms, cmp).ok:
            verified += 1
    assert verified >= 10
