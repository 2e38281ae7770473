"""Per-sample policy iteration for joint best responses and evaluations (multiagent._per_sample)."""

import math

import numpy as np
import pytest

from powerlab.mdp import from_grid
from powerlab.mdp.gridworld import gridworld
from powerlab.multiagent import _batched, _per_sample, joint_mdp, multiagent_power


def _grid():
    return joint_mdp(from_grid("...\n..."))


@pytest.mark.parametrize("agent", [0, 1])
def test_best_response_agrees_with_batched_value_iteration(agent):
    """Both solve the same folded MDPs: values agree within the batched bound, and each
    chosen action attains the optimum (Puterman 1994, Thm 6.2.7) with the same tie rule."""
    J = _grid()
    rng = np.random.default_rng(3)
    K, n, A = 5, J.n_states, J.n_actions
    R = rng.random((K, n))
    other = rng.integers(0, A, size=(K, n))
    other = np.where(J.available[1 - agent][np.arange(n), other], other, 0)
    V1, pol1, b1 = _batched.best_response(J, R, 0.95, other, agent, 1e-10)
    V2, pol2, b2 = _per_sample.best_response(J, R, 0.95, other, agent, 1e-10)
    assert b1 <= 1e-10 and b2 <= 1e-9
    assert np.allclose(V1, V2, atol=2e-9)
    assert np.array_equal(pol1, pol2)
    keep = rng.integers(0, A, size=(K, n))
    keep = np.where(J.available[agent][np.arange(n), keep], keep, 0)
    _, k1, _ = _batched.best_response(J, R, 0.95, other, agent, 1e-10, keep=keep)
    _, k2, _ = _per_sample.best_response(J, R, 0.95, other, agent, 1e-10, keep=keep)
    assert np.array_equal(k1, k2)


def test_evaluate_matches_linear_solve():
    """V = (I − γ P_π)^{-1} R for a deterministic joint policy pair (Puterman 1994, Thm 6.1.1)."""
    J = joint_mdp(from_grid("..."), no_overlap=True)
    rng = np.random.default_rng(4)
    K, n, A = 3, J.n_states, J.n_actions
    R = rng.random((K, n))
    pH = rng.integers(0, A, size=(K, n))
    pA = rng.integers(0, A, size=(K, n))
    V, bound = _per_sample.evaluate(J, R, 0.99, pH, pA, 1e-10)
    assert bound <= 1e-9
    full = J.P.toarray().reshape(n, A, A, n)
    for k in range(K):
        exact = np.linalg.solve(np.eye(n) - 0.99 * full[np.arange(n), pH[k], pA[k]], R[k])
        assert np.allclose(V[k], exact, atol=1e-9)


def test_choice_of_solver():
    """ln(1e-8)/ln(0.99) ≈ 1,833 sweeps: policy iteration on a deterministic joint MDP; at
    γ = 0.5 (27 sweeps) value iteration; a noisy (stochastic) grid always value iteration."""
    assert _per_sample.vi_sweeps(0.99, 1e-8) == pytest.approx(math.log(1e-8) / math.log(0.99))
    J = _grid()
    assert _per_sample.prefer_policy_iteration(J, 0.99, 1e-8)
    assert not _per_sample.prefer_policy_iteration(J, 0.5, 1e-8)
    noisy = joint_mdp(gridworld(2, 2, noise=0.2))
    assert not noisy.padded_deterministic
    assert not _per_sample.prefer_policy_iteration(noisy, 0.99, 1e-8)


@pytest.mark.parametrize("ai", ["best-response", "equilibrium"])
def test_power_is_the_same_with_either_solver(ai, monkeypatch):
    """Same draws, same POWER (within the stated solver bounds) and the same convergence
    counts whether the joint solves run per sample or batched."""
    J = _grid()
    fast = multiagent_power(J, 0.97, ai=ai, rho=0.5, samples=12, rng=5)
    monkeypatch.setattr(_per_sample, "SWEEPS_PER_SOLVE", math.inf)
    slow = multiagent_power(J, 0.97, ai=ai, rho=0.5, samples=12, rng=5)
    assert fast.table.solver_error.max() < slow.table.solver_error.max()
    assert np.allclose(fast.table.power, slow.table.power, atol=1e-7)
    assert (fast.unconverged, fast.cycling) == (slow.unconverged, slow.cycling)
