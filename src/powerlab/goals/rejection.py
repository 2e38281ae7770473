r"""Exact sampling from :math:`G_T` by rejection from the box (Krakovna & Kramár, Def 6).

Draw θ uniformly from :math:`[lo, hi]^S` (or weights w uniformly from :math:`[lo, hi]^F`
and :math:`\theta = \Phi w`), keep it iff θ ∈ :math:`G_T`
(:meth:`GoalSet.contains`, one batched :func:`powerlab.mdp.solve` per batch). Accepted
draws are i.i.d. uniform on :math:`G_T`; the acceptance rate estimates
:math:`\mathrm{vol}(G_T)/\mathrm{vol}(\mathrm{box})`, with a standard error from its
Wilson interval (Wilson 1927), positive even when nothing or everything is accepted.

Before drawing, :func:`powerlab.goals.interior.measure_zero` checks that :math:`G_T` has
an interior: a :math:`G_T` of measure zero (training forces an equality) would accept
nothing however long it ran, and is reported as the finding it is
(:class:`~powerlab.goals.interior.EmptyGoalSet`), as hit-and-run reports it.

If a budget (proposals or seconds) runs out first, the result holds fewer draws than
asked and says so in :attr:`GoalSamples.warnings`; the cost per accepted sample grows as
1/acceptance, which is what :mod:`powerlab.goals.hitandrun` avoids.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from powerlab._memory import check_bytes
from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.goals.compatible import GoalSet
from powerlab.goals.diagnostics import wilson
from powerlab.goals.interior import EmptyGoalSet, measure_zero
from powerlab.goals.samples import GoalSamples
from powerlab.power.distributions import RewardDistribution

__all__ = ["sample_rejection"]

_Z95 = 1.959963984540054


def sample_rejection(
    gs: GoalSet,
    n: int,
    rng: Seed = None,
    *,
    batch: int | None = None,
    max_proposals: int = 10_000_000,
    max_seconds: float | None = None,
    prior: RewardDistribution | None = None,
    progress: Callable[[int], None] | None = None,
) -> GoalSamples:
    """Up to ``n`` exact uniform draws from :math:`G_T` (fewer if a budget runs out, which
    the result's ``warnings`` then say).

    Args:
        gs: the goal set.
        n: samples wanted.
        rng: seed or ``numpy.random.Generator``.
        batch: box draws tested per solver call (default: 4,096, fewer for large MDPs).
        max_proposals, max_seconds: budgets.
        prior: draw proposals from this distribution instead of uniformly on the box
            (exact for every prior, :mod:`powerlab.goals.priors`); its support must lie in
            the box.
        progress: called with the number of new samples kept after each batch (``n`` in all
            unless a budget runs out).

    Raises:
        EmptyGoalSet: :math:`G_T` has measure zero (checked before sampling).
        ResourceError: the samples would not fit in memory (checked before allocating).
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InputError(f"sample_rejection: n must be a non-negative integer, got {n!r}")
    S = gs.mdp.n_states
    if batch is None:
        batch = max(1, min(4096, 2**24 // (S * gs.mdp.n_actions)))
    keep = min(n, max_proposals)  # accepted draws never outnumber proposals
    check_bytes(8.0 * (keep + batch) * (S + 1), f"{keep} goal samples over {S} states")
    gen = as_generator(rng)
    t0 = time.perf_counter()
    finding = measure_zero(gs, gen)
    if finding is not None:
        raise EmptyGoalSet(finding)
    kept: list[np.ndarray] = []
    n_kept = proposals = 0
    while n_kept < n and proposals < max_proposals:
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
        k = min(batch, max_proposals - proposals)
        if prior is None:
            Y = gs.lo + (gs.hi - gs.lo) * gen.random((k, gs.dim))
        else:
            Y = np.asarray(prior.sample(gen, k, gs.dim), dtype=np.float64)
        R = gs.to_theta(Y)
        ok = gs.contains_coords(Y)
        proposals += k
        if ok.any():
            kept.append(R[ok])
            if progress is not None:
                progress(min(int(ok.sum()), n - n_kept))
            n_kept += int(ok.sum())
    samples = np.vstack(kept)[:n] if kept else np.zeros((0, S))
    accepted = sum(len(b) for b in kept)
    acc = accepted / proposals if proposals else float("nan")
    lo, hi = wilson(acc, proposals, _Z95) if proposals else (0.0, 1.0)
    warnings: tuple[str, ...] = ()
    if len(samples) < n:
        warnings = (
            f"only {len(samples)} of the {n} samples asked for: the budget of "
            f"{proposals} proposals"
            + (f" / {max_seconds:g} s" if max_seconds is not None else "")
            + f" ran out at acceptance {acc:.2e}",
        )
    return GoalSamples.drawn(
        gs,
        "rejection",
        samples,
        np.full(len(samples), -1, dtype=np.int64),
        t0,
        n,
        proposals=proposals,
        acceptance=acc,
        acceptance_stderr=(hi - lo) / (2 * _Z95) if proposals else float("nan"),
        ess=float(len(samples)),
        rhat=None,
        steps=proposals,
        warnings=warnings,
        prior="uniform" if prior is None else prior.spec,
    )
