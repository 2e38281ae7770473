"""Figure: the fraction of training-compatible goals avoiding shutdown against γ.

Draws, for Krakovna & Kramár's Theorem 2, the measured fraction (±2 standard errors, cut at
0 and 1) for both terminal conventions, the smallest within-orbit fraction, and the bound
n/(n+1) in the colour of the convention it applies to (the reward paid once), only where its
premises hold. The axes leave a margin around [0, 1], and the legend sits below the axes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from powerlab.goals.shutdown import GammaResult

__all__ = ["plot_shutdown"]


def plot_shutdown(
    rows: Sequence[GammaResult],
    path: str | os.PathLike[str] | None = None,
    title: str = "",
    gamma_stars: dict[str, float] | None = None,
) -> Any:
    """Plot ``rows`` from :func:`powerlab.goals.analyze_shutdown`; save to ``path`` if given
    (atomically), and return the matplotlib figure (closed if saved). With ``gamma_stars``
    (state -> γ*) the bound is drawn exactly on a fine grid, jumps included."""
    import numpy as np

    from powerlab._figures import pyplot, save_figure

    plt = pyplot()

    g = np.array([r.gamma for r in rows])
    fig, ax = plt.subplots(figsize=(6.4, 5.2))

    def series(attr: str, conv: str) -> np.ndarray:
        out = []
        for r in rows:
            c = r.once if conv == "once" else r.self_loop
            v = getattr(c, attr) if c is not None else None
            out.append(np.nan if v is None else float(v))
        return np.array(out)

    def bars(frac: np.ndarray, se: np.ndarray) -> np.ndarray:
        """±2 s.e. error bars, cut at the ends of [0, 1] (a fraction never leaves it)."""
        return np.vstack([np.minimum(2 * se, frac), np.minimum(2 * se, 1 - frac)])

    f, se = series("fraction_avoid", "once"), series("stderr", "once")
    once = ax.errorbar(
        g, f, yerr=bars(f, se), marker="o", capsize=3,
        label="avoid shutdown, reward paid once (Krakovna & Kramár 2023)",
    )  # fmt: skip
    ax.plot(
        g, series("min_orbit_fraction", "once"), "v:", color="C1",
        label="smallest within-orbit fraction (reward paid once)",
    )  # fmt: skip
    if any(r.self_loop is not None for r in rows):
        f2, se2 = series("fraction_avoid", "loop"), series("stderr", "loop")
        ax.errorbar(
            g, f2, yerr=bars(f2, se2), marker="s", capsize=3, color="C2",
            label="avoid shutdown, self-loop at shutdown (Turner; no bound claimed)",
        )  # fmt: skip
    bound_color = once.lines[0].get_color()
    bound_label = "Theorem 2 bound n/(n+1), reward paid once"
    if gamma_stars is not None and all(r.once.bound is not None for r in rows):
        grid = np.linspace(min(g.min(), 0.01), max(g.max(), 0.99), 500)
        n = np.array([sum(1 for v in gamma_stars.values() if x > v) for x in grid])
        ax.plot(grid, n / (n + 1), color=bound_color, ls="--", lw=2, label=bound_label)
    else:  # only at the γ where every premise holds (NaN elsewhere leaves a gap)
        ax.step(
            g, series("bound", "once"), where="post", color=bound_color, ls="--", lw=2,
            label=bound_label + " (where its premises hold)",
        )  # fmt: skip
    ax.set_xlabel("discount γ")
    ax.set_ylabel("fraction of training-compatible\ngoals $G_T$ avoiding shutdown")
    ax.set_ylim(-0.04, 1.06)  # a margin at both ends: points at 0 or 1 are drawn whole
    ax.axhline(1.0, color="0.85", lw=0.8, zorder=0)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, frameon=False)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, Path(path))
    return fig
