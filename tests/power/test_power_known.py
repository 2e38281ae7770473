"""POWER and optimality probability against closed forms printed in, or derived from, the papers.

Every comparison is statistical: |estimate - exact| <= 4 standard errors (two-sided α ≈ 6e-5
per comparison under the normal approximation), at a fixed seed.
"""

import numpy as np
import pytest

import catalogue
import powerlab.power as P

Z = 4.0


def _check(frame, state, gamma, exact):
    row = frame[(frame.state == state) & np.isclose(frame.gamma, gamma)].iloc[0]
    assert abs(row.power - exact) <= Z * row.stderr + row.solver_error, (
        state,
        gamma,
        row.power,
        exact,
    )


@pytest.fixture(scope="module")
def fig1_power():
    return P.power(catalogue.fig1(), [0.0, 0.3, 0.5, 0.9, 0.99, 1.0], samples=40_000, rng=1)


@pytest.mark.parametrize("gamma", [0.0, 0.3, 0.5, 0.9, 0.99, 1.0])
def test_turner_figure_3_closed_forms(fig1_power, gamma):
    """Turner et al. (2021), Fig. 3, iid uniform [0, 1]: POWER(∅) = 1/2, POWER(r↘) = 2/3,
    POWER(ℓ↙) = (2/3 + γ/2) / (1 + γ); at γ → 0 and γ → 1 these extend continuously (Lemma 5.3)
    to 2/3 and 7/12 for ℓ↙."""
    _check(fig1_power, "dead", gamma, 1 / 2)
    _check(fig1_power, "r_down", gamma, 2 / 3)
    _check(fig1_power, "r_up", gamma, 2 / 3)
    _check(fig1_power, "l_loop", gamma, (2 / 3 + gamma / 2) / (1 + gamma))


def test_fig1_start_at_gamma_zero(fig1_power):
    """At γ → 0, POWER(★) = E[max of its three successors' rewards] = 3/4."""
    _check(fig1_power, "start", 0.0, 3 / 4)


def test_three_choices_closed_forms():
    """The edges example of examples/three-choices.yaml. With a = R(left), r = R(right), d = R(dead):
    (1-γ)V*(left) = max(a, (1-γ)a + γr), so POWER(start) = E[max(d, r, max(a, (1-γ)a + γr))]
    = E[max(a, d, r)] = 3/4, and POWER(left) = E[max(a, r)] = 2/3, for every γ."""
    frame = P.power(catalogue.three_choices(), [0.0, 0.5, 0.95, 1.0], samples=20_000, rng=2)
    for g in (0.0, 0.5, 0.95, 1.0):
        _check(frame, "start", g, 3 / 4)
        _check(frame, "left", g, 2 / 3)
        _check(frame, "dead", g, 1 / 2)


def test_wait_example():
    """Turner's 'wait' MDP: POWER(start) = E[max(candy, wait's best next)] → 2/3 as γ → 0 and
    E[max of 3] = 3/4 as γ → 1; P(wait optimal) goes from 1/2 to 2/3 (candy 1/2 to 1/3)."""
    mdp = catalogue.wait()
    frame = P.power(mdp, [0.0, 1.0], samples=20_000, rng=3)
    _check(frame, "start", 0.0, 2 / 3)
    _check(frame, "start", 1.0, 3 / 4)
    opt = P.optimality_probability(mdp, "start", [0.0, 1.0], samples=20_000, rng=4)
    for action, g, p in [("wait", 0.0, 1 / 2), ("wait", 1.0, 2 / 3), ("candy", 1.0, 1 / 3)]:
        row = opt[(opt.action == action) & (opt.gamma == g)].iloc[0]
        assert abs(row.probability - p) <= Z * np.sqrt(p * (1 - p) / row.samples)


def test_appendix_c_figure_11():
    """Turner et al., App. C, Fig. 11: s0 → {sℓ, sr}; sℓ → {s1, s2}; sr → {s3, s4, s5}, all 1-cycles.
    POWER(s0, 1) = E[max of 5] = 5/6, POWER(sℓ) = 2/3 and POWER(sr) = 3/4 for every γ."""
    frame = P.power(catalogue.fig11(), [0.5, 1.0], samples=20_000, rng=5)
    _check(frame, "s0", 1.0, 5 / 6)
    for g in (0.5, 1.0):
        _check(frame, "sl", g, 2 / 3)
        _check(frame, "sr", g, 3 / 4)


@pytest.mark.parametrize("n", [2, 5])
def test_prop_5_4_equality_case(n):
    """Prop 5.4: POWER ≤ E[max_s R(s)], with equality when s reaches every state in one step and
    all states are 1-cycles; for n iid uniform states E[max] = n / (n + 1)."""
    frame = P.power(catalogue.complete(n), [0.2, 0.9], samples=20_000, rng=6)
    for g in (0.2, 0.9):
        _check(frame, "x0", g, n / (n + 1))


def test_degenerate_distributions_of_section_4():
    """Turner et al., Sec. 4: with all reward on ℓ◁'s side the agent goes left at γ = 1/2, and
    with all reward on r▷'s side it goes right (probabilities 1 and 0)."""
    mdp = catalogue.fig1()
    left = np.zeros(mdp.n_states)
    left[mdp.state_index("l_loop")] = 1.0
    opt = P.optimality_probability(mdp, "start", 0.5, samples=10, dist=lambda rng: left[None])
    assert opt.set_index("action").probability.to_dict() == {
        "l_mid": 1.0,
        "r_mid": 0.0,
        "dead": 0.0,
    }
