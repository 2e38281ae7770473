"""The MDP model and its builders: storage forms, terminal states, gymnasium import."""

import numpy as np
import pytest
import scipy.sparse as sp

import powerlab.mdp as M
from powerlab.errors import InputError


def test_edges_build_deterministic_successor_table():
    mdp = M.from_edges({"a": ["b", "a"], "b": ["b"]}, name="t")
    assert mdp.states == ("a", "b")
    assert mdp.action_labels == (("b", "a"), ("b",))
    assert mdp.is_deterministic
    np.testing.assert_array_equal(mdp.successor, [[1, 0], [1, -1]])
    np.testing.assert_array_equal(mdp.available, [[True, True], [True, False]])


def test_dense_and_sparse_storage_agree():
    mdp = M.from_transitions(
        {"s0": {"go": {"s1": 0.25, "s0": 0.75}, "stay": {"s0": 1}}, "s1": {"stay": {"s1": 1}}}
    )
    dense, sparse = mdp.with_transitions(False), mdp.with_transitions(True)
    assert sparse.is_sparse and not dense.is_sparse
    np.testing.assert_array_equal(dense.P, sparse.P)
    np.testing.assert_array_equal(dense.P_sa.toarray(), sparse.P_sa.toarray())
    assert not mdp.is_deterministic


def test_terminal_state_gets_a_zero_row_end_action():
    mdp = M.from_transitions({"s0": {"go": {"s1": 1}}, "s1": {"stay": {"s1": 1}}}, terminal=["s1"])
    assert mdp.action_labels[1] == (M.END_ACTION,)
    assert mdp.P[1].sum() == 0.0
    # V*(terminal) = R(terminal): the reward is paid once on entry (Krakovna & Kramár 2023, Def 7).
    sol = M.solve(mdp, np.array([[0.0, 1.0]]), 0.9)
    np.testing.assert_allclose(sol.V, [[0.9, 1.0]], atol=1e-12)


def test_grid_moves_into_walls_stay_put():
    mdp = M.from_grid("####\n#..#\n####")
    assert mdp.states == ("1,1", "1,2") and mdp.grid_shape == (3, 4)
    east = mdp.action_index("1,1", "E")
    west = mdp.action_index("1,1", "W")
    assert mdp.successor[0, east] == 1 and mdp.successor[0, west] == 0


def test_from_arrays_dense_and_sparse():
    P = np.zeros((2, 2, 2))
    P[0, 0, 1] = P[0, 1, 0] = P[1, 0, 1] = P[1, 1, 1] = 1.0
    a = M.from_arrays(P)
    b = M.from_arrays(sp.csr_array(P.reshape(4, 2)))
    np.testing.assert_array_equal(a.P, b.P)


@pytest.mark.parametrize("sparse", [False, True])
def test_from_arrays_with_every_state_terminal_keeps_one_end_slot(sparse):
    """Every state terminal: each keeps only `end`, so A = 1 and V* = R (paid once)."""
    P = np.zeros((2, 3, 2))
    P[:, :, 0] = 1.0
    mdp = M.from_arrays(sp.csr_array(P.reshape(6, 2)) if sparse else P, terminal=[True, True])
    assert mdp.n_actions == 1 and mdp.action_labels == ((M.END_ACTION,), (M.END_ACTION,))
    np.testing.assert_array_equal(mdp.P_sa.toarray(), np.zeros((2, 2)))
    np.testing.assert_allclose(M.solve(mdp, np.array([[1.0, 2.0]]), 0.9).V, [[1.0, 2.0]])


@pytest.mark.parametrize("env_id", ["FrozenLake-v1", "CliffWalking-v1", "Taxi-v4"])
def test_gymnasium_import_matches_the_p_table(env_id):
    gymnasium = pytest.importorskip("gymnasium", reason="needs the [gym] extra")
    env = gymnasium.make(env_id)
    table = env.unwrapped.P
    mdp = M.from_gymnasium(env)
    assert mdp.n_states == len(table)
    for s in range(0, mdp.n_states, max(1, mdp.n_states // 40)):
        if mdp.terminal[s]:
            continue
        for a, outcomes in table[s].items():
            expected = np.zeros(mdp.n_states)
            for prob, nxt, _, _ in outcomes:
                expected[nxt] += prob
            np.testing.assert_allclose(mdp.P[s, a], expected)


def test_frozenlake_holes_and_goal_are_terminal():
    gymnasium = pytest.importorskip("gymnasium", reason="needs the [gym] extra")
    mdp = M.from_gymnasium(gymnasium.make("FrozenLake-v1"))
    desc = "SFFFFHFHFFFHHFFG"
    assert [mdp.states[i] for i in np.flatnonzero(mdp.terminal)] == [
        str(i) for i, c in enumerate(desc) if c in "HG"
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"a": ["zz"]}, "unknown state 'zz'"),
        ({"a": []}, "has no action"),
        ({"a": ["a", "a"]}, "duplicate successor"),
    ],
)
def test_bad_edges_name_the_state(body, message):
    with pytest.raises(InputError, match=message):
        M.from_edges(body)


def test_bad_probabilities_are_rejected():
    with pytest.raises(InputError, match=r"sum to 0\.9"):
        M.from_transitions({"s": {"a": {"s": 0.9}}})
    with pytest.raises(InputError, match="negative"):
        M.from_transitions({"s": {"a": {"s": -1.0}}})
    with pytest.raises(InputError, match="not finite"):
        M.from_transitions({"s": {"a": {"s": float("inf")}}})


def test_unknown_names_raise():
    mdp = M.from_edges({"a": ["a"]})
    with pytest.raises(InputError, match="unknown state 'b'"):
        mdp.state_index("b")
    with pytest.raises(InputError, match="no action 'x'"):
        mdp.action_index("a", "x")
