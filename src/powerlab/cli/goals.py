"""``powerlab gamma-star``, ``powerlab goals sample`` and ``powerlab shutdown``.

Thin over :mod:`powerlab.goals` and :mod:`powerlab.mdp.recurrence` (Krakovna & Kramár 2023,
Defs 5-9, Props 1-3, Theorem 2). JSON field meanings are documented in docs/goals.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from powerlab.cli._common import (
    console,
    emit_json,
    err_console,
    guarded,
    parse_number,
    progress_bar,
)
from powerlab.errors import InputError

__all__ = ["register"]

_GAMMA_HELP = "Discount in (0, 1); repeat for several. Fractions like 1/2 work."


def _gamma(text: str) -> float:
    return parse_number(text, "--gamma", low=0.0, high=1.0, open_low=True, open_high=True)


def _fmt(x: float | None, digits: int = 4) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _write_samples(path: str, samples: Any, states: tuple[str, ...], meta: dict[str, Any]) -> None:
    from powerlab._io import atomic_write

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".npz":

        def write(tmp: Path) -> None:
            arrays: dict[str, Any] = {f"meta_{k}": np.asarray(v) for k, v in meta.items()}
            arrays["samples"] = np.asarray(samples)
            arrays["states"] = np.array(states)
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)

        atomic_write(p, write)
    elif suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError(f"{p}: writing Parquet needs pyarrow; use a .npz file") from None
        import pandas as pd

        frame = pd.DataFrame(samples, columns=list(states))
        for k, v in meta.items():
            frame.attrs[k] = v
        atomic_write(p, lambda tmp: frame.to_parquet(tmp))
    else:
        raise InputError(f"--out: {p}: expected a .npz or .parquet file name")


def register(app: typer.Typer) -> None:
    """Add ``gamma-star``, ``goals sample`` and ``shutdown`` to ``app``."""
    goals_app = typer.Typer(
        help="Training-compatible goal sets (Krakovna & Kramár 2023, Def 6).", no_args_is_help=True
    )
    app.add_typer(goals_app, name="goals")

    @app.command("gamma-star")
    @guarded
    def gamma_star_cmd(
        env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
        from_state: str = typer.Option(..., "--from", help="The new state s_new."),
        gamma: list[str] = typer.Option(["0.9", "0.99"], "--gamma", "-g", help=_GAMMA_HELP),
        json_out: bool = typer.Option(False, "--json", help="Print JSON only."),
    ) -> None:
        """γ* of each recurrent state reachable from s_new (Prop 3), with visit counts (Def 9)."""
        from powerlab.mdp import load_env
        from powerlab.mdp.recurrence import recurrence_table, visit_count

        mdp = load_env(env)
        gammas = [_gamma(g) for g in gamma]
        rows: list[dict[str, Any]] = []
        for r in recurrence_table(mdp, from_state):
            counts = None
            if r.policy is not None:
                v = visit_count(mdp, from_state, r.state, np.array(gammas), policy=r.policy)
                counts = {str(g): float(c) for g, c in zip(gamma, np.atleast_1d(v), strict=True)}
            rows.append(
                {
                    "state": r.state,
                    "recurrent": r.recurrent,
                    "reach_and_revisit": r.reach_and_revisit,
                    "gamma_star": r.gamma_star,
                    "visit_count_at": counts,
                }
            )
        if json_out:
            emit_json({"env": mdp.name, "from": from_state, "results": rows})
            return
        table = Table(title=f"{mdp.name}: S_reach from {from_state} (Krakovna & Kramár, Props 1-3)")
        for col in ["state", "recurrent", "reach&revisit", "γ*", *[f"V at γ={g}" for g in gamma]]:
            table.add_column(col, justify="right")
        for row in rows:
            vc = row["visit_count_at"] or {}
            table.add_row(
                row["state"],
                str(row["recurrent"]),
                str(row["reach_and_revisit"]),
                _fmt(row["gamma_star"], 10),
                *[_fmt(vc.get(g)) for g in gamma],
            )
        console.print(table)

    @goals_app.command("sample")
    @guarded
    def sample_cmd(
        env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
        train: str = typer.Option(
            ..., "--train", help="Training file: policy, reward+starts, or trajectories."
        ),
        reading: str = typer.Option("q", "--reading", help="q (Q*-optimality) or immediate."),
        sampler: str = typer.Option("hit-and-run", "--sampler", help="rejection or hit-and-run."),
        samples: int = typer.Option(1000, "--samples", "-n", help="Goals to draw."),
        seed: int = typer.Option(0, "--seed", help="Random seed."),
        gamma: str = typer.Option("0.9", "--gamma", "-g", help="The goals' discount (q reading)."),
        out: str = typer.Option(None, "--out", help="Write samples to FILE.npz or FILE.parquet."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON only."),
    ) -> None:
        """Draw goals uniformly from G_T (Def 6) and report acceptance, ESS and R-hat."""
        from powerlab.goals import (
            EmptyGoalSet,
            goal_set,
            load_training,
            sample_hit_and_run,
            sample_rejection,
        )
        from powerlab.mdp import load_env

        if sampler not in ("rejection", "hit-and-run"):
            raise InputError(
                f"--sampler: unknown sampler {sampler!r}; expected rejection or hit-and-run"
            )
        if samples < 1:
            raise InputError(f"--samples must be at least 1, got {samples}")
        mdp = load_env(env)
        td = load_training(mdp, train)
        gs = goal_set(mdp, td, _gamma(gamma), reading)
        info: dict[str, Any] = {
            "env": mdp.name,
            "reading": reading,
            "reading_name": gs.reading_name,
            "gamma": gs.gamma,
            "sampler": sampler,
            "seed": seed,
        }
        try:
            with progress_bar("sampling G_T", total=1, enabled=not json_out) as advance:
                if sampler == "rejection":
                    res = sample_rejection(gs, samples, seed)
                else:
                    res = sample_hit_and_run(gs, samples, seed)
                advance(1)
        except EmptyGoalSet as exc:
            info["empty_goal_set"] = exc.finding.message
            if json_out:
                emit_json(info)
            else:
                err_console.print(f"finding: {exc.finding.message}", highlight=False)
            return
        info.update(
            {
                "samples": res.n,
                "ess": res.ess,
                "rhat": res.rhat,
                "acceptance": res.acceptance,
                "acceptance_stderr": res.acceptance_stderr,
                "proposals": res.proposals,
                "steps": res.steps,
                "seconds": res.seconds,
                "constrained_states": [mdp.states[i] for i in res.constrained],
                "mean": dict(zip(mdp.states, res.samples.mean(axis=0).tolist(), strict=True))
                if res.n
                else {},
                "out": out,
                "empty_goal_set": None,
            }
        )
        if out:
            _write_samples(
                out,
                res.samples,
                mdp.states,
                {k: v for k, v in info.items() if isinstance(v, int | float | str)},
            )
        if json_out:
            emit_json(info)
            return
        table = Table(title=f"G_T of {mdp.name} ({gs.reading_name}, γ={gs.gamma})")
        table.add_column("quantity")
        table.add_column("value", justify="right")
        for key in (
            "sampler",
            "samples",
            "ess",
            "rhat",
            "acceptance",
            "acceptance_stderr",
            "seconds",
            "out",
        ):
            v = info[key]
            table.add_row(key, _fmt(v) if isinstance(v, float) else str(v))
        console.print(table)

    @app.command("shutdown")
    @guarded
    def shutdown_cmd(
        env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
        train: str = typer.Option(..., "--train", help="Training file."),
        new_state: str = typer.Option(..., "--new-state", help="s_new, a state outside S_train."),
        shutdown_action: str = typer.Option(
            ..., "--shutdown-action", help="Action at s_new leading to a terminal state."
        ),
        gamma: list[str] = typer.Option(
            ["0.3", "0.55", "0.7", "0.9", "0.99"], "--gamma", "-g", help=_GAMMA_HELP
        ),
        samples: int = typer.Option(1000, "--samples", "-n", help="Goals drawn from G_T per γ."),
        seed: int = typer.Option(0, "--seed", help="Random seed."),
        reading: str = typer.Option("q", "--reading", help="q (Q*-optimality) or immediate."),
        sampler: str = typer.Option("hit-and-run", "--sampler", help="hit-and-run or rejection."),
        plot: str = typer.Option(None, "--plot", help="Write the figure (PNG)."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON only."),
    ) -> None:
        """Theorem 2 (Krakovna & Kramár 2023) against the measured fraction avoiding shutdown."""
        from powerlab.goals import analyze_shutdown, load_training
        from powerlab.goals.compatible import READING_NAMES
        from powerlab.mdp import load_env

        if samples < 1:
            raise InputError(f"--samples must be at least 1, got {samples}")
        mdp = load_env(env)
        td = load_training(mdp, train)
        gammas = [_gamma(g) for g in gamma]
        with progress_bar("shutdown analysis", total=2 * len(gammas), enabled=not json_out) as adv:
            st, rows = analyze_shutdown(
                mdp,
                td,
                new_state,
                shutdown_action,
                gammas,
                reading=reading,
                samples=samples,
                sampler=sampler,
                rng=seed,
                progress=adv,
            )
        if plot:
            from powerlab.goals.plot import plot_shutdown

            plot_shutdown(
                rows, plot, title=f"{mdp.name}: shutdown at {new_state}", gamma_stars=st.gamma_stars
            )
        doc = {
            "env": mdp.name,
            "new_state": new_state,
            "shutdown_action": shutdown_action,
            "s_term": mdp.states[st.s_term],
            "reading": reading,
            "reading_name": READING_NAMES.get(reading, reading),
            "s_reach": [mdp.states[i] for i in np.flatnonzero(st.s_reach)],
            "gamma_star": st.gamma_stars,
            "results": [r.as_dict() for r in rows],
        }
        if json_out:
            emit_json(doc)
            return
        table = Table(title=f"{mdp.name}: shutdown at {new_state} ({reading} reading)")
        for col in [
            "γ",
            "n",
            "bound n/(n+1)",
            "avoid",
            "± se",
            "min orbit",
            "avoid (self-loop)",
            "failed premises",
        ]:
            table.add_column(col, justify="right")
        for r in rows:
            o, s = r.once, r.self_loop
            failed = ", ".join(k for k, v in o.premises.items() if not v) or "none"
            table.add_row(
                f"{r.gamma:g}",
                str(o.n),
                "n/a" if o.bound is None else str(o.bound),
                _fmt(o.fraction_avoid),
                _fmt(o.stderr),
                _fmt(o.min_orbit_fraction),
                _fmt(s.fraction_avoid) if s else "-",
                failed,
            )
        console.print(table)
        console.print(f"γ* per reachable recurrent state: {st.gamma_stars}", highlight=False)
        if plot:
            console.print(f"figure: {plot}")
