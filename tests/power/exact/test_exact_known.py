"""Exact mode against closed forms printed in Turner et al. (2021) or derived in docstrings.

Sources: Fig. 3 (Fig. 1's MDP under iid uniform [0, 1] rewards), Sec. 3 and Sec. 6 (printed
visit-distribution sets), App. C Fig. 11 (5/6) and Turner's "wait" example (2/3 -> 3/4 and
optimality 1/2 -> 2/3). Every expected value below is a printed number or a closed form
derived by hand in the test's docstring, never a number produced by the code under test.
"""

from fractions import Fraction as Fr

import pytest

import catalogue
import powerlab.mdp as M
from powerlab.power.exact import (
    exact_optimality_probability,
    exact_power,
    nondominated,
    power_at,
    visit_functions,
)


@pytest.fixture(scope="module")
def fig1():
    return catalogue.fig1()


@pytest.mark.parametrize("gamma", [Fr(1, 10), Fr(1, 2), Fr(9, 10), Fr(99, 100)])
def test_figure_3_closed_forms(fig1, gamma):
    """Fig. 3: POWER(∅) = 1/2, POWER(r↘) = 2/3, POWER(ℓ↙) = (2/3 + γ/2)/(1 + γ)."""
    frame = exact_power(fig1, gamma, states=["dead", "r_down", "l_loop"])
    got = dict(zip(frame.state, frame.power, strict=True))
    assert got["dead"] == Fr(1, 2)
    assert got["r_down"] == Fr(2, 3)
    assert got["l_loop"] == (Fr(2, 3) + gamma / 2) / (1 + gamma)


def test_figure_3_limits(fig1):
    """Lemma 5.3's continuous extension of Fig. 3's formula: ℓ↙ -> 2/3 (γ -> 0), 7/12 (γ -> 1).

    At γ -> 0, POWER(★) = E[max of 3 uniforms] = 3/4 (three successors).
    """
    assert power_at(fig1, "l_loop", 0) == Fr(2, 3)
    assert power_at(fig1, "l_loop", 1) == Fr(7, 12)
    assert power_at(fig1, "start", 0) == Fr(3, 4)
    assert power_at(fig1, "dead", 1) == Fr(1, 2)


def test_l_up_closed_form(fig1):
    """POWER(ℓ↖, γ) = (1-γ)/γ · γ E[V*(ℓ↙)] with Fig. 3's E[V*(ℓ↙)] = 1/2 + γ(2/3 + γ/2)/(1-γ²)."""
    for g in (Fr(1, 3), Fr(3, 4)):
        want = (1 - g) * (Fr(1, 2) + g * (Fr(2, 3) + g / 2) / (1 - g * g))
        assert power_at(fig1, "l_up", g) == want


def test_printed_visit_distribution_sets(fig1):
    """Sec. 3: F(ℓ↙) = {e/(1-γ), (e_ℓ↙ + γ e_ℓ↖)/(1-γ²)}; Sec. 6: F(r↘) has three functions,
    of which the two 1-cycles' are non-dominated (RSD_nd(r↘) = {e_r↘, e_r↗})."""
    names = fig1.states
    F = visit_functions(fig1, "l_loop")
    assert sorted(f.formula(names) for f in F) == sorted(
        ["1/(1-γ) e_l_loop", "1/(1-γ^2) e_l_loop + γ/(1-γ^2) e_l_up"]
    )
    g = Fr(1, 3)
    i, j = names.index("l_loop"), names.index("l_up")
    vals = sorted((f.at(g)[i], f.at(g)[j]) for f in F)
    assert vals == sorted([(1 / (1 - g), Fr(0)), (1 / (1 - g * g), g / (1 - g * g))])
    Fr_down = visit_functions(fig1, "r_down")
    assert len(Fr_down) == 3
    nd = nondominated(fig1, "r_down", Fr_down)
    assert sorted(f.cycle for f in nd) == sorted([(names.index("r_down"),), (names.index("r_up"),)])


def test_section_6_dominated_path(fig1):
    """Sec. 6.1: e_★ + γ e_r▷ + γ² e_r↘ + γ³/(1-γ) e_r↗ is dominated; the direct path is not."""
    names = fig1.states
    nd = {f.formula(names) for f in nondominated(fig1, "start")}
    assert "e_start + γ e_r_mid + γ^2/(1-γ) e_r_up" in nd
    assert "e_start + γ e_r_mid + γ^2 e_r_down + γ^3/(1-γ) e_r_up" not in nd


def test_duplicates_by_function_not_value():
    """F(s) lists each lasso once (two actions to the same successor give one function) and
    keeps lassos that agree at one γ: e_s + γ/(1-γ) e_a and e_s + γ/(1-γ) e_b differ as
    functions of γ only in which state is visited."""
    mdp = M.from_arrays(
        [[[0, 1, 0], [0, 1, 0], [0, 0, 1]], [[0, 1, 0]] * 3, [[0, 0, 1]] * 3],
        states=["s", "a", "b"],
    )
    F = visit_functions(mdp, "s")
    assert len(F) == 2  # actions 0 and 1 both lead to a: one function
    g = Fr(1, 2)
    assert sorted(sum(f.at(g)) for f in F) == [2, 2]  # equal totals, different functions
    assert F[0].at(g) != F[1].at(g)


def test_appendix_c_five_terminal_options():
    """App. C, Fig. 11: with five terminal options the optimal POWER(s0, 1) is E[max of 5] = 5/6."""
    mdp = catalogue.fig11()
    assert power_at(mdp, "s0", 1) == Fr(5, 6)
    assert power_at(mdp, "sl", Fr(1, 2)) == Fr(2, 3)  # derived: 2 terminal options
    assert power_at(mdp, "sr", Fr(1, 2)) == Fr(3, 4)  # derived: 3 terminal options


def test_wait_mdp():
    """Turner's "wait" example: POWER(start) 2/3 at γ -> 0 and 3/4 at γ -> 1; wait is optimal with
    probability 1/2 at γ -> 0 and 2/3 at γ -> 1 (candy 1/2 -> 1/3)."""
    mdp = catalogue.wait()
    assert power_at(mdp, "start", 0) == Fr(2, 3)
    assert power_at(mdp, "start", 1) == Fr(3, 4)
    frame = exact_optimality_probability(mdp, "start", [0, 1])
    got = {(r.action, r.gamma): r.probability for r in frame.itertuples()}
    assert got[("wait", 0)] == Fr(1, 2) and got[("candy", 0)] == Fr(1, 2)
    assert got[("wait", 1)] == Fr(2, 3) and got[("candy", 1)] == Fr(1, 3)


def test_wait_mdp_half_closed_form():
    """Derived: at γ, POWER(start) = E[max(c, (1-γ) w + γ m)], m the max of two uniforms.

    At γ = 1/2 this is E[max(c, X)], X = (w + m)/2 on [0, 1]; E[max(c, X)] = E[(1 + X²)/2]
    = 1/2 + E[X²]/2 with E[X²] = (E w² + 2 E w E m + E m²)/4 = (1/3 + 2·(1/2)(2/3) + 1/2)/4 = 3/8,
    so POWER = 1/2 + 3/16 = 11/16. Optimality of candy at γ = 1/2 is P(c > X) = E[1 - X] = 5/12.
    """
    mdp = catalogue.wait()
    assert power_at(mdp, "start", Fr(1, 2)) == Fr(11, 16)
    frame = exact_optimality_probability(mdp, "start", Fr(1, 2))
    got = dict(zip(frame.action, frame.probability, strict=True))
    assert got == {"candy": Fr(5, 12), "wait": Fr(7, 12)}


def test_prop_5_4_maximal_power():
    """Prop 5.4: a state reaching all n states in one step, all 1-cycles, has POWER = n/(n+1)."""
    n = 4
    mdp = catalogue.complete(n)
    for g in (Fr(0), Fr(1, 2), Fr(1)):
        assert power_at(mdp, "x0", g) == Fr(n, n + 1)


def test_terminal_state_has_zero_power():
    """A terminal state pays once then ends: V* = R, so POWER = 0 at every γ; its successor
    counts once: from s -> t (terminal), POWER(s, γ) = (1-γ)/γ · γ/2 = (1-γ)/2."""
    mdp = M.from_edges({"s": ["t"], "t": []}, terminal=["t"])
    assert power_at(mdp, "t", Fr(1, 2)) == 0
    assert power_at(mdp, "s", Fr(1, 3)) == Fr(1, 3)
    assert power_at(mdp, "s", 0) == Fr(1, 2)
    assert power_at(mdp, "s", 1) == 0
    frame = exact_optimality_probability(mdp, "t", Fr(1, 2))
    assert list(frame.probability) == [1]
