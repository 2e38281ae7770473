"""Draw goals from :math:`G_T` by a named sampler and summarise the draw (Krakovna & Kramár
2023, Def 6): the one entry point that the CLI, the report and notebooks share.

:data:`SAMPLER_FUNCTIONS` maps a sampler's name to its function; :func:`draw_goals`
returns the JSON document of ``powerlab goals sample`` (fields in docs/goals.md),
reporting a :math:`G_T` of measure zero as a finding rather than an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from powerlab._random import Seed
from powerlab.errors import InputError
from powerlab.goals.compatible import GoalSet
from powerlab.goals.hitandrun import sample_hit_and_run
from powerlab.goals.interior import EmptyGoalSet
from powerlab.goals.rejection import sample_rejection
from powerlab.goals.samples import GoalSamples

__all__ = ["SAMPLER_FUNCTIONS", "draw_goals", "sample_goals"]

SAMPLER_FUNCTIONS: dict[str, Callable[..., GoalSamples]] = {
    "hit-and-run": sample_hit_and_run,
    "rejection": sample_rejection,
}


def sample_goals(gs: GoalSet, sampler: str, n: int, rng: Seed = None) -> GoalSamples:
    """``n`` draws from :math:`G_T` by the sampler named ``sampler``.

    Raises:
        InputError: an unknown sampler.
        EmptyGoalSet: :math:`G_T` has measure zero.
    """
    fn = SAMPLER_FUNCTIONS.get(sampler)
    if fn is None:
        raise InputError(
            f"unknown sampler {sampler!r}; expected one of {', '.join(SAMPLER_FUNCTIONS)}"
        )
    return fn(gs, n, rng)


def draw_goals(
    gs: GoalSet,
    sampler: str,
    n: int,
    rng: Seed = None,
    *,
    out: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Sample, optionally write the samples to ``out`` (``.npz``/``.parquet``), and return
    the summary: reading, γ, box, sampler, samples, requested, ESS, R-hat, acceptance with
    its standard error, proposals, steps, seconds, the constrained states, the mean goal,
    ``measure_zero`` (the finding, or None) and ``warnings``."""
    mdp = gs.mdp
    info: dict[str, Any] = {
        "reading": gs.reading,
        "reading_name": gs.reading_name,
        "gamma": gs.gamma,
        "box": [float(gs.lo.min()), float(gs.hi.max())],
        "sampler": sampler,
        "seed": rng if isinstance(rng, int) else None,
        "measure_zero": None,
        "warnings": [],
    }
    try:
        res = sample_goals(gs, sampler, n, rng)
    except EmptyGoalSet as exc:
        info["measure_zero"] = exc.finding.message
        return info
    info.update(
        {
            "samples": res.n,
            "requested": res.requested,
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
            "out": None if out is None else str(out),
            "warnings": list(res.warnings),
        }
    )
    if out is not None:
        meta = {k: v for k, v in info.items() if isinstance(v, int | float | str)}
        res.save(out, mdp.states, meta)
    return info
