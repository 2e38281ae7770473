"""Figures: POWER vs ρ, heatmaps, and a rollout GIF with one frame per step."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from powerlab.errors import InputError
from powerlab.mdp import from_edges
from powerlab.mdp.gridworld import gridworld
from powerlab.multiagent import joint_mdp, multiagent_power
from powerlab.multiagent.plot import plot_heatmaps, plot_power_vs_rho, rollout, rollout_gif


def test_rollout_follows_deterministic_policies(tmp_path):
    """H always 'right', A always 'stay' on a 1x3 grid: H walks to the end and stays."""
    J = joint_mdp(gridworld(1, 3))
    piH = np.zeros((J.n_states, J.n_actions))
    piA = np.zeros_like(piH)
    for j, (h, a) in enumerate(J.pairs):
        lh, la = J.base.action_labels[h], J.base.action_labels[a]
        piH[j, lh.index("right") if "right" in lh else lh.index("stay")] = 1
        piA[j, la.index("stay")] = 1
    path = rollout(J, piH, piA, "(0, 0)_H^(0, 2)_A", 3, rng=0)
    names = [J.states[j] for j in path]
    assert names == ["(0, 0)_H^(0, 2)_A", "(0, 1)_H^(0, 2)_A"] + ["(0, 2)_H^(0, 2)_A"] * 2
    out = tmp_path / "r.gif"
    rollout_gif(J, path, out)
    assert Image.open(out).n_frames == 4


def test_other_figures(tmp_path):
    J = joint_mdp(gridworld(2, 2))
    res = multiagent_power(J, 0.5, samples=20)
    plot_heatmaps(J, res, tmp_path / "h.png")
    t = pd.DataFrame(
        {"gamma": 0.5, "rho": [0, 1, 0, 1], "agent": list("HHAA"), "power": 0.5, "stderr": 0.01}
    )
    plot_power_vs_rho(t, tmp_path / "r.png", "t")
    assert (tmp_path / "h.png").stat().st_size > 0 and (tmp_path / "r.png").stat().st_size > 0
    with pytest.raises(InputError, match="grid"):
        plot_heatmaps(joint_mdp(from_edges({"a": ["a"]})), res, tmp_path / "x.png")
