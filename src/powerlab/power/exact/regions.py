r"""Exact volumes and moments of the regions of the unit cube where each candidate is best.

Candidates i = 1..N carry *keys*: sequences :math:`(c_i^{(0)}, c_i^{(1)}, \dots)` of rational
vectors over n coordinates, compared lexicographically at a reward vector y: i beats j at y
when :math:`(c_i^{(k)} - c_j^{(k)})^\top y > 0` at the first k where the two keys differ. With
one vector per key this is "which linear functional :math:`c_i^\top y` is largest"; longer keys
order visit distributions in the limits γ → 0 and γ → 1 (Taylor and Laurent coefficients).
For y uniform on :math:`[0,1]^n`, ties have probability 0 between distinct keys, and

.. math:: Q_i = \{y \in [0,1]^n : d_{ij}^\top y \ge 0 \ \forall j \ne i\},
          \qquad d_{ij} = c_i^{(k_{ij})} - c_j^{(k_{ij})},

are polytopes that tile the cube. This module returns :math:`\operatorname{vol}(Q_i)` and
:math:`\int_{Q_i} y\,dy` exactly (:mod:`.polytope`), from which
:math:`\mathbb E[\max_i c_i^\top y] = \sum_i c_i^\top \int_{Q_i} y\,dy` and
:math:`\Pr(i \text{ best}) = \operatorname{vol}(Q_i)`.

Speed-ups that do not affect exactness:

1. A floating-point linear program finds whether each region has an interior point
   (Chebyshev radius > 1e-10, :func:`.chebyshev.chebyshev_centre`). The region's vertices
   and their incidences to every constraint then come from the backend chosen once in
   :mod:`.facets`: an exact double-description enumeration in the compiled extension
   (:func:`.compiled.enumerated_geometry`; GMP integers, floating point only as a filter),
   with constraints inserted nearest-to-the-Chebyshev-centre first, or, without the
   extension, Qhull's vertices re-solved and checked in rational arithmetic
   (:func:`.qhull.qhull_geometry`). Either way Lasserre's recursion runs over the face
   lattice those incidences define.
   Coordinates that no constraint mentions are integrated out in closed form (length 1,
   mean 1/2).
2. Regions integrated in one process share a cache: a face common to two regions (their
   boundary, and its faces) is integrated once, since its projected measure depends only on
   its vertex set, and vertices already solved exactly are reused (and re-checked).
   Regions are analysed in parallel worker processes when there are many and they are big.
3. Certificates. A candidate j with no interior point is proved null exactly: by Ville's
   theorem of the alternative, no y > 0 has :math:`d_{ji}^\top y > 0` for all i iff some
   :math:`\mu \ge 0`, :math:`\sum_i \mu_i = 1`, has :math:`\sum_i \mu_i d_{ji} \le 0`
   componentwise; μ comes from a linear program and is re-solved and checked in rationals (a
   candidate without a certificate is integrated like the others).
4. The exact identities :math:`\sum_i \operatorname{vol}(Q_i) = 1` and
   :math:`\sum_i \int_{Q_i} y = (1/2, \dots, 1/2)` are checked at the end. They would catch
   a missed vertex (the recursion relies on complete vertex lists); if they fail,
   the regions are recomputed by the plain recursion over all their constraints
   (:mod:`.polytope`), which needs no vertices.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np
from scipy.optimize import linprog

from powerlab.errors import InputError
from powerlab.power.exact._linalg import solve_exact
from powerlab.power.exact._rational import to_fraction
from powerlab.power.exact.chebyshev import chebyshev_centre
from powerlab.power.exact.facets import BACKEND
from powerlab.power.exact.polytope import Budget, Constraint, integrate_polytope

__all__ = ["Region", "cube_regions"]

Region = tuple[Fraction, tuple[Fraction, ...]]
_RADIUS_TOL = 1e-10


def _integer_levels(keys: Sequence[Sequence[Sequence[Fraction]]]) -> list[list[tuple[int, ...]]]:
    """Scale each key level by one common positive integer so every vector is integral."""
    depth = max(len(k) for k in keys)
    out: list[list[tuple[int, ...]]] = [[] for _ in keys]
    for level in range(depth):
        den = 1
        for k in keys:
            if level < len(k):
                for x in k[level]:
                    den = lcm(den, Fraction(x).denominator)
        for i, k in enumerate(keys):
            if level < len(k):
                out[i].append(tuple(int(Fraction(x) * den) for x in k[level]))
    return out


def _difference(a: list[tuple[int, ...]], b: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    for u, v in zip(a, b, strict=False):
        if u != v:
            return tuple(x - y for x, y in zip(u, v, strict=True))
    return None


@dataclass
class _Cache:
    """What regions of one subdivision share, within one process.

    ``moments`` and ``volumes`` (one per kind of run) hold integrated faces keyed by their
    vertex sets (as vertex numbers from ``ids``), valid for every region since a face's
    measure depends only on its vertices (:mod:`.lattice`); ``vertices`` maps rounded
    approximate vertices to exact ones already certified (the fallback backend's; each is
    re-checked against the region's constraints).
    """

    moments: Any = field(default_factory=lambda: BACKEND.new_memo())
    volumes: Any = field(default_factory=lambda: BACKEND.new_memo())
    ids: dict[Any, int] = field(default_factory=dict)
    vertices: dict[bytes, Any] = field(default_factory=dict)


_WORKER_CACHE: _Cache | None = None


def _region_in_worker(
    rows: list[tuple[int, ...]], n: int, budget: Budget, moments: bool
) -> Region | None:
    """:func:`_region` with this worker process's cache (a fresh one per pool)."""
    global _WORKER_CACHE
    if _WORKER_CACHE is None:
        _WORKER_CACHE = _Cache()
    return _region(rows, n, budget, moments, _WORKER_CACHE)


def _region(
    rows: list[tuple[int, ...]],
    n: int,
    budget: Budget,
    moments: bool,
    cache: _Cache | None = None,
) -> tuple[Fraction, tuple[Fraction, ...]] | None:
    """One candidate's region ``{y in [0,1]^n : row·y >= 0}``: exact (vol, moments), or None.

    None means the region is certified null (module docstring, 3). A region with an interior
    point is integrated over its face lattice from its exact vertices
    (:mod:`.facets`); coordinates no row mentions are integrated out (length 1, mean 1/2).
    """
    ball = chebyshev_centre(-np.array(rows, dtype=np.float64), np.zeros(len(rows)))
    budget.tick()
    if ball is None or ball[1] <= _RADIUS_TOL:
        if _null_certificate(rows):
            return None
        return _integrate_region(rows, n, budget)
    return _integrate_region(rows, n, budget, ball[0], moments, cache)


def _integrate_region(
    rows: list[tuple[int, ...]],
    n: int,
    budget: Budget,
    centre: np.ndarray | None = None,
    moments: bool = True,
    cache: _Cache | None = None,
) -> tuple[Fraction, tuple[Fraction, ...]]:
    """vol and moments of {y in [0,1]^n : row·y >= 0}, integrating unused coordinates out.

    With an interior point ``centre``, the region's exact vertices are found and Lasserre's
    recursion runs over its face lattice (the backend of :mod:`.facets`); otherwise the
    plain recursion over constraints is used (:mod:`.polytope`).
    """
    active = sorted({j for r in rows for j in range(n) if r[j] != 0})
    cons: list[Constraint] = [(tuple(r[j] for j in active), 0) for r in rows]
    geo = None
    cache = cache or _Cache()
    if centre is not None and len(active) >= 2:
        geo = BACKEND.geometry(cons, len(active), centre[active], budget, cache.vertices)
    if geo is not None:
        where = tuple(active)
        # A vertex's canonical integers identify it exactly, and are cheaper keys than rationals.
        ids = [cache.ids.setdefault((where, p), len(cache.ids)) for p in geo.ints]
        memo = cache.moments if moments else cache.volumes
        qv, qm = BACKEND.integrate(geo, budget, moments, memo, ids)
        vol, mom = to_fraction(qv), tuple(to_fraction(x) for x in qm)
    else:
        vol, mom = integrate_polytope(cons, len(active), budget)
    full = [vol / 2] * n
    for i, j in enumerate(active):
        full[j] = mom[i]
    return vol, tuple(full)


def cube_regions(
    keys: Sequence[Sequence[Sequence[Fraction]]],
    budget: Budget | None = None,
    moments: bool = True,
    workers: int | None = None,
) -> list[Region | None]:
    """Exact ``(vol(Q_i), ∫_{Q_i} y dy)`` for each candidate (module docstring).

    Args:
        keys: ``keys[i]`` is candidate i's key, a nonempty sequence of rational vectors ``[n]``;
            keys must be pairwise distinct.
        budget: work limit; exceeding it raises :class:`InputError`.
        moments: also compute ``∫_{Q_i} y dy``; with ``False`` only volumes are exact (the
            moments returned are then meaningless) and only Σ vol = 1 is checked.
        workers: processes integrating regions in parallel (default: up to 2 CPUs, used only
            for instances big enough to repay starting them).

    Returns:
        one entry per candidate: ``(volume, moments [n])``, or ``None`` for a candidate whose
        region is null (volume 0), as certified by the exact tiling identity.
    """
    budget = budget or Budget()
    N = len(keys)
    if N == 0:
        raise InputError("no candidates to compare")
    n = len(keys[0][0])
    if N == 1:
        return [(Fraction(1), (Fraction(1, 2),) * n)]
    K = _integer_levels(keys)
    diffs: list[list[tuple[int, ...] | None]] = [[None] * N for _ in range(N)]
    for i in range(N):
        for j in range(i + 1, N):
            d = _difference(K[i], K[j])
            if d is None:
                raise InputError("cube_regions: two candidates have identical keys")
            diffs[i][j] = d
            diffs[j][i] = tuple(-x for x in d)
    jobs = [
        (i, [r for j in range(N) if j != i and (r := diffs[i][j]) is not None]) for i in range(N)
    ]
    results: list[Region | None] = [None] * N
    for i, res in _run_jobs(jobs, n, budget, moments, workers):
        results[i] = res
    if not _tiles([r for r in results if r is not None], n, moments):
        for i, rows_i in jobs:
            if results[i] is not None:
                results[i] = _integrate_region(rows_i, n, budget)
        if not _tiles([r for r in results if r is not None], n, moments):
            raise InputError(
                "exact integration could not certify its regions (they do not tile the cube); "
                "please report this instance and use the Monte Carlo estimate (drop --exact)"
            )
    return results


def _null_certificate(rows: list[tuple[int, ...]]) -> bool:
    """Exact proof that {y > 0 : d·y > 0 for every row d} is empty (module docstring, 2)."""
    D = np.array(rows, dtype=np.float64)  # [m, n]
    m, n = D.shape
    scale = np.maximum(np.abs(D).max(axis=1), 1.0)
    res = linprog(
        np.zeros(m),
        A_ub=(D / scale[:, None]).T,
        b_ub=np.zeros(n),
        A_eq=np.ones((1, m)),
        b_eq=[1.0],
        bounds=(0, None),
        method="highs-ds",
    )
    if res.status != 0:
        return False
    support = [int(k) for k in np.flatnonzero(res.x > 1e-12)]
    slack = res.x @ (D / scale[:, None])  # [n], <= 0
    tight = [c for c in range(n) if abs(float(slack[c])) < 1e-9]
    eqs = [[Fraction(rows[k][c]) for k in support] for c in tight]
    eqs.append([Fraction(1)] * len(support))
    sol = solve_exact(eqs, [Fraction(0)] * len(tight) + [Fraction(1)])
    if sol is None or any(x < 0 for x in sol):
        return False
    return all(
        sum((x * rows[k][c] for x, k in zip(sol, support, strict=True)), Fraction(0)) <= 0
        for c in range(n)
    )


def _run_jobs(
    jobs: list[tuple[int, list[tuple[int, ...]]]],
    n: int,
    budget: Budget,
    moments: bool,
    workers: int | None,
) -> list[tuple[int, Region | None]]:
    """Analyse and integrate each region, in worker processes when they are many and big."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    if workers < 2 or len(jobs) < 8 or n < 7 or "fork" not in mp.get_all_start_methods():
        cache = _Cache()
        return [(i, _region(rows, n, budget, moments, cache)) for i, rows in jobs]
    left = None
    if budget.seconds is not None:
        left = max(budget.seconds - (time.perf_counter() - budget.start), 0.1)
    share = Budget(seconds=left, shown=budget.shown or budget.seconds)
    # One region per task keeps both workers busy to the end (runs of neighbouring regions
    # per task share more faces but balanced worse when measured). The pool is terminated,
    # not drained, when done or refused: a worker inside one long Qhull call cannot check
    # the budget, and waiting for it overran the time limit by seconds.
    pool = mp.get_context("fork").Pool(workers)
    try:
        pending = [
            (i, pool.apply_async(_region_in_worker, (rows, n, share, moments))) for i, rows in jobs
        ]
        out: list[tuple[int, Region | None]] = []
        for i, res in pending:
            wait = None
            if budget.seconds is not None:
                wait = max(budget.seconds - (time.perf_counter() - budget.start), 0.0) + 0.5
            try:
                out.append((i, res.get(wait)))
            except mp.TimeoutError:
                budget.exceeded("time")
        return out
    finally:
        pool.terminate()
        pool.join()


def _tiles(regions: list[Region], n: int, moments: bool = True) -> bool:
    """The exact identities Σ vol = 1 and (with ``moments``) Σ ∫ y = (1/2, ..., 1/2)."""
    vol = sum((v for v, _ in regions), Fraction(0))
    if vol != 1 or not moments:
        return vol == 1
    return all(sum((m[j] for _, m in regions), Fraction(0)) == Fraction(1, 2) for j in range(n))
