r"""Exact uniform sampling from :math:`G_T` by rejection from the box (Krakovna & Kramár, Def 6).

Draw θ uniformly from :math:`[lo, hi]^S`, keep it iff θ ∈ :math:`G_T`
(:meth:`GoalSet.contains`, one batched :func:`powerlab.mdp.solve` per batch). Accepted
draws are i.i.d. uniform on :math:`G_T`; the acceptance rate estimates
:math:`\mathrm{vol}(G_T)/\mathrm{vol}(\mathrm{box})` with binomial standard error
:math:`\sqrt{\hat a(1-\hat a)/N_{prop}}`. The cost per accepted sample grows as 1/acceptance,
which is what :mod:`powerlab.goals.hitandrun` avoids.
"""

from __future__ import annotations

import time

import numpy as np

from powerlab.errors import InputError
from powerlab.goals.compatible import GoalSet
from powerlab.goals.samples import GoalSamples

__all__ = ["sample_rejection"]


def sample_rejection(
    gs: GoalSet,
    n: int,
    rng: object = None,
    *,
    batch: int = 4096,
    max_proposals: int = 10_000_000,
    max_seconds: float | None = None,
) -> GoalSamples:
    """Up to ``n`` exact uniform draws from :math:`G_T` (fewer if a budget runs out).

    Args:
        gs: the goal set.
        n: samples wanted.
        rng: seed or ``numpy.random.Generator``.
        batch: box draws tested per solver call.
        max_proposals, max_seconds: budgets; the result says how many were accepted.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InputError(f"sample_rejection: n must be a non-negative integer, got {n!r}")
    gen = np.random.default_rng(rng)  # type: ignore[arg-type]
    S = gs.mdp.n_states
    t0 = time.perf_counter()
    kept: list[np.ndarray] = []
    n_kept = proposals = 0
    while n_kept < n and proposals < max_proposals:
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
        k = min(batch, max_proposals - proposals)
        R = gs.lo + (gs.hi - gs.lo) * gen.random((k, S))
        ok = gs.contains(R)
        proposals += k
        if ok.any():
            kept.append(R[ok])
            n_kept += int(ok.sum())
    samples = np.vstack(kept)[:n] if kept else np.zeros((0, S))
    accepted = sum(len(b) for b in kept)
    acc = accepted / proposals if proposals else float("nan")
    se = float(np.sqrt(acc * (1 - acc) / proposals)) if proposals else float("nan")
    return GoalSamples(
        samples=samples,
        sampler="rejection",
        reading=gs.reading,
        gamma=gs.gamma,
        seconds=time.perf_counter() - t0,
        chain=np.full(len(samples), -1, dtype=np.int64),
        proposals=proposals,
        acceptance=acc,
        acceptance_stderr=se,
        ess=float(len(samples)),
        rhat=None,
        steps=proposals,
        constrained=gs.constrained,
    )
