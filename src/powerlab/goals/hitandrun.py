r"""Uniform sampling from :math:`G_T` by hit-and-run over its polytope pieces (Def 6).

Hit-and-run (Smith 1984; Lovász & Vempala 2006) for the uniform distribution on a body K:
from x draw a direction d, find the chord of K on the line :math:`x + t d` that contains x,
and move to a uniform point of it. The transition density from x to y is proportional to
:math:`|x-y|^{1-n} / \lambda(\text{chord})` with the same chord seen from y, so the kernel is
symmetric and the uniform distribution on K is stationary. This holds for any fixed
direction distribution symmetric under :math:`d \to -d`, and for the *connected* chord
through x even when K is not convex, which is the case here: K is :math:`G^C_T`, a union of
polytope pieces, and chords are walked piece by piece with exact ratio tests
(:mod:`powerlab.goals.pieces`; the starting point comes from an LP,
:mod:`powerlab.goals.interior`).

Rounding: a pilot run with box-scaled Gaussian directions estimates the covariance Σ of
:math:`G^C_T`; afterwards the directions are :math:`d = L z`, :math:`LL^\top = Σ`,
:math:`z \sim N(0, I)`, fixed for the rest of the run (so the chain stays reversible).
The chains run in lockstep, batched: chains that sit in the same piece share one matrix
product per step, so the cost per step is a few array operations for all chains (the
pilot disperses them before burn-in). Diagnostics are per constrained
coordinate: the minimum effective sample size and the largest split-R-hat
(:mod:`powerlab.goals.diagnostics`). Free coordinates are drawn i.i.d. (they do not enter
any constraint), so their draws are exact.

Caveat: a chain restricted to connected chords cannot cross a gap between disconnected
parts of :math:`G_T` that no line inside :math:`G_T` joins; compare with
:func:`powerlab.goals.rejection.sample_rejection` where it is feasible (the tests do).
"""

from __future__ import annotations

import math
import time

import numpy as np

from powerlab.errors import InputError
from powerlab.goals.compatible import GoalSet
from powerlab.goals.diagnostics import ess, split_rhat
from powerlab.goals.interior import EmptyFinding, find_start
from powerlab.goals.pieces import PieceGeometry
from powerlab.goals.samples import GoalSamples

__all__ = ["EmptyGoalSet", "sample_hit_and_run"]


class EmptyGoalSet(RuntimeError):
    """:math:`G_T` has no interior; ``finding`` says which constraint empties it."""

    def __init__(self, finding: EmptyFinding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def sample_hit_and_run(
    gs: GoalSet,
    n: int,
    rng: object = None,
    *,
    chains: int | None = None,
    burn_in: int | None = None,
    pilot: int | None = None,
    thin: int | None = None,
    rounding: bool = True,
) -> GoalSamples:
    """``n`` approximately uniform draws from :math:`G_T` by hit-and-run (module docstring).

    Args:
        gs: the goal set.
        n: samples to keep (over all chains).
        rng: seed or ``numpy.random.Generator``.
        chains: independent chains run in lockstep (>= 2 for R-hat); default
            ``min(64, max(4, n // 100))``, so that each chain keeps about 100 draws or more.
        burn_in: steps discarded per chain (default ``max(200, 50 n_C)``).
        pilot: rounding pilot steps per chain (default ``max(100, 20 n_C)``).
        thin: keep every ``thin``-th step (default ``n_C``, the chain's dimension).
        rounding: use the pilot covariance for directions.

    Raises:
        EmptyGoalSet: :math:`G_T` has no interior (its ``finding`` names the constraint).
    """
    if chains is None:
        chains = min(64, max(4, int(n) // 100)) if isinstance(n, int | np.integer) else 4
    for name, v in (("n", n), ("chains", chains), ("thin", 1 if thin is None else thin)):
        if (
            isinstance(v, bool)
            or not isinstance(v, int | np.integer)
            or v < (0 if name == "n" else 1)
        ):
            raise InputError(f"sample_hit_and_run: {name} must be a positive integer, got {v!r}")
    gen = np.random.default_rng(rng)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    start = find_start(gs, gen)
    if isinstance(start, EmptyFinding):
        raise EmptyGoalSet(start)
    geo = PieceGeometry(gs)
    nC = geo.n
    if nC == 0:
        samples = gs.fill_free(np.zeros((n, 0)), gen)
        return GoalSamples(
            samples,
            "hit-and-run",
            gs.reading,
            gs.gamma,
            time.perf_counter() - t0,
            np.full(n, -1, dtype=np.int64),
            ess=float(n),
            constrained=gs.constrained,
        )
    scale = geo.hi - geo.lo
    L = np.diag(scale)
    n_pilot = pilot if pilot is not None else max(100, 20 * nC)
    n_burn = burn_in if burn_in is not None else max(200, 50 * nC)
    thin = thin if thin is not None else max(1, nC)
    X = np.tile(start.x, (chains, 1))
    pols = [start.policy] * chains
    steps = 0

    def advance(
        X: np.ndarray, pols: list[tuple[int, ...]]
    ) -> tuple[np.ndarray, list[tuple[int, ...]]]:
        D = gen.standard_normal((chains, nC)) @ L.T
        return geo.step_batch(X, pols, D, gen.random(chains))

    late = []
    for i in range(n_pilot):
        X, pols = advance(X, pols)
        steps += chains
        if i >= n_pilot // 2:
            late.append(X)
    if rounding and len(late) * chains > nC + 1:
        P = np.concatenate(late)
        cov = np.cov(P, rowvar=False).reshape(nC, nC) + np.diag((1e-6 * scale) ** 2)
        try:
            L = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            L = np.diag(scale)
    for _ in range(n_burn):
        X, pols = advance(X, pols)
        steps += chains
    per = math.ceil(n / chains) if n else 0
    kept = np.empty((chains, per, nC))
    for j in range(per):
        for _ in range(thin):
            X, pols = advance(X, pols)
            steps += chains
        kept[:, j] = X
    flat = kept.reshape(chains * per, nC)[:n]
    chain_id = np.repeat(np.arange(chains), per)[:n]
    if per >= 4:
        ess_min = min(ess(kept[:, :, i]) for i in range(nC))
        rhat = max(split_rhat(kept[:, :, i]) if chains * per >= 8 else 1.0 for i in range(nC))
    else:
        ess_min, rhat = float("nan"), None
    samples = gs.fill_free(flat, gen)
    return GoalSamples(
        samples=samples,
        sampler="hit-and-run",
        reading=gs.reading,
        gamma=gs.gamma,
        seconds=time.perf_counter() - t0,
        chain=chain_id,
        ess=float(ess_min),
        rhat=rhat,
        steps=steps,
        constrained=gs.constrained,
    )
