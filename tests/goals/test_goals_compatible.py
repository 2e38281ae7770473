"""The training-compatible goal set G_T (Krakovna & Kramár, Def 6): membership under both
readings against closed forms, and the empty-G_T finding."""

from __future__ import annotations

import numpy as np
import pytest

from powerlab.goals import find_start, goal_set, training_from_policy
from powerlab.goals.interior import EmptyFinding, Start
from powerlab.mdp import from_edges


def two_cells():
    """t0 can stay or step to t1 (a self-loop). Trained: t0 -> t1."""
    m = from_edges({"t0": ["t0", "t1"], "t1": ["t1"], "f": ["f"]})
    return m, training_from_policy(m, {"t0": "t1"})


@pytest.mark.parametrize("reading", ["q", "immediate"])
def test_two_cells_closed_form(reading):
    """Q reading: V(t1) = θ1/(1-γ) ≥ V(t0) = θ0/(1-γ)-or-better iff θ1 ≥ θ0; the immediate
    reading compares θ(t1) with θ(t0) directly. Both: G_T = {θ1 ≥ θ0}, volume 1/2, and f is
    a free coordinate."""
    m, td = two_cells()
    gs = goal_set(m, td, 0.9, reading)
    R = np.random.default_rng(0).random((4000, 3))
    np.testing.assert_array_equal(gs.contains(R), R[:, 1] >= R[:, 0])
    assert list(gs.free) == [2]


def test_readings_differ():
    """t0 -> a (reward now, then the dead end d forever) or t0 -> b (then the good loop g).
    Trained: t0 -> b. The immediate reading asks θb ≥ θa; the Q reading at γ = 0.9 asks
    θb + γ θg/(1-γ) ≥ θa + γ θd/(1-γ)."""
    m = from_edges({"t0": ["a", "b"], "a": ["d"], "b": ["g"], "d": ["d"], "g": ["g"]})
    td = training_from_policy(m, {"t0": "b"})
    R = np.random.default_rng(1).random((5000, 5))
    i = m.state_index
    imm = goal_set(m, td, 0.9, "immediate").contains(R)
    np.testing.assert_array_equal(imm, R[:, i("b")] >= R[:, i("a")])
    k = 0.9 / 0.1
    q = goal_set(m, td, 0.9, "q").contains(R)
    np.testing.assert_array_equal(
        q, R[:, i("b")] + k * R[:, i("g")] >= R[:, i("a")] + k * R[:, i("d")]
    )


def test_box_is_respected():
    m, td = two_cells()
    gs = goal_set(m, td, 0.5, box=(0.0, 2.0))
    assert gs.contains(np.array([[0.0, 1.5, 1.9]]))[0]
    assert not gs.contains(np.array([[0.0, 2.5, 0.0]]))[0]


@pytest.mark.parametrize("reading", ["q", "immediate"])
def test_empty_goal_set_names_the_constraint(reading):
    """x and y both choose between a and b (self-loops); trained x -> a and y -> b forces
    θa = θb, a null set. The second pair empties G_T."""
    m = from_edges({"x": ["a", "b"], "y": ["a", "b"], "a": ["a"], "b": ["b"]})
    td = training_from_policy(m, {"x": "a", "y": "b"})
    res = find_start(goal_set(m, td, 0.9, reading), rng=0)
    assert isinstance(res, EmptyFinding)
    assert "state 'y' action 'b'" in res.constraint
    assert res.exact == (reading == "immediate")


def test_start_is_interior():
    m, td = two_cells()
    res = find_start(goal_set(m, td, 0.9), rng=0)
    assert isinstance(res, Start) and res.radius > 0.1


def test_epsilon_compatibility_limits():
    """G_T^ε (Q reading) on two cells: t0 may stay (V = θ0/(1-γ)) or step to the self-loop
    t1 (Q = θ0 + γθ1/(1-γ)); the trained step is within ε of the best iff
    γ(θ0 - θ1)/(1-γ) <= ε. As ε -> 0 this is G_T = {θ1 >= θ0}; once ε exceeds
    γ/(1-γ) (the largest gap on [0,1]) it is the whole box."""
    m, td = two_cells()
    g = 0.9
    R = np.random.default_rng(5).random((3000, 3))
    gap = g * (R[:, 0] - R[:, 1]) / (1 - g)
    for eps in (1e-9, 0.5, 3.0):
        got = goal_set(m, td, g, epsilon=eps).contains(R)
        np.testing.assert_array_equal(got, gap <= eps + 1e-9)
    assert goal_set(m, td, g, epsilon=1e-12).contains(R).tolist() == (R[:, 1] >= R[:, 0]).tolist()
    assert goal_set(m, td, g, epsilon=g / (1 - g) + 1e-6).contains(R).all()
    imm = goal_set(m, td, g, "immediate", epsilon=0.25).contains(R)
    np.testing.assert_array_equal(imm, R[:, 0] - R[:, 1] <= 0.25 + 1e-12)


def test_epsilon_relative():
    """Relative ε scales with the goal's value range: doubling θ keeps membership."""
    m, td = two_cells()
    R = np.random.default_rng(6).random((500, 3))
    gs = goal_set(m, td, 0.9, box=(0.0, 2.0), epsilon=0.1, epsilon_relative=True)
    np.testing.assert_array_equal(gs.contains(R), gs.contains(2 * R))
