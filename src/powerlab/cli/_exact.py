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
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from powerlab.cli._common import Table, console, emit_json, progress_bar
from powerlab.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

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


def _run_exact(
    env: str,
    gamma: list[str],
    plot: str | None,
    json_out: bool,
    what: str,
    compute: Callable[[Any, list[Fraction], float | None], pd.DataFrame],
    title: Callable[[str], str],
    columns: tuple[tuple[str, str], tuple[str, str]],
) -> None:
    """Load ``env``, run ``compute(mdp, gammas, time_limit)`` and print its frame.

    ``columns`` names the key and value columns as ``(header, field)``; the table shows them
    with γ between and the value as a decimal after. With ``json_out`` the frame's records
    are printed as one JSON document with ``"exact": true``.
    """
    from powerlab.mdp import load_env
    from powerlab.power.exact import as_fraction

    _no_plot(plot)
    limit = _time_limit()
    gammas = [as_fraction(g) for g in gamma]
    mdp = load_env(env)
    with progress_bar(f"exact {what}", total=1, enabled=not json_out) as advance:
        frame = compute(mdp, gammas, limit)
        advance(1)
    if json_out:
        emit_json({"env": mdp.name, "exact": True, "results": frame.to_dict(orient="records")})
        return
    (key_header, key), (value_header, value) = columns
    table = Table(title=title(mdp.name))
    for col in (key_header, "γ", value_header, "≈"):
        table.add_column(col, justify="left" if col == key_header else "right")
    for row in frame.itertuples():
        v = getattr(row, value)
        table.add_row(str(getattr(row, key)), str(row.gamma), str(v), f"{float(v):.6f}")
    console.print(table)


def run_exact_power(
    env: str,
    gamma: list[str],
    dist: str,
    states: list[str] | None,
    plot: str | None,
    json_out: bool,
) -> None:
    """Exact POWER of each state (Turner et al. 2021, Def 5.2) as fractions."""
    from powerlab.power.exact import exact_power

    _run_exact(
        env,
        gamma,
        plot,
        json_out,
        "POWER",
        lambda mdp, gs, limit: exact_power(mdp, gs, states=states, dist=dist, time_limit=limit),
        lambda name: f"Exact POWER in {name} (iid uniform [0, 1] rewards)",
        (("state", "state"), ("POWER", "power")),
    )


def run_exact_optimality(
    env: str, state: str, gamma: list[str], dist: str, plot: str | None, json_out: bool
) -> None:
    """Exact optimality probability of each action at ``state`` as fractions."""
    from powerlab.power.exact import exact_optimality_probability

    _run_exact(
        env,
        gamma,
        plot,
        json_out,
        "optimality",
        lambda mdp, gs, limit: exact_optimality_probability(
            mdp, state, gs, dist=dist, time_limit=limit
        ),
        lambda name: f"Exact optimality probability at {state} in {name}",
        (("action", "action"), ("probability", "probability")),
    )
