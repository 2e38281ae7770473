"""``powerlab multiagent``: POWER of two agents, H and A, on one environment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from powerlab._provenance import provenance
from powerlab.cli._common import (
    QUIET_OPT,
    JsonFlag,
    SeedFlag,
    Table,
    console,
    emit_json,
    guarded,
    multi_value_command,
    parse_gamma,
    parse_number,
    progress_bar,
    say,
    split_list,
    wrote,
)
from powerlab.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from powerlab.multiagent.power import MultiagentPower

__all__ = ["register"]

_MODES = ("best-response", "equilibrium")


def _policy(spec: str, joint: object) -> tuple[str, object]:
    """``fixed:FILE`` -> ("fixed", policy [J, A]); a mode name -> (mode, None)."""
    from powerlab.mdp.dot import load_dot_policy
    from powerlab.multiagent import JointMDP

    assert isinstance(joint, JointMDP)
    if spec.startswith("fixed:"):
        path = spec[len("fixed:") :]
        if not path:
            raise InputError("--ai: fixed needs a policy file, as fixed:POLICY.gv")
        labels = [joint.base.action_labels[a] for a in joint.pairs[:, 1]]
        return "fixed", load_dot_policy(path, joint.states, labels, action_of="A")
    if spec not in _MODES:
        raise InputError(f"--ai: {spec!r} is not fixed:POLICY, best-response or equilibrium")
    return spec, None


def _games_beside(rhos: list[float], games: int, seed: int) -> object:
    """Σ POWER at equilibrium of random 2-player games per ρ (``game-sweep``), or None."""
    if games < 1:
        return None
    import pandas as pd

    from powerlab.games.sweep import rho_sweep

    res = rho_sweep(2, 2, 2, sorted(set(rhos)), games, seed)
    return pd.DataFrame(
        [(r.rho, r.mean, r.se) for r in res.rows], columns=["rho", "power", "stderr"]
    )


def multiagent(
    env: Annotated[str, typer.Argument(help="Environment file (YAML, JSON, .gv) or gym:ID.")],
    ai: Annotated[
        str,
        typer.Option(
            help="How A acts: fixed:POLICY (a DOT policy file over joint states), "
            "best-response (to H, which is optimal against A acting uniformly at random), or "
            "equilibrium (alternating best responses)."
        ),
    ] = "best-response",
    rho: Annotated[
        list[str] | None,
        typer.Option(
            help="Correlation ρ of A's reward with H's, in [-1, 1]; several: --rho 0 --rho 0.5 "
            "or --rho 0,0.5."
        ),
    ] = None,
    no_overlap: Annotated[
        bool, typer.Option("--no-overlap", help="Forbid both agents on one state.")
    ] = False,
    gamma: Annotated[
        list[str] | None,
        typer.Option(
            "--gamma", "-g", help="Discount γ in (0, 1); several: -g 0.5 -g 0.9 or -g 0.5,0.9."
        ),
    ] = None,
    samples: Annotated[int, typer.Option("--samples", "-n", help="Reward samples.")] = 1000,
    seed: SeedFlag = 0,
    max_rounds: Annotated[int, typer.Option(help="Best-response rounds (equilibrium).")] = 30,
    plot: Annotated[
        Path | None, typer.Option(help="Write POWER vs ρ (PNG), or heatmaps for one ρ and γ.")
    ] = None,
    beside_games: Annotated[
        int,
        typer.Option(
            help="With --plot and several ρ: also run game-sweep on this many random 2-player "
            "games per ρ (2 types, 2 actions) and draw it in a panel beside (0: no)."
        ),
    ] = 0,
    graph: Annotated[
        Path | None,
        typer.Option(
            help="Also write the environment as a graph: .gv/.dot text, or .png/.svg/.pdf "
            "(needs Graphviz's dot program)."
        ),
    ] = None,
    json_: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """POWER of H and A at every joint state, with standard errors and solver bounds."""
    from powerlab.mdp import load_env
    from powerlab.multiagent import joint_mdp

    gammas, rhos = _gammas_rhos(gamma, rho, ai)
    if samples < 2:
        raise InputError(f"--samples: must be at least 2, got {samples}")
    if max_rounds < 1:
        raise InputError(f"--max-rounds: must be at least 1, got {max_rounds}")
    base = load_env(env)
    if graph is not None:
        from powerlab.mdp.dot import mdp_to_dot, render_dot

        wrote(render_dot(mdp_to_dot(base), graph))
    joint = joint_mdp(base, no_overlap=no_overlap)
    mode, pi = _policy(ai, joint)
    runs = [(g, r) for g in gammas for r in rhos]
    results = _run(joint, runs, mode, pi, samples, seed, max_rounds, quiet)
    summary = _summary(results)
    if plot is not None:
        _plot(joint, results, summary, plot, mode, _games_beside(rhos, beside_games, seed))
    if json_:
        doc = {"env": joint.base.name, "mode": mode, "no_overlap": no_overlap}
        doc |= {"samples": samples, "seed": seed}
        emit_json(
            _document(doc, summary, results),
            provenance(
                env=joint.base.name,
                seed=seed,
                distribution="uniform",
                gamma=gammas,
                rho=rhos,
                samples=samples,
            ),
        )
        return
    _table(joint.n_states, mode, samples, summary)


def _gammas_rhos(
    gamma: list[str] | None, rho: list[str] | None, ai: str
) -> tuple[list[float], list[float]]:
    """``--gamma`` values in (0, 1) (default 0.9) and ``--rho`` values in [-1, 1] (default 0);
    a fixed A takes at most one ρ, since ρ has no effect on it."""
    gammas = [
        parse_gamma(g, open_low=True, open_high=True)
        for g in (split_list(gamma, "--gamma") or ["0.9"])
    ]
    rhos = [parse_number(r, "--rho", low=-1.0, high=1.0) for r in split_list(rho, "--rho") or ["0"]]
    if ai.startswith("fixed:") and len(rhos) > 1:
        raise InputError("--rho: A's policy is fixed, so ρ has no effect; give at most one")
    return gammas, rhos


def _run(
    joint: Any,
    runs: list[tuple[float, float]],
    mode: str,
    pi: object,
    samples: int,
    seed: int,
    max_rounds: int,
    quiet: bool,
) -> list[MultiagentPower]:
    """:func:`~powerlab.multiagent.multiagent_power` at each ``(γ, ρ)`` of ``runs``, in order."""
    from powerlab.multiagent import multiagent_power

    results = []
    with progress_bar("POWER (γ x ρ)", len(runs), enabled=not quiet) as advance:
        for g, r in runs:
            results.append(
                multiagent_power(
                    joint,
                    g,
                    ai=mode,
                    policy_A=pi,  # type: ignore[arg-type]
                    rho=r,
                    samples=samples,
                    rng=seed,
                    max_rounds=max_rounds,
                )
            )
            advance(1)
    return results


_SUMMARY = ["gamma", "rho", "agent", "power", "stderr", "solver_error", "unconverged", "cycling"]


def _summary(results: list[MultiagentPower]) -> pd.DataFrame:
    """One row per run and agent: the mean over joint states (the table's ``MEAN_ROW``)."""
    import pandas as pd

    from powerlab.multiagent.power import MEAN_ROW

    rows = [
        (res.gamma, res.rho, row.agent, row.power, row.stderr, row.solver_error, *counts)
        for res in results
        for counts in [(res.unconverged, res.cycling)]
        for row in res.table[res.table.state == MEAN_ROW].itertuples()
    ]
    return pd.DataFrame(rows, columns=_SUMMARY)


def _plot(
    joint: Any,
    results: list[MultiagentPower],
    summary: pd.DataFrame,
    path: Path,
    mode: str,
    beside: object,
) -> None:
    """Heatmaps for a single run on a grid, else POWER against ρ (with ``beside`` if any)."""
    from powerlab.multiagent.plot import plot_heatmaps, plot_power_vs_rho

    if len(results) == 1 and joint.cells is not None:
        plot_heatmaps(joint, results[0], path)
    else:
        plot_power_vs_rho(summary, path, f"{joint.base.name}: A {mode}", beside)
    wrote(path)


def _document(
    head: dict[str, Any], summary: pd.DataFrame, results: list[MultiagentPower]
) -> dict[str, Any]:
    """The ``--json`` document: ``head``, the summary, and every run's per-state table."""
    states = [
        {
            "gamma": res.gamma,
            "rho": res.rho,
            "rounds": res.rounds,
            "table": res.table.to_dict(orient="records"),
        }
        for res in results
    ]
    return {**head, "summary": summary.to_dict(orient="records"), "states": states}


def _table(n_states: int, mode: str, samples: int, summary: pd.DataFrame) -> None:
    """The summary as a Rich table, with a note on unconverged equilibrium samples."""
    table = Table(title=f"POWER (mean over {n_states} joint states), A: {mode}")
    for col in ("γ", "ρ", "agent", "POWER", "s.e.", "solver error", "unconverged"):
        table.add_column(col)
    for r in summary.itertuples():
        table.add_row(
            f"{r.gamma:g}",
            "-" if mode == "fixed" else f"{r.rho:g}",
            r.agent,
            f"{r.power:.4f}",
            f"{r.stderr:.4f}",
            f"{r.solver_error:.1e}",
            f"{r.unconverged}/{samples}",
        )
    console.print(table)
    if mode == "equilibrium" and summary.unconverged.any():
        say(
            "note: samples counted as unconverged did not reach a pure stationary equilibrium "
            "(most cycle); their POWER is against the other's last policy"
        )


def register(app: typer.Typer) -> None:
    """Add ``multiagent`` to the ``powerlab`` application."""
    app.command("multiagent", cls=multi_value_command("--rho", "--gamma", "-g"))(
        guarded(multiagent)
    )
