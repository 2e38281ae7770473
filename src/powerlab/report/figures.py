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
    """POWER per state: a heatmap per γ on grid environments, otherwise a bar chart with ±2 SE.

    Heatmap cells that are not states (walls) are dark grey; the colour bar is labelled.
    """
    plt = pyplot()
    gammas = list(dict.fromkeys(frame["gamma"]))
    if mdp.grid_shape is not None and mdp.grid_cells is not None:
        rows, cols = mdp.grid_shape
        panel = min(4.2, 9.0 / len(gammas))
        fig, axes = plt.subplots(
            1, len(gammas), figsize=(panel * len(gammas), panel * rows / cols + 0.8), squeeze=False
        )
        cmap = plt.get_cmap("viridis").with_extremes(bad="#555555")
        for ax, g in zip(axes[0], gammas, strict=True):
            sub = frame[frame["gamma"] == g]
            img = np.full(mdp.grid_shape, np.nan)
            for state, val in zip(sub["state"], sub["power"], strict=True):
                r, c = mdp.grid_cells[mdp.state_index(state)]
                img[r, c] = val
            im = ax.imshow(img, cmap=cmap)
            ax.set_title(f"{mdp.name}: POWER, γ = {g:g}")
            ax.set_xticks(range(cols))
            ax.set_yticks(range(rows))
            ax.set_xlabel("column")
            ax.set_ylabel("row")
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="POWER (reward units)")
        fig.text(0.01, 0.01, "dark grey: wall", fontsize=8, color="#555555")
        return _with_footer(fig, frame)
    return _bars(frame, "state", "power", "POWER (reward units)", f"POWER in {mdp.name} (±2 SE)")


def plot_optimality(frame: pd.DataFrame) -> Any:
    """Optimality probability of each action, one bar group per γ, with ±2 SE error bars."""
    title = f"Optimality probability at {frame['state'].iloc[0]} (±2 SE)"
    return _bars(frame, "action", "probability", "optimality probability", title)


def _bars(frame: pd.DataFrame, item: str, value: str, ylabel: str, title: str) -> Any:
    """One group of bars per ``item``, one bar per γ, with ±2 SE error bars.

    At most 9 inches wide (about 1000 px at the saved dpi, so text stays readable where the
    report shows it at up to 960 px), with the legend outside the axes, covering no bar.
    """
    gammas = list(dict.fromkeys(frame["gamma"]))
    items = list(dict.fromkeys(frame[item]))
    width_in = min(9.0, max(5.0, 0.18 * len(items) * len(gammas) + 2.0))
    fig, ax = pyplot().subplots(figsize=(width_in, 3.8))
    width = 0.8 / len(gammas)
    x = np.arange(len(items))
    for j, g in enumerate(gammas):
        sub = frame[frame["gamma"] == g].set_index(item).loc[items]
        ax.bar(x + j * width, sub[value], width, yerr=2 * sub["stderr"], label=f"γ = {g:g}")
    ax.set_xticks(x + width * (len(gammas) - 1) / 2, items, rotation=30, ha="right")
    ax.set_xlabel(item)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _with_footer(fig, frame)


def _with_footer(fig: Any, frame: pd.DataFrame) -> Any:
    """Lay out ``fig`` with a footer naming how ``frame`` was computed (its ``provenance``)."""
    prov = frame.attrs.get("provenance")
    fig.tight_layout()
    if prov:
        commit = f" ({prov['git_commit'][:7]})" if prov.get("git_commit") else ""
        text = (
            f"seed {prov.get('seed')} · {prov.get('distribution')} rewards · "
            f"{prov.get('samples', 0):,} samples · powerlab {prov.get('powerlab')}{commit}"
        )
        fig.text(0.99, 0.01, text, fontsize=7, color="#555555", ha="right")
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, 0.2))
    return fig
