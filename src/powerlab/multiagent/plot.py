"""Figures for two-agent POWER: POWER vs ρ with bands, per-agent heatmaps, rollout GIFs."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from powerlab._figures import pyplot, save_figure
from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.multiagent.joint import AGENTS, JointMDP
from powerlab.multiagent.power import MEAN_ROW, MultiagentPower

__all__ = ["plot_heatmaps", "plot_power_vs_rho", "rollout", "rollout_gif"]

_Z95 = 1.959963984540054


def plot_power_vs_rho(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    title: str,
    beside: pd.DataFrame | None = None,
) -> None:
    """POWER (mean over joint states) of H and A against ρ, one line per (agent, γ), with
    95% normal bands (±1.96 standard errors). ``table`` has columns ``gamma, rho, agent,
    power, stderr``.

    ``beside`` (columns ``rho, power, stderr``), when given, is drawn in a left panel: the
    one-shot counterpart, Σ POWER at equilibrium of random Bayesian games
    (``powerlab game-sweep``; Stavrianos & Turner 2021)."""
    plt = pyplot()
    n = 1 if beside is None else 2
    fig, axes = plt.subplots(1, n, figsize=(6.4 * n, 4.2), squeeze=False)
    if beside is not None:
        left = axes[0][0]
        b = beside.sort_values("rho")
        x, y, se = b.rho.to_numpy(), b.power.to_numpy(), b.stderr.to_numpy()
        left.plot(x, y, "-", marker="o", ms=3, color="black", label="Σ POWER at equilibrium")
        left.fill_between(x, y - _Z95 * se, y + _Z95 * se, color="black", alpha=0.15)
        left.set_xlabel("reward correlation ρ")
        left.set_ylabel("Σ POWER")
        left.set_title("one-shot Bayesian games (game-sweep)")
        left.legend(fontsize=8)
    ax = axes[0][-1]
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


def rollout(
    joint: JointMDP, pi_H: np.ndarray, pi_A: np.ndarray, start: str, steps: int, rng: Seed
) -> np.ndarray:
    """A sampled trajectory ``[steps + 1]`` of joint-state indices from ``start``: at j,
    :math:`x \\sim \\pi_H(\\cdot|j)`, :math:`y \\sim \\pi_A(\\cdot|j)`, then
    :math:`j' \\sim T_J(j, (x, y), \\cdot)` (policies ``[J, A]``, stochastic)."""
    pi_H = joint.check_policy(pi_H, "H")
    pi_A = joint.check_policy(pi_A, "A")
    if steps < 0 or steps > 10_000:
        raise InputError(f"rollout: steps must be in [0, 10000], got {steps}")
    if start not in joint.states:
        raise InputError(f"rollout: unknown joint state {start!r}")
    gen = as_generator(rng)
    A = joint.n_actions
    path = [joint.states.index(start)]
    P = joint.P
    for _ in range(steps):
        j = path[-1]
        x = gen.choice(A, p=pi_H[j])
        y = gen.choice(A, p=pi_A[j])
        r = (j * A + x) * A + y
        lo, hi = P.indptr[r], P.indptr[r + 1]
        path.append(int(gen.choice(P.indices[lo:hi], p=P.data[lo:hi])))
    return np.array(path)


def rollout_gif(
    joint: JointMDP, path_states: np.ndarray, out: str | os.PathLike[str], fps: int = 2
) -> None:
    """An animated GIF of a joint trajectory on a grid (H blue, A red), one frame per step,
    written with matplotlib's PillowWriter."""
    from matplotlib.animation import FuncAnimation, PillowWriter

    cells = joint.cells
    if cells is None or joint.base.grid_shape is None:
        raise InputError(f"{joint.base.name}: a rollout animation needs a grid environment")
    rows, cols = joint.base.grid_shape
    open_ = np.zeros((rows, cols))
    for r, c in joint.base.grid_cells or ():
        open_[r, c] = 1.0
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(0.6 * cols + 1, 0.6 * rows + 1))
    ax.imshow(open_, cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    (h,) = ax.plot([], [], "o", color="tab:blue", ms=14, label="H")
    (a,) = ax.plot([], [], "s", color="tab:red", ms=10, label="A")
    ax.legend(loc="upper right", fontsize=7)

    def draw(t: int) -> list[Any]:
        (hr, hc), (ar, ac) = cells[path_states[t]]
        h.set_data([hc], [hr])
        a.set_data([ac], [ar])
        ax.set_title(f"step {t}")
        return [h, a]

    anim = FuncAnimation(fig, draw, frames=len(path_states), blit=False)
    anim.save(str(out), writer=PillowWriter(fps=fps))
    plt.close(fig)
