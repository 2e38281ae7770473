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

Starts: the chains start at distinct exact uniform draws of :math:`G^C_T` (box draws that
passed the membership test while the start was searched for) where there are enough,
otherwise at the LP's interior point; chains that start in the stationary distribution
make R-hat a fair test of mixing rather than of burn-in.

Radial moves: every constraint of :math:`G^C_T` is homogeneous (:math:`g^\top x \le 0`), so
each piece is a cone cut by the box, and when the box contains 0 the set is star-shaped
about 0: the ray from 0 through x stays in x's piece up to the box. After each
hit-and-run step the chains therefore also take an exact Gibbs step in polar
coordinates: with x = r u, the conditional density of r given u under the uniform
distribution is :math:`\propto r^{n-1}` on :math:`(0, r_{max}]`, so
:math:`x \leftarrow s\,x` with :math:`s = s_{max} U^{1/n}`. Both kernels leave the
uniform distribution invariant, hence so does their composition. Without this step a
cone that narrows towards 0 (long-horizon training at γ near 1 makes every
:math:`\theta(a_i)` at most :math:`(1-\gamma)\,\theta(exit)`) mixes very slowly in its
radius.

Rounding: pilot runs estimate the covariance Σ of :math:`G^C_T` (first with box-scaled
Gaussian directions, then, in a second round, with the first estimate); afterwards the
directions are :math:`d = L z`, :math:`LL^\top = Σ`, :math:`z \sim N(0, I)`, fixed for the
rest of the run (so the chain stays reversible). The chains run in lockstep, batched:
chains that sit in the same piece share one matrix product per step. Diagnostics are per
constrained coordinate: the minimum effective sample size (capped at N) and the largest
split-R-hat (:mod:`powerlab.goals.diagnostics`); R-hat above 1.01 or an ESS below 10% of
the draws is reported in :attr:`GoalSamples.warnings`. Free coordinates are drawn
i.i.d. (they do not enter any constraint), so their draws are exact.

Caveat: a chain restricted to connected chords cannot cross a gap between disconnected
parts of :math:`G_T` that no line inside :math:`G_T` joins; compare with
:func:`powerlab.goals.rejection.sample_rejection` where it is feasible (the tests do).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from powerlab._memory import check_bytes
from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.goals.compatible import GoalSet
from powerlab.goals.diagnostics import ess, mixing_warnings, split_rhat
from powerlab.goals.interior import EmptyFinding, EmptyGoalSet, Start, find_start
from powerlab.goals.pieces import PieceGeometry
from powerlab.goals.samples import GoalSamples

__all__ = ["EmptyGoalSet", "sample_hit_and_run"]

_ROUNDS = 2


def _count(name: str, v: object, least: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < least:
        raise InputError(f"sample_hit_and_run: {name} must be an integer >= {least}, got {v!r}")
    return int(v)


def _starts(
    geo: PieceGeometry, start: Start, chains: int
) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """``chains`` starting points: distinct exact draws where available, else the LP point."""
    pts: list[np.ndarray] = []
    pols: list[tuple[int, ...]] = []
    members = start.members if start.members is not None else np.zeros((0, geo.n))
    for x in members[:chains]:
        pol, ok = geo.optimal_policy(x)
        if ok:
            pts.append(x)
            pols.append(pol)
    while len(pts) < chains:
        pts.append(start.x)
        pols.append(start.policy)
    return np.array(pts), pols


class _Chains:
    """K chains in lockstep on one geometry, with the direction factor L."""

    def __init__(
        self, geo: PieceGeometry, X: np.ndarray, pols: list, gen: np.random.Generator
    ) -> None:
        self.geo, self.X, self.pols, self.gen = geo, X, pols, gen
        self.L = np.diag(geo.hi - geo.lo)
        self.steps = 0
        self.radial = bool(np.all(geo.lo <= 0.0) and np.all(geo.hi >= 0.0))

    def _radial(self) -> None:
        """The exact polar Gibbs step (module docstring): x <- s_max U^(1/n) x."""
        X = self.X
        with np.errstate(divide="ignore", invalid="ignore"):
            lim = np.where(X > 0, self.geo.hi / X, np.where(X < 0, self.geo.lo / X, np.inf))
        s_max = lim.min(axis=1)
        s_max = np.where(np.isfinite(s_max), s_max, 1.0)
        s = s_max * self.gen.random(len(X)) ** (1.0 / X.shape[1])
        self.X = np.clip(X * s[:, None], self.geo.lo, self.geo.hi)

    def advance(self, k: int = 1) -> None:
        K, n = self.X.shape
        for _ in range(k):
            D = self.gen.standard_normal((K, n)) @ self.L.T
            U = np.asarray(self.gen.random(K))
            self.X, self.pols = self.geo.step_batch(self.X, self.pols, D, U)
            if self.radial:
                self._radial()
            self.steps += K

    def round(self, steps: int) -> None:
        """Run ``steps`` and set L from the covariance of the second half (module docstring)."""
        K, n = self.X.shape
        late = []
        for i in range(steps):
            self.advance()
            if i >= steps // 2:
                late.append(self.X)
        if len(late) * K <= n + 1:
            return
        scale = self.geo.hi - self.geo.lo
        cov = np.cov(np.concatenate(late), rowvar=False).reshape(n, n)
        try:
            self.L = np.linalg.cholesky(cov + np.diag((1e-6 * scale) ** 2))
        except np.linalg.LinAlgError:
            self.L = np.diag(scale)


def sample_hit_and_run(
    gs: GoalSet,
    n: int,
    rng: Seed = None,
    *,
    chains: int | None = None,
    burn_in: int | None = None,
    pilot: int | None = None,
    thin: int | None = None,
    rounding: bool = True,
    progress: Callable[[int], None] | None = None,
) -> GoalSamples:
    """``n`` approximately uniform draws from :math:`G_T` by hit-and-run (module docstring).

    Args:
        gs: the goal set.
        n: samples to keep (over all chains).
        rng: seed or ``numpy.random.Generator``.
        chains: independent chains run in lockstep (>= 2 for R-hat); default
            ``min(64, max(4, n // 100))``, so that each chain keeps about 100 draws or more.
        burn_in: steps discarded per chain (default ``max(200, 50 n_C)``).
        pilot: rounding pilot steps per chain and round (default ``max(100, 20 n_C)``).
        thin: keep every ``thin``-th step (default ``4 n_C``, four times the chain's
            dimension; on the CoinRun example at γ = 0.99 this brings split-R-hat below
            1.01, where ``n_C`` left it at 1.02-1.03).
        rounding: use the pilot covariance for directions.
        progress: called with the number of samples kept after each kept step (``n`` in all).

    Raises:
        EmptyGoalSet: :math:`G_T` has measure zero (its ``finding`` names the constraint).
        ResourceError: the samples would not fit in memory (checked before allocating).
    """
    n = _count("n", n, 0)
    if gs.epsilon > 0:
        raise InputError(
            "hit-and-run samples G_T itself; for approximate compatibility (epsilon > 0) use "
            "the rejection sampler"
        )
    chains = _count("chains", min(64, max(4, n // 100)) if chains is None else chains, 1)
    check_bytes(8.0 * n * (gs.mdp.n_states + 2), f"{n} goal samples over {gs.mdp.n_states} states")
    gen = as_generator(rng)
    t0 = time.perf_counter()
    start = find_start(gs, gen)
    if isinstance(start, EmptyFinding):
        raise EmptyGoalSet(start)
    geo = gs.geometry
    nC = geo.n
    if nC == 0:
        samples = gs.fill_free(np.zeros((n, 0)), gen)
        iid = np.full(n, -1, dtype=np.int64)
        if progress is not None:
            progress(n)
        return GoalSamples.drawn(gs, "hit-and-run", samples, iid, t0, n, ess=float(n))
    thin = _count("thin", 4 * nC if thin is None else thin, 1)
    n_pilot = _count("pilot", max(100, 20 * nC) if pilot is None else pilot, 0)
    n_burn = _count("burn_in", max(200, 50 * nC) if burn_in is None else burn_in, 0)
    X, pols = _starts(geo, start, chains)
    run = _Chains(geo, X, pols, gen)
    if rounding:
        for _ in range(_ROUNDS):
            run.round(n_pilot)
    run.advance(n_burn)
    per = math.ceil(n / chains) if n else 0
    kept = np.empty((chains, per, nC))
    for j in range(per):
        run.advance(thin)
        kept[:, j] = run.X
        if progress is not None:
            progress(min(chains, n - j * chains))
    flat = kept.reshape(chains * per, nC)[:n]
    chain_id = np.repeat(np.arange(chains), per)[:n]
    if per >= 4:
        ess_min = min(min(ess(kept[:, :, i]) for i in range(nC)), float(n))
        rhat = max(split_rhat(kept[:, :, i]) if chains * per >= 8 else 1.0 for i in range(nC))
    else:
        ess_min, rhat = float("nan"), None
    return GoalSamples.drawn(
        gs,
        "hit-and-run",
        gs.fill_free(flat, gen),
        chain_id,
        t0,
        n,
        ess=float(ess_min),
        rhat=rhat,
        steps=run.steps,
        warnings=mixing_warnings(n, ess_min, rhat),
    )
