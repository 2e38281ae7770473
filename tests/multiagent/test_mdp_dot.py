"""DOT environments and policies in POWERplay's layout: reading, writing, round trips."""

import shutil

import numpy as np
import pytest

from powerlab.errors import InputError
from powerlab.mdp import load_mdp
from powerlab.mdp.dot import load_dot_policy, mdp_to_dot, parse_dot, policy_to_dot, render_dot
from powerlab.multiagent import joint_mdp

STOCH = """strict digraph {
"[1]" -> "[H]__[1]";
"[H]__[1]" -> "[1]__[H]__[1]" [weight="0.25"];
"[H]__[1]" -> "[2]__[H]__[1]" [weight="0.75"];
"[2]" -> "[L]__[2]";
"[L]__[2]" -> "[1]__[L]__[2]";
}"""


def test_stochastic_layout():
    """Outcome weights are T(s, a, s'); an outcome without weight is a sure move."""
    m = parse_dot(STOCH)
    assert m.states == ("1", "2")
    assert m.action_labels == (("H",), ("L",))
    assert np.allclose(m.P[0, 0], [0.25, 0.75])
    assert np.allclose(m.P[1, 0], [1.0, 0.0])


def test_plain_layout_is_edges(examples):
    """Turner et al. 2021, Fig. 1 as a plain graph: each edge is an action to its target."""
    m = load_mdp(examples / "multiagent" / "mdp_from_paper.gv")
    assert m.n_states == 8 and m.is_deterministic
    assert m.action_labels[m.state_index("★")] == ("∅", "ℓ_◁", "r_▷")


@pytest.mark.parametrize("name", ["3x3_gridworld", "stochastic_graph_4_states"])
def test_round_trip(examples, name):
    m = load_mdp(examples / "multiagent" / f"{name}.gv")
    back = parse_dot(mdp_to_dot(m))
    assert back.states == m.states and back.action_labels == m.action_labels
    assert np.allclose(back.P, m.P)


def test_policy_files(examples):
    """POWERplay's uniform policy for A on the joint 3x3 grid is uniform over A's moves."""
    J = joint_mdp(load_mdp(examples / "multiagent" / "3x3_gridworld.gv"))
    labels = [J.base.action_labels[a] for a in J.pairs[:, 1]]
    pi = load_dot_policy(
        examples / "multiagent" / "joint_3x3_gridworld_agent_A_uniform_random.gv",
        J.states,
        labels,
        action_of="A",
    )
    assert np.allclose(pi, J.uniform_policy("A"))
    text = policy_to_dot(J.states, labels, pi)
    assert text.count("->") == int(J.available[1].sum())


def test_bad_files(tmp_path):
    with pytest.raises(InputError, match="not a DOT graph"):
        parse_dot("digraph {", where="x.gv")
    bad = STOCH.replace('"0.75"', '"0.5"')
    with pytest.raises(InputError, match=r"sum to 0\.75"):
        parse_dot(bad, where="x.gv")
    with pytest.raises(InputError, match="unknown image type"):
        render_dot(STOCH, tmp_path / "x.bmp")


def test_render(tmp_path):
    out = render_dot(STOCH, tmp_path / "g.gv")
    assert out.read_text() == STOCH
    if shutil.which("dot") is None:
        with pytest.raises(InputError, match="Graphviz"):
            render_dot(STOCH, tmp_path / "g.png")
    else:
        assert render_dot(STOCH, tmp_path / "g.png").stat().st_size > 0
