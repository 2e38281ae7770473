"""Figures for the CLI's ``--plot`` and the demo report (matplotlib). No mathematics.

Save them with :func:`powerlab._figures.save_figure`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from powerlab._figures import pyplot
from powerlab.mdp.model import MDP

__all__ = ["plot_optimality", "plot_power"]


def plot_power(mdp: MDP, frame: pd.DataFrame) -> Any:
    """POWER per state: a heatmap per γ on grid environments, otherwise a bar chart with ±2 SE."""
    plt = pyplot()
    gammas = list(dict.fromkeys(frame["gamma"]))
    if mdp.grid_shape is not None and mdp.grid_cells is not None:
        fig, axes = plt.subplots(1, len(gammas), figsize=(4.2 * len(gammas), 3.6), squeeze=False)
        for ax, g in zip(axes[0], gammas, strict=True):
            sub = frame[frame["gamma"] == g]
            img = np.full(mdp.grid_shape, np.nan)
            for state, val in zip(sub["state"], sub["power"], strict=True):
                r, c = mdp.grid_cells[mdp.state_index(state)]
                img[r, c] = val
            im = ax.imshow(img, cmap="viridis")
            ax.set_title(f"POWER, γ = {g:g}")
            ax.set_xticks([])
            ax.set_yticks([])
            fig.colorbar(im, ax=ax, shrink=0.8)
        return fig
    return _bars(frame, "state", "power", "POWER", f"POWER in {mdp.name} (error bars ±2 SE)", 0.6)


def plot_optimality(frame: pd.DataFrame) -> Any:
    """Optimality probability of each action, one bar group per γ, with ±2 SE error bars."""
    title = f"Optimality probability at {frame['state'].iloc[0]}"
    return _bars(frame, "action", "probability", "optimality probability", title, 0.7)


def _bars(
    frame: pd.DataFrame, item: str, value: str, ylabel: str, title: str, inch_per_bar: float
) -> Any:
    """One group of bars per ``item``, one bar per γ, with ±2 SE error bars."""
    gammas = list(dict.fromkeys(frame["gamma"]))
    items = list(dict.fromkeys(frame[item]))
    fig, ax = pyplot().subplots(figsize=(max(4.0, inch_per_bar * len(items) * len(gammas)), 3.5))
    width = 0.8 / len(gammas)
    x = np.arange(len(items))
    for j, g in enumerate(gammas):
        sub = frame[frame["gamma"] == g].set_index(item).loc[items]
        ax.bar(x + j * width, sub[value], width, yerr=2 * sub["stderr"], label=f"γ = {g:g}")
    ax.set_xticks(x + width * (len(gammas) - 1) / 2, items, rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return fig
