"""``powerlab retarget outcomes|mdp``: orbit counts, n-majority and retargetability (RDSP).

Thin over :mod:`powerlab.retarget.analysis`. Options that take several values accept them
after one flag (``--utility 0 1 2``), comma-separated (``--utility 0,1,2``) or by repeating
the flag (``--utility 0 --utility 1``); ``retarget mdp`` runs once per ``--gamma``/``-g``
value, in the order given.

Each result shows two shares of B, which are different numbers: ``fraction_B_at_least_A``
is Theorem 3.6's guaranteed share n/(n+1) for the largest integer n with
|B>A| >= n |A>B| (Turner & Tadepalli 2022, Def. 3.2), and ``measured_share_B`` is the share
actually counted, |B>A| / (|B>A| + |A>B|) over the orbit points where f differs.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

import typer

from powerlab._provenance import provenance
from powerlab.cli._common import (
    QUIET_OPT,
    JsonFlag,
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
    to_jsonable,
)
from powerlab.errors import InputError, ResourceError
from powerlab.retarget.orbits import DEFAULT_MAX_ORBIT

__all__ = ["register", "retarget_app"]

_MULTI = ("--utility", "--labels", "--A", "--B", "--reward", "--gamma", "-g")


_MultiValueCommand = multi_value_command(*_MULTI)


retarget_app = typer.Typer(
    name="retarget",
    help="Orbits, n-majority and retargetable decision rules (Turner & Tadepalli 2022).",
    no_args_is_help=True,
    add_completion=False,
)

RULE_HELP = "optimal, fracoptimal, antiopt, boltzmann:T, bestof:k, satisfice:t or quantilizer:q."


def _parse_gammas(texts: list[str]) -> list[float]:
    """Every ``--gamma`` value, in order; a value given twice is refused."""
    gammas = [parse_gamma(t, open_high=True) for t in split_list(texts, "--gamma")]
    repeated = sorted({g for g in gammas if gammas.count(g) > 1})
    if repeated:
        raise InputError(f"--gamma: {repeated[0]:g} is given more than once")
    return gammas


def _set(labels: list[str]) -> str:
    return "{" + ", ".join(labels) + "}"


def _floats(values: list[str], flag: str) -> list[float]:
    return [parse_number(v, flag) for v in split_list(values, flag)]


SAMPLES_HELP = (
    "Draw this many uniformly random permutations instead of enumerating the orbit "
    "(the counts then carry a standard error)."
)
SEED_HELP = "Random seed of the permutations drawn with --samples."


def _settings(rule: str, samples: int | None, seed: int, **more: Any) -> dict[str, Any]:
    """The provenance of one result: the seed matters only when permutations are drawn."""
    return provenance(rule=rule, samples=samples, seed=None if samples is None else seed, **more)


def _render(doc: dict[str, Any], title: str) -> None:
    d = to_jsonable(doc)
    say(title)
    table = Table()
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key in ("orbit_size", "B_over_A", "A_over_B", "ties", "largest_n"):
        table.add_row(key, "unbounded" if d[key] is None else str(d[key]))
    table.add_row("fraction_B_at_least_A (bound n/(n+1))", str(d["fraction_B_at_least_A"]))
    measured = d["measured_share_B"]
    table.add_row(
        "measured_share_B (|B>A| / (|B>A|+|A>B|))",
        f"{measured} = {float(Fraction(measured)):.3f}",
    )
    table.add_row("ratio_B_to_A", "unbounded" if d["ratio_B_to_A"] is None else d["ratio_B_to_A"])
    if not d["exact"]:
        table.add_row("samples", str(d["samples"]))
        table.add_row("standard_error", f"{d['standard_error']:.3g}")
    console.print(table)
    if "retargeting" in d:
        r = d["retargeting"]
        swaps = "; ".join("(" + " ".join(c) + ")" for p in r["permutations"] for c in p) or "-"
        verdict = (
            f"verified={r['verified']}, Theorem 1 conclusion={r['theorem1_conclusion']}"
            if "verified" in r
            else ("no orbit point prefers A" if d["A_over_B"] == 0 else "none found")
        )
        say(f"retargeting permutations found: n = {r['n']}: {swaps} ({verdict})")


@retarget_app.command("outcomes", cls=_MultiValueCommand)
@guarded
def outcomes_cmd(
    utility: Annotated[
        list[str], typer.Option("--utility", help="Utility of each outcome (θ = u).")
    ],
    labels: Annotated[list[str], typer.Option("--labels", help="Outcome names, one per utility.")],
    A: Annotated[list[str], typer.Option("--A", help="Labels in set A (e.g. dying).")],
    B: Annotated[list[str], typer.Option("--B", help="Labels in set B (e.g. staying alive).")],
    rule: Annotated[str, typer.Option("--rule", help=RULE_HELP)] = "optimal",
    samples: Annotated[int | None, typer.Option("--samples", "-n", help=SAMPLES_HELP)] = None,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP)] = 0,
    max_orbit: Annotated[
        int, typer.Option("--max-orbit", help="Largest orbit enumerated exactly.")
    ] = DEFAULT_MAX_ORBIT,
    json_out: JsonFlag = False,
) -> None:
    """How often f prefers B over A across the orbit of the utility vector (RDSP Defs 3.1-3.5)."""
    from powerlab.retarget.analysis import analyze_outcomes

    names = split_list(labels, "--labels")
    set_a, set_b = split_list(A, "--A", keep=names), split_list(B, "--B", keep=names)
    try:
        doc = analyze_outcomes(
            _floats(utility, "--utility"),
            names,
            set_a,
            set_b,
            rule=rule,
            sample=samples,
            rng=seed,
            max_size=max_orbit,
        ).to_dict()
    except ResourceError as exc:
        raise ResourceError(f"--samples {samples}: {exc}" if samples else str(exc)) from None
    if json_out:
        emit_json(doc, _settings(rule, samples, seed))
        return
    _render(doc, f"f = {doc['rule']}: B = {_set(set_b)} versus A = {_set(set_a)}")


@retarget_app.command("mdp", cls=_MultiValueCommand)
@guarded
def mdp_cmd(
    env: Annotated[str, typer.Argument(help="Environment file (YAML/JSON) or gym:ID.")],
    state: Annotated[str, typer.Option("--state", help="The state s where f_s chooses.")],
    A: Annotated[list[str], typer.Option("--A", help="Action labels at s in set A.")],
    B: Annotated[list[str], typer.Option("--B", help="Action labels at s in set B.")],
    gamma: Annotated[
        list[str] | None,
        typer.Option(
            "--gamma",
            "-g",
            help="Discount in [0, 1); one run per value: -g 0.5 -g 0.9 or -g 0.5,0.9.",
        ),
    ] = None,
    rule: Annotated[str, typer.Option("--rule", help=RULE_HELP)] = "optimal",
    reward: Annotated[
        list[str] | None,
        typer.Option("--reward", help="Orbit representative R, one per state (default 0..1)."),
    ] = None,
    samples: Annotated[int | None, typer.Option("--samples", "-n", help=SAMPLES_HELP)] = None,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP)] = 0,
    max_orbit: Annotated[
        int, typer.Option("--max-orbit", help="Largest orbit enumerated exactly.")
    ] = DEFAULT_MAX_ORBIT,
    search: Annotated[
        bool, typer.Option("--search", help="Search state transpositions that retarget A to B.")
    ] = False,
    json_out: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """How often the optimal-policy rule at s prefers actions B over A across a reward orbit."""
    from powerlab.mdp import load_env
    from powerlab.retarget.analysis import analyze_mdp

    gammas = _parse_gammas(gamma or ["0.9"])
    theta = _floats(reward, "--reward") if reward else None
    mdp = load_env(env)
    set_a, set_b = split_list(A, "--A"), split_list(B, "--B")
    docs = []
    with progress_bar("orbits (one per γ)", len(gammas), enabled=not quiet) as advance:
        for g in gammas:
            docs.append(
                analyze_mdp(
                    mdp,
                    state,
                    set_a,
                    set_b,
                    g,
                    rule=rule,
                    reward=theta,
                    sample=samples,
                    rng=seed,
                    max_size=max_orbit,
                    search=search,
                ).to_dict()
            )
            advance(1)
    if json_out:
        provs = [_settings(rule, samples, seed, env=mdp.name, gamma=g) for g in gammas]
        if len(docs) == 1:
            emit_json(docs[0], provs[0])
        else:  # one document per γ, each with its provenance
            emit_json([{**d, "provenance": p} for d, p in zip(docs, provs, strict=True)])
        return
    for g, doc in zip(gammas, docs, strict=True):
        _render(
            doc,
            f"{mdp.name} at {state}, γ = {g:g}, f = {doc['rule']}: "
            f"B = {_set(set_b)} versus A = {_set(set_a)}",
        )


def register(app: typer.Typer) -> None:
    """Add the ``retarget`` command group to ``app``."""
    app.add_typer(retarget_app, name="retarget")
