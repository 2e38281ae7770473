"""Joint MDPs of two agents: product transitions, collisions, folding a fixed policy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerlab.errors import InputError
from powerlab.mdp import from_edges, from_grid, from_transitions
from powerlab.multiagent import joint_mdp, joint_state_name


def _two_cells():
    return from_edges({"a": ["a", "b"], "b": ["a", "b"]}, name="two")


def test_product_transitions():
    """T_J((h,a),(x,y),(h',a')) = T(h,x,h') T(a,y,a') on a stochastic base (the definition)."""
    m = from_transitions(
        {"u": {"go": {"u": 0.3, "v": 0.7}, "wait": {"u": 1.0}}, "v": {"go": {"u": 1.0}}}
    )
    J = joint_mdp(m)
    P = m.P
    A = m.n_actions
    full = J.P.toarray().reshape(J.n_states, A, A, J.n_states)
    for j, (h, a) in enumerate(J.pairs):
        for x in range(A):
            for y in range(A):
                want = np.outer(P[h, x], P[a, y]).ravel()
                assert np.allclose(full[j, x, y], want)
    assert J.states[1] == joint_state_name("u", "v") == "u_H^v_A"


def test_no_overlap_bounces():
    """Both agents moving onto one cell stay where they were; other moves are unchanged."""
    J = joint_mdp(_two_cells(), no_overlap=True)
    assert J.states == ("a_H^b_A", "b_H^a_A")
    full = J.P.toarray().reshape(2, 2, 2, 2)
    # From (a, b): H -> b (slot 1), A -> b (slot 1) would overlap, so it stays at (a, b).
    assert np.allclose(full[0, 1, 1], [1.0, 0.0])
    # H -> b, A -> a swaps them.
    assert np.allclose(full[0, 1, 0], [0.0, 1.0])


@given(st.integers(1, 3), st.integers(1, 3), st.booleans())
def test_rows_are_distributions(rows, cols, no_overlap):
    grid = "\n".join("." * cols for _ in range(rows))
    m = from_grid(grid)
    if no_overlap and m.n_states == 1:
        with pytest.raises(InputError):
            joint_mdp(m, no_overlap=True)
        return
    J = joint_mdp(m, no_overlap=no_overlap)
    sums = np.asarray(J.P.sum(axis=1)).ravel()
    assert np.allclose(sums, 1.0)


def test_fold_is_expected_transition():
    """Folding A's uniform policy averages the joint rows over A's slots."""
    J = joint_mdp(_two_cells())
    mH = J.fold(J.uniform_policy("A"), "H")
    full = J.P.toarray().reshape(4, 2, 2, 4)
    assert np.allclose(mH.P, full.mean(axis=2))
    mA = J.fold(J.uniform_policy("H"), "A")
    assert np.allclose(mA.P, full.mean(axis=1))


def test_bad_inputs():
    m = from_edges({"s": ["t"], "t": ["t"]}, terminal=["t"])
    with pytest.raises(InputError, match="terminal"):
        joint_mdp(m)
    J = joint_mdp(_two_cells())
    with pytest.raises(InputError, match="shape"):
        J.check_policy(np.ones((3, 2)), "A")
    with pytest.raises(InputError, match="sum to"):
        J.check_policy(np.full((4, 2), 0.6), "A")
    with pytest.raises(InputError, match="unknown agent"):
        J.agent_index("B")
