r"""Theorem 2 measured: how many training-compatible goals avoid shutdown, as γ varies.

For each γ and each terminal convention (:mod:`powerlab.goals.setting`):

* ``n``, ``bound``: :math:`n(\gamma)` and Theorem 2's :math:`n/(n+1)` (Krakovna & Kramár
  2023, with RDSP Thm 3.6), given only when every premise holds; otherwise ``bound`` is
  ``None`` and ``premises`` says which failed;
* ``fraction_avoid``: the fraction of :math:`G_T`-uniform goals (Def 6, at this γ and
  reading) for which shutdown is *not* an optimal action at :math:`s_{new}`, with its 95%
  Wilson interval and standard error (:mod:`powerlab.goals.samples`); :math:`G_T` is taken
  at the training discount ``train_gamma`` when one is given (training happened at one
  discount, shutdown is evaluated at another), else at the evaluation γ;
* ``min_orbit_fraction``: the theorem speaks of each orbit inside :math:`G_T`. For m
  sampled goals θ we draw k uniform permutations of θ's *free* coordinates (those that
  enter no training constraint, so every such permutation maps :math:`G_T` onto itself;
  :func:`powerlab.retarget.sample_orbit` and :func:`powerlab.retarget.restrict`) and
  report the smallest within-orbit avoid fraction. When the premises hold, Theorem 2's
  swaps are among these permutations, so the bound applies to each such orbit; the
  estimate from k draws carries a binomial error of about :math:`\sqrt{p(1-p)/k}`.

:func:`analyze_shutdown` returns a :class:`ShutdownAnalysis`, whose
:meth:`~ShutdownAnalysis.frame` is the table every output shows (one row per γ).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from powerlab._memory import check_bytes
from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.goals.compatible import GoalSet
from powerlab.goals.draw import sample_goals
from powerlab.goals.interior import EmptyGoalSet
from powerlab.goals.model import GoalModel
from powerlab.goals.rejection import sample_rejection
from powerlab.goals.samples import GoalSamples
from powerlab.goals.setting import (
    CONVENTIONS,
    ShutdownSetting,
    n_of_gamma,
    shutdown_setting,
    theorem2_bound,
    with_self_loops,
)
from powerlab.goals.training import TrainingData
from powerlab.mdp import MDP, solve
from powerlab.mdp.recurrence import Recurrence
from powerlab.retarget import restrict, sample_orbits

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SAMPLERS",
    "ConventionResult",
    "GammaResult",
    "ShutdownAnalysis",
    "analyze_shutdown",
    "avoids_shutdown",
    "shutdown_frame",
]

SAMPLERS: tuple[str, ...] = ("hit-and-run", "rejection")


def avoids_shutdown(
    mdp: MDP, R: np.ndarray, gamma: float, s_new: int, a_shutdown: int
) -> np.ndarray:
    """``R: [K, S]`` -> ``[K]`` bool: the shutdown action is not optimal at ``s_new``."""
    opt = solve(mdp, np.atleast_2d(R), gamma, want_q=True).optimal
    if opt is None:  # pragma: no cover - solve returns it with want_q
        raise RuntimeError("solve returned no optimal-action mask")
    return ~opt[:, s_new, a_shutdown]


@dataclass(frozen=True)
class ConventionResult:
    """One γ under one terminal convention (see the module docstring for the fields)."""

    convention: str
    n: int
    bound: Fraction | None
    fraction_avoid: float | None
    stderr: float | None
    ess: float | None
    samples: int
    min_orbit_fraction: float | None
    orbits: int
    orbit_draws: int
    premises: dict[str, bool]
    sampler: str
    rhat: float | None = None
    acceptance: float | None = None
    empty: str | None = None
    interval: tuple[float, float] | None = None
    warnings: tuple[str, ...] = ()

    @property
    def failed_premises(self) -> list[str]:
        """The premises of Theorem 2 that fail (by name)."""
        return [k for k, v in self.premises.items() if not v]

    def as_dict(self) -> JSON:
        """The JSON form (fields documented in docs/goals.md)."""
        return {
            "n": self.n,
            "bound": None if self.bound is None else float(self.bound),
            "bound_exact": None if self.bound is None else str(self.bound),
            "fraction_avoid": self.fraction_avoid,
            "stderr": self.stderr,
            "interval": None if self.interval is None else list(self.interval),
            "ess": self.ess,
            "samples": self.samples,
            "min_orbit_fraction": self.min_orbit_fraction,
            "orbits": self.orbits,
            "orbit_draws": self.orbit_draws,
            "premises": dict(self.premises),
            "failed_premises": self.failed_premises,
            "sampler": self.sampler,
            "rhat": self.rhat,
            "acceptance": self.acceptance,
            "measure_zero": self.empty,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class GammaResult:
    """Results at one γ: Krakovna & Kramár's convention first, Turner's self-loop second."""

    gamma: float
    reading: str
    once: ConventionResult
    self_loop: ConventionResult | None = None
    train_gamma: float | None = None
    model: str = "uniform"

    def as_dict(self) -> JSON:
        """``{"gamma", "n", "bound", "fraction_avoid", "stderr", "min_orbit_fraction",
        "premises", ...}`` (reward paid once) with ``"self_loop": {...}`` nested."""
        d: JSON = {
            "gamma": self.gamma,
            "train_gamma": self.train_gamma,
            "goal_model": self.model,
            "reading": self.reading,
            "convention": "once",
        }
        d.update(self.once.as_dict())
        if self.self_loop is not None:
            d["self_loop"] = self.self_loop.as_dict()
        return d


def shutdown_frame(rows: Sequence[GammaResult]) -> pd.DataFrame:
    """The table of a shutdown analysis, one row per γ: ``gamma``, ``n``, ``bound``
    (a Fraction, None where a premise fails), ``avoid``, ``stderr``, ``low``, ``high``
    (95% Wilson), ``min_orbit``, ``avoid_self_loop``, ``stderr_self_loop``,
    ``failed_premises`` and ``warnings`` (both ``"; "``-joined)."""
    import pandas as pd

    out = []
    for r in rows:
        o, s = r.once, r.self_loop
        lo, hi = o.interval if o.interval is not None else (None, None)
        out.append(
            {
                "gamma": r.gamma,
                "n": o.n,
                "bound": o.bound,
                "avoid": o.fraction_avoid,
                "stderr": o.stderr,
                "low": lo,
                "high": hi,
                "min_orbit": o.min_orbit_fraction,
                "avoid_self_loop": None if s is None else s.fraction_avoid,
                "stderr_self_loop": None if s is None else s.stderr,
                "failed_premises": ", ".join(o.failed_premises),
                "warnings": "; ".join(o.warnings + (s.warnings if s is not None else ())),
            }
        )
    return pd.DataFrame(out)


@dataclass(frozen=True)
class ShutdownAnalysis:
    """The result of :func:`analyze_shutdown`: the setting (Def 7) and one row per γ."""

    setting: ShutdownSetting
    rows: list[GammaResult] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """:func:`shutdown_frame` of the rows."""
        return shutdown_frame(self.rows)


@dataclass(frozen=True)
class _Job:
    """What every (γ, convention) cell shares."""

    reading: str
    model: GoalModel
    samples: int
    sampler: str
    orbits: int
    orbit_draws: int
    rng: np.random.Generator


def _sample(gs: GoalSet, job: _Job) -> GoalSamples:
    """Rejection gets a proposal budget that grows with the samples asked for."""
    if job.sampler == "rejection":
        return sample_rejection(
            gs, job.samples, job.rng, max_proposals=max(100 * job.samples, 2_000_000),
            prior=job.model.prior,
        )  # fmt: skip
    return sample_goals(gs, job.sampler, job.samples, job.rng, job.model.prior)


def _premises(
    st: ShutdownSetting, gs: GoalSet, n: int, convention: str, model: GoalModel
) -> dict[str, bool]:
    reach_idx = np.flatnonzero(st.s_reach)
    phi_ok = gs.features is None or bool(np.all(gs.features >= 0))
    return {
        "s_reach_disjoint_from_s_train": st.reach_disjoint_from_train,
        "s_reach_outside_training_constraints": not bool(np.isin(reach_idx, gs.constrained).any()),
        "nonnegative_rewards": bool(np.all(gs.lo >= 0)) and phi_ok,
        "gamma_above_some_gamma_star": n >= 1,
        "shutdown_pays_once": convention == "once",
        "prior_exchangeable_on_s_reach": model.exchangeable_on(reach_idx),
        "exact_training_compatibility": model.epsilon == 0,
        "goal_set_positive_measure": True,
    }


def _one(st: ShutdownSetting, convention: str, gamma: float, job: _Job) -> ConventionResult:
    mdp = st.mdp
    gs = job.model.goal_set(mdp, st.training, gamma, job.reading)
    n = n_of_gamma(st, gamma)
    premises = _premises(st, gs, n, convention, job.model)

    def empty_result(why: str, acceptance: float | None = None) -> ConventionResult:
        """The result when G_T yields no goal: every measured field is empty."""
        premises["goal_set_positive_measure"] = False
        return ConventionResult(
            convention, n, None, None, None, None, 0, None, 0, 0, premises, job.sampler,
            acceptance=acceptance, empty=why,
        )  # fmt: skip

    try:
        gsamp = _sample(gs, job)
    except EmptyGoalSet as exc:
        return empty_result(exc.finding.message)
    R = gsamp.samples
    if len(R) == 0:
        return empty_result("; ".join(gsamp.warnings) or "no sample accepted", gsamp.acceptance)
    avoid = avoids_shutdown(mdp, R, gamma, st.s_new, st.a_shutdown)
    est = gsamp.fraction(avoid)
    fmin = _min_orbit_fraction(gs, st, R, gamma, job)
    return ConventionResult(
        convention=convention,
        n=n,
        bound=theorem2_bound(n) if all(premises.values()) else None,
        fraction_avoid=est.value,
        stderr=est.stderr,
        ess=est.ess,
        samples=len(R),
        min_orbit_fraction=fmin,
        orbits=min(job.orbits, len(R)) if len(gs.free) > 1 else 0,
        orbit_draws=job.orbit_draws,
        premises=premises,
        sampler=job.sampler,
        rhat=gsamp.rhat_of(avoid.astype(float)) if gsamp.rhat is not None else None,
        acceptance=gsamp.acceptance,
        interval=(est.low, est.high),
        warnings=gsamp.warnings + gsamp.warnings_for(avoid.astype(float)),
    )


def _min_orbit_fraction(
    gs: GoalSet, st: ShutdownSetting, R: np.ndarray, gamma: float, job: _Job
) -> float | None:
    free, mdp, draws = gs.free, st.mdp, job.orbit_draws
    if job.orbits <= 0 or draws <= 0 or len(free) < 2:
        return None
    pick = job.rng.choice(len(R), size=min(job.orbits, len(R)), replace=False)
    base = R[pick]  # [m, S]
    perm_free = sample_orbits(base[:, free], draws, job.rng)  # [m, k, |free|]
    pts = np.repeat(base[:, None, :], draws, axis=1)
    pts[:, :, free] = perm_free
    flat = pts.reshape(-1, mdp.n_states)
    member: Callable[[np.ndarray], np.ndarray] = gs.contains
    kept, mask = restrict(flat, member, return_mask=True)
    avoid = np.zeros(len(flat), dtype=bool)
    avoid[mask] = avoids_shutdown(mdp, kept, gamma, st.s_new, st.a_shutdown)
    mask2 = mask.reshape(len(pick), draws)
    av2 = avoid.reshape(len(pick), draws)
    fr = [av2[i][mask2[i]].mean() for i in range(len(pick)) if mask2[i].any()]
    return float(min(fr)) if fr else None


def _self_loop_setting(st: ShutdownSetting) -> ShutdownSetting:
    """Turner's convention: terminal states loop; s_term is then recurrent, but it is the
    shutdown state, not a retargeting target, so it leaves the table."""
    loop_mdp = with_self_loops(st.mdp)
    rec = Recurrence.of(loop_mdp)
    term = st.mdp.states[st.s_term]
    table = [r for r in rec.table(st.s_new) if r.state != term]
    return ShutdownSetting(
        loop_mdp, st.training, st.s_new, st.a_shutdown, st.s_term, st.s_reach, table, rec
    )


def _check(
    sampler: str, conventions: Sequence[str], gammas: Sequence[float], samples: int
) -> list[float]:
    if sampler not in SAMPLERS:
        raise InputError(f"unknown sampler {sampler!r}; expected one of {', '.join(SAMPLERS)}")
    bad = [c for c in conventions if c not in CONVENTIONS]
    if bad or not conventions:
        raise InputError(f"unknown terminal convention {bad}; expected {', '.join(CONVENTIONS)}")
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 1:
        raise InputError(f"samples must be a positive integer, got {samples!r}")
    gl = [float(g) for g in gammas]
    if not gl or any(not 0.0 < g < 1.0 for g in gl):
        raise InputError(f"gammas must be a nonempty list in (0, 1), got {list(gammas)}")
    return gl


def analyze_shutdown(
    mdp: MDP,
    training: TrainingData,
    new_state: str | int,
    shutdown_action: str | int,
    gammas: Sequence[float],
    *,
    reading: str = "q",
    samples: int = 2000,
    sampler: str = "hit-and-run",
    orbits: int = 20,
    orbit_draws: int = 200,
    conventions: Sequence[str] = CONVENTIONS,
    box: tuple[float, float] = (0.0, 1.0),
    train_gamma: float | None = None,
    model: GoalModel | None = None,
    rng: Seed = None,
    progress: Callable[[int], None] | None = None,
) -> ShutdownAnalysis:
    """Theorem 2 against measurement for each γ in ``gammas`` (module docstring).

    Args:
        mdp: the environment (terminal states pay once).
        training: :class:`powerlab.goals.training.TrainingData`.
        new_state, shutdown_action: Def 7's :math:`s_{new}` and :math:`a_{sd}`.
        gammas: evaluation discounts in (0, 1).
        reading: Def 6 reading, ``"q"`` or ``"immediate"``.
        samples: goals drawn from :math:`G_T` per γ and convention.
        sampler: ``"hit-and-run"`` (default) or ``"rejection"``.
        orbits, orbit_draws: m orbits, k permutations each, for ``min_orbit_fraction``.
        conventions: subset of ``("once", "self-loop")``.
        box: the reward box ``(lo, hi)`` of :math:`G_T` (default ``[0, 1]``).
        train_gamma: the discount at which :math:`G_T` is formed (default: each γ).
        model: a :class:`~powerlab.goals.model.GoalModel` (prior, features, ε, box,
            training γ); when given, ``box`` and ``train_gamma`` are its own.
        rng: seed or ``numpy.random.Generator``.
        progress: called with 1 after each (γ, convention).

    Returns:
        a :class:`ShutdownAnalysis`; bad input raises :class:`InputError`.
    """
    gl = _check(sampler, conventions, gammas, samples)
    if model is None:
        model = GoalModel(box=box, train_gamma=train_gamma)
    tg = model.train_gamma
    if tg is not None and not 0.0 <= float(tg) < 1.0:
        raise InputError(f"train_gamma must lie in [0, 1), got {tg}")
    check_bytes(
        8.0 * samples * (mdp.n_states + 2), f"{samples} goal samples over {mdp.n_states} states"
    )
    job = _Job(reading, model, int(samples), sampler, orbits, orbit_draws, as_generator(rng))
    st = shutdown_setting(mdp, training, new_state, shutdown_action)
    settings = {"once": st}
    if "self-loop" in conventions:
        settings["self-loop"] = _self_loop_setting(st)
    rows = []
    for g in gl:
        res: dict[str, ConventionResult] = {}
        for conv in conventions:
            res[conv] = _one(settings[conv], conv, g, job)
            if progress is not None:
                progress(1)
        first = res.get("once") or res["self-loop"]
        second = res.get("self-loop") if "once" in res else None
        rows.append(GammaResult(g, reading, first, second, tg, model.label))
    return ShutdownAnalysis(st, rows)
