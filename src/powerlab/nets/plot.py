"""Figures for the tangent and ticket sweeps (matplotlib). No mathematics here.

Both take the results of :func:`powerlab.nets.tangent.tangent_sweep` and
:func:`powerlab.nets.tickets.tickets_sweep`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from powerlab._figures import pyplot

if TYPE_CHECKING:
    from powerlab.nets.tangent import TangentSweep
    from powerlab.nets.tickets import TicketSweep

__all__ = ["figure_tangent", "figure_tickets"]


def figure_tangent(doc: TangentSweep) -> Any:
    """Left: test-output gap vs width (log-log) with the fitted power law; right: accuracies."""
    from matplotlib.ticker import NullFormatter

    plt = pyplot()

    rows = doc.rows
    w = np.array([r.width for r in rows], dtype=float)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    ax1.loglog(w, [r.gap for r in rows], "o", label="RMS gap f - f_lin (test)")
    ax1.loglog(w, [r.rel_param_change for r in rows], "s", label="‖Δθ‖/‖θ‖")
    fit = doc.fit
    if fit is not None:
        ws = np.geomspace(w.min(), w.max(), 50)
        err = f" ± {fit.stderr:.2f}" if fit.stderr is not None else ""
        lab = f"fit: gap ∝ width^{fit.exponent:.2f}{err}"
        ax1.loglog(ws, fit.prefactor * ws**fit.exponent, "-", color="C0", label=lab)
    ax1.set_xlabel("width")
    ax1.set_title(f"linearized after {doc.settings['linearize_after']} epochs")
    ax1.legend(fontsize=8)
    ax2.semilogx(w, [r.acc_full for r in rows], "o-", label="network")
    ax2.semilogx(w, [r.acc_lin for r in rows], "s--", label="linearized")
    ax2.semilogx(w, [r.agreement for r in rows], "^:", label="agreement")
    ax2.set_xlabel("width")
    ax2.set_ylabel("test fraction")
    ax2.legend(fontsize=8)
    ticks = sorted(set(w.tolist()))
    for ax in (ax1, ax2):
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    fig.tight_layout()
    return fig


def figure_tickets(doc: TicketSweep) -> Any:
    """Left: test accuracy vs kept fraction per width (dense dashed); right: accuracy vs bits."""
    from matplotlib.ticker import NullFormatter

    plt = pyplot()

    rows = doc.rows
    widths = sorted({r.width for r in rows})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    for i, w in enumerate(widths):
        color = f"C{i % 10}"
        sub = sorted(
            (r for r in rows if r.width == w and r.method != "dense"), key=lambda r: r.kept
        )
        ax1.plot([r.kept for r in sub], [r.acc_test for r in sub], "o-", color=color,
                 label=f"width {w}")  # fmt: skip
        ax2.semilogx([r.bits_standalone for r in sub], [r.acc_test for r in sub], "o", color=color)
        for r in rows:
            if r.width == w and r.method == "dense":
                ax1.axhline(r.acc_test, ls="--", color=color, lw=1)
                ax2.semilogx([r.bits_standalone], [r.acc_test], "x", color=color, ms=9)
    ax1.axhline(doc.chance, ls=":", color="grey", lw=1, label="chance")
    ax1.set_xlabel("kept fraction k (share of each weight tensor kept)")
    ax1.set_ylabel("test accuracy")
    ax1.set_title(f"{doc.settings['method']} ({doc.settings['arch']}); dashed: dense")
    ax1.legend(fontsize=8)
    ax2.set_xlabel("bits to store (standalone; x = dense float32)")
    ax2.set_ylabel("test accuracy")
    ax2.xaxis.set_minor_formatter(NullFormatter())  # decade labels only: minor ones overlap
    fig.tight_layout()
    return fig
