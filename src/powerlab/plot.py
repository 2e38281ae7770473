"""The figures the ``powerlab`` commands draw, in one public module.

Each name below is the function a command's ``--plot`` calls, so a notebook draws the same
figure as the command line::

    from powerlab import plot
    from powerlab.mdp import load_mdp
    from powerlab.power import power

    mdp = load_mdp("examples/fig1.yaml")
    fig = plot.plot_power(mdp, power(mdp, [0.5, 0.9], samples=2_000, rng=0))

Functions are imported on first use, so ``import powerlab.plot`` needs no optional
dependency; one whose extra is missing raises :class:`powerlab._extras.MissingExtraError`
naming the extra. Functions that take a ``path`` write the figure there; the others return
a matplotlib figure (save it with :func:`save_figure`).

=====================  ======================================  ==================================
function               draws                                   command
=====================  ======================================  ==================================
plot_power             POWER bars, or heatmaps on grids        ``powerlab power --plot``
plot_optimality        optimality probability per action       ``powerlab optimality --plot``
plot_shutdown          shutdown analysis across γ              ``powerlab shutdown --plot``
plot_comparison        trained agents vs the goal model        ``powerlab agents compare --plot``
plot_sweep             Σ POWER against ρ in Bayesian games     ``powerlab game-sweep --plot``
plot_power_vs_rho      two-agent POWER against ρ               ``powerlab multiagent --plot``
plot_heatmaps          two-agent POWER heatmaps                ``powerlab multiagent --plot``
plot_forecasts         P(AGI by year) curves                   ``powerlab forecast --plot``
plot_run               imitation queries and catastrophe       ``powerlab imitate --plot``
plot_regret            low-stakes regret against its bound     ``powerlab lowstakes --plot``
write_figures          one figure per sweep cell               ``powerlab sweep report``
figure_tangent         linearized training across widths       ``powerlab tangent --plot``
figure_tickets         subnetworks against dense networks      ``powerlab tickets --plot``
save_figure            save a figure atomically and close it
=====================  ======================================  ==================================
"""

from __future__ import annotations

import importlib
from typing import Any

from powerlab._extras import missing_extra

_WHERE: dict[str, str] = {
    "plot_power": "powerlab.report.figures",
    "plot_optimality": "powerlab.report.figures",
    "plot_shutdown": "powerlab.goals.plot",
    "plot_comparison": "powerlab.agents.plot",
    "plot_sweep": "powerlab.games.sweep",
    "plot_power_vs_rho": "powerlab.multiagent.plot",
    "plot_heatmaps": "powerlab.multiagent.plot",
    "plot_forecasts": "powerlab.forecast.plot",
    "plot_run": "powerlab.imitation.plot",
    "plot_regret": "powerlab.lowstakes.plot",
    "write_figures": "powerlab.sweep.figures",
    "figure_tangent": "powerlab.nets.plot",
    "figure_tickets": "powerlab.nets.plot",
    "save_figure": "powerlab._figures",
}
"""Public name -> the module that defines it."""

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Import the figure function ``name`` from its module on first use (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module 'powerlab.plot' has no attribute {name!r}")
    try:
        module = importlib.import_module(_WHERE[name])
    except ImportError as exc:
        extra = missing_extra(exc)
        if extra is None:
            raise
        raise extra from None
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted(_WHERE)
