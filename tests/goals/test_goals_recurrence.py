"""Recurrence, reach-and-revisit policies, visit counts and γ* (Krakovna & Kramár, Defs 8-9,
Props 1-3), checked against closed forms derived in the docstrings of the tests."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.mdp import from_edges, from_transitions
from powerlab.mdp.recurrence import (
    almost_sure_reach,
    gamma_star,
    reach_and_revisit_policy,
    reachable,
    recurrence_table,
    recurrent_states,
    visit_count,
)

GOLDEN = (math.sqrt(5) - 1) / 2


def room():
    """button -> c1 - c2 - c3 (each with a stay action), button -> halt (terminal)."""
    return from_edges(
        {
            "button": ["halt", "c1"],
            "halt": [],
            "c1": ["button", "c1", "c2"],
            "c2": ["c1", "c2", "c3"],
            "c3": ["c2", "c3"],
        },
        terminal=["halt"],
    )


def test_reach_and_recurrence_sets():
    m = room()
    reach = reachable(m, ["button"])
    assert set(np.array(m.states)[reach]) == {"button", "halt", "c1", "c2", "c3"}
    rec = recurrent_states(m)
    assert set(np.array(m.states)[rec]) == {"button", "c1", "c2", "c3"}


def test_gamma_star_closed_forms():
    """A stay state at distance d from s_new has V = γ^{d-1}/(1-γ): γ* = 0 (d=1), 1/2 (d=2:
    γ > 1-γ), and the root of γ² + γ - 1 (d=3), (√5-1)/2. s_new itself is revisited through
    c1 every two steps: V = γ/(1-γ²) > 1 iff γ² + γ - 1 > 0, the same root."""
    m = room()
    gs = {r.state: r.gamma_star for r in recurrence_table(m, "button")}
    assert gs["c1"] == 0.0
    assert abs(gs["c2"] - 0.5) < 1e-9
    assert abs(gs["c3"] - GOLDEN) < 1e-9
    assert abs(gs["button"] - GOLDEN) < 1e-9
    assert gs["halt"] is None


@pytest.mark.parametrize("gamma", [0.1, 0.5, 0.9, 0.99])
def test_visit_count_closed_form(gamma):
    """V_{c3,γ} = γ²/(1-γ); V_{button,γ} = γ/(1-γ²)."""
    m = room()
    assert visit_count(m, "button", "c3", gamma) == pytest.approx(gamma**2 / (1 - gamma), rel=1e-12)
    assert visit_count(m, "button", "button", gamma) == pytest.approx(
        gamma / (1 - gamma**2), rel=1e-12
    )


def test_stochastic_reach_is_not_almost_sure():
    """From s, action 'go' reaches r (a self-loop) or the terminal x with probability 1/2
    each: r is reachable and recurrent but not almost surely reachable, so Prop 1's
    construction does not apply; q is reached with probability 1 through 'safe'."""
    m = from_transitions(
        {
            "s": {"go": {"r": 0.5, "x": 0.5}, "safe": {"q": 1.0}},
            "r": {"stay": {"r": 1.0}},
            "x": {},
            "q": {"back": {"s": 0.5, "q": 0.5}},
        },
        terminal=["x"],
    )
    rows = {r.state: r for r in recurrence_table(m, "s")}
    assert rows["r"].recurrent and not rows["r"].reach_and_revisit
    assert rows["q"].recurrent and rows["q"].reach_and_revisit
    # s itself is revisited a.s. via safe -> q -> ... -> s
    assert rows["s"].reach_and_revisit
    W, _ = almost_sure_reach(m, "r")
    assert not W[m.state_index("s")]
    with pytest.raises(InputError):
        visit_count(m, "s", "r", 0.9)


def test_reach_and_revisit_policy_reaches_and_returns():
    """Prop 1: under the policy, s_rec is hit with probability 1 from s_new and from s_rec
    after one step (absorption probabilities by a linear solve)."""
    m = from_transitions(
        {
            "n": {"a": {"m1": 0.5, "m2": 0.5}, "b": {"n": 1.0}},
            "m1": {"a": {"g": 1.0}, "b": {"n": 1.0}},
            "m2": {"a": {"m1": 0.3, "m2": 0.7}},
            "g": {"a": {"m2": 1.0}, "b": {"t": 1.0}},
            "t": {},
        },
        terminal=["t"],
    )
    pol = reach_and_revisit_policy(m, "n", "g")
    assert pol is not None
    S = m.n_states
    P = np.asarray(m.P)[np.arange(S), pol]
    g = m.state_index("g")
    # h(s) = P(hit g at some t >= 1 | s_0 = s): h = P[:, g] + P[:, not g] h[not g]
    others = [i for i in range(S) if i != g]
    A = np.eye(S - 1) - P[np.ix_(others, others)]
    h_others = np.linalg.solve(A, P[others, g])
    h = np.empty(S)
    h[others] = h_others
    h[g] = P[g, g] + P[g, others] @ h_others
    assert h[m.state_index("n")] == pytest.approx(1.0)
    assert h[g] == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=4))
def test_gamma_star_is_the_crossing(d, L):
    """Deterministic chain: s_new -> p1 -> ... -> p_{d-1} -> s_rec, then a cycle of length L
    back to s_rec. V = γ^{d-1}/(1-γ^L), nondecreasing (Prop 2), and γ* is where it crosses 1."""
    edges: dict[str, list[str]] = {}
    path = ["new"] + [f"p{i}" for i in range(1, d)] + ["rec"]
    for a, b in itertools.pairwise(path):
        edges[a] = [b]
    cyc = ["rec"] + [f"q{i}" for i in range(1, L)] + ["rec"]
    for a, b in itertools.pairwise(cyc):
        edges.setdefault(a, []).append(b)
    m = from_edges(edges)
    gs = gamma_star(m, "new", "rec")
    gammas = np.linspace(0.01, 0.99, 50)
    V = visit_count(m, "new", "rec", gammas)
    np.testing.assert_allclose(V, gammas ** (d - 1) / (1 - gammas**L), rtol=1e-10)
    assert np.all(np.diff(V) >= 0)
    if gs > 0:
        assert visit_count(m, "new", "rec", max(gs - 1e-7, 0.0)) <= 1 + 1e-6
    # at γ = γ* + ε the count exceeds 1 (for γ* = 0 at a γ where 1/(1-γ^L) > 1 in floats)
    assert visit_count(m, "new", "rec", min(max(gs + 1e-7, 1e-3), 0.999)) > 1


@pytest.mark.parametrize("order", [["a1", "b1"], ["b1", "a1"]])
def test_gamma_star_does_not_depend_on_action_order(order):
    """s -> c -> r; r's successors are a1 (a1 -> a2 -> r, a 3-cycle) and b1 (b1 -> r, a
    2-cycle). The best reach-and-revisit policy first visits r at t = 2 and then every 2
    steps: V = γ/(1-γ²) > 1 iff γ² + γ - 1 > 0, so γ*(r) = (√5-1)/2 whichever action is
    listed first. At γ = 0.65 > γ*, V = 0.65/(1-0.65²) = 1.1255..., so r counts in n."""
    m = from_edges({"s": ["c"], "c": ["r"], "r": order, "a1": ["a2"], "a2": ["r"], "b1": ["r"]})
    rows = {r.state: r for r in recurrence_table(m, "s")}
    assert abs(rows["r"].gamma_star - GOLDEN) < 1e-9
    assert (rows["r"].first_visit, rows["r"].cycle) == (2, 2)
    assert visit_count(m, "s", "r", 0.65) == pytest.approx(0.65 / (1 - 0.65**2), rel=1e-12)
    assert visit_count(m, "s", "r", 0.65) > 1


@pytest.mark.parametrize("order", ["AB", "BA"])
def test_stochastic_best_revisit_policy(order):
    """Stochastic: s -> c -> r. At r, action A walks the 3-cycle r -> a1 -> a2 -> r; action
    B steps to b, which returns to r with probability 1/2 per step (else stays at b).
    Return-time transforms: φ_A = γ³; φ_B = γ · (γ/2)/(1 - γ/2) = γ²/(2-γ). φ_B > φ_A iff
    (1-γ)² > 0, so B is best at every γ < 1, and V = γ/(1 - γ²/(2-γ)) > 1 iff 3γ > 2:
    γ* = 2/3, in either order (A alone would give the root of γ + γ³ = 1, 0.6823)."""
    acts = {"A": {"a1": 1.0}, "B": {"b": 1.0}}
    m = from_transitions(
        {
            "s": {"go": {"c": 1.0}},
            "c": {"go": {"r": 1.0}},
            "r": {k: acts[k] for k in order},
            "a1": {"go": {"a2": 1.0}},
            "a2": {"go": {"r": 1.0}},
            "b": {"back": {"r": 0.5, "b": 0.5}},
        }
    )
    assert gamma_star(m, "s", "r") == pytest.approx(2 / 3, abs=1e-9)
    g = 0.8
    assert visit_count(m, "s", "r", g) == pytest.approx(g / (1 - g * g / (2 - g)), rel=1e-10)
