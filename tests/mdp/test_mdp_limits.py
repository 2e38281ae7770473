"""The γ → 0 and γ → 1 limits: lexicographic myopic optimality, Blackwell optimality, gain."""

import numpy as np

import powerlab.mdp as M


def test_myopic_ties_broken_at_second_order():
    """s → a or b with R(a) = R(b); a leads to c (R=1), b to d (R=0).

    Q(s, a) - Q(s, b) = γ² (R(c) - R(d)) / (1 - γ) > 0 for every γ > 0, so only a is optimal
    in the limit γ → 0 even though the first-order coefficients T_a R = T_b R tie.
    """
    mdp = M.from_edges({"s": ["a", "b"], "a": ["c"], "b": ["d"], "c": ["c"], "d": ["d"]})
    R = np.array([[0.0, 1.0, 1.0, 1.0, 0.0]])
    lim = M.myopic_optimal(mdp, R)
    assert lim.optimal[0, 0].tolist() == [True, False]
    assert lim.value[0, 0] == 1.0  # max_a T_a R


def test_myopic_keeps_ties_between_identical_rows():
    mdp = M.from_transitions({"s": {"x": {"t": 1.0}, "y": {"t": 1.0}}, "t": {"stay": {"t": 1.0}}})
    lim = M.myopic_optimal(mdp, np.array([[0.3, 0.7]]))
    assert lim.optimal[0, 0].tolist() == [True, True]


def test_blackwell_prefers_the_shorter_path_to_the_same_cycle():
    """start → right directly, or via left (R(left) < R(right)): equal gain, better bias."""
    mdp = M.from_edges({"start": ["left", "right"], "left": ["right"], "right": ["right"]})
    R = np.array([[0.0, 0.2, 0.9]])
    lim = M.blackwell_optimal(mdp, R)
    assert lim.optimal[0, 0].tolist() == [False, True]
    np.testing.assert_allclose(lim.value[0], [0.9, 0.9, 0.9], atol=1e-12)


def test_gain_of_a_two_cycle_is_its_mean_reward():
    mdp = M.from_edges({"a": ["b"], "b": ["a"], "c": ["a", "c"]})
    R = np.array([[0.0, 1.0, 0.3]])
    np.testing.assert_allclose(M.average_reward(mdp, R)[0], [0.5, 0.5, 0.5], atol=1e-12)


def test_stochastic_gain_by_extrapolation():
    """coin: from s0, `go` reaches the 1-cycle s1 or the terminal s2 with probability 1/2 each.

    g*(s0) = max(R(s0), R(s1) / 2), g*(s1) = R(s1), g*(s2) = 0 (the episode ends).
    """
    mdp = M.from_transitions(
        {
            "s0": {"go": {"s1": 0.5, "s2": 0.5}, "stay": {"s0": 1}},
            "s1": {"stay": {"s1": 1}},
            "s2": {},
        },
        terminal=["s2"],
    )
    R = np.array([[0.3, 0.8, 0.5], [0.5, 0.8, 0.5]])
    lim = M.blackwell_optimal(mdp, R)
    np.testing.assert_allclose(lim.value, [[0.4, 0.8, 0.0], [0.5, 0.8, 0.0]], atol=1e-8)
    assert lim.error_bound < 1e-6
