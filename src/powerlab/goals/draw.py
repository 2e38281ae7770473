"""Draw goals from :math:`G_T` by a named sampler and summarise the draw (Krakovna & Kramár
2023, Def 6): the one entry point that the CLI, the report and notebooks share.

:data:`SAMPLER_FUNCTIONS` maps a sampler's name to its function; :func:`draw_goals`
returns a :class:`GoalDraw`, whose ``to_dict()`` is the JSON document of ``powerlab goals
sample`` (fields in docs/goals.md), reporting a :math:`G_T` of measure zero as a finding
rather than an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.goals.compatible import GoalSet
from powerlab.goals.hitandrun import sample_hit_and_run
from powerlab.goals.interior import EmptyGoalSet
from powerlab.goals.priors import log_density
from powerlab.goals.rejection import sample_rejection
from powerlab.goals.samples import GoalSamples
from powerlab.power.distributions import RewardDistribution

__all__ = ["SAMPLER_FUNCTIONS", "GoalDraw", "draw_goals", "sample_goals"]

SAMPLER_FUNCTIONS: dict[str, Callable[..., GoalSamples]] = {
    "hit-and-run": sample_hit_and_run,
    "rejection": sample_rejection,
}


def sample_goals(
    gs: GoalSet,
    sampler: str,
    n: int,
    rng: Seed = None,
    prior: RewardDistribution | None = None,
    progress: Callable[[int], None] | None = None,
) -> GoalSamples:
    """``n`` draws from :math:`G_T` by the sampler named ``sampler``, under ``prior``
    (default uniform on the box; :mod:`powerlab.goals.priors` says which sampler is valid
    for which prior: rejection draws from the prior, hit-and-run reweights uniform draws).
    ``progress`` is called with the number of samples kept as they are (``n`` in all unless
    the rejection sampler's budget runs out).

    Raises:
        InputError: an unknown sampler, or a prior that hit-and-run cannot reweight.
        EmptyGoalSet: :math:`G_T` has measure zero.
    """
    fn = SAMPLER_FUNCTIONS.get(sampler)
    if fn is None:
        raise InputError(
            f"unknown sampler {sampler!r}; expected one of {', '.join(SAMPLER_FUNCTIONS)}"
        )
    if prior is None:
        return fn(gs, n, rng, progress=progress)
    if sampler == "rejection":
        return sample_rejection(gs, n, rng, prior=prior, progress=progress)
    if gs.features is not None:
        raise InputError("a prior on feature weights needs the rejection sampler")
    C, free = gs.constrained, gs.free
    log_density(prior, 0.5 * (gs.lo + gs.hi)[None, C], C)  # refuses before sampling
    gen = as_generator(rng)
    res = sample_hit_and_run(gs, n, gen, progress=progress)
    R = res.samples.copy()
    R[:, free] = np.asarray(prior.sample(gen, res.n, gs.dim))[:, free]  # exact on free coords
    logw = log_density(prior, R[:, C], C)
    w = np.exp(logw - logw.max()) if np.isfinite(logw.max()) else np.ones(len(logw))
    kish = float(w.sum() ** 2 / (w @ w)) if w.any() else 0.0
    warn = res.warnings
    if kish < 0.1 * res.n:
        warn += (
            f"importance weights are worth {kish:.0f} of {res.n} draws: the prior is far from "
            "uniform on G_T (use the rejection sampler or more samples)",
        )
    return replace(res, samples=R, weights=w, prior=prior.spec, warnings=warn)


@dataclass(frozen=True)
class GoalDraw:
    """One draw from :math:`G_T` by a named sampler, with its setting (Krakovna & Kramár 2023,
    Def 6); :meth:`to_dict` is the JSON document of ``powerlab goals sample``.

    Attributes:
        goal_set: the goal set drawn from.
        sampler: the sampler's name (:data:`SAMPLER_FUNCTIONS`).
        prior: the prior's spec (``"uniform"`` on the box by default).
        seed: the integer seed, when the randomness was given as one (else None).
        result: the draws, None when :math:`G_T` has measure zero.
        measure_zero: that finding, in words (None when draws were made).
        out: the file the draws were written to, if any.
    """

    goal_set: GoalSet
    sampler: str
    prior: str
    seed: int | None
    result: GoalSamples | None
    measure_zero: str | None = None
    out: str | None = None

    def to_dict(self) -> JSON:
        """The summary (module docstring): reading, γ, box, sampler, prior, seed, and for a
        draw made: samples, requested, ESS, R-hat, acceptance with its standard error,
        proposals, steps, seconds, the constrained states, the mean goal and the output file;
        ``measure_zero`` (the finding, or None) and ``warnings``."""
        gs, res = self.goal_set, self.result
        info: JSON = {
            "reading": gs.reading,
            "reading_name": gs.reading_name,
            "gamma": gs.gamma,
            "box": [float(gs.lo.min()), float(gs.hi.max())],
            "sampler": self.sampler,
            "prior": self.prior,
            "seed": self.seed,
            "measure_zero": self.measure_zero,
            "warnings": [],
        }
        if res is None:
            return info
        states = gs.mdp.states
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
                "constrained_states": [states[i] for i in res.constrained],
                "mean": dict(zip(states, res.samples.mean(axis=0).tolist(), strict=True))
                if res.n
                else {},
                "out": self.out,
                "warnings": list(res.warnings),
            }
        )
        return info


def draw_goals(
    gs: GoalSet,
    sampler: str,
    n: int,
    rng: Seed = None,
    *,
    out: str | os.PathLike[str] | None = None,
    prior: RewardDistribution | None = None,
    progress: Callable[[int], None] | None = None,
) -> GoalDraw:
    """Sample by :func:`sample_goals`, optionally write the samples to ``out``
    (``.npz``/``.parquet``, with the summary's scalar fields as metadata), and return the
    :class:`GoalDraw`; a :math:`G_T` of measure zero is returned as a finding, not raised.
    ``progress(k)`` is called as ``k`` more samples are kept (``n`` in all at most)."""
    spec = "uniform" if prior is None else prior.spec
    seed = rng if isinstance(rng, int) else None
    try:
        res = sample_goals(gs, sampler, n, rng, prior, progress)
    except EmptyGoalSet as exc:
        return GoalDraw(gs, sampler, spec, seed, None, measure_zero=exc.finding.message)
    draw = GoalDraw(gs, sampler, spec, seed, res, out=None if out is None else str(out))
    if out is not None:
        meta = {k: v for k, v in draw.to_dict().items() if isinstance(v, int | float | str)}
        res.save(out, gs.mdp.states, meta)
    return draw
