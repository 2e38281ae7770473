"""Visit-distribution functions (Turner et al. 2021, Defs 3.3, 3.6) as exact functions of γ."""

from fractions import Fraction as Fr

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import powerlab.mdp as M
from catalogue import random_deterministic
from powerlab.errors import InputError
from powerlab.power.exact import nondominated, visit_functions


def _trajectory(f, length):
    """The first ``length`` states f's lasso visits: its path, then its cycle repeated (the
    path alone when the episode ends)."""
    seq = list(f.path)
    while f.loop is not None and len(seq) < length:
        seq.extend(f.path[f.loop :])
    return seq[:length]


@given(st.integers(0, 10_000), st.fractions(0, 1).filter(lambda g: g < 1))
def test_total_mass_and_trajectory(seed, gamma):
    """Prop E.3: ||f(γ)||_1 = 1/(1-γ) without terminal states; and f(γ) is Σ_t γ^t e_{s_t}:
    subtracting the first T visits leaves γ^T times the visit distribution of the rest."""
    mdp = random_deterministic(seed, 5)
    for f in visit_functions(mdp, 0):
        v = f.at(gamma)
        assert sum(v) == 1 / (1 - gamma)
        T = 7
        head = [Fr(0)] * 5
        for t, x in enumerate(_trajectory(f, T)):
            head[x] += gamma**t
        rest = [a - b for a, b in zip(v, head, strict=True)]
        assert sum(rest) == gamma**T / (1 - gamma)
        assert all(r >= 0 for r in rest)


def test_series_at_one_gain_and_bias():
    """s -> a (self-loop): (1-γ) f = (1-γ) e_s + γ e_a = e_a + ε (e_s - e_a), ε = 1 - γ."""
    mdp = M.from_edges({"s": ["a"], "a": ["a"]})
    (f,) = visit_functions(mdp, "s")
    a0, a1, a2 = f.series_at_one(3)
    assert a0 == (0, 1) and a1 == (1, -1) and a2 == (0, 0)
    assert f.gain() == (0, 1)


def test_series_of_two_cycle():
    """A 2-cycle from s: (1-γ)/(1-γ²) = 1/(1+γ) = 1/(2-ε) = 1/2 + ε/4 + ..., times γ^t."""
    mdp = M.from_edges({"s": ["b"], "b": ["s"]})
    (f,) = visit_functions(mdp, "s")
    a0, a1 = f.series_at_one(2)
    # e_s: 1/(2-ε) = 1/2 + ε/4; e_b: (1-ε)/(2-ε) = 1/2 - ε/4.
    assert a0 == (Fr(1, 2), Fr(1, 2)) and a1 == (Fr(1, 4), Fr(-1, 4))


def test_nondominated_is_gamma_free_and_vertices():
    """Every F_nd member is the strict maximiser for some reward at γ = 1/3 too (Prop E.30)."""
    mdp = random_deterministic(7, 5)
    F = visit_functions(mdp, 0)
    nd = nondominated(mdp, 0, F)
    assert 1 <= len(nd) <= len(F)
    g = Fr(1, 3)
    pts = np.array([[float(x) for x in f.at(g)] for f in F])
    rng = np.random.default_rng(0)
    winners = {int(np.argmax(pts @ r)) for r in rng.normal(size=(20_000, 5))}
    keys = {(f.path, f.loop) for f in nd}
    assert {(F[i].path, F[i].loop) for i in winners} <= keys


def test_stochastic_and_too_many_refused():
    coin = M.from_transitions(
        {"s": {"go": {"a": 0.5, "b": 0.5}}, "a": {"x": {"a": 1.0}}, "b": {"x": {"b": 1.0}}}
    )
    with pytest.raises(InputError, match="deterministic"):
        visit_functions(coin, "s")
    names = [f"x{i}" for i in range(7)]
    big = M.from_edges({s: names for s in names})
    with pytest.raises(InputError, match="Monte Carlo"):
        visit_functions(big, "x0", max_count=100)


def test_functions_equal_at_one_gamma_are_kept_apart():
    """s -> {x, y}, x -> {x, y}, y -> {y, x}. The lassos s,x,y,y,... and s,y,x,x,... are
    γ e_x + γ²/(1-γ) e_y and γ e_y + γ²/(1-γ) e_x (plus e_s): different functions, equal at
    γ = 1/2 (γ = γ²/(1-γ) there). Both are dominated (going straight to the better 1-cycle is
    better by γ²/(1-γ)|r_x - r_y|), and POWER(s) = E[max(r_x, r_y)] = 2/3 at every γ."""
    mdp = M.from_edges({"s": ["x", "y"], "x": ["x", "y"], "y": ["y", "x"]})
    F = visit_functions(mdp, "s")
    names = mdp.states
    forms = {f.formula(names): f for f in F}
    a = forms["e_s + γ e_x + γ^2/(1-γ) e_y"]
    b = forms["e_s + γ e_y + γ^2/(1-γ) e_x"]
    assert a.at(Fr(1, 2)) == b.at(Fr(1, 2))
    assert a.at(Fr(1, 3)) != b.at(Fr(1, 3))
    nd = {f.formula(names) for f in nondominated(mdp, "s", F)}
    assert nd == {"e_s + γ/(1-γ) e_x", "e_s + γ/(1-γ) e_y"}
    from powerlab.power.exact import power_at

    for g in (Fr(1, 2), Fr(1, 3), Fr(1)):
        assert power_at(mdp, "s", g) == Fr(2, 3)


def test_careful_hull_lp_certifies_a_point_the_plain_lp_cannot():
    """On the 10-state circulant MDP s -> s+1, s+2, s+4 (mod 10), one visit distribution is
    inside the hull of the others, but the plain LP's basis is feasible only to its tolerance,
    so its support has no exact weights; the centred, tighter LP finds exact ones, and F_nd is
    certified instead of refused."""
    from powerlab.power.exact import hull as H
    from powerlab.power.exact import visits as V

    S = 10
    mdp = M.from_edges({f"x{s}": sorted({f"x{(s + k) % S}" for k in (1, 2, 4)}) for s in range(S)})
    F = V.visit_functions(mdp, 0)
    P = [f.at(V._GAMMA0) for f in F]
    Pf = np.array([[float(x) for x in p] for p in P])
    i = 806  # found by scanning every point once; F(s) is enumerated in a fixed order
    others = np.delete(np.arange(len(P)), i)
    assert not H._in_hull_of(i, others, P, Pf)
    assert H._in_hull_of(i, others, P, Pf, careful=True)
    P_int = H._scaled(P)
    assert not H._separated(i, others, Pf, P_int)  # not a vertex: no strict separation
    assert H._is_vertex(i, P, Pf, P_int) is False


@pytest.mark.parametrize("seed", [0, 10, 17])
def test_clarkson_classification_agrees_with_linear_programs(seed):
    """F_nd by Clarkson's algorithm (least squares over the growing vertex set) equals F_nd by
    the linear programs of ``_is_vertex`` run on every point with a distinct value, on
    8-state MDPs with three successors per state (115-205 lassos each) whose sampled
    directions miss some vertices, so the least-squares rounds do real work."""
    from powerlab.power.exact import hull as H
    from powerlab.power.exact import visits as V

    rng = np.random.default_rng(seed)
    names = [f"x{i}" for i in range(8)]
    mdp = M.from_edges({s: [names[j] for j in rng.choice(8, 3, replace=False)] for s in names})
    F = visit_functions(mdp, 0)
    P = [f.at(V._GAMMA0) for f in F]
    Pf = np.array([[float(x) for x in p] for p in P])
    P_int = H._scaled(P)
    lp = [F[i] for i, p in enumerate(P) if P.count(p) == 1 and H._is_vertex(i, P, Pf, P_int)]
    found = nondominated(mdp, 0, F)
    assert found == lp
    assert len(H._sampled_vertices(P_int, Pf)) < len(found)


def test_strict_maximiser_is_exact_beyond_floating_point():
    """Two points whose values agree in float64 but differ by 1 in integers: the exact larger
    wins; a genuine tie gives None."""
    from powerlab.power.exact import hull as H

    big = 2**60
    P_int = [(big, 0), (big + 1, 0), (0, big)]
    Pf = np.array([[float(a) for a in p] for p in P_int])
    assert Pf[0, 0] == Pf[1, 0]
    assert H._strict_maximiser([1, 0], P_int, Pf) == 1
    assert H._strict_maximiser([1, 1], [(1, 0), (0, 1), (0, 0)], np.eye(3)[:, :2]) is None
