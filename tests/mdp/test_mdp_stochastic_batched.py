"""Sparse policy iteration factors several samples at once on the shared elimination pattern;
a slot whose sample has converged takes the next one. These tests use more samples than slots,
with samples that need different numbers of steps, so slots are refilled and compacted."""

import numba
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import catalogue
import powerlab.mdp as M
from powerlab.mdp import _stochastic


def test_known_values_for_many_samples():
    """From s0, ``stay`` earns x forever; ``go`` reaches the 1-cycle s1 (reward 0.8) or the
    terminal s2 (reward 0.5) with probability 1/2 each. So

        V*(s0) = max(x / (1 - γ), x + γ (0.5 · 0.8 / (1 - γ) + 0.5 · 0.5)),

    V*(s1) = 0.8 / (1 - γ), V*(s2) = 0.5, and ``stay`` is optimal iff x > 0.4 + 0.25 (1 - γ)
    (from x γ / (1 - γ) > γ (0.4 / (1 - γ) + 0.25)). x runs over [0, 1], so both policies occur."""
    mdp = M.from_transitions(
        {
            "s0": {"go": {"s1": 0.5, "s2": 0.5}, "stay": {"s0": 1.0}},
            "s1": {"stay": {"s1": 1.0}},
            "s2": {},
        },
        terminal=["s2"],
    )
    gamma = 0.99
    x = np.linspace(0.0, 1.0, 3 * _stochastic._SLOTS + 5)
    R = np.stack([x, np.full_like(x, 0.8), np.full_like(x, 0.5)], axis=1)
    sol = M.solve(mdp, R, gamma, method="pi-sparse")
    expected = np.maximum(x / (1 - gamma), x + gamma * (0.4 / (1 - gamma) + 0.25))
    np.testing.assert_allclose(sol.V[:, 0], expected, rtol=1e-13)
    np.testing.assert_allclose(sol.V[:, 1], 0.8 / (1 - gamma), rtol=1e-13)
    np.testing.assert_array_equal(sol.V[:, 2], 0.5)
    assert sol.error_bound < 1e-10
    stay = list(mdp.action_labels[0]).index("stay")
    np.testing.assert_array_equal(sol.policy[:, 0] == stay, x > 0.4 + 0.25 * (1 - gamma))


@st.composite
def batched_cases(draw):
    """Random MDPs with 1-3 successors per action, some terminal states, and 17-60 samples."""
    S = draw(st.integers(2, 15))
    A = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    mdp = catalogue.random_sparse_stochastic(rng, S, A, draw(st.sampled_from([0.0, 0.3])))
    K = draw(st.integers(_stochastic._SLOTS + 1, 4 * _stochastic._SLOTS))
    R = rng.uniform(-1, 1, size=(K, S)) * rng.uniform(0.01, 10, size=(K, 1))
    return mdp, R, draw(st.sampled_from([0.5, 0.9, 0.99, 0.999]))


@settings(max_examples=40, deadline=None)
@given(batched_cases())
def test_batched_sparse_pi_agrees_with_dense_pi_and_vi(case):
    """Each sample's values agree with dense policy iteration and value iteration within the
    sum of the two bounds, whatever slot it was solved in, and match solving it alone."""
    mdp, R, gamma = case
    lu = M.solve(mdp, R, gamma, method="pi-sparse")
    for other in ("pi-dense", "vi"):
        ref = M.solve(mdp, R, gamma, method=other, tol=1e-7)
        assert np.abs(lu.V - ref.V).max() <= lu.error_bound + ref.error_bound + 1e-12
    alone = np.concatenate(
        [M.solve(mdp, R[k : k + 1], gamma, method="pi-sparse").V for k in (0, len(R) - 1)]
    )
    assert np.abs(alone - lu.V[[0, -1]]).max() <= 2 * lu.error_bound + 1e-12
    np.testing.assert_array_equal(lu.V[:, mdp.terminal], R[:, mdp.terminal])


@settings(max_examples=20, deadline=None)
@given(batched_cases())
def test_batched_sparse_pi_with_state_action_rewards(case):
    """Rewards r(s, a) in more samples than slots agree with value iteration within the bounds."""
    mdp, R, gamma = case
    rng = np.random.default_rng(R.shape[0])
    r = rng.uniform(-1, 1, size=(R.shape[0], mdp.n_states, mdp.n_actions))
    lu = M.solve(mdp, r, gamma, state_action=True, method="pi-sparse")
    ref = M.solve(mdp, r, gamma, state_action=True, method="vi", tol=1e-7)
    assert np.abs(lu.V - ref.V).max() <= lu.error_bound + ref.error_bound + 1e-12


def test_no_samples():
    mdp = M.from_arrays(np.array([[[0.5, 0.5]], [[1.0, 0.0]]]))
    sol = M.solve(mdp, np.empty((0, 2)), 0.9, method="pi-sparse")
    assert sol.V.shape == (0, 2)


@settings(max_examples=25, deadline=None)
@given(batched_cases(), st.booleans())
def test_a_sample_gets_the_same_bits_in_any_batch_and_on_any_number_of_threads(case, ties):
    """A sample's values and policy do not depend on the samples that share its batch, nor on
    the number of threads (which changes how the samples are cut into parallel blocks, and must
    not change what ``auto`` picks). Rewards in {0, 1} make exact ties common, where the
    history of a sample's sweeps decides which tied action it keeps."""
    mdp, R, gamma = case
    if ties:
        R = (R > 0).astype(float)
    batch = M.solve(mdp, R, gamma, method="pi-sparse")
    for k in (0, len(R) // 2, len(R) - 1):
        alone = M.solve(mdp, R[k : k + 1], gamma, method="pi-sparse")
        np.testing.assert_array_equal(alone.V[0], batch.V[k])
        np.testing.assert_array_equal(alone.policy[0], batch.policy[k])
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = M.solve(mdp, R, gamma)
    finally:
        numba.set_num_threads(threads)
    many = M.solve(mdp, R, gamma)
    assert one.method == many.method
    np.testing.assert_array_equal(one.V, many.V)
