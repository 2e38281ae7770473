"""Figure: regret against horizon T for Hedge, OGD and the trap, with their bounds."""

from __future__ import annotations

import os
from typing import Any

from powerlab._figures import pyplot, save_figure

__all__ = ["plot_regret"]


def plot_regret(result: dict[str, Any], path: str | os.PathLike[str] | None = None) -> Any:
    """Log-log regret vs T from :func:`low_stakes_experiment`'s ``curve``; PNG if ``path``."""
    plt = pyplot()

    curve = result["curve"]
    T = [r["T"] for r in curve]
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.plot(T, [max(r["hedge_regret"], 1e-3) for r in curve], "o-", label="Hedge regret")
    ax.plot(T, [r["hedge_bound"] for r in curve], "--", label="B√((D+1)T ln N/2)")
    ax.plot(T, [max(r["ogd_regret"], 1e-3) for r in curve], "s-", label="OGD regret (≥ 1e-3)")
    ax.plot(T, [r["ogd_bound"] for r in curve], ":", label="OGD bound DG√T")
    if "trap_regret" in curve[0]:
        ax.plot(
            T, [r["trap_regret"] for r in curve], "^-", color="#c33", label="trap: Hedge regret"
        )
        ax.plot(T, [r["trap_bound"] for r in curve], "--", color="#c33", lw=0.8,
                label="B√(T ln 2/2), N = 2")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("horizon T")
    ax.set_ylabel("regret")
    shifted = "shift at T/2" if result.get("shift", True) else "no shift"
    ax.set_title(f"low stakes: delay D = {result['delay']}, {shifted}")
    ax.legend(fontsize=7)
    if path is not None:
        save_figure(fig, path)
    return fig
