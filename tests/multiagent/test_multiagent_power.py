"""POWER of two agents: oracles for each solver step, conservation, and the three modes."""

import numpy as np
import pytest

from powerlab.errors import InputError
from powerlab.mdp import MDP, from_edges, from_grid, solve
from powerlab.multiagent import joint_mdp, multiagent_power
from powerlab.multiagent._batched import best_response, evaluate
from powerlab.power import power


def _line3():
    return from_grid("...")


def _one_hot(J, pi):
    """The single-agent MDP an agent faces when the other plays the deterministic ``pi: [J]``."""
    P = np.zeros((J.n_states, J.n_actions))
    P[np.arange(J.n_states), pi] = 1.0
    return P


def test_best_response_matches_solver_per_sample():
    """The batched best response equals :func:`powerlab.mdp.solve` on each sample's folded MDP."""
    J = joint_mdp(_line3())
    rng = np.random.default_rng(1)
    K = 6
    R = rng.random((K, J.n_states))
    other = rng.integers(0, J.n_actions, size=(K, J.n_states))
    for agent in (0, 1):
        V, pol, bound = best_response(J, R, 0.8, other, agent, 1e-10)
        assert bound <= 1e-10
        for k in range(K):
            folded: MDP = J.fold(_one_hot(J, other[k]), agent)
            ref = solve(folded, R[k], 0.8)
            assert np.allclose(V[k], ref.V[0], atol=1e-8)
            q = ref.Q[0]
            assert np.allclose(q[np.arange(J.n_states), pol[k]], ref.V[0], atol=1e-8)


def test_evaluate_matches_linear_solve():
    """V = (I − γ P_π)^{-1} R for a deterministic joint policy pair (Puterman 1994, Thm 6.1.1)."""
    J = joint_mdp(_line3(), no_overlap=True)
    rng = np.random.default_rng(2)
    K, n, A = 4, J.n_states, J.n_actions
    R = rng.random((K, n))
    pH = rng.integers(0, A, size=(K, n))
    pA = rng.integers(0, A, size=(K, n))
    V, bound = evaluate(J, R, 0.9, pH, pA, 1e-11)
    assert bound <= 1e-11
    full = J.P.toarray().reshape(n, A, A, n)
    for k in range(K):
        Ppi = full[np.arange(n), pH[k], pA[k]]
        exact = np.linalg.solve(np.eye(n) - 0.9 * Ppi, R[k])
        assert np.allclose(V[k], exact, atol=1e-9)


def test_fixed_mode_is_single_agent_power_on_the_folded_mdp():
    """Fixed A: H's POWER is Turner et al.'s POWER (Def 5.2) on the folded MDP, same draws."""
    J = joint_mdp(_line3())
    res = multiagent_power(J, 0.7, ai="fixed", samples=400, rng=3)
    ref = power(J.fold(J.uniform_policy("A"), "H"), 0.7, samples=400, rng=3)
    got = res.table[res.table.state != "(mean)"].power.to_numpy()
    assert np.allclose(got, ref.power.to_numpy(), atol=1e-8)
    assert set(res.table.agent) == {"H"}


def test_common_payoff_equilibrium_gives_equal_power():
    """ρ = 1, equal γ: both agents share R, and at an equilibrium both play one joint policy
    whose value each computes, so POWER_H = POWER_A at every joint state, sample by sample."""
    J = joint_mdp(_line3())
    res = multiagent_power(J, 0.6, ai="equilibrium", rho=1.0, samples=200, rng=4)
    assert res.unconverged == 0
    t = res.table
    h = t[t.agent == "H"].power.to_numpy()
    a = t[t.agent == "A"].power.to_numpy()
    assert np.allclose(h, a, atol=1e-6)


def test_constant_sum_conservation():
    """Stavrianos & Turner 2021 (conservation of POWER in constant-sum games), sequential form.

    With R_A = 1 − R_H (ρ = −1, U[0,1]) and equal γ, the values of the two played policies
    sum to 1/(1−γ) at every state. In best-response mode H's POWER is the value of its played
    policy and A's the value of its best response, which A plays, so
    POWER_H + POWER_A = (1−γ)/γ · (1/(1−γ) − 1) = 1 exactly, at every state."""
    J = joint_mdp(_line3())
    res = multiagent_power(J, 0.5, ai="best-response", rho=-1.0, samples=300, rng=5)
    t = res.table
    h = t[t.agent == "H"].power.to_numpy()
    a = t[t.agent == "A"].power.to_numpy()
    err = t.solver_error.max()
    assert np.allclose(h + a, 1.0, rtol=0, atol=2 * err + 1e-9)


def test_a_exploits_a_fixed_h():
    """A best-responding to H's seed-tuned policy is never worse for A than H adapting too:
    POWER_A(best-response) ≥ POWER_A(equilibrium) on a constant-sum game, as H's adaptation
    can only lower A's best value (checked on the state mean, 4 standard errors)."""
    J = joint_mdp(_line3())
    br = multiagent_power(J, 0.5, ai="best-response", rho=-1.0, samples=400, rng=6)
    eq = multiagent_power(J, 0.5, ai="equilibrium", rho=-1.0, samples=400, rng=6)
    (pb, sb), (pe, se) = br.at("A"), eq.at("A")
    assert pb >= pe - 4 * np.hypot(sb, se)


def test_bad_arguments():
    J = joint_mdp(from_edges({"a": ["a", "b"], "b": ["a"]}))
    with pytest.raises(InputError, match="mode"):
        multiagent_power(J, ai="nash")
    with pytest.raises(InputError, match="gamma"):
        multiagent_power(J, 1.0)
    with pytest.raises(InputError, match="samples"):
        multiagent_power(J, samples=1)
