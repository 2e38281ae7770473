"""Figures for two-agent POWER: POWER vs ρ with bands, and per-agent heatmaps on grids."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from powerlab._figures import pyplot, save_figure
from powerlab.errors import InputError
from powerlab.multiagent.joint import AGENTS, JointMDP
from powerlab.multiagent.power import MEAN_ROW, MultiagentPower

__all__ = ["plot_heatmaps", "plot_power_vs_rho"]

_Z95 = 1.959963984540054


def plot_power_vs_rho(table: pd.DataFrame, path: str | os.PathLike[str], title: str) -> None:
    """POWER (mean over joint states) of H and A against ρ, one line per (agent, γ), with
    95% normal bands (±1.96 standard errors). ``table`` has columns ``gamma, rho, agent,
    power, stderr``."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for (gamma, agent), grp in table.groupby(["gamma", "agent"], sort=True):
        g = grp.sort_values("rho")
        x, y, se = g.rho.to_numpy(), g.power.to_numpy(), g.stderr.to_numpy()
        style = "-" if agent == "H" else "--"
        (line,) = ax.plot(x, y, style, marker="o", ms=3, label=f"{agent}, γ = {gamma:g}")
        ax.fill_between(x, y - _Z95 * se, y + _Z95 * se, color=line.get_color(), alpha=0.2)
    ax.set_xlabel("reward correlation ρ")
    ax.set_ylabel("POWER (mean over joint states)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    save_figure(fig, path)


def plot_heatmaps(
    joint: JointMDP, res: MultiagentPower, path: str | os.PathLike[str], fixed: str | None = None
) -> None:
    """POWER of each agent over its own cell on a grid, with the other agent at ``fixed``
    (a state name of the base grid; default its first state). One panel per agent."""
    cells = joint.cells
    if cells is None or joint.base.grid_shape is None:
        raise InputError(f"{joint.base.name}: heatmaps need a grid environment")
    other = joint.base.state_index(fixed if fixed is not None else 0)
    rows, cols = joint.base.grid_shape
    agents = [a for a in AGENTS if (res.table.agent == a).any()]
    plt = pyplot()
    fig, axes = plt.subplots(1, len(agents), figsize=(4.2 * len(agents), 3.8), squeeze=False)
    t = res.table[res.table.state != MEAN_ROW]
    for ax, agent in zip(axes[0], agents, strict=True):
        i = AGENTS.index(agent)
        values = t[t.agent == agent].power.to_numpy()
        grid = np.full((rows, cols), np.nan)
        mask = joint.pairs[:, 1 - i] == other
        for j in np.flatnonzero(mask):
            r, c = cells[j, i]
            grid[r, c] = values[j]
        im = ax.imshow(grid, cmap="viridis")
        orow, ocol = joint.base.grid_cells[other]  # type: ignore[index]
        ax.plot(ocol, orow, "rx", ms=12, mew=2)
        ax.set_title(f"POWER of {agent} ({AGENTS[1 - i]} at the red cross)")
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, shrink=0.8)
    save_figure(fig, path)
