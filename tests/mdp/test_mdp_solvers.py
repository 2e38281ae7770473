"""Batched solvers: Puterman's textbook examples in every storage form, and the error-bound guarantee."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import powerlab.mdp as M
from powerlab.errors import InputError, ResourceError


def puterman_two_state() -> M.MDP:
    """Puterman (1994), Sec. 3.1 / Example 6.2.1: two states, r(s, a) rewards.

    State 0: a0 pays 5 and moves to 0 or 1 with probability 1/2 each; a1 pays 10 and moves
    to 1. State 1: a0 pays -1 and stays. For β > 10/11 the optimal policy is (a0, a0) with
    v*(0) = (5 - 5.5 β) / ((1 - 0.5 β)(1 - β)) and v*(1) = -1 / (1 - β).
    """
    return M.from_transitions(
        {"0": {"a0": {"0": 0.5, "1": 0.5}, "a1": {"1": 1.0}}, "1": {"a0": {"1": 1.0}}},
        name="puterman-3.1",
    )


PUTERMAN_R = np.array([[5.0, 10.0], [-1.0, 0.0]])


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("method", ["vi", "pi", "pi-sparse", "pi-dense", "auto"])
@pytest.mark.parametrize("beta", [0.95, 0.99, 0.999])
def test_puterman_example_6_2_1(sparse, method, beta):
    mdp = puterman_two_state().with_transitions(sparse)
    sol = M.solve(mdp, PUTERMAN_R, beta, state_action=True, method=method)
    v_star = np.array([(5 - 5.5 * beta) / ((1 - 0.5 * beta) * (1 - beta)), -1 / (1 - beta)])
    assert np.all(np.abs(sol.V[0] - v_star) <= sol.error_bound)
    assert sol.error_bound < 1e-6
    np.testing.assert_array_equal(sol.policy[0], [0, 0])


@pytest.mark.parametrize("sparse", [False, True])
def test_beta_zero_picks_the_best_immediate_reward(sparse):
    """QuantEcon's β = 0 case: v* = max_a r(s, a) = [1, 1, 1], policy [1, 0, 1]."""
    uniform = {"0": 1 / 3, "1": 1 / 3, "2": 1 / 3}
    mdp = M.from_transitions({s: {"a": uniform, "b": uniform} for s in "012"}, sparse=sparse)
    R = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    sol = M.solve(mdp, R, 0.0, state_action=True)
    np.testing.assert_array_equal(sol.V[0], [1, 1, 1])
    np.testing.assert_array_equal(sol.policy[0], [1, 0, 1])


@st.composite
def random_mdps(draw, deterministic: bool):
    S = draw(st.integers(2, 7))
    A = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    states = [f"s{i}" for i in range(S)]
    terminal = [states[-1]] if draw(st.booleans()) else []
    if deterministic:
        body = {s: list(dict.fromkeys(rng.choice(states, size=A).tolist())) for s in states}
        mdp = M.from_edges(body, terminal=terminal, sparse=draw(st.booleans()))
    else:
        body = {}
        for s in states:
            body[s] = {}
            for a in range(A):
                p = rng.dirichlet(np.ones(S) * 0.5)
                body[s][f"a{a}"] = {t: float(x) for t, x in zip(states, p, strict=True) if x > 0}
                tot = sum(body[s][f"a{a}"].values())
                body[s][f"a{a}"] = {t: x / tot for t, x in body[s][f"a{a}"].items()}
        mdp = M.from_transitions(body, terminal=terminal, sparse=draw(st.booleans()))
    R = rng.uniform(-1, 1, size=(draw(st.integers(1, 20)), S))
    gamma = draw(st.sampled_from([0.01, 0.3, 0.9, 0.99, 0.999]))
    return mdp, R, gamma


def _bellman_residual(mdp, R, V, gamma):
    return np.abs(M.action_values(mdp, R, V, gamma).max(axis=2) - V).max()


@given(random_mdps(deterministic=True))
def test_deterministic_pi_residual_within_bound(case):
    """‖TV - V‖ ≤ ‖TV - TV*‖ + ‖V* - V‖ ≤ (1 + γ) ε for the stated bound ε."""
    mdp, R, gamma = case
    sol = M.solve(mdp, R, gamma, method="pi")
    assert _bellman_residual(mdp, R, sol.V, gamma) <= (1 + gamma) * sol.error_bound + 1e-12
    ref = M.solve(mdp, R, gamma, method="vi", tol=1e-6)
    assert np.abs(sol.V - ref.V).max() <= sol.error_bound + ref.error_bound + 1e-12


@given(random_mdps(deterministic=False))
def test_stochastic_solvers_residual_within_bound(case):
    mdp, R, gamma = case
    vi = M.solve(mdp, R, gamma, method="vi", tol=1e-6)
    assert _bellman_residual(mdp, R, vi.V, gamma) <= (1 + gamma) * vi.error_bound + 1e-12
    pi = M.solve(mdp, R, gamma, method="pi")
    assert np.abs(pi.V - vi.V).max() <= pi.error_bound + vi.error_bound + 1e-12
    # The optimal set contains the greedy action, and every optimal action attains V within tie_tol.
    assert np.take_along_axis(pi.optimal, pi.policy[..., None], axis=2).all()
    gap = np.where(pi.optimal, pi.V[..., None] - pi.Q, 0.0)
    assert gap.max() <= pi.tie_tol + 1e-12


def test_tied_actions_all_count():
    mdp = M.from_edges({"s": ["a", "b"], "a": ["a"], "b": ["b"]})
    sol = M.solve(mdp, np.array([[0.0, 0.5, 0.5]]), 0.9)
    assert sol.optimal[0, 0].tolist() == [True, True]


def test_oversized_requests_are_refused_before_starting():
    mdp = M.from_grid("\n".join(["." * 100] * 100))
    R = np.broadcast_to(np.float64(0.5), (1_000_000, mdp.n_states))
    with pytest.raises(ResourceError, match="GiB"):
        M.solve(mdp, R, 0.9)


def test_bad_arguments():
    mdp = M.from_edges({"a": ["a"]})
    with pytest.raises(InputError, match="gamma must be in"):
        M.solve(mdp, np.ones((1, 1)), 1.0)
    with pytest.raises(InputError, match="shape"):
        M.solve(mdp, np.ones((1, 2)), 0.5)
    with pytest.raises(InputError, match="finite"):
        M.solve(mdp, np.array([[np.nan]]), 0.5)
    with pytest.raises(InputError, match="unknown method"):
        M.solve(mdp, np.ones((1, 1)), 0.5, method="magic")
