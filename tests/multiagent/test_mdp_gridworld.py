"""POWERplay-style gridworlds: deleted squares, stay removed, noisy moves with a bias."""

import numpy as np
import pytest

from powerlab.errors import InputError
from powerlab.mdp import load_mdp
from powerlab.mdp.gridworld import gridworld


def test_matches_powerplay_3x3(examples):
    """Without noise the 3x3 grid has POWERplay's actions and moves (its 3x3_gridworld.gv)."""
    ours = gridworld(3, 3)
    theirs = load_mdp(examples / "multiagent" / "3x3_gridworld.gv")
    for s in theirs.states:
        i, k = ours.state_index(s), theirs.state_index(s)
        assert set(ours.action_labels[i]) == set(theirs.action_labels[k])
        for a in theirs.action_labels[k]:
            assert np.allclose(
                ours.P[i, ours.action_index(i, a)][[ours.state_index(t) for t in theirs.states]],
                theirs.P[k, theirs.action_index(k, a)],
            )


def test_noise_and_bias_closed_form():
    """Corner (0, 0) of a 2x2 grid, moves down, right, stay; n = 0.3, bias left 0.1.

    Left is blocked, so its 0.1 goes to staying; the other 0.2 splits evenly over the three
    unbiased moves (0.2/3 each). 'right' reaches (0, 1) w.p. 0.7 + 0.2/3, (1, 0) w.p. 0.2/3,
    and (0, 0) w.p. 0.1 + 0.2/3."""
    m = gridworld(2, 2, noise=0.3, bias={"left": 0.1})
    s = m.state_index("(0, 0)")
    p = m.P[s, m.action_index(s, "right")]
    third = 0.2 / 3
    assert p[m.state_index("(0, 1)")] == pytest.approx(0.7 + third)
    assert p[m.state_index("(1, 0)")] == pytest.approx(third)
    assert p[s] == pytest.approx(0.1 + third)


def test_deleted_and_no_stay():
    m = gridworld(3, 3, deleted=[((1, 1), (1, 1))], stay=False)
    assert "(1, 1)" not in m.states and m.n_states == 8
    assert all("stay" not in labels for labels in m.action_labels)
    assert m.grid_shape == (3, 3)
    with pytest.raises(InputError, match="no action"):
        gridworld(1, 1, stay=False)
    with pytest.raises(InputError, match="more than noise"):
        gridworld(2, 2, noise=0.1, bias={"up": 0.2})
