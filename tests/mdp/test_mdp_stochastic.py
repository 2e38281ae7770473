"""Stochastic solvers: sparse policy iteration against value iteration and dense policy
iteration, the method ``auto`` chooses, and the accuracy of GTH pivoting as γ → 1."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

import catalogue
import powerlab.mdp as M
from catalogue import EXAMPLES
from powerlab.mdp._pattern import elimination_pattern


@st.composite
def sparse_stochastic_mdps(draw):
    """Random MDPs with 1-3 successors per action, with or without terminal states."""
    S = draw(st.integers(2, 12))
    A = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    share = draw(st.sampled_from([0.0, 0.2, 0.5]))
    mdp = catalogue.random_sparse_stochastic(rng, S, A, share)
    if draw(st.booleans()):
        mdp = mdp.with_transitions(sparse=False)
    R = rng.uniform(-1, 1, size=(draw(st.integers(1, 8)), S))
    gamma = draw(st.sampled_from([0.3, 0.9, 0.99, 0.999]))
    return mdp, R, gamma


def _residual(mdp, R, V, gamma, state_action=False):
    return np.abs(M.action_values(mdp, R, V, gamma).max(axis=2) - V).max()


@given(sparse_stochastic_mdps())
def test_sparse_pi_agrees_with_vi_and_dense_pi(case):
    """|V_lu - V_other| <= ε_lu + ε_other, and the residual obeys ‖TV - V‖ <= (1 + γ) ε."""
    mdp, R, gamma = case
    lu = M.solve(mdp, R, gamma, method="pi-sparse")
    assert lu.method == "pi-sparse"
    assert _residual(mdp, R, lu.V, gamma) <= (1 + gamma) * lu.error_bound + 1e-12
    for other in ("vi", "pi-dense"):
        ref = M.solve(mdp, R, gamma, method=other, tol=1e-7)
        assert np.abs(lu.V - ref.V).max() <= lu.error_bound + ref.error_bound + 1e-12
    # Terminal states pay their reward once: V*(s) = R(s) exactly.
    np.testing.assert_array_equal(lu.V[:, mdp.terminal], R[:, mdp.terminal])
    # The returned policy is in the optimal set, and every optimal action attains V within tie_tol.
    assert np.take_along_axis(lu.optimal, lu.policy[..., None], axis=2).all()
    assert np.where(lu.optimal, lu.V[..., None] - lu.Q, 0.0).max() <= lu.tie_tol + 1e-12


@given(sparse_stochastic_mdps())
def test_auto_agrees_with_exact_pi(case):
    mdp, R, gamma = case
    auto = M.solve(mdp, R, gamma)
    exact = M.solve(mdp, R, gamma, method="pi-dense")
    assert auto.method in ("pi", "pi-sparse", "pi-dense", "vi")  # "pi" when it is deterministic
    assert np.abs(auto.V - exact.V).max() <= auto.error_bound + exact.error_bound + 1e-12


@given(sparse_stochastic_mdps())
def test_sparse_pi_with_state_action_rewards(case):
    mdp, R, gamma = case
    r = np.random.default_rng(0).uniform(-1, 1, size=(R.shape[0], mdp.n_states, mdp.n_actions))
    lu = M.solve(mdp, r, gamma, state_action=True, method="pi-sparse")
    ref = M.solve(mdp, r, gamma, state_action=True, method="vi", tol=1e-7)
    assert np.abs(lu.V - ref.V).max() <= lu.error_bound + ref.error_bound + 1e-12


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_auto_gives_the_exact_optimal_sets_on_every_example(path, gamma):
    mdp = M.load_mdp(path)
    R = np.random.default_rng(3).random((40, mdp.n_states))
    auto = M.solve(mdp, R, gamma)
    exact = M.solve(mdp, R, gamma, method="pi")
    np.testing.assert_array_equal(auto.optimal, exact.optimal)


@pytest.mark.parametrize("build", [lambda: catalogue.slippery_grid(6), catalogue.coin])
def test_elimination_pattern_holds_the_fill_of_every_policy(build):
    """Gaussian elimination without pivoting of I - γ P_π, in the pattern's order, writes
    nonzeros only inside the static pattern (U's rows ``up``, their transpose for L)."""
    mdp = build()
    pat = elimination_pattern(mdp)
    S, A = mdp.n_states, mdp.n_actions
    assert sorted(pat.order.tolist()) == list(range(S))
    inside = np.eye(S, dtype=bool)
    for k in range(S):
        cols = pat.up_idx[pat.up_ptr[k] : pat.up_ptr[k + 1]]
        inside[k, cols] = inside[cols, k] = True
    rng = np.random.default_rng(0)
    for _ in range(5):
        pol = np.array([rng.integers(mdp.available[s].sum()) for s in range(S)])
        Mp = np.eye(S) - 0.9 * mdp.P_sa.toarray()[np.arange(S) * A + pol]
        Mp = Mp[np.ix_(pat.order, pat.order)]
        for k in range(S):  # in-place LU, no pivoting
            Mp[k + 1 :, k] /= Mp[k, k]
            Mp[k + 1 :, k + 1 :] -= np.outer(Mp[k + 1 :, k], Mp[k, k + 1 :])
        assert not np.any((np.abs(Mp) > 0) & ~inside)


def random_sparse(S: int, A: int, k: int, rng: np.random.Generator) -> M.MDP:
    """Each action moves to ``k`` distinct uniformly chosen states with Dirichlet(1) weights."""
    rows = np.repeat(np.arange(S * A), k)
    cols = np.concatenate([rng.choice(S, size=k, replace=False) for _ in range(S * A)])
    vals = rng.dirichlet(np.ones(k), size=S * A).ravel()
    return M.from_arrays(sp.csr_array((vals, (rows, cols)), shape=(S * A, S)))


def test_auto_reports_its_choice():
    """Policy iteration on a slowly mixing slippery grid at high γ; value iteration on a sparse
    random MDP, whose chains mix in a few steps so the MacQueen-Porteus interval shrinks fast
    while every policy matrix has a wide lu."""
    R = np.random.default_rng(0).random((20, 64))
    assert M.solve(catalogue.slippery_grid(8), R, 0.99).method == "pi-sparse"
    mdp = random_sparse(400, 4, 3, np.random.default_rng(1))
    R = np.random.default_rng(2).random((20, 400))
    sol = M.solve(mdp, R, 0.999, want_q=False)
    assert sol.method == "vi"
    assert sol.iterations < 200  # far below log(1e-8)/log(0.999), about 18,000


def test_gth_pivots_keep_full_accuracy_near_gamma_one():
    """Two states that swap with probabilities 0.7 and 0.6 under the only action, reward 1:
    V = 1/(1-γ) exactly. With γ = 1 - 1e-11, an elimination that forms 1 - γ P_ii loses about
    11 digits; GTH pivots lose none, so V is right to a few ulps."""
    P = np.array([[[0.3, 0.7]], [[0.6, 0.4]]])
    mdp = M.from_arrays(P)
    gamma = 1 - 1e-11
    sol = M.solve(mdp, np.ones((1, 2)), gamma, method="pi-sparse")
    exact = 1 / (1 - gamma)
    assert np.abs(sol.V / exact - 1).max() < 1e-13
