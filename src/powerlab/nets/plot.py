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


_METHOD_STYLE = {"biprop": ("o", "-"), "edgepopup": ("s", "--")}
_METHOD_NAME = {"biprop": "biprop", "edgepopup": "edge-popup", "dense": "dense"}


def _short(x: float, _pos: object = None) -> str:
    """A tick label of a bit count: ``20k``, ``1M`` (short, so that neighbours never touch)."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if x >= scale:
            return f"{x / scale:g}{suffix}"
    return f"{x:g}"


def _bits_axis(ax: Any, bits: list[float]) -> None:
    """Log x axis for bit counts: decade ticks, or 1-2-5 ticks when the data span under two
    decades, labelled compactly; minor ticks unlabelled; a margin around the points."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    lo, hi = min(bits), max(bits)
    subs = (1.0,) if hi / lo >= 100 else (1.0, 2.0, 5.0)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(_short))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(lo / 1.5, hi * 1.5)


def figure_tickets(doc: TicketSweep, *more: TicketSweep) -> Any:
    """Left: test accuracy vs kept fraction; right: accuracy vs bits to store (log scale).

    ``doc`` and any ``more`` sweeps (say a biprop and an edge-popup sweep over the same
    widths) are drawn together: one colour per width, one marker and line style per method
    (biprop: circles, solid; edge-popup: squares, dashed), dense training as a dash-dotted
    level (left) and a cross (right). The legend sits below the axes, covering nothing.
    """
    from matplotlib.lines import Line2D

    plt = pyplot()

    docs = (doc, *more)
    rows = [r for d in docs for r in d.rows]
    widths = sorted({r.width for r in rows})
    methods = [m for m in _METHOD_STYLE if any(r.method == m for r in rows)]
    colors = {w: f"C{i % 10}" for i, w in enumerate(widths)}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 4.4))
    for w in widths:
        color = colors[w]
        for m in methods:
            marker, ls = _METHOD_STYLE[m]
            sub = sorted((r for r in rows if r.width == w and r.method == m), key=lambda r: r.kept)
            ax1.plot([r.kept for r in sub], [r.acc_test for r in sub], marker=marker, ls=ls,
                     color=color)  # fmt: skip
            ax2.plot([r.bits_standalone for r in sub], [r.acc_test for r in sub], marker=marker,
                     ls="none", color=color)  # fmt: skip
        for r in rows:
            if r.width == w and r.method == "dense":
                ax1.axhline(r.acc_test, ls="-.", color=color, lw=1)
                ax2.plot([r.bits_standalone], [r.acc_test], "x", color=color, ms=9)
    ax1.axhline(docs[0].chance, ls=":", color="grey", lw=1)
    ax1.set_xlabel("kept fraction k (share of each weight tensor kept)")
    ax1.set_ylabel("test accuracy")
    names = ", ".join(_METHOD_NAME[m] for m in methods)
    versus = " vs dense" if any(r.method == "dense" for r in rows) else ""
    ax1.set_title(f"{names} subnetworks{versus} ({docs[0].settings['arch']})")
    ax2.set_xlabel("bits to store the network (standalone), log scale")
    ax2.set_ylabel("test accuracy")
    ax2.set_title("accuracy against storage")
    _bits_axis(ax2, [float(r.bits_standalone) for r in rows])
    handles = [Line2D([], [], color=colors[w], lw=6, label=f"width {w}") for w in widths]
    for m in methods:
        marker, ls = _METHOD_STYLE[m]
        handles.append(Line2D([], [], color="k", marker=marker, ls=ls, label=_METHOD_NAME[m]))
    if any(r.method == "dense" for r in rows):
        handles.append(Line2D([], [], color="k", ls="-.", marker="x", label="dense (trained)"))
    handles.append(Line2D([], [], color="grey", ls=":", label="chance"))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), fontsize=8,
               frameon=False)  # fmt: skip
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
