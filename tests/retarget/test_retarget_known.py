"""Known answers from Turner's own expositions of orbit tendencies and retargetability.

Sources (read in full): Turner (2021, "T21"), "Satisficers Tend To Seek Power: Instrumental
Convergence Via Retargetability" (LessWrong / turntrout.com), the expository precursor of
Turner & Tadepalli (2022, RDSP), with its fruit example, the Satisfice definition, the
"retargetability of EU decision-making" theorem and the worked example on trained policies;
and Turner (2021), "Environmental Structure Can Cause Instrumental Convergence", the
exposition of Turner et al. (2021), with the "Wait!" example. Counts are over the orbit as a
set of distinct points, as in the post's definition of orbit tendencies (RDSP Def. 3.2).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import catalogue
from powerlab.retarget import (
    Boltzmann,
    IsOptimal,
    Satisfice,
    check_theorem1,
    copy_involutions,
    labelled_outcomes,
    orbit_counts,
    transposition,
)
from powerlab.retarget.mdp import mdp_comparison

FRUIT = ["cherry", "apple", "banana"]

utilities = st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, 2.0]), min_size=3, max_size=3)


def test_fruit_two_thirds_of_every_distinct_orbit():
    """Fruit example: F_A = {cherry}, F_B = {apple, banana}. For u with distinct entries the 3!
    orbit points make cherry, apple or banana best in 2 each, so IsOptimal prefers F_B at 4
    and F_A at 2: "at least 2/3 of its orbit makes F_B optimal"."""
    c = orbit_counts(np.array([0.1, 0.7, 0.3]), labelled_outcomes(FRUIT, FRUIT[:1], FRUIT[1:]))
    assert (c.orbit_size, c.b_over_a, c.a_over_b, c.ties) == (6, 4, 2, 0)


@settings(max_examples=60, deadline=None)
@given(u=utilities)
def test_fruit_isoptimal_two_majority_for_every_u(u):
    """IsOptimal(F_B) >=^2_most IsOptimal(F_A) holds for every u, ties included."""
    c = orbit_counts(np.array(u), labelled_outcomes(FRUIT, FRUIT[:1], FRUIT[1:]))
    assert c.holds(2)


@settings(max_examples=80, deadline=None)
@given(u=utilities, t=st.sampled_from([-1.0, 0.0, 0.3, 0.5, 0.9, 1.0, 1.5, 3.0]))
def test_satisficers_twice_as_likely(u, t):
    """The post's Fact: Satisfice_t(F_B) >=^2_most Satisfice_t(F_A), for every threshold t
    (including thresholds nothing meets, where Satisfice returns 0 for every set and A, B tie)."""
    c = orbit_counts(np.array(u), labelled_outcomes(FRUIT, FRUIT[:1], FRUIT[1:], f"satisfice:{t}"))
    assert c.holds(2)
    if max(u) < t:
        assert c.ties == c.orbit_size


@pytest.mark.parametrize(
    "rule",
    ["optimal", "antiopt", "boltzmann:0.3", "bestof:2", "satisfice:0.4", "quantilizer:0.5"],
)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_eu_decision_making_theorem(rule, n):
    """The post's Theorem (retargetability of EU decision-making): B contains n copies of A via
    involutions that fix C, so f(B) >=^n_most f(A) for every f that depends only on expected
    utilities (the six rules the post lists). Deterministic outcomes, A = {o0}, B = {o1..on},
    one more outcome in neither, u with distinct entries: the transpositions (o0 oi) verify
    RDSP Def. 3.5 and the counts obey Thm. 3.6 with that n."""
    labels = [f"o{i}" for i in range(n + 2)]
    compare = labelled_outcomes(labels, labels[:1], labels[1 : n + 1], rule)
    u = np.linspace(0.0, 1.0, n + 2) ** 2
    perms = copy_involutions(np.eye(n + 2), [0], list(range(1, n + 1)))
    assert len(perms) == n
    t = check_theorem1(u, perms, compare)
    assert t.premise.ok and t.conclusion


def test_trained_policy_example_twice_as_likely():
    """Worked example "Instrumental convergence for trained policies": three terminal states
    (Up, Right, Down), sparse reward functions (the orbit of (1, 0, 0): 3 points). Q-learning
    outputs an optimal action with probability 1 - (2/3) q and each suboptimal one with
    probability q/3, q = (1 - ε/2)^99. With A = {Down}, B = {Up, Right}: when Down is optimal
    f(A) = 1 - 2q/3 > f(B) = 2q/3 (q < 3/4), otherwise f(A) = q/3 < f(B) = 1 - q/3, so
    |B>A| : |A>B| = 2 : 1, "twice as likely", retargeted by (Down Right) and (Down Up)."""
    eps = 0.1
    q = (1 - eps / 2) ** 99

    def compare(points):
        best = points == points.max(axis=1, keepdims=True)
        p = np.where(best, 1 - 2 * q / 3, q / 3)  # [N, 3]: Down, Right, Up
        return p[:, 0], p[:, 1] + p[:, 2]

    r = np.array([1.0, 0.0, 0.0])
    c = orbit_counts(r, compare)
    assert (c.orbit_size, c.b_over_a, c.a_over_b) == (3, 2, 1)
    t = check_theorem1(r, [transposition(3, 0, 1), transposition(3, 0, 2)], compare)
    assert t.premise.ok and t.conclusion and t.n == 2


@pytest.mark.parametrize("gamma, counts", [(0.001, (60, 60)), (0.999, (80, 40))])
def test_wait_example_orbit_shares(gamma, counts):
    """ "Wait!" example: from start, eat candy (a 1-cycle) or wait, then chocolate or hug
    (1-cycles). Optimal at start over the 5! orbit of distinct state rewards: for γ -> 0 waiting
    wins iff R(wait) > R(candy) (half the orbit); for γ -> 1 iff max(R(chocolate), R(hug)) >
    R(candy), i.e. unless candy is the best of three (2/3 of the orbit): "at least 2/3 of the
    orbit should agree that Wait! is optimal". Rewards 0, 1/4, ..., 1 differ by 1/4, more than
    the O(γ) and O(1-γ) terms neglected at these γ."""
    mdp = catalogue.wait()
    cmp = mdp_comparison(mdp, "start", ["candy"], ["wait"], gamma)
    c = orbit_counts(np.linspace(0.0, 1.0, 5), cmp)
    assert (c.orbit_size, c.b_over_a, c.a_over_b, c.ties) == (120, *counts, 0)


def _composite(u, kind):
    """f(A), f(B) for the fruit sets under T21's composite rules (A = cherry, B = the rest)."""
    a = np.array([True, False, False])
    b = ~a
    parts = {}
    for name, rule in (("boltz", Boltzmann(0.3)), ("sat", Satisfice(0.5)), ("opt", IsOptimal())):
        parts[name] = (rule.evaluate(u, a), rule.evaluate(u, b))
    if kind == "mixture":
        return tuple(0.5 * parts["boltz"][k] + 0.5 * parts["sat"][k] for k in (0, 1))
    return tuple(parts["boltz"][k] * parts["sat"][k] + parts["opt"][k] for k in (0, 1))


@pytest.mark.parametrize("kind", ["mixture", "product-plus-optimal"])
@settings(max_examples=40, deadline=None)
@given(u=utilities)
def test_closure_under_combining_rules(kind, u):
    """T21, "closure properties": a 50/50 mixture of Boltzmann-rational and satisficing choice,
    and f(X) proportional to P(X Boltzmann) P(X satisfices) + P(X optimal), still obey the
    orbit tendency: f(B) >=^2_most f(A) on the fruit example, for every u."""
    c = orbit_counts(np.array(u), lambda pts: _composite(pts, kind))
    assert c.holds(2)
