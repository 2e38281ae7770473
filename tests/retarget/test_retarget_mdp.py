"""f_s at a state of an MDP (RDSP Sec. 4; Krakovna & Kramár 2023, Def 7): actions and visit distributions."""

from __future__ import annotations

import numpy as np
import pytest

import catalogue
from powerlab.errors import InputError
from powerlab.mdp import from_edges, from_transitions
from powerlab.retarget import (
    check_theorem1,
    copy_involutions,
    lottery_comparison,
    orbit_counts,
    search_retargeting,
    verify_retargetable,
)
from powerlab.retarget.mdp import (
    action_masks,
    mdp_comparison,
    visit_distributions,
    visit_lotteries,
)

RULES = [
    "optimal",
    "fracoptimal",
    "antiopt",
    "boltzmann:0.3",
    "bestof:2",
    "quantilizer:0.5",
]


@pytest.fixture(scope="module")
def three_ways():
    # from `start`: die (dead, a 1-cycle) or go to one of two other 1-cycles a, b
    return from_edges(
        {"start": ["dead", "a", "b"], "dead": ["dead"], "a": ["a"], "b": ["b"]}, name="three"
    )


@pytest.mark.parametrize("rule", RULES)
def test_one_versus_two_cycles(three_ways, rule):
    # Q(start, x) = R(start) + gamma R(x) / (1 - gamma): every rule here ranks the actions by
    # R(x); with distinct rewards the best (worst) cycle is any of the three in 1/3 of the
    # orbit, so |B>A| = 16, |A>B| = 8 out of 4! = 24 for the order-based rules.
    cmp = mdp_comparison(three_ways, "start", ["dead"], ["a", "b"], 0.9, rule)
    c = orbit_counts(np.array([0.0, 1.0, 2.0, 3.0]), cmp)
    if rule.startswith("boltzmann"):
        assert c.b_over_a >= 2 * c.a_over_b
    else:
        assert (c.orbit_size, c.b_over_a, c.a_over_b, c.ties) == (24, 16, 8, 0)
    perms = search_retargeting(np.array([0.0, 1.0, 2.0, 3.0]), cmp)
    assert sorted(map(tuple, perms.tolist())) == [(0, 2, 1, 3), (0, 3, 2, 1)]
    t1 = check_theorem1(np.array([0.0, 1.0, 2.0, 3.0]), perms, cmp)
    assert t1.premise.ok and t1.conclusion


def test_visit_distributions_closed_form(three_ways):
    # f = e_start + gamma/(1-gamma) e_x for x in {dead, a, b}
    F, first = visit_distributions(three_ways, "start", 0.5)
    assert F.shape == (3, 4)
    want = {0: [1, 1, 0, 0], 1: [1, 0, 1, 0], 2: [1, 0, 0, 1]}
    for row, a in zip(F, first, strict=True):
        np.testing.assert_allclose(row, want[int(a)], atol=1e-12)


def test_visit_lotteries_copies_and_theorem1(three_ways):
    F, ma, mb = visit_lotteries(three_ways, "start", ["dead"], ["a", "b"], 0.9)
    cmp = lottery_comparison(F, ma, mb)
    cands = copy_involutions(F, ma, mb)
    # the copies of F(dead) in F(B) are made by swapping dead with a and with b
    assert sorted(map(tuple, cands.tolist())) == [(0, 2, 1, 3), (0, 3, 2, 1)]
    theta = np.array([0.0, 1.0, 2.0, 3.0])
    assert verify_retargetable(theta, cands, cmp).ok
    c = orbit_counts(theta, cmp)
    assert (c.b_over_a, c.a_over_b) == (16, 8)


def test_stochastic_mdp_shutdown_like():
    # s0: `stop` ends in a terminal state; `go` reaches 2 self-loops with probability 1/2 each
    mdp = from_transitions(
        {
            "s0": {"stop": {"t": 1.0}, "go": {"x": 0.5, "y": 0.5}},
            "t": {"end": {"t": 1.0}},
            "x": {"stay": {"x": 1.0}},
            "y": {"stay": {"y": 1.0}},
        },
        terminal=["t"],
    )
    cmp = mdp_comparison(mdp, "s0", ["stop"], ["go"], 0.95)
    c = orbit_counts(np.array([0.0, 1.0, 2.0, 3.0]), cmp)
    # Q(stop) = R(s0) + gamma R(t) (t pays once); Q(go) = R(s0) + gamma (R(x) + R(y)) / 2 /
    # (1 - gamma) = R(s0) + gamma * 10 (R(x) + R(y)). With rewards {0, 1, 2, 3},
    # 10 (R(x) + R(y)) >= 10 > 3 >= R(t): `go` is strictly optimal on the whole orbit.
    assert (c.orbit_size, c.b_over_a, c.a_over_b, c.ties) == (24, 24, 0, 0)


def test_action_masks_errors(three_ways):
    s, ma, mb = action_masks(three_ways, "start", ["dead"], ["a"])
    assert s == 0 and ma.tolist() == [True, False, False] and mb.tolist() == [False, True, False]
    with pytest.raises(InputError, match="no action"):
        action_masks(three_ways, "start", ["up"], ["a"])
    with pytest.raises(InputError, match="both"):
        action_masks(three_ways, "start", ["a"], ["a", "b"])
    with pytest.raises(InputError):
        action_masks(three_ways, "nowhere", ["a"], ["b"])
    with pytest.raises(InputError, match="max_policies"):
        visit_distributions(three_ways, "start", 0.9, max_policies=2)


def test_turner_figure1_three_copies():
    # Turner et al. 2021, Fig. 1: from start, dying (a 1-cycle) versus l_mid / r_mid, behind
    # which lie the 1-cycles l_loop, r_down, r_up: B holds 3 copies of A, so the
    # transpositions of dead with each of them retarget, and n = 3 (3/4 of every orbit).
    mdp = catalogue.fig1()
    theta = np.linspace(0.0, 1.0, 8)
    cmp = mdp_comparison(mdp, "start", ["dead"], ["l_mid", "r_mid"], 0.9)
    perms = search_retargeting(theta, cmp)
    dead = mdp.state_index("dead")
    swapped = {frozenset(np.flatnonzero(p != np.arange(8)).tolist()) for p in perms}
    want = {frozenset({dead, mdp.state_index(x)}) for x in ("l_loop", "r_down", "r_up")}
    assert swapped == want
    t1 = check_theorem1(theta, perms, cmp)
    assert t1.premise.ok and t1.conclusion and t1.counts.largest_n >= 3
