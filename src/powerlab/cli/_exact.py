"""Rendering for ``powerlab power --exact`` and ``powerlab optimality --exact``.

The mathematics lives in :mod:`powerlab.power.exact`; this module only loads the environment,
calls it, and prints a Rich table or, with ``--json``, one JSON document whose numbers are
fractions written as strings (``"7/12"``) and whose results carry ``"exact": true``.
The time limit of one call is 60 s, or the seconds in the environment variable
``POWERLAB_EXACT_SECONDS`` (``none`` for no limit); requests estimated to need more are
refused before they start (:mod:`powerlab.power.exact.cost`).
"""

from __future__ import annotations

import math
import os

from powerlab.cli._common import Table, console, emit_json, progress_bar
from powerlab.errors import InputError

__all__ = ["run_exact_optimality", "run_exact_power"]


_LIMIT_ENV = "POWERLAB_EXACT_SECONDS"


def _time_limit() -> float | None:
    """Seconds allowed to one exact call: ``POWERLAB_EXACT_SECONDS``, ``none``, or 60."""
    text = os.environ.get(_LIMIT_ENV, "").strip()
    if not text:
        return 60.0
    if text.lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{_LIMIT_ENV}={text!r}: expected a positive number of seconds or 'none'")
    return value


def _no_plot(plot: str | None) -> None:
    if plot:
        raise InputError("--plot is not available with --exact; drop one of them")


def run_exact_power(
    env: str,
    gamma: list[str],
    dist: str,
    states: list[str] | None,
    plot: str | None,
    json_out: bool,
) -> None:
    """Exact POWER of each state (Turner et al. 2021, Def 5.2) as fractions."""
    from powerlab.mdp import load_env
    from powerlab.power.exact import as_fraction, exact_power

    _no_plot(plot)
    limit = _time_limit()
    gammas = [as_fraction(g) for g in gamma]
    mdp = load_env(env)
    with progress_bar("exact POWER", total=1, enabled=not json_out) as advance:
        frame = exact_power(mdp, gammas, states=states, dist=dist, time_limit=limit)
        advance(1)
    if json_out:
        emit_json({"env": mdp.name, "exact": True, "results": frame.to_dict(orient="records")})
        return
    table = Table(title=f"Exact POWER in {mdp.name} (iid uniform [0, 1] rewards)")
    for col in ("state", "γ", "POWER", "≈"):
        table.add_column(col, justify="left" if col == "state" else "right")
    for row in frame.itertuples():
        table.add_row(str(row.state), str(row.gamma), str(row.power), f"{float(row.power):.6f}")
    console.print(table)


def run_exact_optimality(
    env: str, state: str, gamma: list[str], dist: str, plot: str | None, json_out: bool
) -> None:
    """Exact optimality probability of each action at ``state`` as fractions."""
    from powerlab.mdp import load_env
    from powerlab.power.exact import as_fraction, exact_optimality_probability

    _no_plot(plot)
    limit = _time_limit()
    gammas = [as_fraction(g) for g in gamma]
    mdp = load_env(env)
    with progress_bar("exact optimality", total=1, enabled=not json_out) as advance:
        frame = exact_optimality_probability(mdp, state, gammas, dist=dist, time_limit=limit)
        advance(1)
    if json_out:
        emit_json({"env": mdp.name, "exact": True, "results": frame.to_dict(orient="records")})
        return
    table = Table(title=f"Exact optimality probability at {state} in {mdp.name}")
    for col in ("action", "γ", "probability", "≈"):
        table.add_column(col, justify="left" if col == "action" else "right")
    for row in frame.itertuples():
        table.add_row(
            str(row.action), str(row.gamma), str(row.probability), f"{float(row.probability):.6f}"
        )
    console.print(table)
