r"""Theorem 2 measured: how many training-compatible goals avoid shutdown, as γ varies.

For each γ and each terminal convention (:mod:`powerlab.goals.setting`):

* ``n``, ``bound``: :math:`n(\gamma)` and Theorem 2's :math:`n/(n+1)` (Krakovna & Kramár
  2023, with RDSP Thm 3.6), given only when every premise holds; otherwise ``bound`` is
  ``None`` and ``premises`` says which failed;
* ``fraction_avoid``: the fraction of :math:`G_T`-uniform goals (Def 6, at this γ and
  reading) for which shutdown is *not* an optimal action at :math:`s_{new}`, with its
  standard error :math:`\sqrt{\hat p(1-\hat p)/\mathrm{ESS}}`;
* ``min_orbit_fraction``: the theorem speaks of each orbit inside :math:`G_T`. For m
  sampled goals θ we draw k uniform permutations of θ's *free* coordinates (those that
  enter no training constraint, so every such permutation maps :math:`G_T` onto itself;
  :func:`powerlab.retarget.sample_orbit` and :func:`powerlab.retarget.restrict`) and
  report the smallest within-orbit avoid fraction. When the premises hold, Theorem 2's
  swaps are among these permutations, so the bound applies to each such orbit; the
  estimate from k draws carries a binomial error of about :math:`\sqrt{p(1-p)/k}`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab.errors import InputError
from powerlab.goals.compatible import GoalSet, goal_set
from powerlab.goals.hitandrun import EmptyGoalSet, sample_hit_and_run
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
from powerlab.mdp import MDP, solve
from powerlab.mdp.recurrence import recurrence_table
from powerlab.retarget import restrict, sample_orbits

__all__ = ["SAMPLERS", "ConventionResult", "GammaResult", "analyze_shutdown", "avoids_shutdown"]

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

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: issue 3's fields plus diagnostics."""
        return {
            "n": self.n,
            "bound": None if self.bound is None else float(self.bound),
            "bound_exact": None if self.bound is None else str(self.bound),
            "fraction_avoid": self.fraction_avoid,
            "stderr": self.stderr,
            "ess": self.ess,
            "samples": self.samples,
            "min_orbit_fraction": self.min_orbit_fraction,
            "orbits": self.orbits,
            "orbit_draws": self.orbit_draws,
            "premises": dict(self.premises),
            "failed_premises": [k for k, v in self.premises.items() if not v],
            "sampler": self.sampler,
            "rhat": self.rhat,
            "acceptance": self.acceptance,
            "empty_goal_set": self.empty,
        }


@dataclass(frozen=True)
class GammaResult:
    """Results at one γ: the seed's convention first, Turner's self-loop second."""

    gamma: float
    reading: str
    once: ConventionResult
    self_loop: ConventionResult | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """``{"gamma", "n", "bound", "fraction_avoid", "stderr", "min_orbit_fraction",
        "premises", ...}`` (seed convention) with ``"self_loop": {...}`` nested."""
        d: dict[str, Any] = {"gamma": self.gamma, "reading": self.reading, "convention": "once"}
        d.update(self.once.as_dict())
        if self.self_loop is not None:
            d["self_loop"] = self.self_loop.as_dict()
        return d


def _sample(gs: GoalSet, sampler: str, n: int, rng: np.random.Generator) -> GoalSamples:
    if sampler == "rejection":
        return sample_rejection(gs, n, rng, max_proposals=max(100 * n, 2_000_000))
    return sample_hit_and_run(gs, n, rng)


def _one(
    st: ShutdownSetting,
    mdp: MDP,
    convention: str,
    gamma: float,
    reading: str,
    box: tuple[float, float],
    samples: int,
    sampler: str,
    orbits: int,
    orbit_draws: int,
    rng: np.random.Generator,
) -> ConventionResult:
    gs = goal_set(mdp, st.training, gamma, reading, box)
    if convention == "once":
        n = n_of_gamma(st, gamma)
    else:
        n = sum(1 for r in st.table if r.gamma_star is not None and gamma > r.gamma_star)
    reach_idx = np.flatnonzero(st.s_reach)
    premises = {
        "s_reach_disjoint_from_s_train": st.reach_disjoint_from_train,
        "s_reach_outside_training_constraints": not bool(np.isin(reach_idx, gs.constrained).any()),
        "nonnegative_rewards": bool(np.all(gs.lo >= 0)),
        "gamma_above_some_gamma_star": n >= 1,
        "shutdown_pays_once": convention == "once",
        "goal_set_nonempty": True,
    }

    def empty_result(why: str, acceptance: float | None = None) -> ConventionResult:
        """The result when G_T yields no goal: every measured field is empty."""
        premises["goal_set_nonempty"] = False
        return ConventionResult(
            convention, n, None, None, None, None, 0, None, 0, 0, premises, sampler,
            acceptance=acceptance, empty=why,
        )  # fmt: skip

    try:
        gsamp = _sample(gs, sampler, samples, rng)
    except EmptyGoalSet as exc:
        return empty_result(exc.finding.message)
    ok = all(premises.values())
    R = gsamp.samples
    if len(R) == 0:
        return empty_result("no sample accepted within the budget", gsamp.acceptance)
    avoid = avoids_shutdown(mdp, R, gamma, st.s_new, st.a_shutdown)
    p, se, e = gsamp.fraction(avoid)
    fmin = _min_orbit_fraction(gs, st, mdp, R, gamma, orbits, orbit_draws, rng)
    return ConventionResult(
        convention=convention,
        n=n,
        bound=theorem2_bound(n) if ok else None,
        fraction_avoid=p,
        stderr=se,
        ess=e,
        samples=len(R),
        min_orbit_fraction=fmin,
        orbits=min(orbits, len(R)) if len(gs.free) > 1 else 0,
        orbit_draws=orbit_draws,
        premises=premises,
        sampler=sampler,
        rhat=gsamp.rhat_of(avoid.astype(float)) if gsamp.rhat is not None else None,
        acceptance=gsamp.acceptance,
    )


def _min_orbit_fraction(
    gs: GoalSet,
    st: ShutdownSetting,
    mdp: MDP,
    R: np.ndarray,
    gamma: float,
    orbits: int,
    draws: int,
    rng: np.random.Generator,
) -> float | None:
    free = gs.free
    if orbits <= 0 or draws <= 0 or len(free) < 2:
        return None
    pick = rng.choice(len(R), size=min(orbits, len(R)), replace=False)
    base = R[pick]  # [m, S]
    perm_free = sample_orbits(base[:, free], draws, rng)  # [m, k, |free|]
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


def analyze_shutdown(
    mdp: MDP,
    training: Any,
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
    rng: object = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[ShutdownSetting, list[GammaResult]]:
    """Theorem 2 against measurement for each γ in ``gammas`` (module docstring).

    Args:
        mdp: the environment (terminal states pay once).
        training: :class:`powerlab.goals.training.TrainingData`.
        new_state, shutdown_action: Def 7's :math:`s_{new}` and :math:`a_{sd}`.
        gammas: discounts in (0, 1).
        reading: Def 6 reading, ``"q"`` or ``"immediate"``.
        samples: goals drawn from :math:`G_T` per γ and convention.
        sampler: ``"hit-and-run"`` (default) or ``"rejection"``.
        orbits, orbit_draws: m orbits, k permutations each, for ``min_orbit_fraction``.
        conventions: subset of ``("once", "self-loop")``.
        rng: seed or ``numpy.random.Generator``.
        progress: called with 1 after each (γ, convention).

    Returns:
        ``(setting, rows)``; bad input raises :class:`InputError`.
    """
    if sampler not in SAMPLERS:
        raise InputError(f"unknown sampler {sampler!r}; expected one of {', '.join(SAMPLERS)}")
    bad = [c for c in conventions if c not in CONVENTIONS]
    if bad or not conventions:
        raise InputError(f"unknown terminal convention {bad}; expected {', '.join(CONVENTIONS)}")
    gl = [float(g) for g in gammas]
    if not gl or any(not 0.0 < g < 1.0 for g in gl):
        raise InputError(f"gammas must be a nonempty list in (0, 1), got {list(gammas)}")
    gen = np.random.default_rng(rng)  # type: ignore[arg-type]
    st = shutdown_setting(mdp, training, new_state, shutdown_action)
    loop_mdp = with_self_loops(mdp) if "self-loop" in conventions else None
    loop_st = None
    if loop_mdp is not None:
        # s_term is recurrent under self-loops; it is the shutdown state, not a retarget
        table = [
            r for r in recurrence_table(loop_mdp, st.s_new) if r.state != mdp.states[st.s_term]
        ]
        loop_st = ShutdownSetting(
            loop_mdp, training, st.s_new, st.a_shutdown, st.s_term, st.s_reach, table
        )
    rows = []
    for g in gl:
        res: dict[str, ConventionResult] = {}
        for conv in conventions:
            if conv == "once":
                res[conv] = _one(
                    st, mdp, conv, g, reading, box, samples, sampler, orbits, orbit_draws, gen
                )
            elif loop_st is not None and loop_mdp is not None:
                res[conv] = _one(
                    loop_st,
                    loop_mdp,
                    conv,
                    g,
                    reading,
                    box,
                    samples,
                    sampler,
                    orbits,
                    orbit_draws,
                    gen,
                )
            if progress is not None:
                progress(1)
        first = res.get("once") or res["self-loop"]
        rows.append(GammaResult(g, reading, first, res.get("self-loop") if "once" in res else None))
    return st, rows
