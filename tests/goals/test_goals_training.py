"""Training data (Krakovna & Kramár, Def 5) from its three sources, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from powerlab.errors import InputError
from powerlab.goals import (
    load_training,
    training_from_policy,
    training_from_reward,
    training_from_trajectories,
)
from powerlab.mdp import from_edges


def corridor():
    return from_edges(
        {"a0": ["a0", "a1"], "a1": ["a0", "a1", "end"], "end": [], "z": ["z"]}, terminal=["end"]
    )


def test_three_sources_agree():
    m = corridor()
    a = training_from_policy(m, {"a0": "a1", "a1": "end"})
    b = training_from_trajectories(m, [[["a0", "a1"], ["a1", "end"]]])
    c = training_from_reward(m, np.array([0.0, 0.0, 1.0, 0.0]), ["a0"], 0.9)
    assert a.pairs == b.pairs == c.pairs == [(0, 1), (1, 2)]
    assert list(np.array(m.states)[c.train_mask]) == ["a0", "a1", "end"]
    assert b.source == "trajectories"


def test_bare_state_records_a_visit_without_a_constraint():
    m = corridor()
    td = training_from_trajectories(m, [[["a0", "a1"], ["a1", "end"], "end"]])
    assert td.train_mask[m.state_index("end")]
    assert (m.state_index("end"), 0) not in td.pairs


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ("policy: {nowhere: a1}\n", "unknown state 'nowhere'"),
        ("policy: {a0: jump}\n", "action 'jump' is not available in state 'a0'"),
        ("trajectories: [[[a0, a1]], [[a0, a0]]]\n", "two actions"),
        ("trajectories: [[[a0, fly]]]\n", "not available"),
        ("reward: {end: 1}\nstarts: [a0]\ngamma: 1.5\n", "gamma"),
        ("policy: {a0: a1}\ntrajectories: []\n", "exactly one"),
        ("policy: {a0: a1}\nextra: 1\n", "unknown key 'extra'"),
    ],
)
def test_bad_training_files(tmp_path, doc, needle):
    p = tmp_path / "train.yaml"
    p.write_text(doc)
    with pytest.raises(InputError) as exc:
        load_training(corridor(), p)
    msg = str(exc.value)
    assert needle in msg and "\n" not in msg and str(p) in msg


def test_reward_file(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text("reward: {end: 1.0}\nstarts: [a0]\ngamma: 0.9\n")
    td = load_training(corridor(), p)
    assert td.pairs == [(0, 1), (1, 2)] and td.source == "reward"


def test_coinrun_sources_agree():
    from pathlib import Path

    from powerlab.mdp import load_mdp

    ex = Path(__file__).resolve().parents[2] / "examples" / "goals"
    m = load_mdp(ex / "coinrun.yaml")
    a = load_training(m, ex / "coinrun_train.yaml")
    b = load_training(m, ex / "coinrun_train_reward.yaml")
    assert a.pairs == b.pairs
    np.testing.assert_array_equal(a.train_mask, b.train_mask)


def test_one_rule_for_s_train():
    """Def 5 by one rule: the agent is in every state with a recorded action and in every
    state such an action leads to. policy {a0: a1} and the trajectory [[a0, a1]] both give
    S_train = {a0, a1} with the one constraint at a0; with a bare a1 appended, the same."""
    m = corridor()
    a = training_from_policy(m, {"a0": "a1"})
    b = training_from_trajectories(m, [[["a0", "a1"]]])
    c = training_from_trajectories(m, [[["a0", "a1"], "a1"]])
    for td in (a, b, c):
        assert list(np.array(m.states)[td.train_mask]) == ["a0", "a1"]
        assert td.pairs == [(0, 1)]


def test_impossible_trajectory_step_is_refused():
    m = corridor()
    with pytest.raises(InputError, match="cannot follow"):
        training_from_trajectories(m, [[["a0", "a1"], ["end", "end"]]])


def test_integer_keys_are_names_not_indices(tmp_path):
    """Environment states named "1" (index 0) and "0" (index 1): the training file's 0 is
    the state NAMED "0", so the constraint lands on index 1; starts: [0] likewise."""
    from powerlab.mdp import from_edges

    m = from_edges({"1": ["0", "1"], "0": ["0", "1"]})
    p = tmp_path / "t.yaml"
    p.write_text('policy: {0: "1"}\n')
    td = load_training(m, p)
    assert td.pairs == [(m.state_index("0"), m.action_index("0", "1"))]
    p.write_text("reward: {1: 1.0}\nstarts: [0]\ngamma: 0.5\n")
    td = load_training(m, p)
    assert td.train_mask[m.state_index("0")]
    p.write_text("policy: {7: '1'}\n")
    with pytest.raises(InputError, match="not indices"):
        load_training(m, p)
    p.write_text("policy: {1.5: '1'}\n")
    with pytest.raises(InputError, match="expected a state name"):
        load_training(m, p)
