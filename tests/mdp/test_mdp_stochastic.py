"""Stochastic solvers: banded policy iteration against value iteration and dense policy
iteration, the method ``auto`` chooses, and the accuracy of GTH pivoting as γ → 1."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

import powerlab.mdp as M
from catalogue import EXAMPLES
from powerlab.mdp._stochastic import band_order


@st.composite
def sparse_stochastic_mdps(draw):
    """Random MDPs with 1-3 successors per action, with or without terminal states."""
    S = draw(st.integers(2, 12))
    A = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    rows, cols, vals = [], [], []
    for s in range(S):
        for a in range(A):
            k = int(rng.integers(1, min(3, S) + 1))
            succ = rng.choice(S, size=k, replace=False)
            p = rng.dirichlet(np.ones(k))
            rows += [s * A + a] * k
            cols += succ.tolist()
            vals += p.tolist()
    P = sp.csr_array((vals, (rows, cols)), shape=(S * A, S))
    terminal = rng.random(S) < draw(st.sampled_from([0.0, 0.2, 0.5]))
    terminal[0] = False  # from_arrays needs one state that keeps all A action slots
    mdp = M.from_arrays(P, terminal=terminal)
    if draw(st.booleans()):
        mdp = mdp.with_transitions(sparse=False)
    R = rng.uniform(-1, 1, size=(draw(st.integers(1, 8)), S))
    gamma = draw(st.sampled_from([0.3, 0.9, 0.99, 0.999]))
    return mdp, R, gamma


def _residual(mdp, R, V, gamma, state_action=False):
    return np.abs(M.action_values(mdp, R, V, gamma).max(axis=2) - V).max()


@given(sparse_stochastic_mdps())
def test_banded_pi_agrees_with_vi_and_dense_pi(case):
    """|V_band - V_other| <= ε_band + ε_other, and the residual obeys ‖TV - V‖ <= (1 + γ) ε."""
    mdp, R, gamma = case
    band = M.solve(mdp, R, gamma, method="pi-band")
    assert band.method == "pi-band"
    assert _residual(mdp, R, band.V, gamma) <= (1 + gamma) * band.error_bound + 1e-12
    for other in ("vi", "pi-dense"):
        ref = M.solve(mdp, R, gamma, method=other, tol=1e-7)
        assert np.abs(band.V - ref.V).max() <= band.error_bound + ref.error_bound + 1e-12
    # Terminal states pay their reward once: V*(s) = R(s) exactly.
    np.testing.assert_array_equal(band.V[:, mdp.terminal], R[:, mdp.terminal])
    # The returned policy is in the optimal set, and every optimal action attains V within tie_tol.
    assert np.take_along_axis(band.optimal, band.policy[..., None], axis=2).all()
    assert np.where(band.optimal, band.V[..., None] - band.Q, 0.0).max() <= band.tie_tol + 1e-12


@given(sparse_stochastic_mdps())
def test_auto_agrees_with_exact_pi(case):
    mdp, R, gamma = case
    auto = M.solve(mdp, R, gamma)
    exact = M.solve(mdp, R, gamma, method="pi-dense")
    assert auto.method in ("pi", "pi-band", "pi-dense", "vi")  # "pi" when it is deterministic
    assert np.abs(auto.V - exact.V).max() <= auto.error_bound + exact.error_bound + 1e-12


@given(sparse_stochastic_mdps())
def test_banded_pi_with_state_action_rewards(case):
    mdp, R, gamma = case
    r = np.random.default_rng(0).uniform(-1, 1, size=(R.shape[0], mdp.n_states, mdp.n_actions))
    band = M.solve(mdp, r, gamma, state_action=True, method="pi-band")
    ref = M.solve(mdp, r, gamma, state_action=True, method="vi", tol=1e-7)
    assert np.abs(band.V - ref.V).max() <= band.error_bound + ref.error_bound + 1e-12


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_auto_gives_the_exact_optimal_sets_on_every_example(path, gamma):
    mdp = M.load_mdp(path)
    R = np.random.default_rng(3).random((40, mdp.n_states))
    auto = M.solve(mdp, R, gamma)
    exact = M.solve(mdp, R, gamma, method="pi")
    np.testing.assert_array_equal(auto.optimal, exact.optimal)


def slippery_grid(n: int, slip: float = 0.2) -> M.MDP:
    """n x n grid, actions N, S, E, W, stay; with probability ``slip`` the move is replaced by
    one of N, S, E, W chosen uniformly (a move off the grid stays put)."""
    moves = [(-1, 0), (1, 0), (0, 1), (0, -1), (0, 0)]
    rows, cols, vals = [], [], []
    for r in range(n):
        for c in range(n):
            for a, move in enumerate(moves):
                for (dr, dc), p in [(move, 1 - slip)] + [(m, slip / 4) for m in moves[:4]]:
                    rr, cc = r + dr, c + dc
                    inside = 0 <= rr < n and 0 <= cc < n
                    rows.append((r * n + c) * 5 + a)
                    cols.append(rr * n + cc if inside else r * n + c)
                    vals.append(p)
    return M.from_arrays(sp.csr_array((vals, (rows, cols)), shape=(n * n * 5, n * n)))


def test_band_order_bounds_every_policy_matrix():
    mdp = slippery_grid(6)
    pos, b = band_order(mdp)
    assert sorted(pos.tolist()) == list(range(mdp.n_states))
    coo = sp.coo_array(mdp.P_sa)
    assert np.abs(pos[coo.row // mdp.n_actions] - pos[coo.col]).max() <= b
    assert b <= 2 * 6  # reverse Cuthill-McKee on a 6 x 6 grid graph


def random_sparse(S: int, A: int, k: int, rng: np.random.Generator) -> M.MDP:
    """Each action moves to ``k`` distinct uniformly chosen states with Dirichlet(1) weights."""
    rows = np.repeat(np.arange(S * A), k)
    cols = np.concatenate([rng.choice(S, size=k, replace=False) for _ in range(S * A)])
    vals = rng.dirichlet(np.ones(k), size=S * A).ravel()
    return M.from_arrays(sp.csr_array((vals, (rows, cols)), shape=(S * A, S)))


def test_auto_reports_its_choice():
    """Policy iteration on a slowly mixing slippery grid at high γ; value iteration on a sparse
    random MDP, whose chains mix in a few steps so the MacQueen-Porteus interval shrinks fast
    while every policy matrix has a wide band."""
    R = np.random.default_rng(0).random((20, 64))
    assert M.solve(slippery_grid(8), R, 0.99).method == "pi-band"
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
    sol = M.solve(mdp, np.ones((1, 2)), gamma, method="pi-band")
    exact = 1 / (1 - gamma)
    assert np.abs(sol.V / exact - 1).max() < 1e-13
