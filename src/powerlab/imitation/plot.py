"""Figure: cumulative queries, KL to the demonstrator and P(catastrophe) over time."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from powerlab._figures import pyplot, save_figure
from powerlab.imitation.harness import ImitationRun

__all__ = ["plot_run"]


def plot_run(run: ImitationRun, path: str | os.PathLike[str] | None = None) -> Any:
    """Three panels over steps t: queries, KL(π^d ‖ p), p(catastrophic action); PNG if ``path``."""
    plt = pyplot()
    t = np.arange(run.theta_q.shape[0])
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    axes[0].plot(t, np.cumsum(run.queried), label="queries")
    axes[0].plot(t, np.cumsum(run.theta_q), "--", label="Σ θ_q")
    axes[0].set_title("cumulative queries")
    for name, kl in (("conservative", run.kl), ("mixture", run.kl_mixture), ("MAP", run.kl_map)):
        axes[1].plot(t, np.minimum(kl, 10.0), label=name)
    axes[1].set_title("KL(π^d ‖ imitator), capped at 10")
    for name, p in (
        ("conservative", run.p_cat),
        ("mixture", run.p_cat_mixture),
        ("MAP", run.p_cat_map),
    ):
        axes[2].plot(t, p, label=name)
    axes[2].set_title("p(catastrophic action)")
    for ax in axes:
        ax.set_xlabel("step t")
        for tau in run.triggers:
            ax.axvline(tau, color="#ccc", lw=0.6, zorder=0)
        ax.legend(fontsize=7)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
