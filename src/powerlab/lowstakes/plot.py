"""Figure: regret against horizon T for Hedge, OGD and the trap, with their bounds."""

from __future__ import annotations

import os
from typing import Any

from powerlab._figures import pyplot, save_figure
from powerlab.lowstakes.experiments import LowStakesResult

__all__ = ["plot_regret"]


def plot_regret(result: LowStakesResult, path: str | os.PathLike[str] | None = None) -> Any:
    """Log-log regret vs T from :func:`low_stakes_experiment`'s ``curve``; saved if ``path``."""
    plt = pyplot()

    curve = result.curve
    T = curve["T"]
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.plot(T, curve["hedge_regret"].clip(lower=1e-3), "o-", label="Hedge regret")
    ax.plot(T, curve["hedge_bound"], "--", label="B√((D+1)T ln N/2)")
    ax.plot(T, curve["ogd_regret"].clip(lower=1e-3), "s-", label="OGD regret (≥ 1e-3)")
    ax.plot(T, curve["ogd_bound"], ":", label="OGD bound DG√T")
    if "trap_regret" in curve:
        ax.plot(T, curve["trap_regret"], "^-", color="#c33", label="trap: Hedge regret")
        ax.plot(T, curve["trap_bound"], "--", color="#c33", lw=0.8, label="B√(T ln 2/2), N = 2")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("horizon T")
    ax.set_ylabel("regret")
    shifted = "shift at T/2" if result.shift else "no shift"
    ax.set_title(f"low stakes: delay D = {result.delay}, {shifted}")
    ax.legend(fontsize=7)
    if path is not None:
        save_figure(fig, path)
    return fig
